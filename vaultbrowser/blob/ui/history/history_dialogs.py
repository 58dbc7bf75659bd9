"""The dialogs of a blob's history and of access tiers (``ui/history_tier_actions.py``).

``BlobHistoryDialog`` lists the blob's current entry, snapshots and previous versions and lets
the user choose one and what to do with it; the controller does it and shows the list again.
``TierDialog`` asks for a tier (and a rehydrate priority when leaving Archive) and says what the
choice costs. Dialogs only collect answers; they make no requests.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.blob.models.tier_text import consequence, tier_cell
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.writes.tiers import REHYDRATE_PRIORITIES, TIERS
from vaultbrowser.blob.services.writes.versions import BlobHistory
from vaultbrowser.blob.ui.blob_dialogs import HINT_STYLE, plain_label
from vaultbrowser.blob.ui.preview.preview_panel import PreviewPanel
from vaultbrowser.core.models import formatting as fmt

# What the user chose to do with an entry (``BlobHistoryDialog.operation``).
PROPERTIES, PREVIEW, DOWNLOAD, PROMOTE, DELETE, SNAPSHOT = (
    "properties", "preview", "download", "promote", "delete", "snapshot")
ARCHIVED_TIP = ("Archived: offline until rehydrated (reading or copying it answers "
                "BlobArchived)")
NO_VERSIONS_NOTE = ("No version ids were listed: versioning is off for this account, or the "
                    "service does not implement it (the Azurite emulator). Only snapshots here.")


def entry_kind(record: BlobRecord) -> str:
    if record.snapshot:
        return "Snapshot"
    if record.version_id and not record.is_current_version:
        return "Version"
    return "Current"


def entry_label(record: BlobRecord) -> str:
    """How a confirmation names an entry: its kind and id."""
    ident = record.snapshot or record.version_id or ""
    return f"{entry_kind(record).lower()} {ident}".strip()


class BlobHistoryDialog(QDialog):
    """A blob's entries; ``operation`` and ``entry`` say what was chosen when accepted."""

    COLUMNS = ("Kind", "Id (UTC)", "Last modified", "Size", "Tier", "Archive status")

    def __init__(self, parent: QWidget | None, history: BlobHistory, *,
                 writable: bool) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Versions and snapshots — {fmt.visible_name(history.name)}")
        self.history = history
        self.operation: str | None = None
        self.entry: BlobRecord | None = None
        self.rows: list[BlobRecord] = (
            [history.current] if history.current is not None else []) + list(history.entries())
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setRootIsDecorated(False)
        for record in self.rows:
            ident = record.snapshot or record.version_id or ""
            item = QTreeWidgetItem([
                entry_kind(record), ident, fmt.when(record.last_modified),
                fmt.size(record.size), tier_cell(record), record.archive_status or ""])
            self.tree.addTopLevelItem(item)
        for column in range(len(self.COLUMNS)):
            self.tree.resizeColumnToContents(column)
        self.tree.itemSelectionChanged.connect(self._update)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for operation, text, write in ((PROPERTIES, "Properties", False),
                                       (PREVIEW, "Preview", False),
                                       (DOWNLOAD, "Download…", False),
                                       (PROMOTE, "Promote to current…", True),
                                       (DELETE, "Delete…", True),
                                       (SNAPSHOT, "Take snapshot", True)):
            button = QPushButton(f"{text}  (read-only)" if write and not writable else text)
            button.setAutoDefault(False)
            button.setProperty("write", write)
            button.clicked.connect(lambda _checked=False, op=operation: self.choose(op))
            self.buttons[operation] = button
            row.addWidget(button)
        self.writable = writable
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(f"{history.name}  (in {history.container})"))
        if not history.has_versions:
            note = plain_label(NO_VERSIONS_NOTE)
            note.setStyleSheet(HINT_STYLE)
            layout.addWidget(note)
        if not history.complete:
            layout.addWidget(plain_label(f"Only the first {len(self.rows):,} entries were "
                                         "read: the blob has more."))
        if history.current is None:
            layout.addWidget(plain_label("The blob itself is deleted: promote a version to "
                                         "restore it."))
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        layout.addWidget(close)
        self.resize(760, 360)
        self._update()

    def selected(self) -> BlobRecord | None:
        items = self.tree.selectedItems()
        return self.rows[self.tree.indexOfTopLevelItem(items[0])] if items else None

    def select_entry(self, record: BlobRecord) -> None:
        self.tree.setCurrentItem(self.tree.topLevelItem(self.rows.index(record)))

    def choose(self, operation: str) -> None:
        """Do ``operation`` with the selected entry (when it applies) and close."""
        if not self.buttons[operation].isEnabled():
            return
        self.operation = operation
        self.entry = self.selected() if operation != SNAPSHOT else self.history.current
        self.accept()

    def _update(self) -> None:
        record = self.selected()
        is_entry = record is not None and entry_kind(record) != "Current"
        # An archived entry is offline: reading or copying it answers 409 BlobArchived.
        online = is_entry and record is not None and record.access_tier != "Archive"
        applies = {
            PROPERTIES: record is not None,
            PREVIEW: online,
            DOWNLOAD: online,
            PROMOTE: online,
            DELETE: is_entry,
            SNAPSHOT: self.history.current is not None,
        }
        for operation, button in self.buttons.items():
            blocked = bool(button.property("write")) and not self.writable
            button.setEnabled(applies[operation] and not blocked)
            offline = is_entry and not online and operation in (PREVIEW, DOWNLOAD, PROMOTE)
            button.setToolTip(ARCHIVED_TIP if offline else "")


