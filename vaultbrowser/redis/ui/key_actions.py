"""``RedisKeyActions``: the Redis writes of the window — edit a string, a hash field or a list
entry (from the value viewer), set or clear a key's TTL, rename it, delete it, delete every key
matching a pattern (typed confirmation).

Every write goes through the connection's ``RedisWrites`` (so the activity panel and the audit
trail see it, and a read-only connection refuses it before sending) as a window task: a typed
error reaches the error dialog. Dialogs are awaited through ``window.dialogs`` (tests script
them). On a read-only connection the actions stay visible, disabled, and say why.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction

from vaultbrowser.core.ui.common_dialogs import confirm_box
from vaultbrowser.core.ui.pane_actions import PaneActions, read_only_reason
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.redis.models import details as redis_details
from vaultbrowser.redis.models.key_rows import KeyRow, NamespaceRow, RedisRoot
from vaultbrowser.redis.models.key_tree import RedisTreeModel
from vaultbrowser.redis.services.wire.names import display_text
from vaultbrowser.redis.ui.key_dialogs import (
    DeletePatternDialog,
    EditValueDialog,
    RenameDialog,
    TtlDialog,
)
from vaultbrowser.redis.ui.value_viewer import RedisValueViewer


class RedisKeyActions(QObject):
    """The key writes of one Redis pane."""

    def __init__(self, window: WindowContext, pane: TreePane,
                 viewer: RedisValueViewer) -> None:
        super().__init__(pane)
        self.window = window
        self.pane = pane
        model = pane.model
        assert isinstance(model, RedisTreeModel)
        self.model = model
        self.viewer = viewer
        self.tools = PaneActions(window, pane, RedisRoot, read_only_reason("command"))
        pane.action_providers.append(self.actions_for)
        viewer.edit_requested.connect(self.edit_value)

        self.ttl_action = self.tools.action("Set TTL…", self.set_ttl,
                                            "Expire the key after a number of seconds")
        self.persist_action = self.tools.action("Clear TTL", self.clear_ttl,
                                                "Keep the key for good (PERSIST)")
        self.rename_action = self.tools.action("Rename…", self.rename,
                                               "Rename the key (never overwriting another)")
        self.delete_action = self.tools.action("Delete key…", self.delete_key, "Delete the key")
        self.delete_pattern_action = self.tools.action(
            "Delete keys matching…", self.delete_matching,
            "Delete every key matching a pattern (asks you to type the pattern)")

    @property
    def last_task(self) -> asyncio.Task[Any] | None:
        """The newest action's task (tests await it)."""
        return self.tools.last_task

    # --- which actions apply ------------------------------------------------------------------

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        record = self.model.record_of(index) if index.isValid() else None
        writable = self.tools.can_write(index)
        key = isinstance(record, KeyRow)
        for action in (self.ttl_action, self.persist_action, self.rename_action,
                       self.delete_action):
            self.tools.enable(action, key, writable)
        self.tools.enable(self.delete_pattern_action,
                          isinstance(record, RedisRoot | NamespaceRow), writable)
        if key:
            return [self.ttl_action, self.persist_action, self.rename_action, None,
                    self.delete_action]
        if isinstance(record, RedisRoot | NamespaceRow):
            return [self.delete_pattern_action]
        return []

    async def _show_key(self, index: QPersistentModelIndex, record: KeyRow,
                        root: RedisRoot) -> None:
        """After a write: the key's details again (and its row's cells)."""
        details = await redis_details.load_details(record, root)
        if index.isValid():
            self.model.update_record(QModelIndex(index), details.record)
        self.window.show_details(details)

    # --- the writes ---------------------------------------------------------------------------

    def edit_value(self) -> None:
        """Edit the viewer's string, or its selected hash field or list entry."""
        pages, row = self.viewer.pages, self.viewer.row
        index, record, root = self.tools.selection()
        if pages is None or row is None or root is None or record != row:
            return
        self.tools.run(self._edit_value(index, row, root))

    async def _edit_value(self, index: QPersistentModelIndex, row: KeyRow,
                          root: RedisRoot) -> None:
        pages = self.viewer.pages
        assert pages is not None
        writes = (await root.service.opened()).writes
        table_row = self.viewer.selected_row()
        entry = None
        if pages.is_string:
            dialog = EditValueDialog(self.pane, f"the value of {row.display}", pages.data)
        else:
            entry = self.viewer.selected_entry()
            if entry is None:
                return
            what = (f"field {display_text(entry, 80)} of {row.display}" if pages.type == "hash"
                    else f"entry {entry} of {row.display}")
            dialog = EditValueDialog(self.pane, what, pages.values[table_row])
        if not await self.tools.ask(dialog):
            return
        value = dialog.value()
        if pages.is_string:
            await writes.set_string(row.name, value)
        elif pages.type == "hash":
            await writes.set_hash_field(row.name, entry, value)
        else:
            await writes.set_list_item(row.name, int(entry), value)
        shown = pages.edited(table_row, value)
        if shown is not None:
            self.viewer.table_model.replace_row(table_row, shown)
        else:
            self.viewer.info.setText(pages.summary())
            self.viewer.show_string()
        details = await redis_details.load_details(row, root)
        if index.isValid():
            self.model.update_record(QModelIndex(index), details.record)

    def set_ttl(self) -> None:
        index, record, root = self.tools.selection()
        if isinstance(record, KeyRow) and root is not None:
            self.tools.run(self._set_ttl(index, record, root))

    async def _set_ttl(self, index: QPersistentModelIndex, record: KeyRow,
                       root: RedisRoot) -> None:
        ttl_ms = record.summary.ttl_ms if record.summary else None
        dialog = TtlDialog(self.pane, record.display, None if ttl_ms is None else ttl_ms // 1000)
        if await self.tools.ask(dialog):
            await (await root.service.opened()).writes.set_ttl(record.name, dialog.seconds())
            await self._show_key(index, record, root)

    def clear_ttl(self) -> None:
        index, record, root = self.tools.selection()
        if isinstance(record, KeyRow) and root is not None:
            self.tools.run(self._clear_ttl(index, record, root))

    async def _clear_ttl(self, index: QPersistentModelIndex, record: KeyRow,
                         root: RedisRoot) -> None:
        await (await root.service.opened()).writes.clear_ttl(record.name)
        await self._show_key(index, record, root)

    def rename(self) -> None:
        index, record, root = self.tools.selection()
        if isinstance(record, KeyRow) and root is not None:
            self.tools.run(self._rename(index, record, root))

    async def _rename(self, index: QPersistentModelIndex, record: KeyRow,
                      root: RedisRoot) -> None:
        dialog = RenameDialog(self.pane, record.display)
        if not await self.tools.ask(dialog):
            return
        new_name = dialog.new_name()
        await (await root.service.opened()).writes.rename(record.name, new_name)
        prefix = record.name[:record.shown_from]
        renamed = KeyRow(new_name, record.shown_from if new_name.startswith(prefix) else 0)
        await self._show_key(index, renamed, root)

    def delete_key(self) -> None:
        index, record, root = self.tools.selection()
        if isinstance(record, KeyRow) and root is not None:
            self.tools.run(self._delete_key(index, record, root))

    async def _delete_key(self, index: QPersistentModelIndex, record: KeyRow,
                          root: RedisRoot) -> None:
        box = confirm_box(self.pane, "Delete key", f"Delete {record.display} from "
                          f"{root.name}? This cannot be undone.", "Delete")
        if not await self.tools.ask(box):
            return
        deleted = await (await root.service.opened()).writes.delete_keys([record.name])
        if index.isValid():
            self.pane.view.selectionModel().clear()
            self.model.remove_record(QModelIndex(index))
        self.viewer.clear()
        self.window.show_response("Key deleted" if deleted else "Key was gone",
                                  f"{record.display} " + ("was deleted." if deleted else
                                                          "no longer existed."), None)

    def delete_matching(self) -> None:
        index, record, root = self.tools.selection()
        if isinstance(record, RedisRoot | NamespaceRow) and root is not None:
            self.tools.run(self._delete_matching(index, record, root))

    async def _delete_matching(self, index: QPersistentModelIndex, record: Any,
                               root: RedisRoot) -> None:
        pattern = (record.display_name + "*") if isinstance(record, NamespaceRow) else ""
        dialog = DeletePatternDialog(self.pane, root.name, pattern)
        if not await self.tools.ask(dialog):
            return
        status = self.window.statusBar()
        deleted = await (await root.service.opened()).writes.delete_matching(
            dialog.pattern(), progress=lambda count: status.showMessage(
                f"Deleting keys… {count:,} deleted"))
        status.showMessage(f"{deleted:,} keys deleted", 5000)
        self.viewer.clear()
        self.window.show_response("Keys deleted", f"{deleted:,} keys matching "
                                  f"{display_text(dialog.pattern())} were deleted.", None)
        root_index = self._root_index(root)
        if root_index.isValid():
            self.pane.view.selectionModel().clear()
            self.model.refresh(root_index)

    def _root_index(self, root: RedisRoot) -> QModelIndex:
        return self.model.find_child(QModelIndex(), lambda record: record is root)
