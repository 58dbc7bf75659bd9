"""Tools ▸ Search all vaults… in a real window over two Key Vault emulators: one vault open in
the tabs, the other only "discovered". The dialog finds matches in both with a Vault column,
shows each vault's progress, says a bad regex before any request, and Enter on a result opens
its vault (when only discovered) and selects the item in the Secrets tab."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest

from tests.keyvault.services.cross_vault_fixtures import ALPHA_SEED, BETA_SEED, connection
from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.models.across_search_model import HIT_COLUMNS, HIT_ROLE
from vaultbrowser.keyvault.services.across.search import VaultState
from vaultbrowser.keyvault.ui.across.search_tool import SHORTCUT, CrossVaultSearchTool
from vaultbrowser.keyvault.ui.across.vaults import AllVaults, VaultChoice


@pytest.fixture(scope="module")
def alpha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("ui-search-alpha"),
                                seed=ALPHA_SEED) as instance:
        yield instance


@pytest.fixture(scope="module")
def beta(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("ui-search-beta"),
                                seed=BETA_SEED) as instance:
        yield instance


class WithDiscovered(AllVaults):
    """The window's open vaults plus one an Azure sign-in would have discovered."""

    def __init__(self, window: Any, discovered: VaultChoice) -> None:
        super().__init__(window)
        self.discovered = discovered

    def choices(self) -> list[VaultChoice]:
        open_urls = {c.url.lower() for c in super().choices()}
        extra = [] if self.discovered.url.lower() in open_urls else [self.discovered]
        return [*super().choices(), *extra]


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[MainWindow]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    window.show()
    yield window
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()


async def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


def table(dialog: Any) -> list[tuple[str, ...]]:
    model = dialog.results_view.model()
    return [tuple(str(model.index(r, c).data() or "") for c in range(3))
            for r in range(model.rowCount())]


