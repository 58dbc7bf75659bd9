"""Dialogs of server-side copy, move and rename, and the statistics of a container or folder.

``CopyMoveDialog`` collects the target (account, container, blob name or folder) and the
conflict policy, up front, and checks the answer as it is typed with the service layer's own
rules (``copies.targets.check_copy``): a copy onto itself, a folder into its own subfolder or a
bad name never reach a request. ``StatisticsDialog`` shows figures as they are counted, with
Cancel.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.blob.services.copies.targets import (
    ConflictPolicy,
    CopySource,
    CopyTarget,
    check_copy,
    check_new_leaf_name,
)
from vaultbrowser.blob.services.statistics import FolderStatistics
from vaultbrowser.blob.ui.blob_dialogs import ERROR_STYLE, HINT_STYLE, plain_label
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.services.errors import InvalidInput

POLICY_TEXT = {
    ConflictPolicy.SKIP: "Skip it (keep what is there)",
    ConflictPolicy.OVERWRITE: "Overwrite it",
    ConflictPolicy.KEEP_BOTH: "Keep both (the copy is named “name (1).ext”)",
}


@dataclass(frozen=True)
class TargetAccount:
    """An open, writable account a copy can go to."""

    label: str
    account_url: str


class CopyMoveDialog(QDialog):
    """Where a copy, move or rename goes, and what to do with blobs that exist there.

    ``verb`` is "Copy", "Move" or "Rename"; a rename only asks for the new name (same
    account, container and folder).
    """

    def __init__(self, parent: QWidget | None, verb: str, source: CopySource,
                 accounts: Sequence[TargetAccount]) -> None:
        super().__init__(parent)
        self.verb = verb
        self.source = source
        self.accounts = list(accounts)
        self.setWindowTitle(f"{verb} {'folder' if source.is_folder else 'blob'}")
        self.account = QComboBox()
        for account in self.accounts:
            self.account.addItem(account.label)
        here = next((i for i, a in enumerate(self.accounts)
                     if a.account_url == source.account_url), 0)
        self.account.setCurrentIndex(here)
        self.container = QLineEdit(source.container)
        parent_folder, leaf = _split(source.name)
        self.name_edit = QLineEdit(leaf if verb == "Rename" else source.name)
        self.message = plain_label()
        self.message.setMinimumHeight(2 * self.message.fontMetrics().lineSpacing() + 4)
        self.policies = QButtonGroup(self)
        self.policy_buttons: dict[ConflictPolicy, QRadioButton] = {}
        for number, policy in enumerate(ConflictPolicy):
            button = QRadioButton(POLICY_TEXT[policy])
            self.policies.addButton(button, number)
            self.policy_buttons[policy] = button
        self.policy_buttons[ConflictPolicy.SKIP].setChecked(True)
        self._parent_folder = parent_folder
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("From:", plain_label(f"{source.label}"))
        if verb != "Rename":
            form.addRow("To account:", self.account)
            form.addRow("Container:", self.container)
        what = "New name:" if verb == "Rename" else (
            "Into folder:" if source.is_folder else "Blob name:")
        form.addRow(what, self.name_edit)
        form.addRow("", self.message)
        form.addRow("If it exists:", self.policy_buttons[ConflictPolicy.SKIP])
        form.addRow("", self.policy_buttons[ConflictPolicy.OVERWRITE])
        form.addRow("", self.policy_buttons[ConflictPolicy.KEEP_BOTH])
        if verb != "Copy":
            form.addRow("", plain_label(
                "Each blob is copied, checked (size, Content-MD5, unchanged source) and only "
                "then deleted at its old place. An interrupted run leaves a report; doing it "
                "again resumes it."))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for edit in (self.container, self.name_edit):
            edit.textChanged.connect(self._check)
        self.account.currentIndexChanged.connect(self._check)
        self._check()
        self.resize(620, self.sizeHint().height())

    def target(self) -> CopyTarget:
        account = self.accounts[self.account.currentIndex()] if self.accounts else None
        url = account.account_url if account else self.source.account_url
        if self.verb == "Rename":
            name = self._parent_folder + self.name_edit.text() + (
                "/" if self.source.is_folder else "")
            return CopyTarget(self.source.account_url, self.source.container, name)
        return CopyTarget(url, self.container.text().strip(), self.name_edit.text())

    def policy(self) -> ConflictPolicy:
        for policy, button in self.policy_buttons.items():
            if button.isChecked():
                return policy
        return ConflictPolicy.SKIP

    def error(self) -> str | None:
        try:
            if self.verb == "Rename":
                check_new_leaf_name(self.name_edit.text())
            check_copy(self.source, self.target())
        except InvalidInput as exc:
            return exc.message
        return None

    def _check(self, *_args: object) -> None:
        error = self.error()
        self.ok_button.setEnabled(error is None)
        self.message.setText(error or f"{self.verb} to “{self.target().label}”.")
        self.message.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)

    def accept(self) -> None:
        if self.error() is None:  # Enter must not bypass the check
            super().accept()


def _split(name: str) -> tuple[str, str]:
    """(parent folder with its "/", leaf) of a blob name or a folder prefix."""
    stripped = name.rstrip("/")
    head, _sep, leaf = stripped.rpartition("/")
    return (head + "/" if head else ""), leaf


class StatisticsDialog(QDialog):
    """A container's or folder's statistics, filled in page by page; Cancel stops counting."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Statistics · {title}")
        self.summary = plain_label("Counting…")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["", "Blobs", "Bytes"])
        self.tree.setRootIsDecorated(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.accept)
        buttons = QDialogButtonBox()
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.stats: FolderStatistics | None = None
        self.resize(640, 480)

    def show_statistics(self, stats: FolderStatistics) -> None:
        self.stats = stats
        state = "Done" if stats.complete else "Counting…"
        self.summary.setText(f"{state} {stats.blobs:,} blobs · {fmt.size(stats.total_bytes)} "
                             f"({stats.total_bytes:,} bytes) · {stats.pages:,} pages listed")
        self.tree.clear()
        self._group("By access tier", stats.blobs_by_tier, stats.bytes_by_tier.items())
        self._group("By content type", stats.blobs_by_content_type,
                    stats.bytes_by_content_type.most_common())
        largest = QTreeWidgetItem(["Largest blobs", "", ""])
        for name, size in stats.largest:
            item = QTreeWidgetItem([name, "", fmt.size(size)])
            item.setToolTip(0, name)
            largest.addChild(item)
        self.tree.addTopLevelItem(largest)
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        if stats.complete:
            self.finish()

    def _group(self, title: str, counts: Mapping[str, int],
               sizes: Iterable[tuple[str, int]]) -> None:
        group = QTreeWidgetItem([title, "", ""])
        for key, size in sorted(sizes, key=lambda pair: -pair[1]):
            group.addChild(QTreeWidgetItem([key, f"{counts[key]:,}", fmt.size(size)]))
        self.tree.addTopLevelItem(group)

    def finish(self, note: str | None = None) -> None:
        self.cancel_button.setEnabled(False)
        if note:
            self.summary.setText(f"{note} · {self.summary.text()}")

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_requested.emit()
