"""Secret hygiene: distinctive seeded secrets never reach a log, a file, a screen or an export.

One window session under a temporary HOME (XDG dirs, settings, data dir, temp dir all inside it),
every logger at DEBUG into a file, network limited to loopback. It opens the Key Vault emulator
with a distinctive bearer token, reveals and copies a distinctive secret value, opens Azurite
with a wrong distinctive account key, a connection string holding it, a forged SAS signature and
a real SAS, saves connections holding a client secret, exports the activity trail and audit
reports, and reads every error dialog. Then it greps every written file, the log, and the texts
of every screen for each secret (as is, URL-quoted, JSON-escaped and base64).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication

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
from vaultbrowser.blob.services.connections import (
    storage_connection_from_connection_string,
    storage_connection_from_sas_url,
)
from vaultbrowser.blob.services.opener import DEVSTORE_ACCOUNT_KEY, open_storage
from vaultbrowser.core.audit.trail import AuditTrail
from vaultbrowser.core.models.node_tree import RECORD_ROLE
from vaultbrowser.core.services import session as session_module
from vaultbrowser.core.services.config import NetworkSettings, Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.redaction import install_log_redaction
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.connection_store import ConnectionStore
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.secret_clipboard import PASSWORD_HINT_MIME
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.services.opener import open_vault

SECRET_VALUE = "HygSecretValue-5b1e9d-NEVER-LOGGED"
CLIENT_SECRET = "HygClientSecret~Q7x2p.zz9"
ACCOUNT_KEY = base64.b64encode(b"HygAccountKey-0123456789-distinctive-bytes!!").decode()
FORGED_SAS_SIG = "HygForgedSasSig4c0ffee"


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


TOKEN_SIGNATURE = "HygTokenSignature9f8e7d6c5b4a"
TOKEN = ".".join((_b64url({"alg": "RS256", "typ": "JWT"}),
                  _b64url({"upn": "hygiene@example.test", "oid": "0000-hyg",
                           "tid": "tenant-hyg", "exp": 4102444800}),
                  TOKEN_SIGNATURE))

SEED = {"secrets": [{"name": "hyg-secret", "value": SECRET_VALUE, "contentType": "text/plain"},
                    {"name": "hyg-other", "value": "not-the-one", "contentType": "text/plain"}]}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    # Its data directory holds the value by design: it is outside the grepped HOME.
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-hygiene"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture(scope="module")
def hyg_container(azurite: Any) -> str:
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        container = client.get_container_client("aaa-hygiene")
        if not container.exists():
            container.create_container()
        container.upload_blob("hyg.txt", b"hello", overwrite=True)
    return "aaa-hygiene"


def real_account_sas(azurite: Any) -> str:
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    return generate_account_sas(
        "devstoreaccount1", DEVSTORE_ACCOUNT_KEY,
        resource_types=ResourceTypes(service=True, container=True, object=True),
        permission=AccountSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1))


def test_no_seeded_secret_reaches_a_log_file_screen_or_export(
        qloop: Any, qtbot: Any, home: Path, emulator: Any, azurite: Any, hyg_container: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sas = real_account_sas(azurite)
    real_sig = parse_qs(sas)["sig"][0]
    needles = {"secret value": SECRET_VALUE, "client secret": CLIENT_SECRET,
               "account key": ACCOUNT_KEY, "forged SAS signature": FORGED_SAS_SIG,
               "real SAS signature": real_sig, "bearer token": TOKEN,
               "token signature": TOKEN_SIGNATURE}
    monkeypatch.setattr(session_module, "LOCAL_EMULATOR_TOKEN", TOKEN)
    texts: dict[str, str] = {}
    exports = home / "exports"
    exports.mkdir()
    log_path = home / "logs" / "debug.log"

    install_log_redaction()  # as vaultbrowser.app.main does first
    with loopback_only(monkeypatch) as outside, debug_logging_to(log_path):
        settings = QSettings(str(home / ".config" / "vaultbrowser" / "settings.ini"),
                             QSettings.Format.IniFormat)
        store = ConnectionStore(settings, kinds=KINDS)
        trail = AuditTrail()
        session = ServiceSession()
        session.journal.add_listener(trail.record_exchange)
        reporter = ErrorReporter(modal=False)
        dialogs: list[Any] = []
        reporter.dialog_shown.connect(dialogs.append)
        window = MainWindow(session, Settings(clipboard_clear_seconds=1), kinds=KINDS,
                            reporter=reporter, connection_store=store, trail=trail)
        window.confirm_reveal = lambda _name: True
        window.show()
        detail = window.detail_pane
        shown: list[Any] = []
        window.details_shown.connect(shown.append)

        vault = Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                           name="hyg-vault", ca_path=str(emulator.ca_path))
        storage_url = azurite.blob_endpoint.rstrip("/")
        bad_key = Connection("blob", storage_url, AuthMethod.ACCOUNT_KEY,
                             name="hyg-bad-key", secret=SecretValue(ACCOUNT_KEY))
        bad_string = storage_connection_from_connection_string(
            f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            f"AccountKey={ACCOUNT_KEY};BlobEndpoint={storage_url};", name="hyg-bad-string")
        forged_sas = storage_connection_from_sas_url(
            f"{storage_url}?sv=2024-08-04&ss=b&srt=sco&sp=rl&se=2099-01-01T00:00:00Z"
            f"&sig={FORGED_SAS_SIG}==", name="hyg-forged-sas")  # base64, as parsed
        good_sas = storage_connection_from_sas_url(f"{storage_url}?{sas}", name="hyg-sas")
        principal = Connection("keyvault", "https://hygiene.vault.azure.net",
                               AuthMethod.SERVICE_PRINCIPAL_SECRET, tenant_id="tenant-hyg",
                               client_id="client-hyg", secret=SecretValue(CLIENT_SECRET))

        async def body() -> None:
            # --- Key Vault: list, select, reveal, copy, clipboard cleared, hidden again.
            window.add_connection(vault)
            model = window.pane("Secrets").model
            root = model.index(0, 0)
            await wait_for(lambda: model.rowCount(root) >= 2)
            names = [model.index(r, 0, root).data() for r in range(model.rowCount(root))]
            pane = window.pane("Secrets")
            pane.view.setCurrentIndex(pane.proxy.mapFromSource(
                model.index(names.index("hyg-secret"), 0, root)))
            await wait_for(lambda: shown)
            detail.reveal_button.click()
            await wait_for(lambda: detail.value_shown)
            assert detail.value_field.text() == SECRET_VALUE
            detail.copy_button.click()
            clipboard = QGuiApplication.clipboard()
            assert clipboard.text() == SECRET_VALUE
            assert clipboard.mimeData().hasFormat(PASSWORD_HINT_MIME)
            texts["detail pane (revealed, properties only)"] = (
                tree_widget_texts(detail.properties) + tree_widget_texts(detail.headers)
                + detail.status_line.text() + detail.title.text() + detail.subtitle.text())
            await asyncio.sleep(1.3)
            assert clipboard.text() == ""
            pane.view.setCurrentIndex(pane.proxy.mapFromSource(
                model.index(names.index("hyg-other"), 0, root)))
            assert not detail.value_shown
            texts["value field after selection change"] = detail.value_field.text()

            # --- Storage: each credential in turn (their keys collide: one at a time).
            blobs = window.pane("Blobs").model
            for connection in (bad_key, bad_string, forged_sas, good_sas):
                before = len(dialogs)
                window.show_pane("Blobs")
                await window.open_connection(connection, remember=True)
                await wait_for(lambda: blobs.rowCount(blobs.index(0, 0)) >= 1
                               and blobs.index(0, 0, blobs.index(0, 0)).data())
                if connection is not good_sas:
                    await wait_for(lambda b=before: len(dialogs) > b)
                    dialog = dialogs[-1]
                    texts[f"error dialog ({connection.name})"] = "\n".join((
                        dialog.windowTitle(), dialog.message_text, dialog.advice_text,
                        dialog.details_text, dialog.copy_details(), str(dialog.error),
                        repr(dialog.error), repr(dialog.error.__cause__)))
                    reporter.close_all()  # the next one raises its own dialog
                texts[f"blob tree ({connection.name})"] = model_texts(blobs)
                if connection is good_sas:
                    # its first row is a container, not the "Loading…" row before it
                    await wait_for(lambda: blobs.index(0, 0, blobs.index(0, 0)).data(
                        RECORD_ROLE) is not None)
                    blob_pane = window.pane("Blobs")
                    shown.clear()
                    blob_pane.view.setCurrentIndex(blob_pane.proxy.mapFromSource(
                        blobs.index(0, 0, blobs.index(0, 0))))
                    await wait_for(lambda: shown or len(dialogs) > 3)
                    assert shown, [d.details_text for d in dialogs]
                    texts["detail pane (container)"] = (
                        tree_widget_texts(detail.properties) + tree_widget_texts(detail.headers)
                        + detail.status_line.text())
                    # The audit report reads every open connection (vault and SAS account).
                    for fmt in ("html", "json", "csv"):
                        await window.audit.export_report(exports / f"report.{fmt}", fmt)
                window.remove_connection(connection)
                await asyncio.sleep(0.05)

            # --- Settings: connections saved with their secrets in memory only.
            store.add(principal)
            store.add(bad_key)
            store.settings.sync()
            texts["saved connections (reloaded)"] = repr(store.load()) + repr(principal)

            # --- Activity panel (every request) and the trail exports.
            panel = window.activity_panel
            texts["activity model"] = model_texts(window.activity_model)
            panel.view.selectAll()
            texts["activity copy"] = panel.copy_selection()
            window.audit.export_trail(exports / "trail.csv", "csv")
            window.audit.export_trail(exports / "trail.json", "json")

            assert len(dialogs) == 3, [d.message_text for d in dialogs]
            texts["status bar"] = window.statusBar().currentMessage()
            texts["window title"] = window.windowTitle()
            await window.aclose()

        qloop.run_until_complete(body())
        reporter.close_all()
        window.deleteLater()
        del settings

    assert outside == [], outside
    files = files_under(home)
    names = {path.name for path in files}
    # The places the test means to search exist (so an empty grep proves something).
    assert {"debug.log", "settings.ini", "audit-trail.jsonl", "trail.csv", "trail.json",
            "report.html", "report.json", "report.csv"} <= names, names
    log_text = log_path.read_text(encoding="utf-8")
    assert "azure" in log_text and "DEBUG" in log_text  # the SDK's loggers were heard
    assert "hyg-secret" in log_text or "hyg-secret" in (home / exports / "trail.csv").read_text()
    leaks = find_leaks(needles, files=files, texts=texts)
    assert leaks == []


def test_sdk_network_trace_logs_no_value_even_when_a_call_asks_for_it(
        run: Any, tmp_path: Path, emulator: Any, azurite: Any, hyg_container: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """azure-core's network trace (``logging_enable=True``) logs whole bodies: a Key Vault GET
    would log the value. Clients built by the session cannot turn it on, even per call."""
    sas = real_account_sas(azurite)
    monkeypatch.setattr(session_module, "LOCAL_EMULATOR_TOKEN", TOKEN)
    install_log_redaction()
    needles = {"secret value": SECRET_VALUE, "bearer token": TOKEN,
               "token signature": TOKEN_SIGNATURE, "SAS signature": parse_qs(sas)["sig"][0]}
    log_path = tmp_path / "trace.log"

    async def body() -> None:
        session = ServiceSession()
        try:
            vault = open_vault(session, Connection(
                "keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                ca_path=str(emulator.ca_path)))
            for _ in range(2):  # the second without the bearer challenge
                secret = await vault.clients.secret_client.get_secret("hyg-secret",
                                                              logging_enable=True)
                assert secret.value == SECRET_VALUE
            client = vault.clients.secret_client
            async for _ in client.list_properties_of_secrets(logging_enable=True):
                pass
            storage = open_storage(session, storage_connection_from_sas_url(
                f"{azurite.blob_endpoint.rstrip('/')}?{sas}"))
            names = [c.name async for c in storage._client.list_containers(logging_enable=True)]
            assert hyg_container in names
            blob = storage._client.get_blob_client(hyg_container, "hyg.txt")
            data = await (await blob.download_blob(logging_enable=True)).readall()
            assert data == b"hello"
        finally:
            await session.aclose()

    with loopback_only(monkeypatch) as outside, debug_logging_to(log_path):
        run(body())
    assert outside == []
    text = log_path.read_text(encoding="utf-8")
    assert "Request URL" in text and "secrets/hyg-secret" in text  # azure logged the calls
    assert find_leaks(needles, files=[log_path]) == []


def test_a_failing_client_secret_sign_in_shows_and_logs_no_secret(
        run: Any, qtbot: Any, tmp_path: Path, emulator: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A service principal whose token request fails (a closed loopback authority): the typed
    error, its dialog and the DEBUG log name the failure, never the client secret."""
    from vaultbrowser.core.services.errors import VaultBrowserError
    from vaultbrowser.core.ui.error_dialog import ErrorDialog
    from vaultbrowser.emulators.keyvault.server import DEFAULT_TENANT

    install_log_redaction()
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://127.0.0.1:9")  # nothing listens
    log_path = tmp_path / "sign-in.log"
    errors: list[BaseException] = []

    async def body() -> None:
        # The session's network settings reach the token request: no retries, fails at once.
        session = ServiceSession(network=NetworkSettings(retry_total=0))
        try:
            vault = open_vault(session, Connection(
                "keyvault", emulator.url, AuthMethod.SERVICE_PRINCIPAL_SECRET,
                tenant_id=DEFAULT_TENANT, client_id="client-hyg", ca_path=str(emulator.ca_path),
                secret=SecretValue(CLIENT_SECRET)))
            try:
                await vault.secrets.list()
            except VaultBrowserError as error:
                errors.append(error)
        finally:
            await session.aclose()

    started = time.perf_counter()
    with loopback_only(monkeypatch) as outside, debug_logging_to(log_path):
        run(body())
    assert outside == [] and len(errors) == 1
    assert time.perf_counter() - started < 10
    dialog = ErrorDialog(errors[0])
    qtbot.addWidget(dialog)
    texts = {"dialog": "\n".join((dialog.windowTitle(), dialog.message_text,
                                  dialog.advice_text, dialog.details_text,
                                  repr(errors[0]), repr(errors[0].__cause__)))}
    assert "127.0.0.1" in texts["dialog"] + log_path.read_text()  # the token request was tried
    assert find_leaks({"client secret": CLIENT_SECRET}, files=[log_path], texts=texts) == []


