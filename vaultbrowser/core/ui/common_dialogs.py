"""Pieces every write dialog shares: how dialogs are run (replaceable in tests), the
type-the-name confirmation, a key/value table for tags and metadata, an optional UTC date.

Controllers never call ``dialog.exec()`` themselves: they go through the window's
``DialogRunner`` so that tests can answer dialogs without a nested event loop, and so that
questions asked from inside a running coroutine (a conflict during an upload) do not nest
``exec`` inside qasync (``wait`` shows the dialog window-modal and awaits its answer).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimeZone
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.wire_time import from_epoch


class DialogRunner:
    """Runs dialogs for the window's controllers. Tests substitute a scripted runner."""

    def run(self, dialog: QDialog) -> bool:
        """Show ``dialog`` modally (from a slot, never from inside a coroutine); accepted?"""
        return dialog.exec() == QDialog.DialogCode.Accepted

    async def wait(self, dialog: QDialog) -> int:
        """Show ``dialog`` window-modal from inside a coroutine; its result code."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def done(code: int) -> None:
            if not future.done():
                future.set_result(code)

        dialog.finished.connect(done)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        try:
            code = await future
            if isinstance(dialog, QMessageBox):
                # A message box whose action button also accepts finishes twice (the button's
                # own code first, then Accepted); its standard buttons' codes mean Rejected.
                accepted = dialog.result() == QDialog.DialogCode.Accepted
                return QDialog.DialogCode.Accepted if accepted else QDialog.DialogCode.Rejected
            return code
        finally:
            if dialog.isVisible():
                dialog.reject()  # the task was cancelled: do not leave the question up

    def confirm(self, parent: QWidget | None, title: str, text: str, action: str) -> bool:
        """A yes/no question whose yes button says what happens (``action``); No is default."""
        box = confirm_box(parent, title, text, action)
        return self.run(box)


def confirm_box(parent: QWidget | None, title: str, text: str, action: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
    no = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    yes.clicked.connect(box.accept)
    return box


class TypedNameDialog(QDialog):
    """Asks the user to type ``name`` exactly before a destructive ``action`` is enabled."""

    def __init__(self, parent: QWidget | None, title: str, message: str, name: str,
                 action: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.name = name
        text = QLabel(message)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        prompt = QLabel(f"Type the name to confirm:  {name}")
        prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText(name)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.action_button = self.buttons.addButton(action,
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.action_button.setEnabled(False)
        self.action_button.setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(
            lambda typed: self.action_button.setEnabled(typed == name))
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(prompt)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.buttons)

    def typed(self) -> str:
        return self.name_edit.text()

    def accept(self) -> None:
        if self.typed() == self.name:  # Enter in the field must not bypass the check
            super().accept()


class KeyValueEditor(QWidget):
    """Editable key/value rows (tags, metadata). ``pairs()`` validates and returns a dict.

    ``check`` (optional) receives the dict and raises ``InvalidInput`` for rules of the
    service the pairs are for (counts, lengths, allowed characters).
    """

    def __init__(self, what: str = "tag", check: Callable[[dict[str, str]], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self._check = check
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Name", "Value"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        add = QPushButton(f"Add {what}")
        remove = QPushButton("Remove")
        add.clicked.connect(lambda: self.add_pair("", ""))
        remove.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def add_pair(self, key: str, value: str) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        self.table.setItem(row, 0, QTableWidgetItem(key))
        self.table.setItem(row, 1, QTableWidgetItem(value))
        if not key:
            self.table.editItem(self.table.item(row, 0))

    def set_pairs(self, pairs: Mapping[str, str]) -> None:
        self.table.setRowCount(0)
        for key, value in pairs.items():
            self.add_pair(key, value)

    def _remove_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()}, reverse=True)
        for row in rows:
            self.table.removeRow(row)

    def pairs(self) -> dict[str, str]:
        """The rows as a dict (blank rows ignored).

        Raises:
            InvalidInput: an empty or repeated name, or what ``check`` refuses.
        """
        out: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            key_item, value_item = self.table.item(row, 0), self.table.item(row, 1)
            key = (key_item.text() if key_item else "").strip()
            value = value_item.text() if value_item else ""
            if not key and not value:
                continue
            if not key:
                raise InvalidInput(f"A {self.what} needs a name (row {row + 1}).")
            if key in out:
                raise InvalidInput(f"The {self.what} {key!r} is given twice.")
            out[key] = value
        if self._check is not None:
            self._check(out)
        return out


class OptionalDateTime(QWidget):
    """A date and time in UTC that may be left unset (a checkbox says whether it is set)."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.enabled_check = QCheckBox(label)
        self.edit = QDateTimeEdit()
        self.edit.setTimeZone(QTimeZone.utc())
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")
        self.edit.setCalendarPopup(True)
        # As much of the range a wire time can hold as the editor allows (Qt's default
        # starts in 1752, its floor is year 100); an untouched field gives back the value it
        # was set to (``value``), so a year-1 date is never changed behind the user's back.
        utc = QTimeZone.utc()
        self.edit.setMinimumDateTime(QDateTime(QDate(100, 1, 1), QTime(0, 0), utc))
        self.edit.setMaximumDateTime(QDateTime(QDate(9999, 12, 31), QTime(23, 59, 59), utc))
        self.edit.setDateTime(QDateTime.currentDateTimeUtc())
        self._given: tuple[datetime, QDateTime] | None = None  # set_value's value, as shown
        self.edit.setEnabled(False)
        self.enabled_check.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled_check)
        layout.addWidget(self.edit, 1)

    def value(self) -> datetime | None:
        if not self.enabled_check.isChecked():
            return None
        shown = self.edit.dateTime()
        if self._given is not None and shown == self._given[1]:
            return self._given[0]
        return from_epoch(shown.toSecsSinceEpoch())

    def set_value(self, when: datetime | None) -> None:
        self.enabled_check.setChecked(when is not None)
        if when is not None:
            stamp = when if when.tzinfo else when.replace(tzinfo=UTC)
            seconds = int((stamp - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())
            self.edit.setDateTime(QDateTime.fromSecsSinceEpoch(seconds, QTimeZone.utc()))
            self._given = (stamp, self.edit.dateTime())
        else:
            self._given = None
