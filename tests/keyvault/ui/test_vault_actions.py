"""Key Vault write actions through the window, against the Key Vault emulator.

Dialogs are answered by a scripted ``DialogRunner``: each expected dialog gets a function that
fills it in and says whether to accept it (the dialog's own ``accept`` still validates).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog, QMessageBox
from shiboken6 import isValid

from vaultbrowser.app import KINDS
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, LocalFileError, ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.common_dialogs import DialogRunner, TypedNameDialog
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.ui.certificate_dialogs import (
    CertificatePolicyDialog,
    ImportCertificateDialog,
)
from vaultbrowser.keyvault.ui.vault_actions import READ_ONLY_TIP
from vaultbrowser.keyvault.ui.vault_dialogs import KeyDialog, PropertiesDialog, SecretDialog
from vaultbrowser.keyvault.ui.vault_files import save_bytes

NEW_VALUE = "typed-value-never-shown-5e2a"
SEED = {
    "secrets": [
        {"name": "alpha", "value": "a", "contentType": "text/plain"},
        {"name": "to-delete", "value": "d"},
        {"name": "to-edit", "value": "e", "tags": {"env": "dev"}},
        {"name": "to-version", "value": "v1"},
        {"name": "zeta", "value": "z"},
        {"name": "was-deleted", "value": "w", "deleted": True},
        {"name": "to-purge", "value": "p", "deleted": True},
    ],
    "keys": [
        {"name": "signing", "kty": "RSA", "key_size": 2048},
        {"name": "old-key", "kty": "EC", "crv": "P-256", "deleted": True},
    ],
    "certificates": [
        {"name": "web", "subject": "CN=web.local", "dns_names": ["web.local"]},
        {"name": "web-pem", "subject": "CN=pem.local", "content_type": "application/x-pem-file"},
        {"name": "old-cert", "subject": "CN=old.local", "deleted": True},
        {"name": "cert-props", "subject": "CN=props.local"},
    ],
}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-actions"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A vault with purge protection (recovery level "Recoverable")."""
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": [{"name": "kept", "value": "k", "deleted": True}]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-protected"), seed=seed,
                                recovery_level="Recoverable") as instance:
        yield instance


Answer = Callable[[QDialog], "bool | None"]


class ScriptedDialogs(DialogRunner):
    """Answers dialogs in order: each answer fills the dialog and returns True (accept: the
    dialog's own accept still validates), False (reject) or None (it closed it itself)."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.asked: list[str] = []  # titles of the dialogs shown
        self.kinds: list[type] = []

    def expect(self, *answers: Answer) -> None:
        self.answers.extend(answers)

    def run(self, dialog: QDialog) -> bool:
        self.asked.append(dialog.windowTitle())
        self.kinds.append(type(dialog))
        assert self.answers, f"unexpected dialog: {dialog.windowTitle()}"
        answer = self.answers.pop(0)
        verdict = answer(dialog)
        if verdict is True and dialog.result() != QDialog.DialogCode.Accepted:
            dialog.accept()
        elif verdict is False:
            dialog.reject()
        return dialog.result() == QDialog.DialogCode.Accepted

    async def wait(self, dialog: QDialog) -> int:
        accepted = self.run(dialog)
        return QDialog.DialogCode.Accepted if accepted else QDialog.DialogCode.Rejected


def click(text: str) -> Answer:
    """Click the message box button labelled ``text``."""
    def answer(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        next(b for b in box.buttons() if b.text() == text).click()
    return answer


CANCEL: Answer = lambda dialog: False  # noqa: E731


class Harness:
    def __init__(self, window: MainWindow, reporter: ErrorReporter,
                 dialogs: ScriptedDialogs) -> None:
        self.window = window
        self.reporter = reporter
        self.dialogs = dialogs
        self.errors: list[Any] = []
        reporter.dialog_shown.connect(lambda dialog: self.errors.append(dialog.error))
        self.details: list[Any] = []
        window.details_shown.connect(self.details.append)

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 15.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting")
            await asyncio.sleep(0.02)

    async def settle(self) -> None:
        """Every window task done and every tree idle."""
        window = self.window
        await self.wait_for(lambda: not window.tasks.running)
        for model in (pane.model for pane in window.panes):
            await model.wait_idle()
        await asyncio.sleep(0.05)

    async def open(self, emulator: Any, tab: int, *, name: str = "actions-vault",
                   read_only: bool = False) -> QModelIndex:
        """Connect the vault, show tab ``tab`` and wait for its complete listing."""
        window = self.window
        window.tabs.setCurrentIndex(tab)
        window.add_connection(Connection("keyvault", emulator.url,
                                         AuthMethod.LOCAL_EMULATOR, name=name,
                                         ca_path=str(emulator.ca_path), read_only=read_only))
        model = window.panes[tab].model
        vault = model.index(0, 0)
        pane = window.panes[tab]
        pane.view.expand(pane.proxy.mapFromSource(vault))
        await self.settle()
        model.load_all(vault)
        await self.settle()
        return vault

    async def select(self, tab: int, index: QModelIndex) -> None:
        """Select a row and wait for its details (the selection's GET)."""
        pane = self.window.panes[tab]
        pane.view.selectionModel().clear()
        self.details.clear()
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(index))
        await self.wait_for(lambda: self.details)

    def action(self, tab: int, text: str) -> Any:
        actions = [a for a in self.window.panes[tab].selection_actions() if a is not None]
        found = [a for a in actions if a.text() == text]
        assert found, f"no action {text!r} in {[a.text() for a in actions]}"
        return found[0]

    def trigger(self, tab: int, text: str) -> None:
        action = self.action(tab, text)
        assert action.isEnabled(), f"{text} is disabled: {action.toolTip()}"
        action.trigger()


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    dialogs = ScriptedDialogs()
    window.dialogs = dialogs
    window.view("keyvault").actions.certificates.poll_interval = 0.1
    window.show()
    yield Harness(window, reporter, dialogs)
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()
    assert dialogs.answers == [], "a scripted answer was never used"


