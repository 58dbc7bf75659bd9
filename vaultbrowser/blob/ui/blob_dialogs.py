"""The dialogs of the Blob Storage write actions (``ui/blob_actions.py``).

Each dialog only collects an answer; the controller runs it through the window's
``DialogRunner`` and makes the requests. Inputs are validated here, as the user types, with the
service layer's own rules (passed in as callables raising ``InvalidInput``), so an invalid name
never reaches a request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.blob.services.transfers.plans import ConflictChoice, ConflictDecision
from vaultbrowser.core.models.tones import Tone, tone_style
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.ui.common_dialogs import KeyValueEditor

Validator = Callable[[str], object]

ERROR_STYLE = tone_style(Tone.ERROR)
HINT_STYLE = "color: palette(mid);"


def plain_label(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names are data, never markup
    label.setWordWrap(wrap)
    return label


def validation_message(validate: Validator, value: str) -> str | None:
    """``validate``'s refusal as text, or None when ``value`` passes."""
    try:
        validate(value)
    except InvalidInput as error:
        return error.message
    return None


# --- containers -------------------------------------------------------------------------------

PUBLIC_ACCESS_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("Private (no anonymous access)", None),
    ("Blob (anonymous read of blobs by URL)", "blob"),
    ("Container (anonymous read and listing)", "container"),
)


class CreateContainerDialog(QDialog):
    """A new container's name (checked as it is typed) and its public access level."""

    def __init__(self, parent: QWidget | None, account: str, validate: Validator) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create container")
        self._validate = validate
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("3–63 characters: a-z, 0-9 and single hyphens")
        self.message = plain_label()
        self.access = QComboBox()
        for label, _value in PUBLIC_ACCESS_CHOICES:
            self.access.addItem(label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Account:", plain_label(account))
        form.addRow("Name:", self.name_edit)
        form.addRow("", self.message)
        form.addRow("Public access:", self.access)
        # Room for a two-line message, so the dialog does not jump while the user types.
        self.message.setMinimumHeight(2 * self.message.fontMetrics().lineSpacing() + 4)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._check)
        self._check("")
        self.resize(560, self.sizeHint().height())

    def name(self) -> str:
        return self.name_edit.text()

    def public_access(self) -> str | None:
        return PUBLIC_ACCESS_CHOICES[self.access.currentIndex()][1]

    def error(self) -> str | None:
        """Why the typed name cannot be used (None: it can)."""
        if not self.name():
            return "Type a name."
        return validation_message(self._validate, self.name())

    def _check(self, _text: str) -> None:
        error = self.error()
        self.create_button.setEnabled(error is None)
        if error is None:
            self.message.setText("A valid container name.")
            self.message.setStyleSheet(HINT_STYLE)
        else:
            self.message.setText(error)
            self.message.setStyleSheet(ERROR_STYLE if self.name() else HINT_STYLE)

    def accept(self) -> None:
        if self.error() is None:  # Enter in the field must not bypass the check
            super().accept()


class UploadTargetDialog(QDialog):
    """Which container receives files dropped onto a storage account's row."""

    def __init__(self, parent: QWidget | None, account: str, containers: Sequence[str],
                 count: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Upload to which container?")
        self.combo = QComboBox()
        self.combo.addItems(list(containers))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.upload_button = buttons.addButton("Upload", QDialogButtonBox.ButtonRole.AcceptRole)
        self.upload_button.setEnabled(bool(containers))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(
            f"Upload {count} dropped item(s) to a container of {account}:" if containers else
            f"{account} has no listed container. Create one first, then drop onto it."))
        layout.addWidget(self.combo)
        layout.addWidget(buttons)

    def container(self) -> str:
        return self.combo.currentText()


# --- conflicts --------------------------------------------------------------------------------


