"""``EditConflictDialog``: an edited blob changed on the server meanwhile. Both versions side
by side and as a unified diff; the user overwrites with theirs own (again conditionally),
takes the server's, or cancels (keeps editing). Closing it cancels: nothing is overwritten
without a click on "Overwrite with mine"."""

from __future__ import annotations

import difflib
from enum import Enum

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

MAX_DIFF_LINES = 5_000


class EditChoice(Enum):
    CANCEL = "cancel"
    OVERWRITE = "overwrite"  # save mine, conditional on the server version shown here
    TAKE_THEIRS = "theirs"


def unified_diff(theirs: str, mine: str, name: str) -> str:
    """The change from the server's version to mine, at most ``MAX_DIFF_LINES`` lines."""
    lines = list(difflib.unified_diff(theirs.splitlines(), mine.splitlines(),
                                      f"{name} (on the server now)", f"{name} (yours)",
                                      lineterm="", n=3))
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"… {len(lines) - MAX_DIFF_LINES:,} more lines"]
    return "\n".join(lines) or "(no differences in the text)"


def _viewer(text: str) -> QPlainTextEdit:
    view = QPlainTextEdit(text)
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    mono = QFont("monospace")
    mono.setStyleHint(QFont.StyleHint.Monospace)
    view.setFont(mono)
    return view


class EditConflictDialog(QDialog):
    def __init__(self, parent: QWidget | None, name: str, mine: str, theirs: str,
                 theirs_note: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changed on the server")
        self.choice = EditChoice.CANCEL
        message = QLabel(
            f"“{name}” was changed by someone else after you opened it ({theirs_note}). "
            "Your edit was not saved. Compare, then choose:")
        message.setWordWrap(True)
        self.mine_view = _viewer(mine)
        self.theirs_view = _viewer(theirs)
        side = QSplitter()
        for title, view in (("On the server now", self.theirs_view), ("Yours", self.mine_view)):
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(QLabel(f"<b>{title}</b>"))
            layout.addWidget(view)
            side.addWidget(box)
        self.diff_view = _viewer(unified_diff(theirs, mine, name))
        self.tabs = QTabWidget()
        self.tabs.addTab(side, "Side by side")
        self.tabs.addTab(self.diff_view, "Differences")

        self.overwrite_button = QPushButton("Overwrite with mine")
        self.overwrite_button.setToolTip("Save your version over the server's (only if it is "
                                         "still the version shown here)")
        self.theirs_button = QPushButton("Take theirs")
        self.theirs_button.setToolTip("Drop your edit and show the server's version")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Keep editing; nothing is saved")
        self.cancel_button.setDefault(True)
        for button, choice in ((self.overwrite_button, EditChoice.OVERWRITE),
                               (self.theirs_button, EditChoice.TAKE_THEIRS),
                               (self.cancel_button, EditChoice.CANCEL)):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=choice: self.choose(c))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.overwrite_button)
        buttons.addWidget(self.theirs_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self.resize(900, 560)

    def choose(self, choice: EditChoice) -> None:
        self.choice = choice
        if choice is EditChoice.CANCEL:
            self.reject()
        else:
            self.accept()
