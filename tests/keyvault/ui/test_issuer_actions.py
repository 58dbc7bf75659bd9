"""Certificate issuers and contacts through the window (the Certificates tree's "Certificate
issuers and contacts…" window), against a Key Vault emulator of this module's own. Dialogs are
answered by the scripted ``DialogRunner`` of ``test_vault_actions``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QTreeWidget

from tests.keyvault.ui.test_vault_actions import (  # noqa: F401 - fixtures and helpers
    Harness,
    click,
    harness,
    writes,
)
from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.ui.common_dialogs import TypedNameDialog
from vaultbrowser.keyvault.models.issuer_details import PASSWORD_TEXT
from vaultbrowser.keyvault.ui.issuers.issuer_actions import OPEN_TEXT, IssuersController
from vaultbrowser.keyvault.ui.issuers.issuer_dialogs import ContactsDialog, IssuerDialog
from vaultbrowser.keyvault.ui.vault_actions import READ_ONLY_TIP

PASSWORD = "digicert-api-key-never-shown-c41e"
CERTIFICATES = 1  # the tab


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"certificates": [{"name": "web", "subject": "CN=web.local"}]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-issuer-ui"),
                                seed=seed) as instance:
        yield instance


def texts_of(widget: Any) -> str:
    """Every text the widget and its children show: where the password must never be."""
    texts = [label.text() for label in widget.findChildren(QLabel)]
    texts += [edit.text() for edit in widget.findChildren(QLineEdit)]
    for tree in widget.findChildren(QTreeWidget):
        for i in range(tree.topLevelItemCount()):
            item = tree.topLevelItem(i)
            texts += [item.text(c) for c in range(tree.columnCount())]
            texts += [item.toolTip(c) for c in range(tree.columnCount())]
    return "\n".join(texts)


def pane_rows(controller: IssuersController) -> dict[str, str]:
    tree = controller.view.detail_pane.properties
    return {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1)
            for i in range(tree.topLevelItemCount())}


async def open_window(h: Harness, emulator: Any, *, read_only: bool = False
                      ) -> IssuersController:
    vault = await h.open(emulator, CERTIFICATES, name="issuer-vault", read_only=read_only)
    pane = h.window.panes[CERTIFICATES]
    pane.view.setCurrentIndex(pane.proxy.mapFromSource(vault))
    action = h.action(CERTIFICATES, OPEN_TEXT)
    assert action.isEnabled()  # a read: offered on read-only connections too
    action.trigger()
    actions = h.window.view("keyvault").actions.issuers
    controller = actions.controllers[emulator.url]
    await controller.wait_idle()
    return controller


def test_issuer_create_edit_and_delete_through_the_window(
        qloop: Any, harness: Harness, emulator: Any) -> None:  # noqa: F811 (the fixture)
    dialogs = harness.dialogs
    seen: dict[str, Any] = {}

    def incomplete(dialog: QDialog) -> bool:
        assert isinstance(dialog, IssuerDialog)
        assert dialog.password_edit.echoMode() == dialog.password_edit.EchoMode.Password
        dialog.name_edit.setText("digicert-prod")
        dialog.provider.setEditText("DigiCert")
        dialog.account_edit.setText("acct-7")
        dialog.password_edit.setText(PASSWORD)
        dialog.accept()  # no organisation id: refused in the dialog
        seen["incomplete"] = dialog.error_text
        return False

    def complete(dialog: QDialog) -> bool:
        assert isinstance(dialog, IssuerDialog)
        dialog.name_edit.setText("digicert-prod")
        dialog.provider.setEditText("DigiCert")
        dialog.account_edit.setText("acct-7")
        dialog.password_edit.setText(PASSWORD)
        dialog.organization_edit.setText("org-42")
        dialog.admins.add_row(("Grace", "Hopper", "grace@example.com", "+1 555 0100"))
        seen["dialog"] = dialog
        return True

    def edit(dialog: QDialog) -> bool:
        assert isinstance(dialog, IssuerDialog)
        assert dialog.name_edit.isReadOnly() and dialog.password_edit.text() == ""
        assert dialog.account_edit.text() == "acct-7"  # the edit starts from the vault's
        dialog.organization_edit.setText("org-43")
        return True

    def wrong_then_right(dialog: QDialog) -> bool:
        assert isinstance(dialog, TypedNameDialog)
        dialog.name_edit.setText("digicert")
        seen["wrong enabled"] = dialog.action_button.isEnabled()
        dialog.name_edit.setText("digicert-prod")
        return True

    async def body() -> None:
        controller = await open_window(harness, emulator)
        view = controller.view
        assert view.issuer_names() == [] and "No issuers" in view.issuer_status.text()
        log = len(emulator.request_log)
        dialogs.expect(incomplete)
        view.new_button.click()
        assert "organisation id" in seen["incomplete"]
        assert emulator.request_log[log:] == []  # refused before any request
        dialogs.expect(complete)
        view.new_button.click()
        assert seen["dialog"].password_edit.text() == ""  # the password left the field
        await controller.wait_idle()
        assert view.issuer_names() == ["digicert-prod"]
        assert ("PUT", "/certificates/issuers/digicert-prod", 200) in writes(emulator, log)
        rows = pane_rows(controller)
        assert rows["Provider"] == "DigiCert" and rows["Account id"] == "acct-7"
        assert rows["Organisation id"] == "org-42" and rows["Enabled"] == "Yes"
        assert rows["Password"] == PASSWORD_TEXT
        assert rows["Administrator 1"] == "Grace Hopper <grace@example.com>, +1 555 0100"
        assert "200 OK" in view.detail_pane.status_line.text()
        # Edit: read first, PATCH without credentials (the stored password stays).
        log = len(emulator.request_log)
        dialogs.expect(edit)
        view.edit_button.click()
        await controller.wait_idle()
        assert writes(emulator, log) == [("PATCH", "/certificates/issuers/digicert-prod", 200)]
        assert pane_rows(controller)["Organisation id"] == "org-43"
        stored = emulator.options["issuers"]["digicert-prod"]["credentials"]
        assert stored["pwd"] == PASSWORD
        # Delete: the name must be typed exactly.
        log = len(emulator.request_log)
        dialogs.expect(wrong_then_right)
        view.delete_button.click()
        await controller.wait_idle()
        assert seen["wrong enabled"] is False
        assert writes(emulator, log) == [("DELETE", "/certificates/issuers/digicert-prod",
                                          200)]
        assert view.issuer_names() == [] and not view.delete_button.isEnabled()
        assert harness.errors == []
        assert PASSWORD not in texts_of(view)
        view.close()
        await harness.settle()
        assert harness.window.view("keyvault").actions.issuers.controllers == {}

    qloop.run_until_complete(body())
    assert all(PASSWORD not in str(r) for r in harness.window.session.journal.records())


def test_contacts_edit_and_delete_all(
        qloop: Any, harness: Harness, emulator: Any) -> None:  # noqa: F811 (the fixture)
    dialogs = harness.dialogs
    seen: dict[str, Any] = {}

    def bad_email(dialog: QDialog) -> bool:
        assert isinstance(dialog, ContactsDialog)
        dialog.editor.set_rows([("not an email", "Ops", "")])
        dialog.accept()
        seen["error"] = dialog.error_text
        return False

    def good(dialog: QDialog) -> bool:
        assert isinstance(dialog, ContactsDialog)
        dialog.editor.set_rows([("ops@example.com", "Ops", "555-0100"),
                                ("", "", ""), ("pki@example.com", "", "")])
        return True

    async def body() -> None:
        controller = await open_window(harness, emulator)
        view = controller.view
        view.tabs.setCurrentIndex(1)
        assert view.contact_status.text() == "No contacts are set."
        assert not view.delete_contacts_button.isEnabled()
        log = len(emulator.request_log)
        dialogs.expect(bad_email)
        view.edit_contacts_button.click()
        assert "not an email" in seen["error"] and emulator.request_log[log:] == []
        dialogs.expect(good)
        view.edit_contacts_button.click()
        await controller.wait_idle()
        assert writes(emulator, log) == [("PUT", "/certificates/contacts", 200)]
        assert view.contact_status.text() == "2 contacts"
        assert pane_rows(controller) == {"Contacts": "", "ops@example.com": "Ops, 555-0100",
                                         "pki@example.com": "—"}
        log = len(emulator.request_log)
        dialogs.expect(click("Cancel"))
        view.delete_contacts_button.click()
        assert writes(emulator, log) == []
        dialogs.expect(click("Delete all contacts"))
        view.delete_contacts_button.click()
        await controller.wait_idle()
        assert writes(emulator, log) == [("DELETE", "/certificates/contacts", 200)]
        assert view.contact_list.topLevelItemCount() == 0
        # Each tab keeps what it showed: back and forth restores the detail pane.
        view.tabs.setCurrentIndex(0)
        assert view.detail_pane.title.text() == "Certificate issuers"
        view.tabs.setCurrentIndex(1)
        assert view.detail_pane.title.text() == "Contacts deleted"
        assert view.detail_pane.details.response.method == "DELETE"
        assert harness.errors == []
        view.close()

    qloop.run_until_complete(body())


def test_read_only_disables_every_write_and_the_transport_refuses_a_forced_one(
        qloop: Any, harness: Harness, emulator: Any) -> None:  # noqa: F811 (the fixture)
    dialogs = harness.dialogs

    def create(dialog: QDialog) -> bool:
        assert isinstance(dialog, IssuerDialog)
        dialog.name_edit.setText("forced-issuer")
        dialog.provider.setEditText("Test")
        dialog.account_edit.setText("user")
        return True

    async def body() -> None:
        controller = await open_window(harness, emulator, read_only=True)
        view = controller.view
        assert view.read_only_note.text() == READ_ONLY_TIP and view.read_only_note.isVisible()
        for button in (view.new_button, view.edit_button, view.delete_button,
                       view.edit_contacts_button, view.delete_contacts_button):
            assert not button.isEnabled(), button.text()
            assert button.toolTip() == READ_ONLY_TIP
        assert view.refresh_issuers_button.isEnabled()  # reads work
        # Forced past the disabled button: the transport refuses, nothing is written.
        log = len(emulator.request_log)
        dialogs.expect(create)
        controller.create_issuer()
        await harness.settle()
        assert len(harness.errors) == 1 and isinstance(harness.errors[0], ReadOnlyRefused)
        assert writes(emulator, log) == []
        assert "forced-issuer" not in view.issuer_names()
        view.close()

    qloop.run_until_complete(body())


def test_the_window_closes_with_its_vault(
        qloop: Any, harness: Harness, emulator: Any) -> None:  # noqa: F811 (the fixture)
    async def body() -> None:
        controller = await open_window(harness, emulator)
        assert controller.view.isVisible()
        actions = harness.window.view("keyvault").actions.issuers
        harness.window.remove_connection(harness.window.connections[0], forget=False)
        await harness.settle()
        assert actions.controllers == {}
        # With no vault open the action is offered disabled.
        assert actions.actions_for(QModelIndex()) == [actions.open_action]
        assert not actions.open_action.isEnabled()

    qloop.run_until_complete(body())


def test_enter_in_a_field_means_ok_not_cancel(qtbot: Any) -> None:
    """The dialog's default button is its OK (Create), so Enter validates; it used to be
    Cancel, which closed the form and dropped what was typed."""
    from PySide6.QtCore import Qt

    dialog = IssuerDialog(None, "v")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.ok_button.isDefault() and dialog.buttons.buttons()[1].isDefault() is False
    dialog.name_edit.setText("Self")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.isVisible() and "reserved" in dialog.error_text
