"""``RedisValueViewer``: a selected key's value under its properties, read in bounded pieces
(``ValuePages``): a string as text, JSON or hex (its first 64 KiB, "Load more" for the next),
a hash, set, sorted set, list or stream as a table that grows a page at a time. Reading runs
as a window task; a new selection cancels the read in flight. ``edit_requested`` asks the
key's actions to edit the string, or the selected hash field or list entry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.redis.models.key_rows import KeyRow
from vaultbrowser.redis.models.value_pages import ValuePages, as_json, hex_dump
from vaultbrowser.redis.models.value_table import ValueTableModel

TEXT, JSON, HEX = "Text", "JSON", "Hex"
RunTask = Callable[[Coroutine[Any, Any, Any]], "asyncio.Task[Any]"]


class RedisValueViewer(QWidget):
    edit_requested = Signal()

    def __init__(self, run_task: RunTask, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._run_task = run_task
        self._task: asyncio.Task[Any] | None = None
        self.pages: ValuePages | None = None
        self.row: KeyRow | None = None
        self.writable = False

        self.title = QLabel("Value")
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.format_combo = QComboBox()
        self.format_combo.addItems([TEXT, JSON, HEX])
        self.format_combo.setToolTip("Show the string as text, pretty-printed JSON or hex")
        self.format_combo.currentTextChanged.connect(self.show_string)
        self.load_more_button = QPushButton("Load more")
        self.load_more_button.setToolTip("Read the next piece of the value from the server")
        self.load_more_button.clicked.connect(self.load_more)
        self.edit_button = QPushButton("Edit…")
        self.edit_button.clicked.connect(self.edit_requested)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.info, 1)
        top.addWidget(self.format_combo)
        top.addWidget(self.load_more_button)
        top.addWidget(self.edit_button)

        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.table_model = ValueTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setWordWrap(False)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.text)
        self.stack.addWidget(self.table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        self.hide()

    # --- showing a key ------------------------------------------------------------------------

    def clear(self) -> None:
        """Nothing to show (another selection, another kind's row): stop reading, forget."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self.pages = None
        self.row = None
        self.text.clear()
        self.table_model.reset(())
        self.hide()

    def show_key(self, service: Any, row: KeyRow, *, writable: bool) -> None:
        """Show ``row``'s value (its type from its summary) and read its first piece."""
        self.clear()
        summary = row.summary
        if summary is None or not summary.exists:
            return
        self.row = row
        self.writable = writable
        self.pages = ValuePages(service, row.name, summary.type,
                                total=None if summary.type == "string" else summary.length)
        self.title.setText(f"Value ({summary.type})")
        is_string = self.pages.is_string
        self.format_combo.setVisible(is_string)
        self.stack.setCurrentWidget(self.text if is_string else self.table)
        if not is_string:
            self.table_model.reset(self.pages.columns)
        self.show()
        if not self.pages.readable:
            self.info.setText(f"vaultbrowser does not show values of type {summary.type}.")
            self._update_buttons()
            return
        self.load_more()

    def load_more(self) -> None:
        """Read the next piece (a window task; failures reach the error dialog)."""
        if self.pages is None or not self.pages.can_read_more or self._task is not None:
            return
        self.info.setText("Reading…")
        self.load_more_button.setEnabled(False)
        self._task = self._run_task(self._read(self.pages))

    async def _read(self, pages: ValuePages) -> None:
        before = len(pages.rows)
        try:
            await pages.more()
        finally:
            if pages is self.pages:
                self._task = None
                self._update_buttons()
                self.info.setText(pages.summary())
        if pages is not self.pages:
            return
        if pages.is_string:
            self.show_string()
        else:
            self.table_model.append(pages.rows[before:])
            if before == 0:
                self.table.resizeColumnToContents(0)

    async def wait_idle(self) -> None:
        """Wait for the piece being read (tests)."""
        while self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    def show_string(self, *_args: Any) -> None:
        pages = self.pages
        if pages is None or not pages.is_string:
            return
        mode = self.format_combo.currentText()
        if mode == HEX:
            shown = hex_dump(pages.data)
        elif mode == JSON:
            pretty = as_json(pages.data) if pages.complete else None
            shown = pretty if pretty is not None else (
                "(Not JSON: shown as text)\n" if pages.complete
                else "(JSON needs the whole value: Load more first)\n") + _text(pages.data)
        else:
            shown = _text(pages.data)
        self.text.setPlainText(shown)

    # --- editing ------------------------------------------------------------------------------

    def selected_entry(self) -> Any:
        """The raw hash field or list index of the selected table row (None: none)."""
        rows = self.table.selectionModel().selectedRows()
        if self.pages is None or not rows or rows[0].row() >= len(self.pages.keys):
            return None
        return self.pages.keys[rows[0].row()]

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _update_buttons(self, *_args: Any) -> None:
        pages = self.pages
        self.load_more_button.setVisible(pages is not None and not pages.complete)
        self.load_more_button.setEnabled(pages is not None and pages.can_read_more
                                         and self._task is None)
        editable = pages is not None and self.writable and (
            (pages.is_string and pages.complete)
            or (pages.type in ("hash", "list") and self.selected_entry() is not None))
        self.edit_button.setVisible(pages is not None and pages.type in ("string", "hash",
                                                                        "list"))
        self.edit_button.setEnabled(editable)
        if pages is not None and not self.writable:
            self.edit_button.setToolTip("Disabled: this connection is read-only")
        elif pages is not None and pages.is_string and not pages.complete:
            self.edit_button.setToolTip("Load the whole value first to edit it")
        else:
            self.edit_button.setToolTip("Change this value on the server")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")