def test_search_across_an_open_and_a_discovered_vault(qloop: Any, window: MainWindow,
                                                      alpha: Any, beta: Any,
                                                      qtmodeltester: Any) -> None:
    async def body() -> None:
        await window.open_connection(connection(alpha, "alpha-vault"))
        tool = window.view("keyvault").tools.search
        assert isinstance(tool, CrossVaultSearchTool)
        # In the Tools menu, with its shortcut.
        menu_actions = [a for m in window.menuBar().actions() if m.text() == "&Tools"
                        for a in m.menu().actions()]
        assert tool.action in menu_actions
        assert tool.action.shortcut().toString() == SHORTCUT
        tool.vaults = WithDiscovered(window, VaultChoice("beta-vault", connection(beta,
                                                                                  "beta-vault")))
        dialog = tool.open()
        assert dialog.isVisible() and not dialog.isModal()
        assert [(c.label, c.discovered) for c in dialog.picker.ticked()] == [
            ("alpha-vault", False)]  # discovered vaults are offered unticked
        dialog.picker.set_ticked([alpha.url, beta.url])

        # A bad regex: said in the dialog, nothing sent.
        before = len(alpha.request_log), len(beta.request_log)
        dialog.name_edit.setText("db-(")
        dialog.match_combo.setCurrentIndex(dialog.match_combo.findText("regex"))
        assert tool.search() is None
        assert "regular expression" in dialog.message_label.text()
        assert dialog.name_edit.hasFocus() or not dialog.isActiveWindow()
        assert (len(alpha.request_log), len(beta.request_log)) == before

        dialog.match_combo.setCurrentIndex(dialog.match_combo.findText("contains"))
        dialog.name_edit.setText("db-")
        QTest.keyClick(dialog.name_edit, Qt.Key.Key_Return)  # Enter in a field searches
        assert tool.task is not None
        await tool.task
        assert [dialog.results_view.model().headerData(c, Qt.Orientation.Horizontal)
                for c in range(len(HIT_COLUMNS))][:3] == ["Vault", "Name", "Kind"]
        assert sorted(table(dialog)) == [("alpha-vault", "db-password", "secret"),
                                         ("beta-vault", "DB-Backup", "secret"),
                                         ("beta-vault", "db-password", "secret")]
        qtmodeltester.check(dialog.hits)
        qtmodeltester.check(dialog.progress)
        states = {p.label: p.state for p in dialog.progress.rows}
        assert states == {"alpha-vault": VaultState.DONE, "beta-vault": VaultState.DONE}
        progress_texts = [dialog.progress.index(r, 0).data()
                          for r in range(dialog.progress.rowCount())]
        assert "alpha-vault: 10 scanned, 1 match — done" in progress_texts
        assert dialog.summary_label.text() == "2 of 2 vaults finished, 3 matches"
        assert dialog.message_label.text().startswith("3 matches in ")
        assert window.session is not None and len(window.connections) == 1  # beta not opened

        # Enter on beta's db-password: beta opens, the item is selected in the Secrets tab.
        view = dialog.results_view
        model = view.model()
        row = next(r for r in range(model.rowCount())
                   if model.index(r, 0).data() == "beta-vault"
                   and model.index(r, 1).data() == "db-password")
        view.setFocus()
        view.setCurrentIndex(model.index(row, 1))
        hit = model.index(row, 0).data(HIT_ROLE)
        tasks_before = set(window.tasks.running)
        QTest.keyClick(view, Qt.Key.Key_Return)
        opening = [t for t in window.tasks.running if t not in tasks_before]
        assert opening, "Enter started nothing"
        await asyncio.gather(*opening)
        assert tool.task is None  # Enter did not start a new search
        assert [c.display_name for c in window.connections] == ["alpha-vault", "beta-vault"]
        pane = window.pane("Secrets")
        assert window.tabs.currentWidget() is pane
        selected = pane.proxy.mapToSource(pane.view.currentIndex())
        record = pane.model.record_of(selected)
        assert record.name == "db-password" and record.vault_url == hit.record.vault_url
        assert record.vault_url.rstrip("/") == beta.url.rstrip("/")

        # The dialog reopened lists beta as open now, alpha still ticked.
        dialog = tool.open()
        assert [(c.label, c.discovered) for c in dialog.picker.ticked()] == [
            ("alpha-vault", False), ("beta-vault", False)]

        # A certificate found by its subject opens in the Certificates tab.
        dialog.name_edit.clear()
        dialog.subject_edit.setText("web.alpha")
        await tool.search()
        assert table(dialog) == [("alpha-vault", "web-alpha", "certificate")]
        assert dialog.results_view.model().index(0, 5).data() == "CN=web.alpha.local"
        await tool.open_hit(dialog.results_view.model().index(0, 0).data(HIT_ROLE))
        pane = window.pane("Certificates")
        assert window.tabs.currentWidget() is pane
        selected = pane.proxy.mapToSource(pane.view.currentIndex())
        assert pane.model.record_of(selected).name == "web-alpha"
        assert selected.parent() != QModelIndex()

    qloop.run_until_complete(body())


def test_cancel_stops_the_search_and_esc_cancels(qloop: Any, window: MainWindow,
                                                 alpha: Any) -> None:
    async def body() -> None:
        await window.open_connection(connection(alpha, "alpha-vault"))
        tool = window.view("keyvault").tools.search
        dialog = tool.open()
        alpha.faults.latency_ms = 300
        try:
            task = tool.search()
            assert task is not None and dialog.cancel_button.isEnabled()
            await wait_for(lambda: dialog.progress.rowCount() == 1
                           and dialog.progress.rows[0].state is VaultState.SEARCHING)
            QTest.keyClick(dialog.results_view, Qt.Key.Key_Escape)
            await asyncio.wait([task], timeout=5)
            assert task.cancelled()
            assert dialog.isVisible()  # Esc stopped the search, it did not close the dialog
            assert dialog.message_label.text().startswith("Cancelled")
            assert not dialog.cancel_button.isEnabled()
            await wait_for(lambda: dialog.progress.rows[0].state is VaultState.CANCELLED)
        finally:
            alpha.faults.clear()

    qloop.run_until_complete(body())
