"""The main window against the Key Vault emulator and Azurite, in a live qasync loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient
from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QGuiApplication

from vaultbrowser.app import KINDS
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AccessDenied, NotFound
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.services.opener import open_vault

SECRET_VALUE = "window-test-value-8c1d"
SEED = {
    "secrets": [{"name": f"app-{i:03d}", "value": f"{SECRET_VALUE}-{i}",
                 "contentType": "text/plain"} for i in range(60)],
    "keys": [{"name": "signing", "kty": "RSA", "key_size": 2048}],
}
CONTAINER = "window-tree"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-window"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture(scope="module")
def blob_tree(azurite: Any) -> str:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        container = client.create_container(CONTAINER)
        for name in ("top.txt", "folder/inner.json", "folder/sub/deep.bin"):
            container.upload_blob(name, b"{}" if name.endswith(".json") else b"data",
                                  content_type="application/json"
                                  if name.endswith(".json") else None)
    return CONTAINER


class Harness:
    def __init__(self, window: MainWindow, reporter: ErrorReporter) -> None:
        self.window = window
        self.reporter = reporter
        self.dialogs: list[Any] = []
        reporter.dialog_shown.connect(self.dialogs.append)
        self.details: list[Any] = []
        window.details_shown.connect(self.details.append)

    async def idle(self) -> None:
        for model in (self.window.pane("Secrets").model, self.window.pane("Certificates").model,
                      self.window.pane("Keys").model, self.window.pane("Blobs").model):
            await model.wait_idle()
        await asyncio.sleep(0.1)  # coalesced view checks (visible "more" rows) and repaints
        for model in (self.window.pane("Secrets").model, self.window.pane("Keys").model,
                      self.window.pane("Blobs").model):
            await model.wait_idle()

    async def wait_for(self, condition: Any, timeout: float = 15.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting")
            await asyncio.sleep(0.02)


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(clipboard_clear_seconds=1), kinds=KINDS,
                        reporter=reporter)
    window.show()
    yield Harness(window, reporter)
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()


def vault_connection(emulator: Any) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="window-vault", ca_path=str(emulator.ca_path))


def select(pane: Any, source: QModelIndex) -> None:
    pane.view.setCurrentIndex(pane.proxy.mapFromSource(source))


def test_vault_pages_in_by_itself_and_selection_shows_the_get(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window

    async def body() -> None:
        pane = window.pane("Secrets")
        # Rows short enough that a first page of 25 leaves room on screen, whatever the font.
        assert pane.view.viewport().height() > 27 * 12
        pane.view.verticalHeader().setDefaultSectionSize(12)
        window.add_connection(vault_connection(emulator))
        model = window.pane("Secrets").model
        vault = model.index(0, 0)
        await harness.wait_for(lambda: model.rowCount(vault) > 25)
        await harness.idle()
        # The first page (25) left a visible "more available" row: the pane paged on by
        # itself without any scrolling, and stopped once the rows filled the view.
        assert 50 <= model.rowCount(vault) <= 61
        assert harness.dialogs == []

        item = model.index(3, 0, vault)
        assert item.data() == "app-003"
        select(pane, item)
        await harness.wait_for(lambda: harness.details)
        details = harness.details[-1]
        assert details.response.status == 200 and details.response.method == "GET"
        request_id = details.response.request_id
        assert request_id and request_id in window.detail_pane.status_line.text()
        assert "200 OK" in window.detail_pane.status_line.text()
        headers = {window.detail_pane.headers.topLevelItem(i).text(0).lower():
                   window.detail_pane.headers.topLevelItem(i).text(1)
                   for i in range(window.detail_pane.headers.topLevelItemCount())}
        assert headers["x-ms-request-id"] == request_id
        # The emulator logged exactly that GET with 200.
        assert any(entry.method == "GET" and entry.path.rstrip("/") == "/secrets/app-003"
                   and entry.status == 200 for entry in emulator.request_log)
        # The value never reached the pane's widgets.
        properties = [window.detail_pane.properties.topLevelItem(i).text(1)
                      for i in range(window.detail_pane.properties.topLevelItemCount())]
        assert not any(SECRET_VALUE in text for text in properties)
        assert "app-003" in properties and "text/plain" in properties
        # The row keeps its identity (the item, not the version the GET returned).
        assert model.index(3, 0, vault).data() == "app-003"

    qloop.run_until_complete(body())


def test_reveal_copy_and_clipboard_clearing(qloop: Any, harness: Harness,
                                            emulator: Any) -> None:
    window = harness.window
    pane = window.pane("Secrets")

    async def body() -> None:
        window.add_connection(vault_connection(emulator))
        model = window.pane("Secrets").model
        vault = model.index(0, 0)
        await harness.wait_for(lambda: model.rowCount(vault) > 5)
        select(pane, model.index(1, 0, vault))
        await harness.wait_for(lambda: harness.details)
        detail = window.detail_pane
        assert detail.value_row.isVisibleTo(detail) and detail.value_field.text().startswith("•")
        detail.reveal_button.click()
        await harness.wait_for(lambda: detail.value_shown)
        assert detail.value_field.text() == f"{SECRET_VALUE}-1"
        assert detail.details.response.status == 200
        detail.copy_button.click()
        assert QGuiApplication.clipboard().text() == f"{SECRET_VALUE}-1"
        await asyncio.sleep(1.3)  # the test settings clear the clipboard after 1 s
        assert QGuiApplication.clipboard().text() == ""
        # Another selection hides the value again.
        harness.details.clear()
        select(pane, model.index(2, 0, vault))
        assert not detail.value_shown and detail.value_field.text().startswith("•")
        await harness.wait_for(lambda: harness.details)

    qloop.run_until_complete(body())


def test_a_new_vault_lists_only_the_shown_tab_until_another_is_opened(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window

    async def body() -> None:
        window.show_pane("Secrets")  # secrets
        log_before = len(emulator.request_log)
        window.add_connection(vault_connection(emulator))
        await harness.idle()
        listed = [entry.path for entry in emulator.request_log[log_before:]]
        assert any(path.rstrip("/") == "/secrets" for path in listed)
        assert not any(path.startswith(("/keys", "/certificates")) for path in listed)
        keys = window.pane("Keys").model
        assert not keys.node_of(keys.index(0, 0)).listed
        window.show_pane("Keys")  # the keys tab shows: its vault expands and lists
        await harness.wait_for(lambda: keys.rowCount(keys.index(0, 0)) >= 1)
        await harness.idle()
        assert keys.index(0, 0, keys.index(0, 0)).data() == "signing"
        assert window.pane("Keys").view.isExpanded(
            window.pane("Keys").proxy.mapFromSource(keys.index(0, 0)))

    qloop.run_until_complete(body())


def test_forbidden_listing_raises_the_access_denied_dialog(qloop: Any, harness: Harness,
                                                           emulator: Any) -> None:
    window = harness.window

    async def body() -> None:
        emulator.faults.forbid("/keys", code="ForbiddenByRbac")
        try:
            window.add_connection(vault_connection(emulator))
            window.show_pane("Keys")  # keys
            model = window.pane("Keys").model
            vault = model.index(0, 0)
            await harness.wait_for(lambda: harness.dialogs)
            await harness.idle()
        finally:
            emulator.faults.clear()
        dialog = harness.dialogs[0]
        assert isinstance(dialog.error, AccessDenied)
        assert "Access denied" in (dialog.windowTitle() + dialog.title_label.text())
        assert "ForbiddenByRbac" in dialog.details_text and "request id" in dialog.details_text
        assert "Key Vault" in dialog.advice_text
        error_row = model.index(model.rowCount(vault) - 1, 0, vault)
        assert error_row.data(STATUS_ROLE) is RowStatus.ERROR
        # The secrets tree of the same vault is unaffected.
        assert window.pane("Secrets").model.rowCount(window.pane("Secrets").model.index(0, 0)) > 0
        # Retry from the error row (Enter) succeeds now that the fault is gone.
        pane = window.pane("Keys")
        pane._on_activated(pane.proxy.mapFromSource(error_row))
        await harness.idle()
        assert model.index(0, 0, vault).data() == "signing"

    qloop.run_until_complete(body())


def test_selecting_a_secret_deleted_meanwhile_raises_not_found(qloop: Any, harness: Harness,
                                                               emulator: Any) -> None:
    window = harness.window
    pane = window.pane("Secrets")

    async def body() -> None:
        window.add_connection(vault_connection(emulator))
        model = window.pane("Secrets").model
        vault = model.index(0, 0)
        await harness.wait_for(lambda: model.rowCount(vault) > 10)
        doomed = model.index(7, 0, vault)
        name = doomed.data()
        # Someone else deletes it after our listing.
        service = open_vault(window.session, vault_connection(emulator))
        await service.clients.secret_client.delete_secret(name)
        select(pane, doomed)
        await harness.wait_for(lambda: harness.dialogs)
        dialog = harness.dialogs[0]
        assert isinstance(dialog.error, NotFound) and dialog.error.error_code == "SecretNotFound"
        assert name in dialog.message_text
        assert "⚠" in window.detail_pane.subtitle.text()

    qloop.run_until_complete(body())


def test_container_folders_and_blob_details(qloop: Any, harness: Harness, azurite: Any,
                                            blob_tree: str) -> None:
    window = harness.window
    pane = window.pane("Blobs")
    window.show_pane("Blobs")

    async def body() -> None:
        window.add_connection(Connection("blob", azurite.blob_endpoint,
                                         AuthMethod.LOCAL_EMULATOR, name="azurite"))
        model = window.pane("Blobs").model
        account = model.index(0, 0)
        # Pages on until found: the session's Azurite holds every blob test's containers.
        container = await model.find_paging(
            account, lambda record: getattr(record, "name", None) == CONTAINER)
        assert container.isValid()
        pane.view.expand(pane.proxy.mapFromSource(container))
        await harness.wait_for(lambda: model.rowCount(container) == 2)
        assert [model.index(r, 0, container).data() for r in range(2)] == ["folder/", "top.txt"]
        folder = model.index(0, 0, container)
        pane.view.expand(pane.proxy.mapFromSource(folder))
        await harness.wait_for(lambda: model.rowCount(folder) == 2)
        blob = model.index(1, 0, folder)
        assert blob.data() == "inner.json"
        select(pane, blob)
        await harness.wait_for(lambda: harness.details)
        details = harness.details[-1]
        assert details.response.status == 200 and details.response.method == "HEAD"
        assert details.response.request_id
        props = dict(row for section in details.sections for row in section.rows)
        assert props["Name"] == "folder/inner.json"
        assert props["Content type"] == "application/json"
        # The filter narrows the loaded rows and says it covers loaded items only.
        pane.filter_edit.setText("inner")
        assert "loaded items only" in pane.summary.text()
        pane.filter_edit.clear()

    qloop.run_until_complete(body())


def test_close_cancels_work_and_closes_the_session(qloop: Any, emulator: Any,
                                                   qtbot: Any) -> None:
    reporter = ErrorReporter(modal=False)
    session = ServiceSession()
    closed: list[bool] = []

    async def on_closed() -> None:
        closed.append(True)

    window = MainWindow(session, kinds=KINDS, reporter=reporter, on_closed=on_closed)
    qtbot.addWidget(window)
    window.show()

    async def body() -> None:
        emulator.faults.latency_ms = 300  # keep a page in flight while the window closes
        try:
            window.add_connection(vault_connection(emulator))
            await asyncio.sleep(0.05)
            done = asyncio.Event()
            window.closed.connect(done.set)
            window.close()
            await asyncio.wait_for(done.wait(), 10)
        finally:
            emulator.faults.latency_ms = 0

    qloop.run_until_complete(body())
    assert closed == [True] and not window.isVisible()
    pending = [t for t in asyncio.all_tasks(qloop) if not t.done()]
    assert pending == []
