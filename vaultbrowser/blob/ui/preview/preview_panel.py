"""``PreviewPanel``: the widgets of the blob preview (the dock's contents). It shows a prepared
``Preview`` — text, JSON tree, table, image, hex — and offers Load more / Load all / Edit /
Save / Discard; ``BlobPreview`` (``blob_preview.py``) decides what they do."""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt
from PySide6.QtGui import QFont, QImageReader, QPixmap, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.blob.models.preview_models import JsonTreeModel, TableRowsModel
from vaultbrowser.blob.services.previews.formats import MAX_SHOWN_LINE, Preview, PreviewKind

MAX_IMAGE_PIXELS = 40_000_000  # bigger images are shown scaled down to this many pixels
# A text view is filled in slices, the loop turning between them. Qt's cost is per line more
# than per character (short JSON lines: ~100 ms per 128 KiB), so the slice adapts to take
# about SLICE_SECONDS.
SLICE_SECONDS = 0.015
FIRST_SLICE, MAX_SLICE = 16 * 1024, 512 * 1024


async def fill_text(view: QPlainTextEdit, text: str) -> None:
    """Put ``text`` in ``view`` a slice at a time (cut at line ends), without undo history."""
    view.setUndoRedoEnabled(False)
    view.clear()
    cursor = QTextCursor(view.document())
    position, size = 0, FIRST_SLICE
    while position < len(text):
        end = text.find("\n", position + size)
        end = len(text) if end < 0 else end + 1
        started = time.perf_counter()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text[position:end])
        position = end
        took = time.perf_counter() - started
        if took > SLICE_SECONDS:
            size = max(size // 2, 1024)
        elif took < SLICE_SECONDS / 2:
            size = min(size * 2, MAX_SLICE)
        if position < len(text):
            await asyncio.sleep(0)
    view.setUndoRedoEnabled(True)
    view.moveCursor(QTextCursor.MoveOperation.Start)


def _mono(view: QPlainTextEdit) -> None:
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    view.setFont(font)
    # Wrapping lays every line out again on each resize of the dock (4 MB: ~0.2 s a time).
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)


class PreviewPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Preview")
        self.title.setStyleSheet("font-weight: bold;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.info = QLabel("Select a blob and press F3 to preview it.")
        self.info.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.hide()

        self.load_more_button = QPushButton("Load more")
        self.load_all_button = QPushButton("Load all")
        self.edit_button = QPushButton("Edit")
        self.save_button = QPushButton("Save")
        self.discard_button = QPushButton("Discard edit")
        self.save_button.setToolTip("Save your edit back to the blob, only if nobody changed it "
                                    "since it was read (If-Match on its ETag)")
        buttons = QHBoxLayout()
        for button in (self.load_more_button, self.load_all_button, self.edit_button,
                       self.save_button, self.discard_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)

        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.text_view.setAccessibleName("Blob text")
        _mono(self.text_view)
        self.json_view = QTreeView()
        self.json_view.setAccessibleName("JSON tree")
        self.json_view.setUniformRowHeights(True)
        self.json_text = QPlainTextEdit()
        self.json_text.setReadOnly(True)
        _mono(self.json_text)
        json_box = QTabWidget()
        json_box.addTab(self.json_view, "Tree")
        json_box.addTab(self.json_text, "Pretty-printed")
        self.json_box = json_box
        self.table_view = QTableView()
        self.table_view.setAccessibleName("Table")
        self.image_label = QLabel()
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_area = QScrollArea()
        self.image_area.setWidget(self.image_label)
        self.image_area.setWidgetResizable(True)
        self.hex_view = QPlainTextEdit()
        self.hex_view.setReadOnly(True)
        self.hex_view.setAccessibleName("Hex view")
        _mono(self.hex_view)
        self.tabs = QTabWidget()
        self._pages: dict[PreviewKind, tuple[QWidget, str]] = {
            PreviewKind.JSON: (self.json_box, "JSON"),
            PreviewKind.TABLE: (self.table_view, "Table"),
            PreviewKind.TEXT: (self.text_view, "Text"),
            PreviewKind.IMAGE: (self.image_area, "Image"),
            PreviewKind.HEX: (self.hex_view, "Hex"),
        }
        self.shown_kinds: tuple[PreviewKind, ...] = ()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.info)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        layout.addWidget(self.tabs, 1)
        self.clear("Select a blob and press F3 to preview it.")

    def clear(self, info: str, title: str = "Preview") -> None:
        self.title.setText(title)
        self.info.setText(info)
        self.show_message("")
        self.tabs.clear()
        self.shown_kinds = ()
        self.text_view.clear()
        self.set_buttons(more=False, load_all=False, edit=False, editing=False)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def set_buttons(self, *, more: bool, load_all: bool, edit: bool, editing: bool) -> None:
        self.load_more_button.setVisible(more and not editing)
        self.load_all_button.setVisible(load_all and not editing)
        self.edit_button.setVisible(not editing)
        self.edit_button.setEnabled(edit)
        self.save_button.setVisible(editing)
        self.discard_button.setVisible(editing)
        self.text_view.setReadOnly(not editing)

    async def show_preview(self, preview: Preview) -> None:
        """Fill the views of ``preview`` (GUI thread, in slices: the parsing was done in a
        worker thread before)."""
        current = self.tabs.currentWidget()
        self.tabs.clear()
        self.shown_kinds = preview.kinds
        self.text_view.clear()
        self.json_text.clear()
        if PreviewKind.JSON in preview.kinds:
            if preview.json_error is None:
                tree = JsonTreeModel(preview.json_value, self.json_view)
                self.json_view.setModel(tree)
                if tree.rowCount() == 1:  # one group or member at the top: open it
                    self.json_view.expand(tree.index(0, 0))
                await fill_text(self.json_text, preview.json_text or "")
            else:
                self.json_view.setModel(None)  # type: ignore[arg-type]
                self.json_text.setPlainText(preview.json_error)
                self.json_box.setCurrentWidget(self.json_text)
        if PreviewKind.TABLE in preview.kinds:
            self.table_view.setModel(TableRowsModel(preview.table, self.table_view))
        if PreviewKind.IMAGE in preview.kinds and preview.image is not None:
            self._show_image(preview.image)
        await fill_text(self.hex_view, preview.hex_text)
        if preview.text is not None:
            await fill_text(self.text_view, preview.text_shown)
        for kind in preview.kinds:
            widget, label = self._pages[kind]
            self.tabs.addTab(widget, label)
        if current is not None and self.tabs.indexOf(current) >= 0:
            self.tabs.setCurrentWidget(current)
        broken = (f"Lines longer than {MAX_SHOWN_LINE:,} characters are shown broken."
                  if preview.lines_broken else None)
        notes = [note for note in (preview.table_note, preview.hex_note, broken) if note]
        self.show_message(" ".join(notes))

    def _show_image(self, data: bytes) -> None:
        """Decode with Qt's image readers, bounded: a huge image is read scaled down."""
        buffer = QBuffer(self)
        buffer.setData(QByteArray(data))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        size = reader.size()
        if size.isValid() and size.width() * size.height() > MAX_IMAGE_PIXELS:
            scale = (MAX_IMAGE_PIXELS / (size.width() * size.height())) ** 0.5
            reader.setScaledSize(QSize(int(size.width() * scale), int(size.height() * scale)))
        image = reader.read()
        buffer.close()
        if image.isNull():
            self.image_label.setPixmap(QPixmap())
            self.image_label.setText(f"Qt cannot read this image: {reader.errorString()}")
            self.image_size = QSize()
            return
        self.image_label.setText("")
        self.image_label.setPixmap(QPixmap.fromImage(image))
        self.image_size = image.size()
