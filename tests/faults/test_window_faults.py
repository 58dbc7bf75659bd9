"""The fault matrix in the window: the failing node gets its error row and the typed dialog,
every other node stays usable, Retry recovers once the fault is gone, and nothing hangs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from vaultbrowser.app import KINDS
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    NetworkError,
    ServiceUnavailable,
)
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow

from .conftest import BLOBS, CONTAINER, FAST, storage_connection, vault_connection

SECRETS, CERTIFICATES, KEYS, BLOB = range(4)


class Harness:
    def __init__(self, window: MainWindow, reporter: ErrorReporter) -> None:
        self.window = window
        self.reporter = reporter
        self.dialogs: list[Any] = []
        reporter.dialog_shown.connect(self.dialogs.append)
        self.details: list[Any] = []
        window.details_shown.connect(self.details.append)

    @property
    def errors(self) -> list[Any]:
        return [dialog.error for dialog in self.dialogs]

    async def wait_for(self, condition: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting")
            await asyncio.sleep(0.02)

    def dismiss(self) -> None:
        """Close the open dialog (the next queued one shows)."""
        if self.reporter.current_dialog is not None:
            self.reporter.current_dialog.accept()

    def pane(self, tab: int) -> Any:
        self.window.tabs.setCurrentIndex(tab)
        return self.window.panes[tab]


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(network=FAST), Settings(network=FAST), kinds=KINDS,
                        reporter=reporter)
    window.show()
    yield Harness(window, reporter)
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()


def rows(model: LazyTreeModel, parent: QModelIndex) -> list[Any]:
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))]


def status_row(model: LazyTreeModel, parent: QModelIndex) -> QModelIndex:
    return model.index(model.rowCount(parent) - 1, 0, parent)


def is_error(model: LazyTreeModel, parent: QModelIndex) -> bool:
    return model.rowCount(parent) > 0 and \
        status_row(model, parent).data(STATUS_ROLE) is RowStatus.ERROR


def retry(harness: Harness, tab: int, model: LazyTreeModel, parent: QModelIndex) -> None:
    """Enter on the error row, as the user does."""
    pane = harness.window.panes[tab]
    pane._on_activated(pane.proxy.mapFromSource(status_row(model, parent)))


def test_lasting_503_on_keys_shows_its_row_and_dialog_and_retry_recovers(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window

    async def body() -> None:
        emulator.faults.add(503, times=None, path_prefix="/keys")
        window.add_connection(vault_connection(emulator))
        harness.pane(KEYS)
        keys = window.pane("Keys").model
        vault = keys.index(0, 0)
        await harness.wait_for(lambda: is_error(keys, vault))
        await harness.wait_for(lambda: harness.dialogs)
        error = harness.errors[0]
        assert isinstance(error, ServiceUnavailable) and error.status == 503
        assert ServiceUnavailable.title in harness.dialogs[0].title_label.text()
        assert "Service unavailable" in status_row(keys, vault).data()
        assert error.request_id in status_row(keys, vault).data(0x0003)  # its tooltip
        # The secrets tree of the same vault lists and shows details meanwhile.
        secrets = window.pane("Secrets").model
        pane = harness.pane(SECRETS)
        await harness.wait_for(lambda: len(rows(secrets, secrets.index(0, 0))) > 10)
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(secrets.index(2, 0,
                                                                         secrets.index(0, 0))))
        await harness.wait_for(lambda: harness.details)
        assert harness.details[-1].response.status == 200
        # Once the service recovers, Retry on the error row lists the keys.
        emulator.faults.clear()
        harness.pane(KEYS)
        retry(harness, KEYS, keys, vault)
        await harness.wait_for(lambda: rows(keys, vault) == ["signing"])
        assert len(harness.dialogs) == 1

    qloop.run_until_complete(body())


def test_a_passing_429_is_retried_silently(qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window

    async def body() -> None:
        emulator.faults.add(429, retry_after=0.2, times=2, path_prefix="/secrets")
        window.add_connection(vault_connection(emulator))
        secrets = window.pane("Secrets").model
        await harness.wait_for(lambda: len(rows(secrets, secrets.index(0, 0))) > 10)
        await asyncio.sleep(0.1)
        assert harness.dialogs == []
        assert not is_error(secrets, secrets.index(0, 0))

    qloop.run_until_complete(body())


def test_a_page_that_never_finishes_times_out_and_says_so(qloop: Any, harness: Harness,
                                                         emulator: Any) -> None:
    window = harness.window

    async def body() -> None:
        emulator.faults.stall("/secrets", times=None, seconds=30)
        started = time.monotonic()
        window.add_connection(vault_connection(emulator))
        secrets = window.pane("Secrets").model
        vault = secrets.index(0, 0)
        # Loading… first, then the timeout (bounded by the settings: never a hang).
        await harness.wait_for(lambda: status_row(secrets, vault).data(STATUS_ROLE)
                               is RowStatus.LOADING)
        await harness.wait_for(lambda: is_error(secrets, vault), timeout=5)
        assert time.monotonic() - started < (FAST.retry_read + 1) * FAST.read_timeout + 2
        await harness.wait_for(lambda: harness.dialogs)
        error = harness.errors[0]
        assert isinstance(error, NetworkError)
        assert "did not answer in time" in harness.dialogs[0].message_text
        assert "read timeout" in status_row(secrets, vault).data()
        # The keys of the same vault are listed meanwhile.
        keys = window.pane("Keys").model
        harness.pane(KEYS)
        await harness.wait_for(lambda: rows(keys, keys.index(0, 0)) == ["signing"])
        emulator.faults.clear()
        harness.pane(SECRETS)
        retry(harness, SECRETS, secrets, vault)
        await harness.wait_for(lambda: len(rows(secrets, vault)) > 10)

    qloop.run_until_complete(body())


def test_403_on_one_secret_among_many(qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window
    pane = window.panes[SECRETS]

    async def body() -> None:
        emulator.faults.forbid("/secrets/item-004", code="ForbiddenByRbac")
        window.add_connection(vault_connection(emulator))
        secrets = window.pane("Secrets").model
        vault = secrets.index(0, 0)
        await harness.wait_for(lambda: len(rows(secrets, vault)) > 10)
        forbidden = secrets.index(4, 0, vault)
        assert forbidden.data() == "item-004"
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(forbidden))
        await harness.wait_for(lambda: harness.dialogs)
        error = harness.errors[0]
        assert isinstance(error, AccessDenied) and error.error_code == "ForbiddenByRbac"
        assert "Key Vault Secrets User" in harness.dialogs[0].advice_text
        harness.dismiss()
        shown = len(harness.details)
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(secrets.index(5, 0, vault)))
        await harness.wait_for(lambda: len(harness.details) > shown)
        assert harness.details[-1].response.status == 200
        assert len(harness.dialogs) == 1
        assert not is_error(secrets, vault)  # the listing itself is fine

    qloop.run_until_complete(body())


def test_a_rejected_token_asks_to_sign_in(qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window

    async def body() -> None:
        emulator.faults.reject_token = True
        window.add_connection(vault_connection(emulator))
        secrets = window.pane("Secrets").model
        await harness.wait_for(lambda: is_error(secrets, secrets.index(0, 0)))
        await harness.wait_for(lambda: harness.dialogs)
        assert isinstance(harness.errors[0], AuthenticationRequired)
        assert "Sign-in required" in status_row(secrets, secrets.index(0, 0)).data()

    qloop.run_until_complete(body())


def test_a_blob_page_reset_mid_body(qloop: Any, harness: Harness, proxy: Any,
                                    azurite: Any) -> None:
    window = harness.window
    pane = harness.pane(BLOB)

    async def body() -> None:
        window.add_connection(storage_connection(proxy, azurite))
        model = window.pane("Blobs").model
        account = model.index(0, 0)
        await harness.wait_for(lambda: CONTAINER in rows(model, account))
        container = model.index(rows(model, account).index(CONTAINER), 0, account)
        proxy.reset(f"/{CONTAINER}?restype=container&comp=list", times=1, after_body_bytes=100)
        pane.view.expand(pane.proxy.mapFromSource(container))
        await harness.wait_for(lambda: is_error(model, container))
        await harness.wait_for(lambda: harness.dialogs)
        assert isinstance(harness.errors[0], NetworkError)
        assert "connection broke" in status_row(model, container).data()
        # The account's other rows are still there and the account can be refreshed.
        model.refresh(account)
        await harness.wait_for(lambda: CONTAINER in rows(model, account))
        container = model.index(rows(model, account).index(CONTAINER), 0, account)
        pane.view.expand(pane.proxy.mapFromSource(container))
        await harness.wait_for(lambda: rows(model, container) == ["dir/", "big.bin"]
                               or rows(model, container) == ["big.bin", "dir/"])
        folder = model.index(rows(model, container).index("dir/"), 0, container)
        pane.view.expand(pane.proxy.mapFromSource(folder))
        await harness.wait_for(lambda: len(rows(model, folder)) >= BLOBS)
        assert len(harness.dialogs) == 1

    qloop.run_until_complete(body())


def test_retry_on_a_broken_blob_page_recovers(qloop: Any, harness: Harness, proxy: Any,
                                              azurite: Any) -> None:
    window = harness.window
    pane = harness.pane(BLOB)

    async def body() -> None:
        window.add_connection(storage_connection(proxy, azurite))
        model = window.pane("Blobs").model
        account = model.index(0, 0)
        await harness.wait_for(lambda: CONTAINER in rows(model, account))
        container = model.index(rows(model, account).index(CONTAINER), 0, account)
        proxy.stall(f"/{CONTAINER}?restype=container&comp=list", times=None,
                    after_body_bytes=100)
        pane.view.expand(pane.proxy.mapFromSource(container))
        await harness.wait_for(lambda: is_error(model, container), timeout=5)
        assert "did not answer in time" in status_row(model, container).data()
        proxy.clear()
        retry(harness, BLOB, model, container)
        await harness.wait_for(lambda: "dir/" in rows(model, container))

    qloop.run_until_complete(body())


def test_a_download_broken_for_good_fails_with_its_dialog_and_no_file(
        qloop: Any, harness: Harness, proxy: Any, azurite: Any, tmp_path: Any) -> None:
    from PySide6.QtCore import QPersistentModelIndex

    window = harness.window
    pane = harness.pane(BLOB)

    async def body() -> None:
        window.add_connection(storage_connection(proxy, azurite))
        model = window.pane("Blobs").model
        account = model.index(0, 0)
        await harness.wait_for(lambda: CONTAINER in rows(model, account))
        container = model.index(rows(model, account).index(CONTAINER), 0, account)
        pane.view.expand(pane.proxy.mapFromSource(container))
        await harness.wait_for(lambda: "big.bin" in rows(model, container))
        big = model.index(rows(model, container).index("big.bin"), 0, container)
        proxy.reset("/big.bin", method="GET", times=None, after_body_bytes=50_000)
        task = window.view("blob").actions.tools.run(
            window.view("blob").actions.transfers.download(QPersistentModelIndex(big), tmp_path))
        await harness.wait_for(lambda: task.done() and harness.dialogs, timeout=15)
        assert isinstance(harness.errors[0], NetworkError)
        assert "connection broke" in harness.dialogs[0].message_text
        assert list(tmp_path.iterdir()) == []
        # The tree is still usable: the folder next to the blob lists.
        proxy.clear()
        folder = model.index(rows(model, container).index("dir/"), 0, container)
        pane.view.expand(pane.proxy.mapFromSource(folder))
        await harness.wait_for(lambda: len(rows(model, folder)) >= BLOBS)

    qloop.run_until_complete(body())
