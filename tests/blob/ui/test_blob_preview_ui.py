"""The Preview panel in the window against Azurite: F3 previews the selection (text, JSON tree,
table, image, hex; the limit and "Load more"), F4 edits a text blob and saves it conditionally,
a concurrent change opens the conflict dialog (each choice), read-only refuses editing."""

from __future__ import annotations

import json
from typing import Any

from azure.storage.blob import ContentSettings
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.blob.services.test_blob_preview import png
from tests.blob.ui.test_blob_actions import (  # noqa: F401 - fixtures
    Harness,
    container_row,
    harness,
    read_only_harness,
)
from vaultbrowser.blob.services.previews.formats import PreviewKind
from vaultbrowser.blob.ui.preview.edit_conflict_dialog import EditChoice, EditConflictDialog


async def open_preview(h: Harness, container: str, name: str) -> Any:
    preview = h.actions.preview
    row = await h.child(await container_row(h, container), name)
    h.select(row)
    preview.preview_action.trigger()  # F3
    assert preview.dock.isVisible()
    await preview.task
    return preview


def choose(choice: EditChoice) -> Any:
    def answer(dialog: EditConflictDialog) -> None:
        dialog.choose(choice)
    return answer


def test_f3_previews_each_kind_and_load_more(qloop: Any, harness: Harness) -> None:  # noqa: F811
    h = harness

    async def body() -> None:
        h.connect()
        big = b"".join(b"line %05d of the big text\n" % i for i in range(2600))  # 67 KB
        name, _ = h.make_container({
            "doc.json": json.dumps({"a": {"b": [1, 2]}}).encode(),
            "rows.csv": b"id,name\n1,alpha\n",
            "pic.png": png(5, 4),
            "blob.bin": bytes(range(256)),
            "big.txt": big,
            "one-line.txt": b"x" * 10_000,
        })
        preview = h.actions.preview
        assert preview.preview_action.shortcut().toString() == "F3"
        assert "F3" in preview.preview_action.toolTip()
        # The key itself, pressed in the tree, opens the panel on the selected blob.
        row = await h.child(await container_row(h, name), "doc.json")
        h.select(row)
        h.window.activateWindow()
        h.pane.view.setFocus()
        QTest.keyClick(h.pane.view, Qt.Key.Key_F3)
        await h.wait_for(lambda: preview.task is not None)
        await preview.task
        assert preview.dock.isVisible() and preview.panel.title.text() == "doc.json"
        preview.limit = 1024  # the settings' limit, small for the test

        shown = await open_preview(h, name, "doc.json")
        assert shown.panel.shown_kinds[0] is PreviewKind.JSON
        tree = shown.panel.json_view.model()
        assert tree.index(0, 0).data() == "a" and tree.rowCount(tree.index(0, 0)) == 1

        await open_preview(h, name, "rows.csv")
        table = preview.panel.table_view.model()
        assert table.headerData(1, h.pane.view.horizontalHeader().orientation()) == "name"
        assert table.index(0, 1).data() == "alpha"

        await open_preview(h, name, "pic.png")
        assert preview.panel.image_size.width() == 5

        await open_preview(h, name, "blob.bin")
        assert preview.panel.shown_kinds == (PreviewKind.HEX,)

        await open_preview(h, name, "big.txt")
        assert preview.panel.text_view.toPlainText() == big[:1024].decode()
        assert " of " in preview.panel.info.text() and "ASCII" in preview.panel.info.text()
        assert preview.panel.load_more_button.isVisibleTo(preview.panel)
        assert "larger than the preview limit" in (preview.not_editable_reason() or "")
        preview.panel.load_more_button.click()
        await preview.task
        assert preview.panel.text_view.toPlainText() == big[:2048].decode()
        preview.panel.load_all_button.click()
        await preview.task
        assert preview.panel.text_view.toPlainText() == big.decode()
        assert not preview.panel.load_more_button.isVisibleTo(preview.panel)

        # The preview never holds more than the "load all" bound, however often asked.
        preview.load_all_limit = 3000
        await open_preview(h, name, "big.txt")
        for _ in range(3):
            await preview.load_more()
        assert preview.shown.head.end == 3000
        assert not preview.panel.load_more_button.isVisibleTo(preview.panel)
        assert "download it to see the rest" in preview.panel.info.text()

        # A line Qt would stall on is shown broken, and not offered for editing.
        preview.limit = 20_000
        await open_preview(h, name, "one-line.txt")
        assert preview.panel.text_view.toPlainText() == "\n".join(["x" * 4096] * 2 + ["x" * 1808])
        assert "shown broken" in preview.panel.message.text()
        assert preview.not_editable_reason() == "it has lines too long to edit here"
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


