"""Credentials arrive in more carriers than the ones we send: a service error body quoting a SAS
URL, a response header (``x-ms-copy-source``) holding the SAS a copy was made from, a blob name
that contains ``?sig=``, an exception message quoting a URL. Distinctive sentinels are planted in
each; one window session lists, selects, fails, exports and logs at DEBUG; then every file it
wrote and every text it showed is searched for them.

The blob name's sentinel is the name's own text: the tree and the detail pane show names as they
are (a name is data), so only the carriers that are not names are searched for it (logs, the
activity panel, the trail, errors, reports).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from PySide6.QtCore import QSettings

from tests.security.support import (
    debug_logging_to,
    files_under,
    find_leaks,
    loopback_only,
    model_texts,
    tree_widget_texts,
    wait_for,
)
from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.opener import DEVSTORE_ACCOUNT_KEY
from vaultbrowser.core.audit.trail import AuditTrail
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import NetworkError
from vaultbrowser.core.services.redaction import install_log_redaction
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.translate import translate_error
from vaultbrowser.core.ui.connection_store import ConnectionStore
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow

BODY_SIG = "CarrierBodySig7f3a9c"
NAME_SIG = "CarrierNameSig2b8d41"
EXCEPTION_SIG = "CarrierExceptionSig5e6f"
CONTAINER = "aaa-carriers"
NAMED_BLOB = f"pasted?sv=2024&sig={NAME_SIG}.txt"


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": [{"name": "carrier", "value": "v"}]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-carriers"),
                                seed=seed) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def copied_sas(azurite: Any) -> str:
    """A container with a blob copied from a SAS URL (the service then reports that URL in
    ``x-ms-copy-source``) and a blob whose name holds ``?sig=``; returns the copy's SAS sig."""
    from azure.storage.blob import BlobSasPermissions, BlobServiceClient, generate_blob_sas

    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        container = client.get_container_client(CONTAINER)
        if not container.exists():
            container.create_container()
        container.upload_blob("source.txt", b"source", overwrite=True)
        container.upload_blob(NAMED_BLOB, b"named", overwrite=True)
        sas = generate_blob_sas("devstoreaccount1", CONTAINER, "source.txt",
                                account_key=DEVSTORE_ACCOUNT_KEY,
                                permission=BlobSasPermissions(read=True),
                                expiry=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        source = container.get_blob_client("source.txt").url + "?" + sas
        container.get_blob_client("copy.txt").start_copy_from_url(source)
    return parse_qs(sas)["sig"][0]


def test_an_exception_quoting_a_sas_url_becomes_a_redacted_typed_error() -> None:
    url = f"https://acct.blob.core.windows.net/c/b?sv=2024&se=2099&sp=r&sig={EXCEPTION_SIG}"
    error = translate_error(OSError(f"Cannot connect to host for {url}"))
    assert isinstance(error, NetworkError)
    for text in (str(error), repr(error), error.message, error.diagnostics_text(), *error.args):
        assert EXCEPTION_SIG not in text
        assert "se=2099" in text and "sp=r" in text  # the rest of the SAS stays readable


def test_no_sentinel_leaves_through_any_carrier(
        qloop: Any, qtbot: Any, home: Path, vault: Any, azurite: Any, copied_sas: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    needles = {"error body SAS": BODY_SIG, "copy source SAS": copied_sas}
    name_needle = {"SAS in a blob name": NAME_SIG}
    texts: dict[str, str] = {}
    name_texts: dict[str, str] = {}
    exports = home / "exports"
    exports.mkdir()
    log_path = home / "logs" / "debug.log"
    vault.faults.add(400, times=100, path_prefix="/secrets", method="GET", code="BadParameter",
                     message=("The copy source https://src.blob.core.windows.net/c/b?sv=2024"
                              f"&sp=r&sig={BODY_SIG} is not valid."))
    install_log_redaction()
    try:
        with loopback_only(monkeypatch) as outside, debug_logging_to(log_path):
            settings = QSettings(str(home / ".config" / "vaultbrowser" / "settings.ini"),
                                 QSettings.Format.IniFormat)
            trail = AuditTrail()
            session = ServiceSession()
            session.journal.add_listener(trail.record_exchange)
            reporter = ErrorReporter(modal=False)
            dialogs: list[Any] = []
            reporter.dialog_shown.connect(dialogs.append)
            store = ConnectionStore(settings, kinds=KINDS)
            window = MainWindow(session, Settings(), kinds=KINDS, reporter=reporter,
                                connection_store=store, trail=trail)
            window.show()
            shown: list[Any] = []
            window.details_shown.connect(shown.append)
            detail = window.detail_pane

            async def select(pane: Any, index: Any) -> None:
                shown.clear()
                pane.view.setCurrentIndex(pane.proxy.mapFromSource(index))
                await wait_for(lambda: shown)
                await asyncio.sleep(0.05)

            async def body() -> None:
                # Key Vault: the listing fails with a body that quotes a SAS URL.
                window.add_connection(Connection(
                    "keyvault", vault.url, AuthMethod.LOCAL_EMULATOR,
                    name="carrier-vault", ca_path=str(vault.ca_path)))
                await wait_for(lambda: dialogs)
                dialog = dialogs[-1]
                texts["error dialog"] = "\n".join((
                    dialog.windowTitle(), dialog.message_text, dialog.advice_text,
                    dialog.details_text, dialog.copy_details(), str(dialog.error),
                    repr(dialog.error)))
                assert "is not valid" in dialog.message_text + dialog.details_text
                texts["secrets tree (error row)"] = model_texts(window.pane("Secrets").model)
                reporter.close_all()

                # Storage: the copied blob's properties carry x-ms-copy-source.
                blobs = window.pane("Blobs").model
                window.show_pane("Blobs")
                pane = window.pane("Blobs")
                await window.open_connection(Connection(
                    "blob", azurite.blob_endpoint.rstrip("/"),
                    AuthMethod.LOCAL_EMULATOR, name="carrier-account"))
                account = blobs.index(0, 0)
                await wait_for(lambda: blobs.rowCount(account) >= 1
                               and blobs.index(0, 0, account).data())
                blobs.load_all(account)  # other tests' containers may fill the first page
                await blobs.wait_idle()
                names = [blobs.index(r, 0, account).data() for r in range(blobs.rowCount(account))]
                container = blobs.index(names.index(CONTAINER), 0, account)
                pane.view.expand(pane.proxy.mapFromSource(container))
                await wait_for(lambda: blobs.rowCount(container) >= 3)
                rows = {blobs.index(r, 0, container).data(): r
                        for r in range(blobs.rowCount(container))}
                await select(pane, blobs.index(rows["copy.txt"], 0, container))
                headers = tree_widget_texts(detail.headers)
                assert "x-ms-copy-source" in headers and "REDACTED" in headers
                texts["detail pane (copied blob)"] = (
                    tree_widget_texts(detail.properties) + headers + detail.status_line.text())
                await select(pane, blobs.index(rows[NAMED_BLOB], 0, container))
                name_texts["detail pane request line"] = detail.status_line.text()
                name_texts["detail pane headers"] = tree_widget_texts(detail.headers)
                await window.audit.export_report(exports / "report.html", "html")
                await window.audit.export_report(exports / "report.json", "json")
                window.activity_panel.view.selectAll()
                texts["activity copy"] = window.activity_panel.copy_selection()
                texts["activity model"] = model_texts(window.activity_model)
                window.audit.export_trail(exports / "trail.csv", "csv")
                window.audit.export_trail(exports / "trail.json", "json")
                await window.aclose()

            qloop.run_until_complete(body())
            reporter.close_all()
            window.deleteLater()
            del settings
    finally:
        vault.faults.clear()
    assert outside == []
    files = files_under(home)
    assert {"debug.log", "audit-trail.jsonl", "trail.csv", "report.html"} <= {
        path.name for path in files}
    assert f"{CONTAINER}/pasted%3Fsv%3D2024%26sig%3DREDACTED" in (exports / "trail.csv").read_text(
        encoding="utf-8")  # the request for the blob with the odd name was made and recorded
    assert find_leaks(needles, files=files, texts={**texts, **name_texts}) == []
    assert find_leaks(name_needle, files=files, texts={**texts, **name_texts}) == []
