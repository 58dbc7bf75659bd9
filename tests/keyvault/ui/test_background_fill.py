"""Columns filled without clicking: the window's Key Vault panes fill the Subject / Type of the
rows in view (and only those) in the background, against the Key Vault emulator."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QModelIndex

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.main_window import MainWindow

CERTS = 300
SEED = {
    "keys": [{"name": f"key-{i:02d}", "kty": "EC", "crv": "P-256"} for i in range(60)],
    "certificates": [{"name": f"cert-{i:03d}", "subject": f"CN=cert-{i:03d}.local",
                      "kty": "EC", "crv": "P-256"} for i in range(CERTS)],
}
CERTIFICATES_TAB, KEYS_TAB = 1, 2
SUBJECT, TYPE = 2, 2


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-background-fill"),
                                seed=SEED) as instance:
        yield instance


class Harness:
    def __init__(self, window: MainWindow, reporter: ErrorReporter) -> None:
        self.window = window
        self.errors: list[Any] = []
        reporter.dialog_shown.connect(lambda dialog: self.errors.append(dialog.error))

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 15.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting")
            await asyncio.sleep(0.01)

    async def settle(self, pane: TreePane) -> None:
        """The listing idle, the view's rows announced, and every fill they asked done."""
        await pane.model.wait_idle()
        await asyncio.sleep(0.35)  # past the debounce of the last change
        await pane.model.wait_idle()

    async def open(self, emulator: Any, tab: int, *, fills: bool = True
                   ) -> tuple[TreePane, QModelIndex]:
        """Connect the vault (its tab in front, the vault expanding as a new connection does)
        and list it to the end; ``fills``: and wait for the rows in view to be filled."""
        window = self.window
        window.add_connection(Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                                         name="fill-vault", ca_path=str(emulator.ca_path)))
        window.tabs.setCurrentIndex(tab)
        pane = window.panes[tab]
        vault = pane.model.index(0, 0)
        await self.wait_for(lambda: pane.view.isExpanded(pane.proxy.mapFromSource(vault)))
        pane.model.load_all(vault)
        if fills:
            await self.settle(pane)
        else:
            await self.wait_for(lambda: not pane.model.is_loading())
        return pane, vault


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    window.resize(1100, 560)  # a screen of some twenty rows
    window.show()
    yield Harness(window, reporter)
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()


def item_gets(emulator: Any, since: int, collection: str) -> list[str]:
    names = []
    for entry in emulator.request_log[since:]:
        parts = entry.path.strip("/").split("/")
        if entry.method == "GET" and entry.authorized and len(parts) == 2 \
                and parts[0] == collection:
            names.append(parts[1])
    return names


def names_in_view(pane: TreePane) -> list[str]:
    return [pane.model.record_of(index).name for index in pane.visible_rows.rows()
            if index.parent().isValid()]  # item rows, not the vault's


