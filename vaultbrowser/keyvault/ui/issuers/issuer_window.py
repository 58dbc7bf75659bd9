"""``IssuersWindow``: one vault's certificate issuers and contacts, in a window of its own
(widgets only; ``issuer_actions`` drives it).

Issuers and contacts are vault settings, not items with versions, so they stay out of the
certificates tree: left, two tabs (the issuers with New / Edit / Delete, the contacts with
Edit / Delete all); right, a detail pane showing the selected issuer or the contacts with the
HTTP response of the call that produced them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.ui.detail_pane import DetailPane
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    ContactRecord,
    IssuerRecord,
)

RECORD_ROLE = Qt.ItemDataRole.UserRole


def _list(columns: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setColumnCount(len(columns))
    tree.setHeaderLabels(columns)
    tree.setRootIsDecorated(False)
    tree.setAlternatingRowColors(True)
    tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    tree.setSortingEnabled(False)  # kept in name order as listed
    tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return tree


def _muted(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: palette(mid);")
    return label


class IssuersWindow(QDialog):
    """Issuers and contacts of the vault ``vault_name`` (non-modal; ``finished`` when
    closed)."""

    def __init__(self, parent: QWidget | None, vault_name: str, read_only_tip: str = ""
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Certificate issuers and contacts — {vault_name}")
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.vault_name = vault_name

        # Issuers tab.
        self.issuer_list = _list(["Issuer", "Provider"])
        self.issuer_list.header().setSectionResizeMode(
            1, QHeaderView.ResizeMode.ResizeToContents)
        self.issuer_status = _muted("Loading…")
        self.new_button = QPushButton(icon(Icon.NEW), "New issuer…")
        self.edit_button = QPushButton(icon(Icon.EDIT), "Edit issuer…")
        self.delete_button = QPushButton(icon(Icon.DELETE), "Delete issuer…")
        self.refresh_issuers_button = QPushButton("Refresh")
        issuers = QWidget()
        layout = QVBoxLayout(issuers)
        layout.addWidget(self.issuer_list, 1)
        layout.addWidget(self.issuer_status)
        layout.addLayout(_row(self.new_button, self.edit_button, self.delete_button,
                              self.refresh_issuers_button))

        # Contacts tab.
        self.contact_list = _list(["Email", "Name", "Phone"])
        self.contact_status = _muted("Loading…")
        self.edit_contacts_button = QPushButton(icon(Icon.EDIT), "Edit contacts…")
        self.delete_contacts_button = QPushButton(icon(Icon.DELETE), "Delete all contacts…")
        self.refresh_contacts_button = QPushButton("Refresh")
        contacts = QWidget()
        layout = QVBoxLayout(contacts)
        layout.addWidget(_muted("Key Vault emails these contacts about certificates near "
                                "expiry, for policies with the EmailContacts action."))
        layout.addWidget(self.contact_list, 1)
        layout.addWidget(self.contact_status)
        layout.addLayout(_row(self.edit_contacts_button, self.delete_contacts_button,
                              self.refresh_contacts_button))

        self.tabs = QTabWidget()
        self.tabs.addTab(issuers, "Issuers")
        self.tabs.addTab(contacts, "Contacts")
        self.detail_pane = DetailPane(parent=self)
        self.detail_pane.show_message("Certificate issuers",
                                      "Select an issuer to read its settings.")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tabs)
        splitter.addWidget(self.detail_pane)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)

        outer = QVBoxLayout(self)
        self.read_only_note = _muted(read_only_tip)
        self.read_only_note.setVisible(bool(read_only_tip))
        outer.addWidget(self.read_only_note)
        outer.addWidget(splitter, 1)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        outer.addLayout(_row(close, stretch_first=True))
        self.resize(980, 560)

    # --- the lists ----------------------------------------------------------------------------

    def clear_issuers(self) -> None:
        self.issuer_list.clear()

    def add_issuers(self, records: tuple[IssuerRecord, ...]) -> None:
        for record in records:
            self.put_issuer(record)

    def put_issuer(self, record: IssuerRecord) -> QTreeWidgetItem:
        """Show ``record`` in the issuer list (replacing its row), in name order."""
        existing = self.issuer_item(record.name)
        if existing is not None:
            existing.setText(1, record.provider or "")
            existing.setData(0, RECORD_ROLE, record)
            return existing
        item = QTreeWidgetItem([record.name, record.provider or ""])
        item.setIcon(0, icon(Icon.CERTIFICATE))
        item.setData(0, RECORD_ROLE, record)
        folded = record.name.casefold()
        row = 0
        while (row < self.issuer_list.topLevelItemCount()
               and self.issuer_list.topLevelItem(row).text(0).casefold() < folded):
            row += 1
        self.issuer_list.insertTopLevelItem(row, item)
        return item

    def issuer_item(self, name: str) -> QTreeWidgetItem | None:
        folded = name.casefold()
        for row in range(self.issuer_list.topLevelItemCount()):
            item = self.issuer_list.topLevelItem(row)
            if item.text(0).casefold() == folded:
                return item
        return None

    def remove_issuer(self, name: str) -> None:
        item = self.issuer_item(name)
        if item is not None:
            self.issuer_list.takeTopLevelItem(self.issuer_list.indexOfTopLevelItem(item))

    def selected_issuer(self) -> IssuerRecord | None:
        item = self.issuer_list.currentItem()
        return item.data(0, RECORD_ROLE) if item is not None else None

    def issuer_names(self) -> list[str]:
        return [self.issuer_list.topLevelItem(r).text(0)
                for r in range(self.issuer_list.topLevelItemCount())]

    def show_contacts(self, contacts: tuple[ContactRecord, ...]) -> None:
        self.contact_list.clear()
        for contact in contacts:
            self.contact_list.addTopLevelItem(QTreeWidgetItem(
                [contact.email, contact.name or "", contact.phone or ""]))
        self.contact_status.setText(f"{len(contacts)} contact{'s' * (len(contacts) != 1)}"
                                    if contacts else "No contacts are set.")



def _row(*buttons: QPushButton, stretch_first: bool = False) -> QHBoxLayout:
    layout = QHBoxLayout()
    if stretch_first:
        layout.addStretch(1)
    for button in buttons:
        button.setAutoDefault(False)  # Enter in a list must not press the first button
        layout.addWidget(button)
    if not stretch_first:
        layout.addStretch(1)
    return layout