def names(model: Any, parent: QModelIndex) -> list[str]:
    return [model.index(r, 0, parent).data() for r in range(model.rowCount(parent))
            if model.index(r, 0, parent).data(STATUS_ROLE) is None]


def row(model: Any, parent: QModelIndex, name: str) -> QModelIndex:
    found = model.find_item(parent, name)
    assert found.isValid(), f"{name} not in {names(model, parent)}"
    return found


def writes(emulator: Any, since: int) -> list[tuple[str, str, int]]:
    return [(e.method, e.path, e.status) for e in emulator.request_log[since:]
            if e.method not in ("GET", "HEAD")]


def detail_rows(window: MainWindow) -> dict[str, str]:
    tree = window.detail_pane.properties
    return {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1)
            for i in range(tree.topLevelItemCount())}


def all_texts(window: MainWindow) -> str:
    """Every text a widget of the window shows (labels, fields, trees): where a secret must
    never be."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QTreeWidget

    texts = []
    for widget in window.findChildren(QLabel):
        texts.append(widget.text())
    for widget in window.findChildren(QLineEdit):
        texts.append(widget.text())
    for widget in window.findChildren(QAbstractButton):
        texts.append(widget.text())
    for tree in window.findChildren(QTreeWidget):
        for i in range(tree.topLevelItemCount()):
            texts.extend(tree.topLevelItem(i).text(c) for c in range(tree.columnCount()))
    return "\n".join(texts)


# --- secrets ----------------------------------------------------------------------------------


def test_new_secret_validates_the_name_first_then_creates_the_row(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Secrets").model
    seen: dict[str, Any] = {}

    def bad_name(dialog: QDialog) -> bool:
        assert isinstance(dialog, SecretDialog)
        dialog.name_edit.setText("bad name/..")
        dialog.value_edit.setText(NEW_VALUE)
        dialog.accept()
        seen["error"] = dialog.error_text
        assert dialog.isVisible() or dialog.result() != QDialog.DialogCode.Accepted
        return False  # the user gives up: Cancel

    def good(dialog: QDialog) -> bool:
        assert isinstance(dialog, SecretDialog)
        assert dialog.value_edit.echoMode() == dialog.value_edit.EchoMode.Password
        dialog.name_edit.setText("beta")
        dialog.value_edit.setText(NEW_VALUE)
        dialog.content_type.setEditText("text/plain")
        dialog.tags.set_pairs({"team": "ops"})
        seen["dialog"] = dialog
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 0)
        log = len(emulator.request_log)
        dialogs.expect(bad_name)
        harness.trigger(0, "New secret…")
        assert "characters Key Vault does not allow" in seen["error"]
        assert emulator.request_log[log:] == []  # refused before any request
        dialogs.expect(good)
        harness.trigger(0, "New secret…")
        assert seen["dialog"].value_edit.text() == ""  # the value left the field at once
        await harness.settle()
        assert names(model, vault)[:3] == ["alpha", "beta", "cert-props"]  # in name order
        record = model.record_of(row(model, vault, "beta"))
        assert record.version is None and record.content_type == "text/plain"
        assert dict(record.tags) == {"team": "ops"}
        assert ("PUT", "/secrets/beta", 200) in writes(emulator, log)
        # The detail pane shows the write's own result and response.
        assert window.detail_pane.title.text() == "beta"
        assert window.detail_pane.details.response.method == "PUT"
        assert "200 OK" in window.detail_pane.status_line.text()
        # The activity panel recorded the write (every HTTP call is in the journal).
        assert any(r.method == "PUT" and r.url.split("?")[0].endswith("/secrets/beta")
                   for r in window.session.journal.records())
        assert harness.errors == []
        # Creating it again is a conflict (no silent new version), shown as a typed error.
        dialogs.expect(good)
        harness.trigger(0, "New secret…")
        await harness.settle()
        assert harness.errors and harness.errors[-1].title == "Conflict"
        assert NEW_VALUE not in str(harness.errors[-1])

    qloop.run_until_complete(body())
    assert NEW_VALUE not in all_texts(window)
    assert all(NEW_VALUE not in str(r) for r in window.session.journal.records())


def test_new_version_and_edit_properties_update_the_rows(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Secrets").model
    pane = window.pane("Secrets")

    def version(dialog: QDialog) -> bool:
        assert isinstance(dialog, SecretDialog)
        assert dialog.name_edit.isReadOnly() and dialog.name_edit.text() == "to-version"
        dialog.value_edit.setText("v2")
        return True

    def disable_and_retag(dialog: QDialog) -> bool:
        assert isinstance(dialog, PropertiesDialog)
        assert dialog.tags.pairs() == {"env": "dev"}
        dialog.enabled_check.setChecked(False)
        dialog.tags.set_pairs({"env": "prod", "owner": "ops"})
        dialog.expires.set_value(dt.datetime(2031, 1, 2, 3, 4, tzinfo=dt.UTC))
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 0)
        item = row(model, vault, "to-version")
        pane.view.expand(pane.proxy.mapFromSource(item))
        await harness.settle()
        assert model.rowCount(item) == 1
        await harness.select(0, item)
        dialogs.expect(version)
        harness.trigger(0, "New version…")
        await harness.settle()
        item = row(model, vault, "to-version")
        assert model.rowCount(item) == 2  # its versions were listed again
        assert window.detail_pane.details.response.method == "PUT"
        # A version row's own properties: that row changes, the item row does not.
        first = model.index(0, 0, item)
        version_id = model.record_of(first).version
        await harness.select(0, first)
        dialogs.expect(lambda d: (d.tags.set_pairs({"stage": "old"}), True)[1])
        harness.trigger(0, "Edit properties…")
        await harness.settle()
        item = row(model, vault, "to-version")
        changed = model.find_child(item, lambda r: r.version == version_id)
        assert dict(model.record_of(changed).tags) == {"stage": "old"}
        assert model.record_of(changed).version == version_id
        assert dict(model.record_of(item).tags) == {}

        edited = row(model, vault, "to-edit")
        await harness.select(0, edited)
        log = len(emulator.request_log)
        dialogs.expect(disable_and_retag)
        harness.trigger(0, "Edit properties…")
        await harness.settle()
        assert writes(emulator, log) == [("PATCH", "/secrets/to-edit/", 200)] or [
            (m, p.rstrip("/"), s) for m, p, s in writes(emulator, log)] == [
            ("PATCH", "/secrets/to-edit", 200)]
        record = model.record_of(row(model, vault, "to-edit"))
        assert record.enabled is False and dict(record.tags) == {"env": "prod", "owner": "ops"}
        assert record.expires_on == dt.datetime(2031, 1, 2, 3, 4, tzinfo=dt.UTC)
        assert record.version is None  # still the item row
        assert detail_rows(window)["Enabled"] == "No"
        # A disabled secret's row still shows (Key Vault refuses to read a disabled secret's
        # version: its details come from the row, with no request and no error).
        await harness.select(0, row(model, vault, "to-edit"))
        assert "disabled" in window.detail_pane.subtitle.text()
        assert not window.detail_pane.value_row.isVisibleTo(window.detail_pane)
        # Nothing changed: no request at all.
        log = len(emulator.request_log)
        await harness.select(0, row(model, vault, "zeta"))
        dialogs.expect(lambda dialog: True)
        harness.trigger(0, "Edit properties…")
        await harness.settle()
        assert writes(emulator, log) == []
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_delete_asks_then_the_row_moves_to_deleted_and_recovers(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Secrets").model
    pane = window.pane("Secrets")
    actions = window.view("keyvault").actions.secrets
    texts: list[str] = []

    def refuse(box: QDialog) -> bool:
        texts.append(box.text())
        return False

    async def body() -> None:
        vault = await harness.open(emulator, 0)
        await harness.select(0, row(model, vault, "to-delete"))
        log = len(emulator.request_log)
        dialogs.expect(refuse)
        harness.trigger(0, "Delete secret…")
        assert "recoverable for 90 days" in texts[0] and "to-delete" in texts[0]
        await harness.settle()
        assert writes(emulator, log) == [] and "to-delete" in names(model, vault)

        dialogs.expect(click("Delete"))
        harness.trigger(0, "Delete secret…")
        await harness.settle()
        assert "to-delete" not in names(model, vault)
        assert ("DELETE", "/secrets/to-delete", 200) in writes(emulator, log)
        assert detail_rows(window)["Scheduled purge"]

        # The Deleted view lists it, with its dates; only Recover and Purge are offered.
        actions.deleted_check.setChecked(True)
        await harness.settle()
        vault = model.index(0, 0)
        assert {"to-delete", "to-purge", "was-deleted"} <= set(names(model, vault))
        # A deleted certificate's secret comes back (or goes) with its certificate only.
        await harness.select(0, row(model, vault, "old-cert"))
        assert not harness.action(0, "Recover secret").isEnabled()
        assert "certificate" in harness.action(0, "Purge secret…").toolTip()
        deleted = row(model, vault, "to-delete")
        assert model.index(deleted.row(), 1, vault).data()  # deleted on
        assert model.index(deleted.row(), 2, vault).data()  # purge scheduled
        await harness.select(0, deleted)
        assert window.detail_pane.subtitle.text().startswith("Deleted secret")
        offered = [a.text() for a in pane.selection_actions() if a is not None]
        assert offered == ["Recover secret", "Purge secret…"]
        harness.trigger(0, "Recover secret")
        await harness.settle()
        assert "to-delete" not in names(model, vault) and "to-purge" in names(model, vault)
        assert window.detail_pane.details.response.method == "POST"

        actions.deleted_check.setChecked(False)
        await harness.settle()
        assert "to-delete" in names(model, model.index(0, 0))
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_purge_needs_the_exact_typed_name(qloop: Any, harness: Harness,
                                          emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Secrets").model

    def typed(text: str) -> Answer:
        def answer(dialog: QDialog) -> bool:
            assert isinstance(dialog, TypedNameDialog)
            dialog.name_edit.setText(text)
            return True
        return answer

    async def body() -> None:
        window.view("keyvault").actions.secrets.deleted_check.setChecked(True)
        vault = await harness.open(emulator, 0)
        await harness.select(0, row(model, vault, "to-purge"))
        log = len(emulator.request_log)
        for wrong in ("to-purg", "TO-PURGE", "to-purge "):
            dialogs.expect(typed(wrong))
            harness.trigger(0, "Purge secret…")
        await harness.settle()
        assert writes(emulator, log) == [] and "to-purge" in names(model, vault)
        dialogs.expect(typed("to-purge"))
        harness.trigger(0, "Purge secret…")
        await harness.settle()
        assert ("DELETE", "/deletedsecrets/to-purge", 204) in writes(emulator, log)
        assert "to-purge" not in names(model, vault)
        assert "purged" in window.detail_pane.title.text()
        assert "204" in window.detail_pane.status_line.text()
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_purge_is_refused_before_asking_when_the_vault_protects_it(
        qloop: Any, harness: Harness, protected: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Secrets").model

    async def body() -> None:
        window.view("keyvault").actions.secrets.deleted_check.setChecked(True)
        vault = await harness.open(protected, 0, name="protected-vault")
        await harness.select(0, row(model, vault, "kept"))
        purge = harness.action(0, "Purge secret…")
        assert "purge protection" in purge.toolTip()
        log = len(protected.request_log)
        purge.trigger()  # no typed-name dialog is shown: ScriptedDialogs would fail
        await harness.settle()
        assert dialogs.asked == []
        assert len(harness.errors) == 1 and isinstance(harness.errors[0], InvalidInput)
        assert "purge protection" in harness.errors[0].message
        assert "Recoverable" in harness.errors[0].message
        assert protected.request_log[log:] == []
        assert "kept" in names(model, vault)

    qloop.run_until_complete(body())


# --- keys ---------------------------------------------------------------------------------------


def test_keys_create_disable_enable_and_edit_expiry(qloop: Any, harness: Harness,
                                                    emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Keys").model

    def ec_key(dialog: QDialog) -> bool:
        assert isinstance(dialog, KeyDialog)
        dialog.name_edit.setText("ec-key")
        dialog.type_combo.setCurrentText("EC")
        assert not dialog.size_combo.isEnabled() and dialog.curve_combo.isEnabled()
        dialog.curve_combo.setCurrentText("P-384")
        return True

    def expiry(dialog: QDialog) -> bool:
        assert isinstance(dialog, PropertiesDialog)
        dialog.expires.set_value(dt.datetime(2032, 5, 6, 7, 8, tzinfo=dt.UTC))
        dialog.tags.set_pairs({"use": "signing"})
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 2)
        dialogs.expect(ec_key)
        harness.trigger(2, "New key…")
        await harness.settle()
        created = model.record_of(row(model, vault, "ec-key"))
        assert created.key_type == "EC" and created.curve == "P-384"
        assert window.detail_pane.details.response.method == "POST"

        await harness.select(2, row(model, vault, "ec-key"))
        assert not harness.action(2, "Enable").isEnabled()
        harness.trigger(2, "Disable")
        await harness.settle()
        assert model.record_of(row(model, vault, "ec-key")).enabled is False
        assert model.index(row(model, vault, "ec-key").row(), 1, vault).data() == "No"
        await harness.select(2, row(model, vault, "ec-key"))
        assert not harness.action(2, "Disable").isEnabled()
        harness.trigger(2, "Enable")
        await harness.settle()
        assert model.record_of(row(model, vault, "ec-key")).enabled is True

        await harness.select(2, row(model, vault, "ec-key"))
        dialogs.expect(expiry)
        harness.trigger(2, "Edit expiry and tags…")
        await harness.settle()
        record = model.record_of(row(model, vault, "ec-key"))
        assert record.expires_on == dt.datetime(2032, 5, 6, 7, 8, tzinfo=dt.UTC)
        assert dict(record.tags) == {"use": "signing"}
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_key_delete_recover_and_purge(qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Keys").model
    actions = window.view("keyvault").actions.keys

    async def body() -> None:
        vault = await harness.open(emulator, 2)
        await harness.select(2, row(model, vault, "signing"))
        dialogs.expect(click("Delete"))
        harness.trigger(2, "Delete key…")
        await harness.settle()
        assert "signing" not in names(model, vault)
        actions.deleted_check.setChecked(True)
        await harness.settle()
        vault = model.index(0, 0)
        assert {"signing", "old-key"} <= set(names(model, vault))
        await harness.select(2, row(model, vault, "signing"))
        harness.trigger(2, "Recover key")
        await harness.settle()
        assert "signing" not in names(model, vault)
        await harness.select(2, row(model, vault, "old-key"))
        dialogs.expect(lambda d: (d.name_edit.setText("old-key"), True)[1])
        harness.trigger(2, "Purge key…")
        await harness.settle()
        assert "old-key" not in names(model, vault)
        actions.deleted_check.setChecked(False)
        await harness.settle()
        assert "signing" in names(model, model.index(0, 0))
        assert harness.errors == []

    qloop.run_until_complete(body())


# --- certificates -------------------------------------------------------------------------------


def policy_answer(name: str, *, subject: str = "", issuer: str = "Self") -> Answer:
    def answer(dialog: QDialog) -> bool:
        assert isinstance(dialog, CertificatePolicyDialog)
        dialog.name_edit.setText(name)
        dialog.issuer_combo.setEditText(issuer)
        dialog.subject_edit.setText(subject or f"CN={name}.example.com")
        dialog.dns_edit.setText(f"{name}.example.com, www.{name}.example.com")
        dialog.type_combo.setCurrentText("EC")
        dialog.curve_combo.setCurrentText("P-256")
        dialog.validity.setValue(6)
        return True
    return answer


def test_certificate_create_shows_the_pending_operation_until_it_completes(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model
    certificates = window.view("keyvault").actions.certificates
    statuses: list[str] = []

    def invalid_subject(dialog: QDialog) -> bool:
        policy_answer("issued", subject="not a DN")(dialog)
        dialog.accept()
        assert "not a distinguished name" in dialog.error_text  # type: ignore[attr-defined]
        return False

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        log = len(emulator.request_log)
        dialogs.expect(invalid_subject)
        harness.trigger(1, "New certificate…")
        assert emulator.request_log[log:] == []
        emulator.options["cert_issuance_delay"] = 0.8
        try:
            dialogs.expect(policy_answer("issued"))
            harness.trigger(1, "New certificate…")
            await harness.wait_for(lambda: "issued" in certificates.operations)
            progress = certificates.operations["issued"]
            assert progress.isVisible()
            await harness.wait_for(lambda: "in progress" in progress.status_label.text())
            statuses.append(progress.status_label.text())
            # Meanwhile the detail pane shows the create request's response (202).
            assert "202" in window.detail_pane.status_line.text()
            assert "issued" not in names(model, vault)
            await harness.settle()
        finally:
            emulator.options["cert_issuance_delay"] = 0.0
        assert "issued" not in certificates.operations and not shown(progress)
        assert "issued" in names(model, vault)
        rows = detail_rows(window)
        assert rows["Subject"] == "CN=issued.example.com"
        assert "issued.example.com" in rows["DNS names"] and "(P-256)" in rows["Key"]
        assert harness.errors == []

    qloop.run_until_complete(body())
    assert statuses and statuses[0].startswith("Status: in progress")


def test_an_unknown_issuer_request_is_left_pending_without_waiting(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    certificates = window.view("keyvault").actions.certificates

    def unknown(dialog: QDialog) -> bool:
        policy_answer("csr-only", issuer="Unknown")(dialog)
        assert isinstance(dialog, CertificatePolicyDialog)
        dialog.action_combo.setCurrentIndex(dialog.action_combo.findData(None))
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        dialogs.expect(unknown)
        harness.trigger(1, "New certificate…")
        await harness.settle()
        assert certificates.operations == {}
        assert "merged" in window.detail_pane.subtitle.text()
        assert "202" in window.detail_pane.status_line.text()
        assert "csr-only" not in names(window.pane("Certificates").model, vault)
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_certificate_properties_enable_and_tags(qloop: Any, harness: Harness,
                                                emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model

    def retag(dialog: QDialog) -> bool:
        assert isinstance(dialog, PropertiesDialog)
        assert dialog.expires.isHidden() or not dialog.expires.isVisibleTo(dialog)
        dialog.enabled_check.setChecked(False)
        dialog.tags.set_pairs({"owner": "web-team"})
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        await harness.select(1, row(model, vault, "cert-props"))
        dialogs.expect(retag)
        harness.trigger(1, "Edit properties (enabled, tags)…")
        await harness.settle()
        record = model.record_of(row(model, vault, "cert-props"))
        assert record.enabled is False and dict(record.tags) == {"owner": "web-team"}
        assert window.detail_pane.details.response.method == "PATCH"
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_certificate_create_can_be_cancelled(qloop: Any, harness: Harness,
                                             emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model
    certificates = window.view("keyvault").actions.certificates

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        emulator.options["cert_issuance_delay"] = 60
        try:
            dialogs.expect(policy_answer("never-issued"))
            harness.trigger(1, "New certificate…")
            await harness.wait_for(lambda: "never-issued" in certificates.operations)
            progress = certificates.operations["never-issued"]
            await harness.wait_for(lambda: "in progress" in progress.status_label.text())
            log = len(emulator.request_log)
            progress.cancel_button.click()
            await harness.settle()
        finally:
            emulator.options["cert_issuance_delay"] = 0.0
        assert any(m == "PATCH" and p.endswith("/pending") for m, p, _ in writes(emulator, log))
        assert not shown(progress) and "never-issued" not in certificates.operations
        assert "never-issued" not in names(model, vault)
        assert "cancelled" in window.detail_pane.subtitle.text()
        assert harness.errors == []

    qloop.run_until_complete(body())


def shown(widget: Any) -> bool:
    """Whether a widget still exists and is visible (a finished progress dialog is deleted)."""
    return isValid(widget) and widget.isVisible()


def make_pfx(path: Path, password: bytes, common_name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - dt.timedelta(minutes=5))
                   .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        b"imported", key, certificate, None, serialization.BestAvailableEncryption(password))
    path.write_bytes(data)
    pem = certificate.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    path.with_suffix(".pem").write_bytes(pem)
    return data


def test_import_pfx_with_a_wrong_then_the_right_password_and_a_pem(
        qloop: Any, harness: Harness, emulator: Any, tmp_path: Path) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model
    actions = window.view("keyvault").actions
    pfx = tmp_path / "Partner Cert.pfx"
    make_pfx(pfx, b"right-pass", "partner.example.com")
    chosen: list[Path] = [pfx, pfx.with_suffix(".pem")]
    actions.choose_open_path = lambda *args: chosen.pop(0)
    errors: list[str] = []

    def passwords(dialog: QDialog) -> bool:
        assert isinstance(dialog, ImportCertificateDialog)
        assert dialog.name_edit.text() == "Partner-Cert" and dialog.password_edit.isEnabled()
        dialog.password_edit.setText("wrong-pass")
        dialog.accept()
        errors.append(dialog.error_text)
        assert dialog.result() != QDialog.DialogCode.Accepted
        dialog.password_edit.setText("right-pass")
        return True

    def pem(dialog: QDialog) -> bool:
        assert isinstance(dialog, ImportCertificateDialog)
        assert not dialog.password_edit.isEnabled()
        dialog.name_edit.setText("partner-pem")
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        log = len(emulator.request_log)
        dialogs.expect(passwords)
        harness.trigger(1, "Import certificate…")
        await harness.settle()
        assert "password is wrong" in errors[0] and "wrong-pass" not in errors[0]
        imports = [w for w in writes(emulator, log) if w[1].endswith("/import")]
        assert imports == [("POST", "/certificates/Partner-Cert/import", 200)]  # one, right
        assert "Partner-Cert" in names(model, vault)
        assert window.detail_pane.details.record.name == "Partner-Cert"
        dialogs.expect(pem)
        harness.trigger(1, "Import certificate…")
        await harness.settle()
        assert "partner-pem" in names(model, vault)
        assert harness.errors == []

    qloop.run_until_complete(body())
    assert "right-pass" not in all_texts(window) and "wrong-pass" not in all_texts(window)


def test_download_writes_exactly_the_file_and_never_overwrites_silently(
        qloop: Any, harness: Harness, emulator: Any, tmp_path: Path) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model
    target = tmp_path / "web.cer"
    window.view("keyvault").actions.choose_save_path = lambda *args: target

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        web = row(model, vault, "web")
        await harness.select(1, web)
        service = window.root_of(model, web).service
        expected = bytes((await service.clients.certificate_client.get_certificate("web")).cer)
        harness.trigger(1, "Download certificate (.cer)…")
        await harness.settle()
        assert target.read_bytes() == expected
        assert sorted(p.name for p in tmp_path.iterdir()) == ["web.cer"]  # no temporary left
        assert "saved to" in window.detail_pane.subtitle.text()

        # It exists now: declined → untouched, nothing requested.
        target.write_bytes(b"mine")
        log = len(emulator.request_log)
        dialogs.expect(CANCEL)
        harness.trigger(1, "Download certificate (.cer)…")
        await harness.settle()
        assert target.read_bytes() == b"mine" and emulator.request_log[log:] == []
        assert dialogs.asked[-1] == "Replace file?"

        # A failed download leaves the existing file and no partial one.
        emulator.faults.forbid("/certificates/web")
        try:
            dialogs.expect(click("Replace"))
            harness.trigger(1, "Download certificate (.cer)…")
            await harness.settle()
        finally:
            emulator.faults.clear()
        assert harness.errors and target.read_bytes() == b"mine"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["web.cer"]

        # Agreed → replaced with exactly the certificate.
        dialogs.expect(click("Replace"))
        harness.trigger(1, "Download certificate (.cer)…")
        await harness.settle()
        assert target.read_bytes() == expected

        # PEM: the same certificate.
        pem = tmp_path / "web.pem"
        window.view("keyvault").actions.choose_save_path = lambda *args: pem
        harness.trigger(1, "Download certificate (.pem)…")
        await harness.settle()
        assert x509.load_pem_x509_certificate(pem.read_bytes()).public_bytes(
            serialization.Encoding.DER) == expected

    qloop.run_until_complete(body())


def test_a_file_that_appears_during_the_download_is_not_replaced(
        qloop: Any, harness: Harness, emulator: Any, tmp_path: Path) -> None:
    window = harness.window
    model = window.pane("Certificates").model
    target = tmp_path / "web.cer"
    window.view("keyvault").actions.choose_save_path = lambda *args: target

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        await harness.select(1, row(model, vault, "web"))
        emulator.faults.latency_ms = 300
        try:
            harness.trigger(1, "Download certificate (.cer)…")  # the path is free: no question
            await asyncio.sleep(0.1)
            target.write_bytes(b"written meanwhile by someone else")
            await harness.settle()
        finally:
            emulator.faults.latency_ms = 0
        assert len(harness.errors) == 1 and isinstance(harness.errors[0], LocalFileError)
        assert "not replaced" in harness.errors[0].message
        assert target.read_bytes() == b"written meanwhile by someone else"
        assert [p.name for p in tmp_path.iterdir()] == ["web.cer"]

    qloop.run_until_complete(body())


def test_save_bytes_leaves_nothing_behind_on_failure(tmp_path: Path) -> None:
    existing = tmp_path / "a.pem"
    existing.write_bytes(b"old")
    with pytest.raises(LocalFileError, match="not replaced"):
        save_bytes(existing, b"new", overwrite=False)
    assert existing.read_bytes() == b"old"
    save_bytes(existing, b"new", overwrite=True)
    assert existing.read_bytes() == b"new"
    with pytest.raises(LocalFileError):
        save_bytes(tmp_path / "missing-folder" / "b.pem", b"x", overwrite=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pem"]


def test_private_download_asks_first_and_saves_the_key(
        qloop: Any, harness: Harness, emulator: Any, tmp_path: Path) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model
    chosen = tmp_path / "web.pfx"
    window.view("keyvault").actions.choose_save_path = lambda *args: chosen

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        await harness.select(1, row(model, vault, "web"))
        log = len(emulator.request_log)
        dialogs.expect(CANCEL)
        harness.trigger(1, "Download with private key (PFX/PEM)…")
        await harness.settle()
        assert not chosen.exists() and emulator.request_log[log:] == []

        dialogs.expect(click("Download private key"))
        harness.trigger(1, "Download with private key (PFX/PEM)…")
        await harness.settle()
        key, certificate, _ = pkcs12.load_key_and_certificates(chosen.read_bytes(), None)
        assert key is not None and certificate is not None
        # A PEM certificate is saved as .pem whatever name was chosen.
        await harness.select(1, row(model, vault, "web-pem"))
        chosen_pem = tmp_path / "web-pem.pfx"
        window.view("keyvault").actions.choose_save_path = lambda *args: chosen_pem
        dialogs.expect(click("Download private key"))
        harness.trigger(1, "Download with private key (PFX/PEM)…")
        await harness.settle()
        text = (tmp_path / "web-pem.pem").read_text()
        assert "PRIVATE KEY" in text and "CERTIFICATE" in text and not chosen_pem.exists()
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_edit_policy_reads_the_policy_and_saves_the_change(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model

    def longer(dialog: QDialog) -> bool:
        assert isinstance(dialog, CertificatePolicyDialog)
        assert dialog.subject_edit.text() == "CN=web.local"
        assert dialog.dns_edit.text() == "web.local" and dialog.name_edit.isReadOnly()
        dialog.validity.setValue(24)
        dialog.action_combo.setCurrentIndex(dialog.action_combo.findData("EmailContacts"))
        dialog.before_days.setChecked(True)
        dialog.days.setValue(45)
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 1)
        web = row(model, vault, "web")
        await harness.select(1, web)
        dialogs.expect(longer)
        harness.trigger(1, "Edit policy…")
        await harness.settle()
        assert "Policy of web saved" in window.detail_pane.title.text()
        assert "PATCH" in window.detail_pane.status_line.text()
        service = window.root_of(model, web).service
        policy = (await service.certificates.get_policy("web")).value
        assert policy.validity_in_months == 24
        assert policy.lifetime_actions == ("EmailContacts 45 days before expiry",)
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_certificate_delete_recover_and_purge(qloop: Any, harness: Harness,
                                              emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model
    actions = window.view("keyvault").actions.certificates

    async def body() -> None:
        # The secrets tree lists the certificate's secret too (managed).
        secrets = window.pane("Secrets").model
        secrets_vault = await harness.open(emulator, 0)
        assert "web-pem" in names(secrets, secrets_vault)
        window.show_pane("Certificates")
        pane = window.pane("Certificates")
        vault = model.index(0, 0)
        pane.view.expand(pane.proxy.mapFromSource(vault))
        await harness.settle()
        await harness.select(1, row(model, vault, "web-pem"))
        dialogs.expect(click("Delete"))
        harness.trigger(1, "Delete certificate…")
        await harness.settle()
        assert "web-pem" not in names(model, vault)
        assert "web-pem" not in names(secrets, secrets_vault)  # its secret went with it
        actions.deleted_check.setChecked(True)
        await harness.settle()
        vault = model.index(0, 0)
        assert {"web-pem", "old-cert"} <= set(names(model, vault))
        await harness.select(1, row(model, vault, "web-pem"))
        harness.trigger(1, "Recover certificate")
        await harness.settle()
        assert "web-pem" in names(secrets, secrets_vault)  # the secrets tree listed again
        # The secrets tree's Deleted view lists the certificate's deleted secret until the
        # certificate is purged.
        window.view("keyvault").actions.secrets.deleted_check.setChecked(True)
        await harness.settle()
        assert "old-cert" in names(secrets, secrets.index(0, 0))
        await harness.select(1, row(model, vault, "old-cert"))
        dialogs.expect(lambda d: (d.name_edit.setText("old-cert"), True)[1])
        harness.trigger(1, "Purge certificate…")
        await harness.settle()
        assert "old-cert" not in names(model, vault)
        assert "old-cert" not in names(secrets, secrets.index(0, 0))
        assert harness.errors == []

    qloop.run_until_complete(body())


# --- read-only ----------------------------------------------------------------------------------


def test_read_only_disables_writes_and_the_pipeline_refuses_a_forced_one(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Secrets").model
    pane = window.pane("Secrets")

    def create(dialog: QDialog) -> bool:
        assert isinstance(dialog, SecretDialog)
        dialog.name_edit.setText("forced")
        dialog.value_edit.setText(NEW_VALUE)
        return True

    async def body() -> None:
        vault = await harness.open(emulator, 0, read_only=True)
        await harness.select(0, row(model, vault, "alpha"))
        # Copying FROM a read-only vault only reads it (the writes go to the target).
        assert harness.action(0, "Copy to another vault…").isEnabled()
        for action in (a for a in pane.selection_actions()
                       if a is not None and a.text() != "Copy to another vault…"):
            assert not action.isEnabled(), action.text()
            assert action.toolTip() == READ_ONLY_TIP
        window.show_pane("Certificates")
        certificates = window.pane("Certificates").model
        pane_1 = window.pane("Certificates")
        pane_1.view.expand(pane_1.proxy.mapFromSource(certificates.index(0, 0)))
        await harness.settle()
        await harness.select(1, row(certificates, certificates.index(0, 0), "web"))
        for text in ("New certificate…", "Import certificate…", "Edit policy…",
                     "Delete certificate…"):
            assert not harness.action(1, text).isEnabled(), text
        for text in ("Download certificate (.cer)…", "Download certificate (.pem)…",
                     "Download with private key (PFX/PEM)…"):
            assert harness.action(1, text).isEnabled(), text  # reads stay available
        window.show_pane("Keys")
        assert not harness.action(2, "New key…").isEnabled()
        assert harness.action(2, "New key…").toolTip() == READ_ONLY_TIP
        window.show_pane("Secrets")
        # The Deleted view is a read: it works in read-only mode, Recover/Purge disabled.
        window.view("keyvault").actions.secrets.deleted_check.setChecked(True)
        await harness.settle()
        await harness.select(0, row(model, model.index(0, 0), "was-deleted"))
        assert not harness.action(0, "Recover secret").isEnabled()
        window.view("keyvault").actions.secrets.deleted_check.setChecked(False)
        await harness.settle()
        # Forced anyway (the signal, past the disabled action): nothing leaves the machine.
        await harness.select(0, row(model, model.index(0, 0), "alpha"))
        log = len(emulator.request_log)
        dialogs.expect(create)
        harness.action(0, "New secret…").triggered.emit()
        await harness.settle()
        assert len(harness.errors) == 1 and isinstance(harness.errors[0], ReadOnlyRefused)
        assert writes(emulator, log) == []
        assert "forced" not in names(model, model.index(0, 0))

    qloop.run_until_complete(body())


def test_private_download_on_a_read_only_connection_is_recorded(
        qloop: Any, harness: Harness, emulator: Any, tmp_path: Path) -> None:
    from vaultbrowser.core.audit.trail import AuditTrail

    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Certificates").model
    window.trail = AuditTrail(tmp_path / "trail.jsonl")
    target = tmp_path / "out" / "web.pfx"
    target.parent.mkdir()
    window.view("keyvault").actions.choose_save_path = lambda *args: target
    texts: list[str] = []

    def agree(box: QDialog) -> None:
        texts.append(box.text())  # type: ignore[attr-defined]
        click("Download private key")(box)

    async def body() -> None:
        vault = await harness.open(emulator, 1, read_only=True)
        await harness.select(1, row(model, vault, "web"))
        dialogs.expect(agree)
        harness.trigger(1, "Download with private key (PFX/PEM)…")
        await harness.settle()
        assert "recorded in the audit trail" in texts[0]
        key, _, _ = pkcs12.load_key_and_certificates(target.read_bytes(), None)
        assert key is not None and harness.errors == []

    qloop.run_until_complete(body())
    events = [e for e in window.trail.read_all() if "private key" in e["operation"]]
    assert len(events) == 1 and events[0]["connection"] == "actions-vault"
    assert "/certificates/web" in events[0]["resource"]


def test_menus_show_the_reason_of_a_disabled_action(qloop: Any, harness: Harness) -> None:
    pane = harness.window.pane("Secrets")
    actions = pane.selection_actions()  # no vault at all
    texts = {a.text(): a for a in actions if a is not None}
    assert not texts["New secret…"].isEnabled()
    assert texts["New secret…"].toolTip() == "Select a vault first"
    assert harness.window.actions_menu.toolTipsVisible()


def test_a_question_asked_from_a_task_reads_the_answer_of_the_box(
        qloop: Any, harness: Harness) -> None:
    """With the real runner (the box is shown window-modal and answered by a click)."""
    from PySide6.QtCore import QTimer

    from vaultbrowser.core.ui.common_dialogs import confirm_box

    window = harness.window
    window.dialogs = DialogRunner()
    actions = window.view("keyvault").actions.certificates

    async def ask(button: str) -> bool:
        box = confirm_box(window, "Replace file?", "Replace it?", "Replace")
        QTimer.singleShot(50, lambda: next(b for b in box.buttons()
                                           if b.text() == button).click())
        return await actions.confirmed(box)

    assert qloop.run_until_complete(ask("Replace")) is True
    assert qloop.run_until_complete(ask("Cancel")) is False