def test_rows_in_view_fill_with_no_selection_and_only_they(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    async def body() -> None:
        log = len(emulator.request_log)
        start = time.perf_counter()
        pane, vault = await harness.open(emulator, CERTIFICATES_TAB)
        model = pane.model
        assert model.rowCount(vault) == CERTS
        assert not pane.selected_source_index().isValid()  # nothing was clicked
        shown = names_in_view(pane)
        assert 10 <= len(shown) <= 40, shown  # a screen and its margin, of 300
        await harness.wait_for(lambda: all(
            model.index(r, SUBJECT, vault).data() for r in range(len(shown))))
        elapsed = time.perf_counter() - start
        asked = item_gets(emulator, log, "certificates")
        assert sorted(asked) == sorted(shown)  # one GET per row in view, none for the rest
        print(f"\n[background-fill] {len(asked)} GETs for {len(shown)} rows in view of {CERTS};"
              f" listed and filled in {elapsed:.2f} s")
        assert model.index(len(shown), SUBJECT, vault).data() == ""  # below the view

        # Scrolled to the end: those rows fill; scrolled back: nothing is asked again.
        log = len(emulator.request_log)
        scrolled = time.perf_counter()
        pane.view.scrollToBottom()
        await harness.wait_for(lambda: names_in_view(pane)[-1] == f"cert-{CERTS - 1:03d}"
                               and all(index.siblingAtColumn(SUBJECT).data()
                                       for index in pane.visible_rows.rows()))
        print(f"[background-fill] a screen scrolled to filled in "
              f"{time.perf_counter() - scrolled:.2f} s (debounce included)")
        await harness.settle(pane)
        bottom = names_in_view(pane)
        assert bottom[-1] == f"cert-{CERTS - 1:03d}"
        assert sorted(item_gets(emulator, log, "certificates")) == sorted(bottom)
        assert all(model.index(r, SUBJECT, vault).data() for r in range(CERTS - 5, CERTS))
        log = len(emulator.request_log)
        pane.view.scrollToTop()
        await harness.settle(pane)
        assert item_gets(emulator, log, "certificates") == []
        assert harness.errors == []
        assert not [r for r in harness.window.session.journal.records() if r.failed]

    qloop.run_until_complete(body())


def test_scrolling_away_or_leaving_the_tab_cancels_what_is_in_flight(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    async def body() -> None:
        window = harness.window
        journal = window.session.journal
        emulator.faults.slow(0.6, path_prefix="/keys/", method="GET", times=None)
        seen = len(journal)
        pane, vault = await harness.open(emulator, KEYS_TAB, fills=False)
        model = pane.model
        filler = model.filler
        assert filler is not None
        # The vault listed: the first rows are being asked (slowly), at most four at once.
        await harness.wait_for(lambda: filler.in_flight() == 4)
        top = names_in_view(pane)

        def cancelled() -> set[str]:
            return {urlsplit(r.url).path.strip("/").rsplit("/", 1)[-1]
                    for r in journal.records()[seen:] if r.cancelled}

        pane.view.scrollToBottom()  # the user scrolls away before they land
        await harness.wait_for(lambda: len(cancelled()) == 4)
        assert cancelled() <= set(top[:4])  # the four in flight were the top rows
        assert names_in_view(pane)[-1] == "key-59"
        # Leaving the tab cancels the rest.
        window.tabs.setCurrentIndex(CERTIFICATES_TAB)
        await harness.wait_for(lambda: filler.in_flight() == 0, timeout=2.0)
        emulator.faults.clear()
        await asyncio.sleep(0.8)  # the cancelled answers would have landed by now
        rows = {model.record_of(model.index(r, 0, vault)).name: model.index(r, TYPE, vault)
                for r in range(model.rowCount(vault))}
        assert all(rows[name].data() == "" for name in cancelled())  # never touched
        assert harness.errors == [] and not [r for r in journal.records()[seen:] if r.failed]

        # Back on the tab, the rows in view fill (the cancelled ones were never answered).
        window.tabs.setCurrentIndex(KEYS_TAB)
        await harness.wait_for(lambda: all(rows[name].data() == "EC"
                                           for name in names_in_view(pane)))

    qloop.run_until_complete(body())


def test_access_denied_stops_the_vault_with_no_dialog_and_no_failure_shown(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    async def body() -> None:
        emulator.faults.forbid("/certificates/", method="GET")
        try:
            log = len(emulator.request_log)
            pane, vault = await harness.open(emulator, CERTIFICATES_TAB)
            assert pane.model.filler.is_stopped(pane.model.node_of(vault))
            asked = item_gets(emulator, log, "certificates")
            assert 1 <= len(asked) <= 4
            pane.view.scrollToBottom()
            await harness.settle(pane)
            assert item_gets(emulator, log, "certificates") == asked  # not again, not others
        finally:
            emulator.faults.clear()
        assert harness.errors == []
        assert not [r for r in harness.window.session.journal.records() if r.failed]
        assert all(pane.model.index(r, SUBJECT, vault).data() == "" for r in range(10))

    qloop.run_until_complete(body())


def test_collapsing_the_vault_cancels_its_rows_fills(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    async def body() -> None:
        emulator.faults.slow(0.6, path_prefix="/certificates/", method="GET", times=None)
        try:
            pane, vault = await harness.open(emulator, CERTIFICATES_TAB, fills=False)
            filler = pane.model.filler
            await harness.wait_for(lambda: filler.in_flight() == 4)
            pane.view.collapse(pane.proxy.mapFromSource(vault))
            await harness.wait_for(lambda: filler.in_flight() == 0, timeout=1.0)
        finally:
            emulator.faults.clear()
        await asyncio.sleep(0.8)  # the cancelled answers would have landed by now
        assert all(pane.model.index(r, SUBJECT, vault).data() == "" for r in range(10))
        assert harness.errors == []

    qloop.run_until_complete(body())
