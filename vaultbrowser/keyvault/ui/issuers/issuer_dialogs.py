"""Dialogs of certificate issuers and contacts: new / edit issuer, edit contacts.

They validate in ``accept`` with the service's own checks (``issuer_inputs``), so a refused
input keeps the dialog open with the reason and never reaches the vault. The issuer's password
lives in a password field only while the dialog is open: ``take_issuer()`` hands it over as a
``SecretValue`` and clears the field; a cancelled dialog clears it too.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    KNOWN_PROVIDERS,
    AdminContactInput,
    ContactInput,
    ContactRecord,
    IssuerInput,
    IssuerRecord,
    checked_issuer,
    plan_update,
    validate_contacts,
    validate_issuer_name,
)
from vaultbrowser.keyvault.ui.vault_dialogs import ValidatingDialog

KEEP_PASSWORD = "not returned by the vault: leave empty to keep the stored one"


class RowsEditor(QWidget):
    """A small table of text rows (administrators, contacts) with Add and Remove; the
    ``wide`` column (the email) takes the room the others leave."""

    def __init__(self, columns: Sequence[str], what: str, wide: int) -> None:
        super().__init__()
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels(list(columns))
        header = self.table.horizontalHeader()
        header.setMinimumSectionSize(90)
        for column in range(len(columns)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch if column == wide
                                        else QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setMinimumHeight(110)
        self.add_button = QPushButton(f"Add {what}")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(lambda: self.add_row(("",) * len(columns)))
        self.remove_button.clicked.connect(self._remove_selected)
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)  # Enter in the form means OK, not "add a row"
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_row(self, values: Sequence[str | None]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for column, value in enumerate(values):
            self.table.setItem(row, column, QTableWidgetItem(value or ""))

    def set_rows(self, rows: Sequence[Sequence[str | None]]) -> None:
        self.table.setRowCount(0)
        for values in rows:
            self.add_row(values)

    def _remove_selected(self) -> None:
        for row in sorted({index.row() for index in self.table.selectedIndexes()},
                          reverse=True):
            self.table.removeRow(row)

    def rows(self) -> list[tuple[str, ...]]:
        """Every row with some text (an empty row is ignored, not an error)."""
        out = []
        for row in range(self.table.rowCount()):
            values = tuple((self.table.item(row, c).text() if self.table.item(row, c) else "")
                           .strip() for c in range(self.table.columnCount()))
            if any(values):
                out.append(values)
        return out


class IssuerDialog(ValidatingDialog):
    """A new issuer (``current`` None: the name is typed) or an edit of ``current``."""

    def __init__(self, parent: QWidget | None, vault_name: str,
                 current: IssuerRecord | None = None) -> None:
        title = (f"New certificate issuer in {vault_name}" if current is None
                 else f"Edit issuer {current.name}")
        super().__init__(parent, title)
        self.ok_button.setText("Create" if current is None else "Save")
        self.current = current
        self.name_edit = QLineEdit(current.name if current else "")
        self.name_edit.setPlaceholderText("1–127 letters, digits and hyphens")
        self.name_edit.setReadOnly(current is not None)
        self.provider = QComboBox()
        self.provider.setEditable(True)
        self.provider.addItems(KNOWN_PROVIDERS)
        self.provider.setToolTip("DigiCert or GlobalSign, or the provider name your CA "
                                 "integration uses")
        self.enabled_check = QCheckBox("Enabled")
        self.enabled_check.setChecked(True)
        self.account_edit = QLineEdit()
        self.account_edit.setPlaceholderText("the CA account id / user name")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(
            "the CA account's password or API key (hidden)" if current is None
            else KEEP_PASSWORD)
        self.organization_edit = QLineEdit()
        self.organization_edit.setPlaceholderText("DigiCert: the organisation id")
        self.admins = RowsEditor(("First name", "Last name", "Email", "Phone"),
                                 "administrator", wide=2)
        if current is not None:
            self.provider.setEditText(current.provider or "")
            self.enabled_check.setChecked(current.enabled is not False)
            self.account_edit.setText(current.account_id or "")
            self.organization_edit.setText(current.organization_id or "")
            self.admins.set_rows([(a.first_name, a.last_name, a.email, a.phone)
                                  for a in current.admin_contacts])
        note = QLabel("The vault never returns the password. Leaving it empty keeps the "
                      "stored one; removing the account, organisation or every administrator "
                      "replaces the issuer and needs the password again."
                      if current is not None else
                      "DigiCert needs the account id, API key and organisation id; "
                      "GlobalSign the account id and password.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Provider", self.provider)
        self.form.addRow("", self.enabled_check)
        self.form.addRow("Account id", self.account_edit)
        self.form.addRow("Password", self.password_edit)
        self.form.addRow("Organisation id", self.organization_edit)
        self.form.addRow("Administrators", self.admins)
        self.form.addRow("", note)
        (self.account_edit if current is not None else self.name_edit).setFocus()
        self.resize(700, self.sizeHint().height())

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    def _issuer(self) -> IssuerInput:
        text = self.password_edit.text()
        return IssuerInput(
            provider=self.provider.currentText(),
            account_id=self.account_edit.text(),
            password=SecretValue(text) if text else None,
            organization_id=self.organization_edit.text(),
            admin_contacts=tuple(AdminContactInput(*row) for row in self.admins.rows()),
            enabled=self.enabled_check.isChecked())

    def validate(self) -> None:
        """The service's checks: the name, every field, and for an edit what it would send
        (nothing changed, a new account without its password…)."""
        if self.current is None:
            validate_issuer_name(self.name, new=True)
            checked_issuer(self._issuer(), new=True)
        else:
            plan_update(self.current, self._issuer())

    def take_issuer(self) -> IssuerInput:
        """The form's issuer, once: the password field is cleared."""
        issuer = self._issuer()
        self.password_edit.clear()
        return issuer

    def done(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            self.password_edit.clear()  # cancelled: the password goes with the question
        super().done(result)


class ContactsDialog(ValidatingDialog):
    """Replace a vault's certificate contacts (at least one; Delete all removes them)."""

    ok_text = "Save contacts"

    def __init__(self, parent: QWidget | None, vault_name: str,
                 contacts: Sequence[ContactRecord]) -> None:
        super().__init__(parent, f"Certificate contacts of {vault_name}")
        self.editor = RowsEditor(("Email", "Name", "Phone"), "contact", wide=0)
        self.editor.set_rows([(c.email, c.name, c.phone) for c in contacts])
        if not contacts:
            self.editor.add_row(("", "", ""))
        note = QLabel("Key Vault emails these addresses about certificates near expiry "
                      "(policies with the EmailContacts action). Saving replaces the list.")
        note.setWordWrap(True)
        note.setStyleSheet("color: palette(mid);")
        self.form.addRow(note)
        self.form.addRow(self.editor)
        self.editor.table.setFocus()
        self.resize(600, 340)

    def contacts(self) -> tuple[ContactInput, ...]:
        return tuple(ContactInput(*row) for row in self.editor.rows())

    def validate(self) -> None:
        validate_contacts(self.contacts())