def test_edit_and_save_then_each_conflict_choice(
        qloop: Any, harness: Harness) -> None:  # noqa: F811
    h = harness

    async def body() -> None:
        h.connect()
        name, container = h.make_container({})
        blob = container.get_blob_client("notes.txt")
        blob.upload_blob(b"first\n", content_settings=ContentSettings(
            content_type="text/plain; charset=utf-8"), metadata={"owner": "a"})
        container.upload_blob("other.txt", b"other")
        preview = await open_preview(h, name, "notes.txt")
        assert preview.edit_action.shortcut().toString() == "F4"

        # A save with the ETag read.
        preview.edit_action.trigger()
        await preview.task
        assert preview.editing and not preview.panel.text_view.isReadOnly()
        preview.panel.text_view.setPlainText("second\n")
        preview.panel.save_button.click()
        await preview.task
        assert blob.download_blob().readall() == b"second\n"
        props = blob.get_blob_properties()
        assert props.metadata == {"owner": "a"}
        assert props.content_settings.content_type == "text/plain; charset=utf-8"
        assert not preview.editing and h.details[-1].title  # shown in the detail pane

        async def edit_behind_their_back(mine: str, theirs: bytes) -> None:
            preview.edit_action.trigger()
            await preview.task
            preview.panel.text_view.setPlainText(mine)
            blob.upload_blob(theirs, overwrite=True,  # a concurrent change
                             metadata={"owner": "b"})

        # An open edit is never replaced: F3 on another blob asks to save or discard first.
        await edit_behind_their_back("unsaved\n", b"second\n")
        other = await h.child(await container_row(h, name), "other.txt")
        h.select(other)
        preview.preview_action.trigger()
        assert preview.editing and preview.panel.text_view.toPlainText() == "unsaved\n"
        assert "Save or discard" in h.window.statusBar().currentMessage()
        preview.panel.discard_button.click()
        await preview.task
        assert not preview.editing and preview.panel.text_view.toPlainText() == "second\n"
        await open_preview(h, name, "notes.txt")

        # Cancel: nothing written, still editing with my text.
        await edit_behind_their_back("mine 1\n", b"theirs 1\n")
        h.dialogs.expect(EditConflictDialog, choose(EditChoice.CANCEL))
        preview.panel.save_button.click()
        await preview.task
        dialog = h.dialogs.of(EditConflictDialog)[-1]
        assert dialog.theirs_view.toPlainText() == "theirs 1\n"
        assert "+mine 1" in dialog.diff_view.toPlainText()
        assert blob.download_blob().readall() == b"theirs 1\n"
        assert preview.editing and preview.panel.text_view.toPlainText() == "mine 1\n"

        # Take theirs: the server's version is shown, nothing written.
        h.dialogs.expect(EditConflictDialog, choose(EditChoice.TAKE_THEIRS))
        preview.panel.save_button.click()
        await preview.task
        assert blob.download_blob().readall() == b"theirs 1\n"
        assert not preview.editing and preview.panel.text_view.toPlainText() == "theirs 1\n"

        # Overwrite with mine: conditional on the version the dialog showed.
        await edit_behind_their_back("mine 2\n", b"theirs 2\n")
        h.dialogs.expect(EditConflictDialog, choose(EditChoice.OVERWRITE))
        preview.panel.save_button.click()
        await preview.task
        assert blob.download_blob().readall() == b"mine 2\n"
        # Their properties are kept: the version overwritten is the one on the server now.
        assert blob.get_blob_properties().metadata == {"owner": "b"}
        assert not preview.editing
        # Every save attempt is in the Activity panel's journal (and so in the audit trail),
        # named by the blob kind as it was sent.
        puts = [(r.response.status if r.response else None, r.operation)
                for r in h.window.session.journal.records() if r.method == "PUT"]
        assert puts == [(201, "set blob"), (412, "set blob"), (412, "set blob"),
                        (412, "set blob"), (201, "set blob")]
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


def test_editing_is_refused_read_only_and_for_binary(
        qloop: Any, read_only_harness: Harness) -> None:  # noqa: F811
    h = read_only_harness

    async def body() -> None:
        h.connect(read_only=True)
        name, _ = h.make_container({"a.txt": b"text", "b.bin": bytes(range(256))})
        preview = await open_preview(h, name, "a.txt")
        assert preview.panel.text_view.toPlainText() == "text"
        assert not preview.edit_action.isEnabled()
        assert "read-only" in preview.edit_action.toolTip()
        assert not preview.panel.edit_button.isEnabled()
        await open_preview(h, name, "b.bin")
        assert preview.not_editable_reason() == "it is not text"
        assert "not editable: it is not text" in preview.panel.info.text()
        # An archived blob: said in the panel (what to do included), no error dialog.
        h.client.get_blob_client(name, "b.bin").set_standard_blob_tier("Archive")
        await open_preview(h, name, "b.bin")
        assert preview.panel.message.text().startswith("Blob archived:")
        assert "rehydrated" in preview.panel.message.text()
        assert "tier" in preview.panel.info.text() and preview.shown is None
        assert not preview.panel.edit_button.isEnabled()
        assert h.errors == []

    qloop.run_until_complete(body())
