"""Copy to…, Move to…, Rename… and Statistics… in the window, against Azurite: the dialog checks
the target as it is typed (nothing sent for a copy onto itself or into its own subfolder), the
run shows in the Transfers panel, the folders it changed are listed again; read-only mode
disables the writes and keeps Statistics."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.blob.ui.test_blob_actions import (  # fixtures and helpers, no tests
    Harness,
    container_row,
    harness,
    read_only_harness,
)
from vaultbrowser.blob.services.copies.targets import ConflictPolicy
from vaultbrowser.blob.ui.copies.copy_dialogs import CopyMoveDialog
from vaultbrowser.blob.ui.transfer_panel import TransferJob
from vaultbrowser.core.audit.trail import AuditTrail

__all__ = ["harness", "read_only_harness"]


def test_copy_move_and_rename_a_folder_and_a_blob_through_the_window(
        qloop: Any, harness: Harness, tmp_path: Path) -> None:
    h = harness
    h.window.trail = AuditTrail(tmp_path / "trail.jsonl")  # as app.py wires it
    h.window.session.journal.add_listener(h.window.trail.record_exchange)
    name, _container = h.make_container({"docs/a.txt": b"A", "docs/sub/b.txt": b"BB",
                                         "copy/a.txt": b"old", "top.txt": b"T"})
    refusals: list[tuple[str, bool]] = []

    def copy_keep_both(dialog: CopyMoveDialog) -> None:
        for typed in ("docs/", "docs/sub/", "copy"):  # itself, its subfolder, not a folder
            dialog.name_edit.setText(typed)
            refusals.append((dialog.message.text(), dialog.ok_button.isEnabled()))
        dialog.accept()  # Enter on a refused target does nothing
        assert dialog.result() != 1
        dialog.name_edit.setText("copy/")
        dialog.policy_buttons[ConflictPolicy.KEEP_BOTH].setChecked(True)
        assert dialog.ok_button.isEnabled()
        dialog.accept()

    def move_to_archive(dialog: CopyMoveDialog) -> None:
        dialog.name_edit.setText("archive/docs/")
        dialog.accept()

    def rename(dialog: CopyMoveDialog) -> None:
        assert dialog.name_edit.text() == "top.txt"
        dialog.name_edit.setText("a/b")
        assert not dialog.ok_button.isEnabled()
        dialog.name_edit.setText("renamed.txt")
        dialog.accept()

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        h.pane.view.expand(h.pane.proxy.mapFromSource(row))
        folder = await h.child(row, "docs/")
        h.select(folder)
        actions = h.pane.selection_actions()
        copies = h.window.view("blob").copies
        assert copies.copy_action in actions and copies.move_action in actions
        requests_before = len(h.window.session.journal)
        h.dialogs.expect(CopyMoveDialog, copy_keep_both)
        report = await h.trigger(copies.copy_action)
        assert refusals[0][0].endswith("would be copied onto itself.")
        assert "own subfolder" in refusals[1][0] and "must end with '/'" in refusals[2][0]
        assert not any(enabled for _text, enabled in refusals)
        assert report.destinations == {"docs/a.txt": "copy/a (1).txt",
                                       "docs/sub/b.txt": "copy/sub/b.txt"}
        assert len(h.window.session.journal) > requests_before
        job = h.transfers.panel.jobs[0]
        assert job.verb == "Copy" and job.state == TransferJob.DONE
        assert "2 copied" in job.summary

        h.select(await h.child(await container_row(h, name), "docs/"))
        h.dialogs.expect(CopyMoveDialog, move_to_archive)
        moved = await h.trigger(copies.move_action)
        assert set(moved.done) == {"docs/a.txt", "docs/sub/b.txt"}
        assert h.transfers.panel.jobs[0].state == TransferJob.DONE

        row = await container_row(h, name)
        await h.listed(row)
        assert "docs/" not in h.children(row) and "archive/" in h.children(row)
        h.select(await h.child(row, "top.txt"))
        h.dialogs.expect(CopyMoveDialog, rename)
        renamed = await h.trigger(copies.rename_action)
        assert renamed.destinations == {"top.txt": "renamed.txt"}
        assert h.blobs(name) == {"archive/docs/a.txt": b"A", "archive/docs/sub/b.txt": b"BB",
                                 "copy/a.txt": b"old", "copy/a (1).txt": b"A",
                                 "copy/sub/b.txt": b"BB", "renamed.txt": b"T"}
        assert h.window.detail_pane.title.text() == "Rename done"
        # The audit trail: every request, and one event per run.
        trail = h.window.trail.read_all()
        events = [e for e in trail if e["operation"].endswith("(server-side)")]
        assert [e["operation"] for e in events] == [
            "copy blobs (server-side)", "move blobs (server-side)", "rename blobs (server-side)"]
        assert events[0]["status"] == "2 done, 0 skipped, 0 failed"
        assert events[2]["resource"].endswith(f"{name}/top.txt → {h.service.account_url}/"
                                              f"{name}/renamed.txt")
        operations = [e["operation"] for e in trail]
        assert operations.count("delete blob") == 3  # the two moved and the renamed source
        assert all("sig=" not in json.dumps(e) for e in trail)
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


def test_statistics_of_a_container_and_read_only_mode(qloop: Any,
                                                      read_only_harness: Harness) -> None:
    h = read_only_harness
    name, _container = h.make_container({"f/a.txt": b"aaaa", "f/b.json": b"{}", "c.bin": b"c"})

    async def body() -> None:
        h.connect(read_only=True)
        row = await container_row(h, name)
        copies = h.window.view("blob").copies
        h.select(row)
        assert copies.statistics_action in h.pane.selection_actions()
        stats = await h.trigger(copies.statistics_action)
        assert stats.complete and stats.blobs == 3 and stats.total_bytes == 7
        dialog = copies.statistics_dialog
        assert dialog is not None and "3 blobs" in dialog.summary.text()
        assert not dialog.cancel_button.isEnabled()
        tops = [dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())]
        assert tops == ["By access tier", "By content type", "Largest blobs"]
        dialog.close()

        h.pane.view.expand(h.pane.proxy.mapFromSource(row))
        folder = await h.child(row, "f/")
        h.select(folder)
        h.pane.selection_actions()
        for action in (copies.copy_action, copies.move_action, copies.rename_action):
            assert not action.isEnabled() and "read-only" in action.toolTip()
        assert copies.statistics_action.isEnabled()
        h.check_clean()

    qloop.run_until_complete(body())


def test_cancel_statistics(qloop: Any, harness: Harness) -> None:
    h = harness
    name, _container = h.make_container({f"n/{i}.txt": b"x" for i in range(3)})

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        copies = h.window.view("blob").copies
        h.select(row)
        copies.statistics_action.trigger()
        task = h.actions.tools.last_task
        await h.wait_for(lambda: copies.statistics_dialog is not None)
        dialog = copies.statistics_dialog
        dialog.cancel_button.click()  # while the listing's first page is on its way
        assert await task is None
        assert dialog.summary.text().startswith("Cancelled")
        dialog.close()
        await asyncio.sleep(0.05)

    qloop.run_until_complete(body())


def test_cancel_a_move_in_the_transfers_panel_then_move_again_to_resume(
        qloop: Any, harness: Harness) -> None:
    h = harness
    blobs = {f"big/{i:02d}.txt": b"%d" % i for i in range(30)}
    name, _container = h.make_container(blobs)

    def move(dialog: CopyMoveDialog) -> None:
        dialog.name_edit.setText("moved/")
        dialog.accept()

    def cancel_after_a_few(job: TransferJob) -> None:
        update = job.update

        def counting(progress: Any) -> None:
            update(progress)
            if progress.files_done >= 3 and job.state == TransferJob.RUNNING:
                job.cancel_button.click()  # as the user would
        job.update = counting  # type: ignore[method-assign]

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        h.pane.view.expand(h.pane.proxy.mapFromSource(row))
        copies = h.window.view("blob").copies
        h.transfers.panel.job_added.connect(cancel_after_a_few)
        h.select(await h.child(row, "big/"))
        h.dialogs.expect(CopyMoveDialog, move)
        report = await h.trigger(copies.move_action)
        h.transfers.panel.job_added.disconnect(cancel_after_a_few)
        assert report.cancelled and 3 <= len(report.done) < 30
        assert h.transfers.panel.jobs[0].state == TransferJob.CANCELLED
        assert h.window.detail_pane.title.text() == "Move incomplete"
        assert report.report_path is not None and report.report_path.exists()
        left = h.blobs(name)
        assert all(n.replace("big/", "moved/") in left for n in blobs if n not in left)

        h.select(await h.child(await container_row(h, name), "big/"))
        h.dialogs.expect(CopyMoveDialog, move)
        again = await h.trigger(copies.move_action)
        assert not again.cancelled and not again.failed
        # Every blob moved once: by the first run, or by the second (which also counts one
        # whose delete landed as the first was cancelled).
        assert set(report.done) | set(again.done) == set(blobs)
        final = json.loads(again.report_path.read_text())
        assert final["state"] == "done"
        assert {i["state"] for i in final["items"]} == {"moved"} and len(final["items"]) == 30
        assert h.blobs(name) == {n.replace("big/", "moved/"): d for n, d in blobs.items()}
        h.check_clean()

    qloop.run_until_complete(body())
