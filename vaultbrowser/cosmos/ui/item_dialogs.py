"""The dialogs of the item writes: the JSON editor (validated before it closes), the choice
after a concurrent change (412), and the upload's preview."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from PySide6.QtGui import QFont, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.cosmos.services.records import value_at


def document_problem(text: str, partition_key_paths: Sequence[str]
                     ) -> tuple[str, int | None] | None:
    """What is wrong with ``text`` as an item (and the character offset of a JSON error);
    None when it is a valid item: a JSON object with a string id and every partition key
    path present."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).", \
            error.pos
    if not isinstance(document, dict):
        return "An item is a JSON object ({…}).", None
    if not isinstance(document.get("id"), str) or not document["id"]:
        return 'The item has no "id" (a non-empty string).', None
    if any(ch in document["id"] for ch in "/\\?#"):
        return 'The id may not contain /, \\, ? or #.', None
    for path in partition_key_paths:
        if value_at(document, path) is None:
            return f"The item has no value at the partition key path {path}.", None
    return None


class ItemEditorDialog(QDialog):
    """Edits one item's JSON; OK checks it first and says what is wrong where it is."""

    def __init__(self, parent: QWidget | None, title: str, document: Mapping[str, Any],
                 partition_key_paths: Sequence[str], action: str = "Save") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 520)
        self.partition_key_paths = tuple(partition_key_paths)
        self.editor = QPlainTextEdit(json.dumps(document, indent=2, ensure_ascii=False))
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(mono)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: palette(highlight);")
        hint = QLabel("Partition key: " + (", ".join(self.partition_key_paths) or "(none)")
                      + ". The properties Cosmos DB adds (_rid, _etag, _ts…) are left out.")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)

    def accept(self) -> None:
        found = document_problem(self.editor.toPlainText(), self.partition_key_paths)
        if found is None:
            self.problem.setText("")
            super().accept()
            return
        message, position = found
        self.problem.setText(message)
        if position is not None:
            cursor = self.editor.textCursor()
            cursor.setPosition(min(position, len(self.editor.toPlainText())))
            cursor.movePosition(QTextCursor.MoveOperation.Right,
                                QTextCursor.MoveMode.KeepAnchor)
            self.editor.setTextCursor(cursor)

    def document(self) -> dict[str, Any]:
        value = json.loads(self.editor.toPlainText())
        assert isinstance(value, dict)
        return value


class ConflictChoice(Enum):
    RELOAD = "reload"  # show their version, drop my edit
    OVERWRITE = "overwrite"  # replace theirs with mine, deliberately
    KEEP_EDITING = "keep-editing"  # back to my edit, nothing sent


class ConflictDialog(QMessageBox):
    """The item changed since it was read (412): never a silent overwrite."""

    def __init__(self, parent: QWidget | None, item_id: str) -> None:
        super().__init__(QMessageBox.Icon.Warning, "The item changed meanwhile",
                         f"{item_id} was changed by someone else after you opened it (its "
                         "ETag no longer matches), so your edit was not saved.",
                         QMessageBox.StandardButton.NoButton, parent)
        self.setInformativeText("Reload their version (your edit is dropped), overwrite "
                                "theirs with yours deliberately, or keep editing.")
        self.reload_button = self.addButton("Reload theirs", QMessageBox.ButtonRole.AcceptRole)
        self.overwrite_button = self.addButton("Overwrite theirs",
                                               QMessageBox.ButtonRole.DestructiveRole)
        self.keep_button = self.addButton("Keep editing", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.keep_button)
        self.setEscapeButton(self.keep_button)
        self.choice = ConflictChoice.KEEP_EDITING
        self.reload_button.clicked.connect(lambda: self._choose(ConflictChoice.RELOAD))
        self.overwrite_button.clicked.connect(lambda: self._choose(ConflictChoice.OVERWRITE))
        self.keep_button.clicked.connect(lambda: self._choose(ConflictChoice.KEEP_EDITING))

    def _choose(self, choice: ConflictChoice) -> None:
        self.choice = choice
        if choice is ConflictChoice.KEEP_EDITING:
            self.reject()
        else:
            self.accept()
