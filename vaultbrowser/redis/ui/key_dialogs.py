"""The Redis write dialogs: edit a value, set a TTL, rename a key, delete keys by pattern
(the user types the pattern to confirm). They check what they can before the server does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.errors import InvalidInput

MAX_TTL_SECONDS = 10 * 365 * 24 * 3600


def _buttons(dialog: QDialog, action: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class EditValueDialog(QDialog):
    """A value as UTF-8 text (a string's whole value, a hash field's or a list entry's)."""

    def __init__(self, parent: QWidget | None, what: str, value: bytes) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit {what}")
        self.editor = QPlainTextEdit()
        self.editor.setPlainText(value.decode("utf-8", "replace"))
        note = _plain("Saved as UTF-8 text. A value that is not UTF-8 text would be changed: "
                      "edit such values with another tool.") if _not_text(value) else None
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(what))
        if note is not None:
            layout.addWidget(note)
        layout.addWidget(self.editor, 1)
        layout.addWidget(_buttons(self, "Save"))
        self.resize(560, 360)

    def value(self) -> bytes:
        return self.editor.toPlainText().encode()


def _not_text(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


class TtlDialog(QDialog):
    def __init__(self, parent: QWidget | None, key: str, seconds: int | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set time to live")
        self.seconds_spin = QSpinBox()
        self.seconds_spin.setRange(1, MAX_TTL_SECONDS)
        self.seconds_spin.setSuffix(" s")
        self.seconds_spin.setValue(seconds if seconds and seconds > 0 else 3600)
        form = QFormLayout()
        form.addRow("Expire in", self.seconds_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(f"{key} is deleted by the server when its time to live ends."))
        layout.addLayout(form)
        layout.addWidget(_buttons(self, "Set TTL"))

    def seconds(self) -> int:
        return self.seconds_spin.value()


class RenameDialog(QDialog):
    def __init__(self, parent: QWidget | None, key: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Rename key")
        self.name_edit = QLineEdit(key)
        self.name_edit.selectAll()
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(f"New name for {key} (an existing key is never overwritten):"))
        layout.addWidget(self.name_edit)
        layout.addWidget(_buttons(self, "Rename"))
        self.resize(480, 120)

    def new_name(self) -> bytes:
        """Raises:
            InvalidInput: an empty name.
        """
        name = self.name_edit.text()
        if not name:
            raise InvalidInput("A key needs a name.")
        return name.encode()


class DeletePatternDialog(QDialog):
    """The pattern of the keys to delete, and the same pattern typed again to confirm."""

    def __init__(self, parent: QWidget | None, where: str, pattern: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete keys matching a pattern")
        self.pattern_edit = QLineEdit(pattern)
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setPlaceholderText("type the pattern again")
        form = QFormLayout()
        form.addRow("Pattern", self.pattern_edit)
        form.addRow("Type it to confirm", self.confirm_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.addButton("Delete keys",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain(
            f"Every key of {where} whose name matches the pattern (SCAN MATCH: * any "
            "characters, ? one) is deleted, on every primary. This cannot be undone."))
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        for edit in (self.pattern_edit, self.confirm_edit):
            edit.textChanged.connect(self._check)
        self._check()
        self.resize(520, 160)

    def _check(self, *_args: object) -> None:
        self.delete_button.setEnabled(self.confirmed)

    @property
    def confirmed(self) -> bool:
        pattern = self.pattern_edit.text()
        return bool(pattern) and self.confirm_edit.text() == pattern

    def accept(self) -> None:
        if self.confirmed:  # Enter in a field must not bypass the check
            super().accept()

    def pattern(self) -> bytes:
        return self.pattern_edit.text().encode()