class TierDialog(QDialog):
    """Choose an access tier for ``count`` blobs; says what the choice costs."""

    def __init__(self, parent: QWidget | None, what: str, count: int, current: set[str]
                 ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change access tier")
        self.from_archive = "Archive" in current
        self.tier_box = QComboBox()
        self.tier_box.addItems(list(TIERS))
        self.priority_box = QComboBox()
        self.priority_box.addItems(list(REHYDRATE_PRIORITIES))
        self.priority_box.setToolTip("How fast a blob leaving Archive is rehydrated (High "
                                     "costs more)")
        self.consequence = plain_label()
        self.consequence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        now = ", ".join(sorted(current)) or "unknown"
        form = QFormLayout()
        form.addRow("Blobs:", plain_label(f"{what} ({count:,} blob{'s' * (count != 1)})"))
        form.addRow("Tier now:", plain_label(now))
        form.addRow("New tier:", self.tier_box)
        form.addRow("Rehydrate priority:", self.priority_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton("Change tier",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.consequence)
        layout.addWidget(self.buttons)
        self.tier_box.currentTextChanged.connect(self._update)
        self.tier_box.setCurrentText("Cool" if current == {"Hot"} else "Hot")
        self._update()
        self.resize(520, 300)

    def set_choice(self, tier: str, priority: str | None = None) -> None:
        self.tier_box.setCurrentText(tier)
        if priority:
            self.priority_box.setCurrentText(priority)

    def tier(self) -> str:
        return self.tier_box.currentText()

    def priority(self) -> str | None:
        """The rehydrate priority, only when leaving Archive."""
        return self.priority_box.currentText() if self.priority_box.isEnabled() else None

    def _update(self) -> None:
        tier = self.tier()
        self.priority_box.setEnabled(self.from_archive and tier != "Archive")
        self.consequence.setText(consequence(tier, from_archive=self.from_archive))


class EntryPreviewDialog(QDialog):
    """The first bytes of a snapshot or version, in the preview's views (read-only); the
    caller fills it (``await dialog.panel.show_preview(preview)``) before showing it."""

    def __init__(self, parent: QWidget | None, title: str, info: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.panel = PreviewPanel(self)
        self.panel.clear(info, title)
        self.panel.set_buttons(more=False, load_all=False, edit=False, editing=False)
        self.panel.edit_button.hide()
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel, 1)
        layout.addWidget(close)
        self.resize(720, 480)