class ConflictDialog(QDialog):
    """Something already exists where a transfer wants to write: skip, overwrite or rename.

    Closing the dialog (Escape) skips the file: nothing is ever replaced without a click on
    Overwrite.
    """

    def __init__(self, parent: QWidget | None, title: str, message: str, *,
                 remaining_hint: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.choice = ConflictChoice.SKIP
        self.message = plain_label(message)
        self.apply_to_all = QCheckBox("Do the same for every other conflict of this transfer")
        if remaining_hint:
            self.apply_to_all.setToolTip(remaining_hint)
        self.skip_button = QPushButton("Skip")
        self.overwrite_button = QPushButton("Overwrite")
        self.rename_button = QPushButton("Keep both (rename)")
        self.skip_button.setToolTip("Leave the existing one as it is; do not transfer this file")
        self.overwrite_button.setToolTip("Replace the existing one with this file")
        self.rename_button.setToolTip("Transfer this file under a new, free name "
                                      "(e.g. report (1).pdf)")
        for button, choice in ((self.skip_button, ConflictChoice.SKIP),
                               (self.overwrite_button, ConflictChoice.OVERWRITE),
                               (self.rename_button, ConflictChoice.RENAME)):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=choice: self.choose(c))
        self.skip_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.overwrite_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.apply_to_all)
        layout.addLayout(buttons)
        self.resize(520, self.sizeHint().height())

    def choose(self, choice: ConflictChoice, *, for_all: bool | None = None) -> None:
        """Answer (tests call this as a click would)."""
        if for_all is not None:
            self.apply_to_all.setChecked(for_all)
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        self.choice = ConflictChoice.SKIP
        super().reject()

    def decision(self) -> ConflictDecision:
        return ConflictDecision(self.choice, self.apply_to_all.isChecked())


# --- deletes ----------------------------------------------------------------------------------


class DeleteBlobDialog(QDialog):
    """Delete one blob; whether its snapshots go too (a blob with snapshots cannot be deleted
    alone)."""

    def __init__(self, parent: QWidget | None, container: str, name: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete blob")
        self.snapshots = QCheckBox("Also delete its snapshots")
        self.snapshots.setToolTip("A blob that has snapshots can only be deleted with them")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton("Delete", QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button.setAutoDefault(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(f"Delete the blob “{name}” from the container "
                                      f"“{container}”?"))
        layout.addWidget(plain_label("If the account keeps deleted blobs (soft delete), it "
                                      "can be undeleted until its retention ends.", wrap=True))
        layout.addWidget(self.snapshots)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def include_snapshots(self) -> bool:
        return self.snapshots.isChecked()


class FolderDeleteDialog(QDialog):
    """Delete a virtual folder: says exactly how many blobs go, names the first of them."""

    SHOWN = 50

    def __init__(self, parent: QWidget | None, container: str, prefix: str,
                 names: Sequence[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete folder")
        self.names = list(names)
        self.count = len(self.names)
        self.summary = plain_label(
            f"Delete {self.count:,} blob{'s' if self.count != 1 else ''} whose names start "
            f"with “{prefix}” in the container “{container}”?")
        bold = self.summary.font()
        bold.setBold(True)
        self.summary.setFont(bold)
        self.list = QListWidget()
        self.list.addItems(self.names[:self.SHOWN])
        if self.count > self.SHOWN:
            self.list.addItem(f"… and {self.count - self.SHOWN:,} more")
        self.snapshots = QCheckBox("Also delete their snapshots")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton(
            f"Delete {self.count:,} blob{'s' if self.count != 1 else ''}",
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button.setAutoDefault(False)
        self.delete_button.setEnabled(self.count > 0)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(plain_label(
            "Exactly these blobs are deleted, nothing else: blobs outside the folder that share "
            "its name (such as “" + prefix.rstrip("/") + "” or “" + prefix.rstrip("/")
            + "-2/…”) are not touched. Blobs added meanwhile are not deleted."))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.snapshots)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def include_snapshots(self) -> bool:
        return self.snapshots.isChecked()


# --- metadata and tags ------------------------------------------------------------------------


class KeyValueDialog(QDialog):
    """Edit a blob's or container's metadata, or a blob's index tags."""

    def __init__(self, parent: QWidget | None, title: str, target: str, what: str,
                 pairs: Mapping[str, str], check: Callable[[dict[str, str]], None] | None,
                 rules: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.editor = KeyValueEditor(what, check)
        self.editor.set_pairs(pairs)
        self.message = plain_label()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(target))
        if rules:
            hint = plain_label(rules)
            hint.setStyleSheet(HINT_STYLE)
            layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._pairs: dict[str, str] | None = None
        self.resize(520, 360)

    def pairs(self) -> dict[str, str]:
        """The accepted pairs (valid: checked when the user pressed Save)."""
        assert self._pairs is not None
        return self._pairs

    def accept(self) -> None:
        try:
            self._pairs = self.editor.pairs()
        except InvalidInput as error:
            self.message.setText(error.message)
            self.message.show()
            return  # stays open: the user corrects the row
        super().accept()