def test_the_audit_command_prints_and_writes_no_secret(
        tmp_path: Path, azurite: Any, hyg_container: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``vaultbrowser audit`` over a connection string with a wrong key (fails) and one with a
    real SAS (reports): stdout, stderr, the report and the DEBUG log hold neither secret."""
    from vaultbrowser.app import main

    sas = real_account_sas(azurite)
    endpoint = azurite.blob_endpoint.rstrip("/")
    monkeypatch.setenv("HYG_BAD", f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                                  f"AccountKey={ACCOUNT_KEY};BlobEndpoint={endpoint};")
    monkeypatch.setenv("HYG_SAS", f"BlobEndpoint={endpoint};SharedAccessSignature={sas}")
    monkeypatch.setenv("VAULTBROWSER_DATA_DIR", str(tmp_path / "data"))
    needles = {"account key": ACCOUNT_KEY, "SAS signature": parse_qs(sas)["sig"][0]}
    log_path = tmp_path / "audit.log"
    with loopback_only(monkeypatch) as outside, debug_logging_to(log_path):
        bad = main(["audit", "--connection-string-env", "HYG_BAD",
                    "--output", str(tmp_path / "bad.json")])
        good = main(["audit", "--connection-string-env", "HYG_SAS", "--scan-blobs",
                     "--output", str(tmp_path / "good.html")])
    out = capsys.readouterr()
    assert outside == []
    assert bad != 0 and good == 0, out.err
    assert hyg_container in (tmp_path / "good.html").read_text(encoding="utf-8")
    leaks = find_leaks(needles, files=files_under(tmp_path),
                       texts={"stdout": out.out, "stderr": out.err})
    assert leaks == []


def test_an_unexpected_exception_quoting_credentials_is_shown_redacted(qtbot: Any) -> None:
    """A bug's dialog shows the exception and its traceback: text that quotes a SAS URL, a
    connection string or a bearer header is redacted there (and in what Copy puts out)."""
    from vaultbrowser.core.services.redaction import redact_text
    from vaultbrowser.core.ui.error_dialog import ErrorDialog

    def fail() -> None:
        raise RuntimeError(
            f"GET https://acct.blob.core.windows.net/c/b?sv=2024-08-04&sig={FORGED_SAS_SIG} "
            f"with AccountName=acct;AccountKey={ACCOUNT_KEY};EndpointSuffix=core.windows.net "
            f"and Authorization: Bearer {TOKEN}")

    try:
        fail()
    except RuntimeError as exc:
        error = exc
    dialog = ErrorDialog(error)
    qtbot.addWidget(dialog)
    text = "\n".join((dialog.windowTitle(), dialog.message_text, dialog.advice_text,
                      dialog.details_text, dialog.copy_details()))
    assert "RuntimeError" in text and "acct.blob.core.windows.net" in text
    needles = {"SAS signature": FORGED_SAS_SIG, "account key": ACCOUNT_KEY, "token": TOKEN,
               "token signature": TOKEN_SIGNATURE}
    assert find_leaks(needles, texts={"bug dialog": text}) == []
    assert find_leaks(needles, texts={"redact_text": redact_text(str(error))}) == []


def test_a_failed_exchange_is_recorded_redacted(run: Any) -> None:
    """The activity panel's failure text comes from the transport's exception: redacted."""
    from azure.core.rest import HttpRequest

    from tests.mock_transport import MockTransport
    from vaultbrowser.core.services.http.journal import HttpJournal
    from vaultbrowser.core.services.http.transport import RecordingTransport

    def failing(request: HttpRequest) -> Any:
        raise OSError(f"cannot send {request.url}")

    journal = HttpJournal()
    transport = RecordingTransport(MockTransport(failing), journal=journal)
    url = f"https://acct.blob.core.windows.net/?comp=list&sig={FORGED_SAS_SIG}"
    with pytest.raises(OSError):
        run(transport.send(HttpRequest("GET", url)))
    record = journal.records()[-1]
    assert record.failure and "cannot send" in record.failure
    assert FORGED_SAS_SIG not in record.failure + record.url


HOSTILE_PASTES = [
    f"AccountName=acct;AccountKey={ACCOUNT_KEY}x;BlobEndpoint=ftp://{ACCOUNT_KEY}",
    f"AccountName={ACCOUNT_KEY};AccountKey={ACCOUNT_KEY}",
    f"BlobEndpoint=https://{ACCOUNT_KEY}/x;AccountKey={ACCOUNT_KEY}",
    f"AccountName=acct;AccountKey={ACCOUNT_KEY};EndpointSuffix={ACCOUNT_KEY}",
    f"DefaultEndpointsProtocol={ACCOUNT_KEY};AccountName=acct;AccountKey={ACCOUNT_KEY}",
    f"BlobEndpoint=https://acct.blob.core.windows.net/c?sig={FORGED_SAS_SIG};AccountName=acct",
    f"https://acct.blob.core.windows.net/container?sv=1&sig={FORGED_SAS_SIG}",
    f"http://acct.blob.core.windows.net/?sv=1&sig={FORGED_SAS_SIG}",
    f"https://{FORGED_SAS_SIG}@acct.blob.core.windows.net/?sig={FORGED_SAS_SIG}",
    f"https://[{FORGED_SAS_SIG}/?sig={FORGED_SAS_SIG}",
]


@pytest.mark.parametrize("mode_name", ["connection-string", "sas"])
def test_connection_dialog_messages_never_echo_a_pasted_secret(qtbot: Any,
                                                               mode_name: str) -> None:
    from vaultbrowser.core.ui import connection_dialog as module

    dialog = module.ConnectionDialog(kinds=KINDS, kind="blob")
    qtbot.addWidget(dialog)
    combo = dialog.mode_combo
    combo.setCurrentIndex(combo.findData(mode_name))
    texts = {}
    for number, text in enumerate(HOSTILE_PASTES):
        dialog.secret_edit.setText(text)
        assert not dialog.is_valid, text
        texts[f"message {number}"] = dialog.message
    assert find_leaks({"account key": ACCOUNT_KEY, "SAS signature": FORGED_SAS_SIG},
                      texts=texts) == []
