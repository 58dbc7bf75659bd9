"""``BlobPreview``: the Preview panel of the blob pane (a dock next to Activity), its "Preview"
(F3) and "Edit text" (F4) actions.

While the panel is shown, the selected blob is previewed from a ranged read of its first
``settings.preview_bytes`` (one window task at a time: a new selection cancels the previous
read); the bytes are prepared in a worker thread and only the Qt views are filled here. "Load
more" continues conditionally on the ETag shown; "Load all" reads up to
``settings.preview_load_all_bytes``. A whole text blob within the preview limit can be edited and
saved back conditionally; a 412 opens ``EditConflictDialog``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget

from vaultbrowser.blob.services.previews.formats import (
    Preview,
    decode_text,
    encode_text,
    prepare_preview,
)
from vaultbrowser.blob.services.previews.ranged_reads import BlobHead
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.writes.text_save import BlobChangedOnServer
from vaultbrowser.blob.ui.blob_pane_tools import BlobPaneTools
from vaultbrowser.blob.ui.preview.edit_conflict_dialog import EditChoice, EditConflictDialog
from vaultbrowser.blob.ui.preview.preview_panel import PreviewPanel, fill_text
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.services.errors import InvalidInput, NotFound, VaultBrowserError

_PLAIN_ENCODINGS = ("", "identity")


@dataclass
class _Shown:
    """The blob in the panel: where it is, what was read of it, and how it looks."""

    index: QPersistentModelIndex
    service: object
    head: BlobHead
    preview: Preview

    @property
    def record(self) -> BlobRecord:
        return self.head.record


class BlobPreview(QObject):
    def __init__(self, tools: BlobPaneTools) -> None:
        super().__init__(tools)
        self.tools = tools
        self.window = tools.window
        self.pane = tools.pane
        self.model = tools.model
        settings = self.window.settings
        self.limit: int = settings.preview_bytes
        self.load_all_limit: int = max(settings.preview_load_all_bytes, self.limit)
        self.shown: _Shown | None = None
        self.editing = False
        self.task: asyncio.Task[object] | None = None
        self._target: QPersistentModelIndex | None = None  # the blob the task reads

        self.preview_action = tools.action(
            "Preview", self._on_preview, write=False,
            tip="Show the blob's first bytes: text, JSON, table, image or hex (F3)")
        self.preview_action.setShortcut(QKeySequence(Qt.Key.Key_F3))
        self.edit_action = tools.action(
            "Edit text…", self._on_edit, write=True,
            tip="Edit the text blob in the Preview panel and save it back (F4)")
        self.edit_action.setShortcut(QKeySequence(Qt.Key.Key_F4))
        for action in (self.preview_action, self.edit_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.pane.addAction(action)

        self.panel = PreviewPanel()
        self.panel.info.setText(f"Select a blob and press F3 to preview its first "
                                f"{fmt.size(self.limit)}.")
        self.dock = QDockWidget("Preview", self.window)  # type: ignore[arg-type]
        self.dock.setObjectName("blob-preview")
        self.dock.setWidget(self.panel)
        self.window.add_panel(self.dock)
        self.panel.load_more_button.clicked.connect(lambda: self._start(self.load_more()))
        self.panel.load_all_button.clicked.connect(lambda: self._start(self.load_all()))
        self.panel.edit_button.clicked.connect(self._on_edit)
        self.panel.save_button.clicked.connect(lambda: self._start(self.save()))
        self.panel.discard_button.clicked.connect(self.discard_edit)
        self.pane.view.selectionModel().selectionChanged.connect(self._on_selection)
        # Brought into view (its tab chosen): show the selection if it is not shown yet.
        self.dock.visibilityChanged.connect(lambda visible: visible and self._on_selection())

    # --- actions ---------------------------------------------------------------------------

    def update_actions(self, index: QModelIndex) -> None:
        record = self.model.record_of(index)
        live = isinstance(record, BlobRecord) and not record.deleted
        self.tools.enable(self.preview_action, live, True)
        writable = self.tools.can_write(index) if record is not None else False
        self.tools.enable(self.edit_action, live, writable)

    def _on_selection(self, *_args: object) -> None:
        self.update_actions(self.tools.selection())
        if self.dock.isVisible() and not self.editing:
            self._preview_selection(again=False)

    def _on_preview(self) -> None:
        self.dock.show()  # when it was hidden, showing it may start the preview already
        self.dock.raise_()
        if not self._edit_pending():
            self._preview_selection(again=True)

    def _edit_pending(self) -> bool:
        """While an edit is open, nothing replaces it: the user saves or discards it."""
        if self.editing:
            self.window.statusBar().showMessage(
                "Save or discard your edit in the Preview panel first.", 8000)
        return self.editing

    def _preview_selection(self, *, again: bool) -> None:
        """Preview the selected blob unless it is being read (or, unless ``again``, shown)."""
        index = self.tools.selection()
        record = self.model.record_of(index)
        if not isinstance(record, BlobRecord) or record.deleted:
            return
        target = QPersistentModelIndex(index)
        reading = self.task is not None and not self.task.done() and self._target == target
        shown = self.shown is not None and self.shown.index == target
        if reading or (shown and not again):
            return
        self._target = target
        self._start(self.preview(target))

    def _on_edit(self) -> None:
        self.dock.show()
        self.dock.raise_()
        if self._edit_pending():
            return
        index = self.tools.selection()
        if isinstance(self.model.record_of(index), BlobRecord):
            self._start(self.edit(QPersistentModelIndex(index)))

    def _start(self, coroutine: object) -> asyncio.Task[object]:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = self.tools.run(coroutine)  # type: ignore[arg-type]
        return self.task

    # --- reading ---------------------------------------------------------------------------

    async def preview(self, index: QPersistentModelIndex) -> None:
        """Read and show the first ``limit`` bytes of the blob at ``index``."""
        record = self.model.record_of(index)
        assert isinstance(record, BlobRecord)
        service = self.tools.service_of(index)
        self.editing = False
        self.shown = None
        self.panel.clear(f"Reading the first {fmt.size(self.limit)}…", record.name)
        try:
            result = await service.previews.read_head(record.container, record.name,
                                                      self.limit)
        except VaultBrowserError as exc:
            self.panel.clear(exc.advice or "", record.name)
            self.panel.show_message(f"{exc.title}: {exc.message}")
            return
        await self._show(index, service, result.value)

    async def _show(self, index: QPersistentModelIndex, service: object,
                    head: BlobHead) -> None:
        record = head.record
        preview = await asyncio.to_thread(prepare_preview, head.data, record.name,
                                          record.content_type, complete=head.complete)
        self.shown = _Shown(index, service, head, preview)
        self.panel.title.setText(record.name)
        await self.panel.show_preview(preview)
        self._describe()

    def _describe(self) -> None:
        shown = self.shown
        assert shown is not None
        head, preview = shown.head, shown.preview
        total = head.record.size or 0
        parts = [f"{fmt.size(head.end)} of {fmt.size(total)} shown" if not head.complete
                 else f"All {fmt.size(total)}"]
        if preview.text is not None:
            parts.append(f"decoded as {preview.text.label}")
        else:
            parts.append("not text")
        if head.record.content_type:
            parts.append(head.record.content_type)
        reason = self.not_editable_reason()
        if reason:
            parts.append(f"not editable: {reason}")
        self.panel.info.setText(" · ".join(parts))
        # The preview holds at most load_all_limit bytes: beyond, Download is the way.
        more = not head.complete and head.end < self.load_all_limit
        if not head.complete and not more:
            parts.append(f"a preview holds at most {fmt.size(self.load_all_limit)}: download "
                         "it to see the rest")
            self.panel.info.setText(" · ".join(parts))
        self.panel.load_all_button.setText(
            f"Load all (up to {fmt.size(self.load_all_limit)})")
        self.panel.set_buttons(more=more, load_all=more,
                               edit=reason is None and self.edit_action.isEnabled(),
                               editing=self.editing)

    async def load_more(self) -> None:
        """The next ``limit`` bytes, only if the blob is still the version shown."""
        await self._extend(self.limit)

    async def load_all(self) -> None:
        """Everything up to ``load_all_limit`` bytes."""
        assert self.shown is not None
        await self._extend(self.load_all_limit - self.shown.head.end)

    async def _extend(self, length: int) -> None:
        shown = self.shown
        if shown is None or shown.head.complete:
            return
        length = min(length, self.load_all_limit - shown.head.end)
        if length <= 0:
            return
        head = shown.head
        try:
            result = await shown.service.previews.read_head(  # type: ignore[attr-defined]
                head.record.container, head.record.name, length, offset=head.end,
                etag=head.record.etag)
        except VaultBrowserError as exc:
            self.panel.show_message(f"{exc.title}: {exc.message} Select the blob again to "
                                    "read its current version.")
            return
        more = result.value
        joined = BlobHead(head.record, head.data + more.data, 0)
        await self._show(shown.index, shown.service, joined)

    # --- editing ---------------------------------------------------------------------------

    def not_editable_reason(self) -> str | None:
        shown = self.shown
        if shown is None:
            return "nothing is previewed"
        record, preview = shown.record, shown.preview
        if preview.text is None:
            return "it is not text"
        if preview.lines_broken:
            return "it has lines too long to edit here"
        if (record.size or 0) > self.limit:
            return f"larger than the preview limit ({fmt.size(self.limit)})"
        if not shown.head.complete:
            return "only part of it is loaded"
        if (record.content_encoding or "").lower() not in _PLAIN_ENCODINGS:
            return f"it is stored {record.content_encoding}-encoded"
        if record.blob_type not in (None, "BlockBlob"):
            return f"it is a {record.blob_type}"
        return None

    async def edit(self, index: QPersistentModelIndex) -> None:
        """Preview the blob at ``index`` (unless it is shown) and make its text editable.

        Raises:
            InvalidInput: it is not a whole text blob within the preview limit (why, said).
        """
        if self.shown is None or self.shown.index != index:
            await self.preview(index)
        if self.shown is None:
            return  # the read failed: the panel says why
        reason = self.not_editable_reason()
        if reason is not None:
            raise InvalidInput(f"“{self.shown.record.name}” cannot be edited here: {reason}.")
        self.editing = True
        self.panel.tabs.setCurrentWidget(self.panel.text_view)
        self._describe()
        self.panel.text_view.setFocus()

    def discard_edit(self) -> None:
        if self.shown is None:
            return
        self.editing = False
        assert self.shown.preview.text is not None
        self._describe()
        self._start(fill_text(self.panel.text_view, self.shown.preview.text_shown))

    async def save(self) -> BlobRecord | None:
        """Save the edited text conditionally; on a 412, ask (EditConflictDialog)."""
        shown = self.shown
        assert shown is not None and self.editing and shown.preview.text is not None
        text = self.panel.text_view.toPlainText()
        try:
            data = encode_text(text, shown.preview.text)
        except UnicodeEncodeError as exc:
            raise InvalidInput(f"Your text has a character {shown.preview.text.label} cannot "
                               f"hold ({text[exc.start:exc.end]!r}); nothing was saved.") from exc
        service = shown.service
        record, etag = shown.record, shown.record.etag or ""
        while True:
            try:
                result = await service.text_saves.save_text(  # type: ignore[attr-defined]
                    record.container, record.name, data, etag=etag, like=record)
                break
            except BlobChangedOnServer:
                theirs = await self._read_theirs(shown)
                choice = await self._ask(shown, text, theirs)
                if choice is EditChoice.CANCEL:
                    return None
                if choice is EditChoice.TAKE_THEIRS or theirs is None:
                    self.editing = False
                    if theirs is not None:
                        await self._show(shown.index, service, theirs)
                    else:
                        self.shown = None
                        self.panel.clear("It was deleted on the server: nothing was saved.",
                                         record.name)
                    return None
                record, etag = theirs.record, theirs.record.etag or ""
        saved: BlobRecord = result.value
        self.editing = False
        await self._show(shown.index, service, BlobHead(saved, data, 0))
        self.tools.show_result(saved, result.response)
        if shown.index.isValid():
            self.model.update_record(QModelIndex(shown.index), saved)
        return saved

    async def _read_theirs(self, shown: _Shown) -> BlobHead | None:
        record = shown.record
        try:
            result = await shown.service.previews.read_head(  # type: ignore[attr-defined]
                record.container, record.name, self.load_all_limit)
        except NotFound:
            return None
        return result.value

    async def _ask(self, shown: _Shown, mine: str, theirs: BlobHead | None) -> EditChoice:
        if theirs is None:
            theirs_text, note = "", "it was deleted"
        else:
            decoded = await asyncio.to_thread(decode_text, theirs.data,
                                              complete=theirs.complete)
            theirs_text = decoded.text if decoded is not None else "(not text any more)"
            modified = theirs.record.last_modified
            note = f"now {fmt.size(theirs.record.size or 0)}" + (
                f", modified {modified:%Y-%m-%d %H:%M:%S} UTC" if modified else "")
        dialog = EditConflictDialog(self.window, shown.record.name, mine,  # type: ignore[arg-type]
                                    theirs_text, note)
        if theirs is None:
            dialog.overwrite_button.setEnabled(False)
        await self.window.dialogs.wait(dialog)
        return dialog.choice
