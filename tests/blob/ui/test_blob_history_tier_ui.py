"""Versions and snapshots, and access tiers, in the window against Azurite (scripted dialogs)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox

from tests.blob.ui.test_blob_actions import (  # noqa: F401  (fixtures)
    Harness,
    container_row,
    harness,
    read_only_harness,
)
from vaultbrowser.blob.ui.history.history_dialogs import (
    DELETE,
    DOWNLOAD,
    NO_VERSIONS_NOTE,
    PREVIEW,
    PROMOTE,
    BlobHistoryDialog,
    EntryPreviewDialog,
    TierDialog,
)
from vaultbrowser.core.audit.trail import AuditTrail


def texts(dialog: Any) -> str:
    from PySide6.QtWidgets import QLabel
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def test_snapshots_promote_download_delete_and_tiers(
        qloop: Any, harness: Harness, tmp_path: Path) -> None:  # noqa: F811  (the fixture)
    h = harness
    name, container = h.make_container({"h/doc.txt": b"v1", "h/other.txt": b"o"})
    snapshot = container.get_blob_client("h/doc.txt").create_snapshot()["snapshot"]
    container.upload_blob("h/doc.txt", b"v2, live", overwrite=True)
    seen: list[str] = []
    saved = tmp_path / "doc-old.txt"

    def pick(operation: str) -> Any:
        def answer(dialog: BlobHistoryDialog) -> None:
            seen.append(texts(dialog))
            kinds = [dialog.tree.topLevelItem(i).text(0)
                     for i in range(dialog.tree.topLevelItemCount())]
            assert kinds == ["Current", "Snapshot"]
            dialog.select_entry(dialog.history.snapshots[0])
            assert dialog.buttons[operation].isEnabled()
            dialog.choose(operation)
        return answer

    def confirm_naming_it(box: QMessageBox) -> None:
        assert snapshot in box.text()
        box.accept()

    def preview_shows_old_text(dialog: EntryPreviewDialog) -> None:
        assert dialog.panel.text_view.toPlainText() == "v1"
        dialog.reject()

    def close_after_delete(dialog: BlobHistoryDialog) -> None:
        assert dialog.history.snapshots == ()
        dialog.reject()

    def archive(dialog: TierDialog) -> None:
        assert not dialog.priority_box.isEnabled()  # nothing to rehydrate
        dialog.set_choice("Archive")
        assert "180 days" in dialog.consequence.text()
        dialog.accept()

    def rehydrate(dialog: TierDialog) -> None:
        dialog.set_choice("Cool", "High")
        assert dialog.priority_box.isEnabled()
        assert "15 hours" in dialog.consequence.text()
        dialog.accept()

    def folder_cold(dialog: TierDialog) -> None:
        assert "2 blobs" in texts(dialog)
        dialog.set_choice("Cold")
        dialog.accept()

    async def body() -> None:
        h.connect()
        folder = await h.child(await container_row(h, name), "h/")
        h.select(await h.child(folder, "h/doc.txt"))
        h.actions.history_tiers.choose_save_file = lambda _title, _suggested: saved
        for kind, step in ((BlobHistoryDialog, pick(PREVIEW)),
                           (EntryPreviewDialog, preview_shows_old_text),
                           (BlobHistoryDialog, pick(DOWNLOAD)),
                           (BlobHistoryDialog, pick(PROMOTE)), (QMessageBox, confirm_naming_it),
                           (BlobHistoryDialog, pick(DELETE)), (QMessageBox, confirm_naming_it),
                           (BlobHistoryDialog, close_after_delete)):
            h.dialogs.expect(kind, step)
        await h.trigger(h.actions.history_tiers.history_action)
        assert NO_VERSIONS_NOTE in seen[0]  # Azurite lists no version ids
        assert saved.read_bytes() == b"v1"

        h.select(await h.child(folder, "h/doc.txt"))
        h.dialogs.expect(TierDialog, archive)
        await h.trigger(h.actions.history_tiers.tier_action)
        row = await h.child(folder, "h/doc.txt")
        assert row.siblingAtColumn(4).data() == "Archive"
        h.select(row)
        h.dialogs.expect(TierDialog, rehydrate)
        await h.trigger(h.actions.history_tiers.tier_action)

        h.window.trail = trail = AuditTrail(tmp_path / "trail.jsonl")
        h.select(folder)
        h.dialogs.expect(TierDialog, folder_cold)
        await h.trigger(h.actions.history_tiers.tier_action)
        # A batch is one request: the trail says which blobs it changed.
        events = [e for e in trail.session_entries() if "blob batch" in e["operation"]]
        assert sorted(e["resource"].rsplit("/", 1)[-1] for e in events) == [
            "doc.txt", "other.txt"]
        assert {e["status"] for e in events} == {"ok"}

    qloop.run_until_complete(body())
    h.check_clean()
    assert h.errors == []
    assert h.blobs(name)["h/doc.txt"] == b"v1"  # promoted
    tiers = {b.name: b.blob_tier for b in container.list_blobs(include=["snapshots"])}
    assert tiers == {"h/doc.txt": "Cold", "h/other.txt": "Cold"}  # the snapshot is gone
    assert any("comp=batch" in r.url for r in h.window.session.journal.records())


def test_read_only_connection_disables_tier_and_history_writes(
        qloop: Any, read_only_harness: Harness) -> None:  # noqa: F811  (the fixture)
    h = read_only_harness
    name, container = h.make_container({"ro.txt": b"x"})
    container.get_blob_client("ro.txt").create_snapshot()

    def look(dialog: BlobHistoryDialog) -> None:
        dialog.select_entry(dialog.history.snapshots[0])
        for operation in (PROMOTE, DELETE):
            assert not dialog.buttons[operation].isEnabled()
            assert "(read-only)" in dialog.buttons[operation].text()
        assert dialog.buttons[DOWNLOAD].isEnabled()
        dialog.reject()

    async def body() -> None:
        h.connect(read_only=True)
        h.select(await h.child(await container_row(h, name), "ro.txt"))
        tier = h.actions.history_tiers.tier_action
        assert not tier.isEnabled() and "(read-only)" in tier.text()
        h.dialogs.expect(BlobHistoryDialog, look)
        await h.trigger(h.actions.history_tiers.history_action)

    qloop.run_until_complete(body())
    h.check_clean()
    assert container.get_blob_client("ro.txt").get_blob_properties().blob_tier == "Hot"


def test_history_dialog_with_versions_keeps_archived_entries_offline(qtbot: Any) -> None:
    """Versions as the service lists them (Azurite has none): an archived one can be deleted
    but not read, downloaded or promoted."""
    from vaultbrowser.blob.services.records import BlobRecord
    from vaultbrowser.blob.services.writes.versions import BlobHistory

    current = BlobRecord("c", "a.txt", version_id="v3", is_current_version=True,
                         access_tier="Hot")
    archived = BlobRecord("c", "a.txt", version_id="v1", access_tier="Archive")
    hot = BlobRecord("c", "a.txt", version_id="v2", access_tier="Hot")
    dialog = BlobHistoryDialog(None, BlobHistory("c", "a.txt", current, (), (archived, hot)),
                               writable=True)
    qtbot.addWidget(dialog)
    assert NO_VERSIONS_NOTE not in texts(dialog)
    assert [dialog.tree.topLevelItem(i).text(0) for i in range(3)] == [
        "Current", "Version", "Version"]
    dialog.select_entry(archived)
    enabled = {op: b.isEnabled() for op, b in dialog.buttons.items()}
    assert enabled == {"properties": True, "preview": False, "download": False,
                       "promote": False, "delete": True, "snapshot": True}
    assert "BlobArchived" in dialog.buttons[PROMOTE].toolTip()
    dialog.select_entry(hot)
    assert all(b.isEnabled() for b in dialog.buttons.values())
    dialog.select_entry(current)
    assert not dialog.buttons[DELETE].isEnabled() and not dialog.buttons[PROMOTE].isEnabled()
    dialog.choose(PROMOTE)  # not applicable: nothing chosen
    assert dialog.operation is None
