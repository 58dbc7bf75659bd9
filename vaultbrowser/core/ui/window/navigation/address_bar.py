"""``AddressBar``: paste any Azure address and open it (Ctrl+L). What it opens is each kind's to
read (``ServiceKind.parse_address``): a vault URL or an item id, an account, container or blob
URL with or without a SAS, an Azure resource id or portal link.

The text is cleared once opened: a SAS URL holds a signature and must not linger on screen.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QWidget

PLACEHOLDER = ("Open an Azure address (Ctrl+L): a vault URL or secret/key/certificate id, an "
               "account, container, blob or SAS URL, a resource id")


class AddressBar(QLineEdit):
    """``open_address(text)`` runs as a window task on Enter."""

    def __init__(self, window: QWidget,
                 open_address: Callable[[str], Coroutine[Any, Any, None]],
                 run_task: Callable[[Coroutine[Any, Any, None]], Any]) -> None:
        super().__init__(window)
        self.setPlaceholderText(PLACEHOLDER)
        self.setClearButtonEnabled(True)
        self.setAccessibleName("Azure address")
        # Reached with Ctrl+L (or a click): the window opens with the focus in its tree.
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._open_address = open_address
        self._run_task = run_task
        self.returnPressed.connect(self.open_typed)
        focus = QShortcut(QKeySequence("Ctrl+L"), window)
        focus.activated.connect(self.focus_and_select)

    def focus_and_select(self) -> None:
        self.setFocus()
        self.selectAll()

    def open_typed(self) -> None:
        text = self.text().strip()
        if not text:
            return
        self.clear()
        self._run_task(self._open_address(text))
