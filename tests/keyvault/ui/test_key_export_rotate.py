"""A key row's "Export public key…" and "Rotate now…" through the window, against the Key Vault
emulator (dialogs answered by the scripted runner of test_vault_actions)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.keyvault.ui.test_vault_actions import (
    CANCEL,
    Harness,
    ScriptedDialogs,
    click,
    detail_rows,
    names,
    row,
)
from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.ui.key_export_rotate import PublicKeyExportDialog
from vaultbrowser.keyvault.ui.rotation_policy_dialog import RotationPolicyDialog
from vaultbrowser.keyvault.ui.vault_actions import READ_ONLY_TIP

KEYS = 2
SEED = {"keys": [{"name": "rsa-key", "kty": "RSA", "key_size": 3072},
                 {"name": "k1-key", "kty": "EC", "crv": "P-256K"},
                 {"name": "ec-key", "kty": "EC", "crv": "P-384"}]}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-key-export-ui"),
                                seed=SEED) as instance:
        yield instance


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    dialogs = ScriptedDialogs()
    window.dialogs = dialogs
    window.show()
    yield Harness(window, reporter, dialogs)
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()
    assert dialogs.answers == [], "a scripted answer was never used"


def save_as(fmt: str) -> Any:
    def answer(dialog: QDialog) -> None:
        assert isinstance(dialog, PublicKeyExportDialog)
        dialog.set_format(fmt)  # type: ignore[arg-type]
        dialog.save_button.click()
    return answer


def test_export_saves_each_format_and_never_overwrites_silently(
        qloop: Any, harness: Harness, emulator: Any, tmp_path: Path) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Keys").model
    target = tmp_path / "rsa.pem"
    window.view("keyvault").actions.choose_save_path = lambda *args: target

    async def body() -> None:
        vault = await harness.open(emulator, KEYS, name="export-ui")
        await harness.select(KEYS, row(model, vault, "rsa-key"))
        rows = detail_rows(window)
        assert rows["Automatic rotation"] == "No (no Rotate action)"
        assert rows["Lifetime actions"] == "Notify 30 days before expiry"

        dialogs.expect(save_as("pem"))
        harness.trigger(KEYS, "Export public key…")
        await harness.settle()
        key = serialization.load_pem_public_key(target.read_bytes())
        assert key.key_size == 3072  # type: ignore[union-attr]
        assert "saved to" in window.detail_pane.subtitle.text()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["rsa.pem"]

        # It exists now: declining the replace leaves it and the dialog stays open.
        target.write_bytes(b"mine")
        kept: list[bool] = []

        def decline_then_close(dialog: QDialog) -> bool:
            assert isinstance(dialog, PublicKeyExportDialog)
            dialogs.expect(CANCEL)
            dialog.save_button.click()
            kept.append(dialog.saved_to is None)
            return False
        dialogs.expect(decline_then_close)
        harness.trigger(KEYS, "Export public key…")
        await harness.settle()
        assert kept == [True] and target.read_bytes() == b"mine"
        assert dialogs.asked[-1] == "Replace file?"

        dialogs.expect(save_as("openssh"), click("Replace"))
        harness.trigger(KEYS, "Export public key…")
        await harness.settle()
        ssh = serialization.load_ssh_public_key(target.read_bytes())
        assert ssh.public_numbers() == key.public_numbers()  # type: ignore[union-attr]

        def copy_jwk(dialog: QDialog) -> None:
            assert isinstance(dialog, PublicKeyExportDialog)
            dialog.set_format("jwk")
            dialog.copy_button.click()
        dialogs.expect(copy_jwk)
        harness.trigger(KEYS, "Export public key…")
        await harness.settle()
        copied = json.loads(QGuiApplication.clipboard().text())
        assert set(copied) == {"kty", "n", "e", "kid"}
        assert "copied" in window.detail_pane.title.text()
        assert harness.errors == []

    qloop.run_until_complete(body())


def test_p256k_offers_no_openssh_export(qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Keys").model
    seen: list[tuple[bool, str]] = []

    def look(dialog: QDialog) -> bool:
        assert isinstance(dialog, PublicKeyExportDialog)
        dialog.set_format("openssh")
        seen.append((dialog.save_button.isEnabled(), dialog.problem.text()))
        dialog.set_format("pem")
        seen.append((dialog.save_button.isEnabled(), dialog.preview.toPlainText()[:26]))
        return False

    async def body() -> None:
        vault = await harness.open(emulator, KEYS, name="export-k1")
        await harness.select(KEYS, row(model, vault, "k1-key"))
        dialogs.expect(look)
        harness.trigger(KEYS, "Export public key…")
        await harness.settle()

    qloop.run_until_complete(body())
    assert seen[0][0] is False and "no OpenSSH form" in seen[0][1]
    assert seen[1] == (True, "-----BEGIN PUBLIC KEY-----")


def test_rotate_shows_the_policy_then_a_new_version_becomes_current(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Keys").model
    questions: list[str] = []

    def agree(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        questions.append(box.text())
        click("Rotate now")(box)

    async def body() -> None:
        vault = await harness.open(emulator, KEYS, name="rotate-ui")
        service = window.root_of(model, vault).service
        client = service.clients.key_client
        from azure.keyvault.keys import KeyRotationLifetimeAction, KeyRotationPolicy
        await client.update_key_rotation_policy("ec-key", KeyRotationPolicy(
            lifetime_actions=[KeyRotationLifetimeAction("Rotate", time_after_create="P90D")],
            expires_in="P1Y"))
        ec_key = row(model, vault, "ec-key")
        pane = window.pane("Keys")
        pane.view.expand(pane.proxy.mapFromSource(ec_key))
        await harness.settle()
        before = names(model, row(model, vault, "ec-key"))
        await harness.select(KEYS, row(model, vault, "ec-key"))
        mark = len(emulator.request_log)
        dialogs.expect(CANCEL)
        harness.trigger(KEYS, "Rotate now…")
        await harness.settle()
        assert not [e for e in emulator.request_log[mark:] if e.method == "POST"]

        dialogs.expect(agree)
        harness.trigger(KEYS, "Rotate now…")
        await harness.settle()
        await harness.settle()
        after = names(model, row(model, vault, "ec-key"))
        assert len(after) == len(before) + 1 == 2
        latest = model.record_of(row(model, vault, "ec-key"))
        assert latest.version not in before and latest.curve == "P-384"
        assert window.detail_pane.details.response.method == "POST"
        assert harness.errors == []

    qloop.run_until_complete(body())
    text = questions[0]
    assert "Rotate 90 days after creation" in text and "1 year after creation" in text
    assert "older versions stay" in text


def test_read_only_rotate_is_disabled_and_refused_before_sending(
        qloop: Any, harness: Harness, emulator: Any) -> None:
    window = harness.window
    model = window.pane("Keys").model

    async def body() -> None:
        vault = await harness.open(emulator, KEYS, name="rotate-ro", read_only=True)
        await harness.select(KEYS, row(model, vault, "rsa-key"))
        action = harness.action(KEYS, "Rotate now…")
        assert not action.isEnabled() and action.toolTip() == READ_ONLY_TIP
        assert harness.action(KEYS, "Export public key…").isEnabled()  # a read
        mark = len(emulator.request_log)
        window.view("keyvault").actions.keys.export_rotate.rotate_selected()  # forced
        await harness.settle()
        assert emulator.request_log[mark:] == []
        assert isinstance(harness.errors[-1], ReadOnlyRefused)
        # The transport refuses it too, should the check ever be bypassed.
        target = window.view("keyvault").actions.keys.target()
        try:
            await target.root.service.keys.rotate("rsa-key")
        except ReadOnlyRefused:
            pass
        else:
            raise AssertionError("the transport let a rotate through")
        assert not [e for e in emulator.request_log[mark:] if e.method == "POST"]

    qloop.run_until_complete(body())


def test_edit_rotation_policy_checks_the_rules_then_saves(qloop: Any, harness: Harness,
                                                          emulator: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    model = window.pane("Keys").model
    problems: list[str] = []

    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, RotationPolicyDialog)
        assert not dialog.rotate_check.isChecked() and dialog.notify_check.isChecked()
        assert dialog.notify_days.value() == 30  # the service's default policy
        dialog.rotate_check.setChecked(True)
        dialog.rotate_when.setCurrentText("before expiry")
        dialog.rotate_days.setValue(20)
        dialog.accept()  # no expiry time: refused in the dialog
        problems.append(dialog.problem.text())
        assert dialog.result() != QDialog.DialogCode.Accepted
        dialog.expiry_check.setChecked(True)
        dialog.expiry_days.setValue(120)
        return True

    async def body() -> None:
        vault = await harness.open(emulator, KEYS, name="policy-ui")
        await harness.select(KEYS, row(model, vault, "rsa-key"))
        dialogs.expect(fill)
        harness.trigger(KEYS, "Edit rotation policy…")
        await harness.settle()
        rows = detail_rows(window)
        assert rows["Automatic rotation"] == "Yes"
        assert rows["Lifetime actions"] == ("Rotate 20 days before expiry; Notify 30 days "
                                            "before expiry")
        assert rows["New versions expire"] == "120 days after creation"
        assert window.detail_pane.details.response.method == "GET"
        assert harness.errors == []

    qloop.run_until_complete(body())
    assert "needs an expiry time" in problems[0]
