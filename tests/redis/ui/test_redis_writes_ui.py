"""Writes from the window against a real server: edit a string, a hash field and a list entry,
set and clear a TTL, rename, delete a key, delete by pattern (typed confirmation); on a
read-only connection the actions are disabled and the services refuse anyway."""

from __future__ import annotations

from typing import Any

import pytest

from tests.redis.conftest import RedisProcess
from tests.redis.ui.redis_window import RedisWindow
from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.redis.ui.key_dialogs import (
    DeletePatternDialog,
    EditValueDialog,
    RenameDialog,
    TtlDialog,
)
from vaultbrowser.redis.ui.value_viewer import RedisValueViewer


def edit_to(text: str) -> Any:
    def answer(dialog: EditValueDialog) -> None:
        dialog.editor.setPlainText(text)
        dialog.accept()
    return answer


def test_edit_values_ttl_rename_and_delete(qloop: Any, redis_window: RedisWindow,
                                           standalone: RedisProcess) -> None:
    admin = standalone.admin
    admin.set("s", "old", ex=900)
    admin.hset("h", mapping={"a": "1", "b": "2"})
    admin.rpush("l", "x", "y", "z")
    h = redis_window
    journal = h.window.session.journal

    async def run() -> None:
        root = await h.connect(standalone.port)
        # a string, whole: its TTL is kept
        await h.select(await h.row(root, "s"))
        assert h.viewer.edit_button.isEnabled()
        h.dialogs.expect(EditValueDialog, edit_to("new value"))
        h.viewer.edit_button.click()
        await h.actions.last_task
        assert admin.get("s") == b"new value" and admin.ttl("s") > 0
        assert h.viewer.text.toPlainText() == "new value"
        # a hash field (the selected row)
        await h.select(await h.row(root, "h"))
        row = [r[0] for r in h.viewer.pages.rows].index("b")
        h.viewer.table.selectRow(row)
        assert h.viewer.edit_button.isEnabled()
        h.dialogs.expect(EditValueDialog, edit_to("22"))
        h.viewer.edit_button.click()
        await h.actions.last_task
        assert admin.hget("h", "b") == b"22" and h.viewer.pages.rows[row] == ("b", "22")
        # a list entry
        await h.select(await h.row(root, "l"))
        h.viewer.table.selectRow(1)
        h.dialogs.expect(EditValueDialog, edit_to("Y"))
        h.viewer.edit_button.click()
        await h.actions.last_task
        assert admin.lrange("l", 0, -1) == [b"x", b"Y", b"z"]

        # TTL set, then cleared
        await h.select(await h.row(root, "h"))
        h.refresh_actions()

        def seconds(dialog: TtlDialog) -> None:
            dialog.seconds_spin.setValue(120)
            dialog.accept()
        h.dialogs.expect(TtlDialog, seconds)
        await h.trigger(h.actions.ttl_action)
        assert 100 < admin.ttl("h") <= 120
        assert h.model.index(await_row(h, root, "h"), 2, root).data() in ("2m", "1m 59s")
        await h.trigger(h.actions.persist_action)
        assert admin.ttl("h") == -1

        # rename, never overwriting
        def rename_to(name: str) -> Any:
            def answer(dialog: RenameDialog) -> None:
                dialog.name_edit.setText(name)
                dialog.accept()
            return answer
        h.dialogs.expect(RenameDialog, rename_to("h2"))
        await h.trigger(h.actions.rename_action)
        assert admin.exists("h2") and not admin.exists("h")
        assert "h2" in h.names(root)

        # delete one key (confirmed)
        await h.select(await h.row(root, "l"))
        h.refresh_actions()
        from PySide6.QtWidgets import QMessageBox
        h.dialogs.expect(QMessageBox, lambda box: box.accept())
        await h.trigger(h.actions.delete_action)
        assert not admin.exists("l") and "l" not in h.names(root)
        assert not h.viewer.isVisible()
    qloop.run_until_complete(run())
    assert not h.errors
    written = [r for r in journal.records() if r.method in ("SET", "HSET", "LSET")]
    assert len(written) == 3
    text = " ".join(r.url for r in journal.records())
    assert "new value" not in text and "22" not in text.replace(str(standalone.port), "")
    # the audit trail's lines for them: the command, "ok", never the value written
    from vaultbrowser.core.audit.trail import entry_from_exchange
    from vaultbrowser.redis.kind import KIND

    entries = [entry_from_exchange(r, [KIND]) for r in written]  # the kind names its commands
    assert [e["operation"] for e in entries] == ["redis SET", "redis HSET", "redis LSET"]
    assert all(e["status"] == "ok" and e["connection"] == "local redis" for e in entries)
    assert "new value" not in str(entries) and "‹value, 9 B›" in entries[0]["resource"]


def await_row(h: RedisWindow, root: Any, name: str) -> int:
    return h.names(root).index(name)


def test_delete_by_pattern_needs_the_pattern_typed(qloop: Any, redis_window: RedisWindow,
                                                   standalone: RedisProcess) -> None:
    admin = standalone.admin
    admin.mset({f"cache:{n}": n for n in range(1200)})
    admin.set("keep:me", 1)
    h = redis_window

    async def run() -> None:
        root = await h.connect(standalone.port)
        cache = await h.row(root, "cache")
        await h.select(cache)
        h.refresh_actions()
        seen: list[bool] = []

        def cancel_untyped(dialog: DeletePatternDialog) -> None:
            assert dialog.pattern_edit.text() == "cache:*"
            seen.append(dialog.delete_button.isEnabled())
            dialog.confirm_edit.setText("cache:")  # not the pattern
            seen.append(dialog.delete_button.isEnabled())
            dialog.accept()  # refused: not confirmed
            seen.append(dialog.result() == dialog.DialogCode.Accepted)
        h.dialogs.expect(DeletePatternDialog, cancel_untyped)
        await h.trigger(h.actions.delete_pattern_action)
        assert seen == [False, False, False]
        assert admin.dbsize() == 1201

        def typed(dialog: DeletePatternDialog) -> None:
            dialog.confirm_edit.setText("cache:*")
            assert dialog.delete_button.isEnabled()
            dialog.accept()
        h.dialogs.expect(DeletePatternDialog, typed)
        await h.trigger(h.actions.delete_pattern_action)
        assert admin.keys("*") == [b"keep:me"]
        await h.listed(root)
        assert h.names(root) == ["keep"]
    qloop.run_until_complete(run())
    assert not h.errors


def test_read_only_disables_the_writes_and_the_service_refuses(
        qloop: Any, redis_window: RedisWindow, standalone: RedisProcess) -> None:
    standalone.admin.set("s", "v")
    h = redis_window

    async def run() -> None:
        root = await h.connect(standalone.port, read_only=True)
        assert h.model.index(0, 0).data().startswith("[read-only]")
        await h.select(await h.row(root, "s"))
        viewer: RedisValueViewer = h.viewer
        assert not viewer.edit_button.isEnabled()
        assert "read-only" in viewer.edit_button.toolTip()
        actions = h.actions.actions_for(h.pane.selected_source_index())
        assert [a for a in actions if a is not None and a.isEnabled()] == []
        assert all("(read-only)" in a.text() for a in actions if a is not None)
        service = h.model.record_of(root).service.current
        for write in (service.writes.set_string(b"s", b"x"),
                      service.writes.set_ttl(b"s", 5), service.writes.clear_ttl(b"s"),
                      service.writes.rename(b"s", b"t"), service.writes.delete_keys([b"s"]),
                      service.writes.delete_matching(b"*"),
                      service.writes.set_hash_field(b"h", b"f", b"v"),
                      service.writes.set_list_item(b"l", 0, b"v")):
            with pytest.raises(ReadOnlyRefused):
                await write
    qloop.run_until_complete(run())
    assert standalone.admin.get("s") == b"v" and standalone.admin.ttl("s") == -1


def test_failures_reach_the_error_dialog_typed(qloop: Any, redis_window: RedisWindow,
                                               standalone: RedisProcess) -> None:
    from tests.redis.conftest import free_port
    from vaultbrowser.core.models.listing import RowStatus
    from vaultbrowser.core.models.node_tree import STATUS_ROLE
    from vaultbrowser.core.services.errors import NetworkError, NotFound

    standalone.admin.set("brief", "v")
    h = redis_window

    async def run() -> None:
        root = await h.connect(standalone.port)
        await h.select(await h.row(root, "brief"))
        h.refresh_actions()
        standalone.admin.delete("brief")  # gone since it was listed

        def seconds(dialog: TtlDialog) -> None:
            dialog.accept()
        h.dialogs.expect(TtlDialog, seconds)
        with pytest.raises(NotFound):
            await h.trigger(h.actions.ttl_action)
        await h.wait_for(lambda: h.errors)
        assert isinstance(h.errors[0].error, NotFound)  # the dialog's typed error
        # a server that is not there: the connection's row says so, with Retry
        nowhere = free_port()
        from vaultbrowser.core.services.connections import AuthMethod, Connection
        assert await h.window.open_connection(Connection(
            "redis", f"redis://127.0.0.1:{nowhere}", AuthMethod.LOCAL_EMULATOR, name="gone"))
        dead = h.model.index(h.model.rowCount() - 1, 0)
        h.model.fetchMore(dead)
        await h.model.wait_idle()
        status = h.model.index(h.model.rowCount(dead) - 1, 0, dead)
        assert status.data(STATUS_ROLE) is RowStatus.ERROR
        assert "Retry" in status.data()
        await h.wait_for(lambda: h.reporter.pending == 1)  # after the open dialog
        assert isinstance(h.model.node_of(dead).listing.error, NetworkError)
    qloop.run_until_complete(run())


def test_delete_by_pattern_on_a_cluster_deletes_on_every_primary(
        qloop: Any, redis_window: RedisWindow, cluster: Any) -> None:
    admin = cluster.admin()
    try:
        for number in range(300):
            admin.set(f"cache:{number}", number)
        admin.set("keep", 1)
        h = redis_window

        async def run() -> None:
            root = await h.connect(cluster.port)
            await h.select(await h.row(root, "cache"))
            h.refresh_actions()

            def typed(dialog: DeletePatternDialog) -> None:
                dialog.confirm_edit.setText(dialog.pattern_edit.text())
                dialog.accept()
            h.dialogs.expect(DeletePatternDialog, typed)
            await h.trigger(h.actions.delete_pattern_action)
            await h.listed(root)
            assert h.names(root) == ["keep"]
        qloop.run_until_complete(run())
        assert sum(node.admin.dbsize() for node in cluster.nodes) == 1
        assert all(node.admin.dbsize() <= 1 for node in cluster.nodes)
        assert not h.errors
    finally:
        admin.close()
