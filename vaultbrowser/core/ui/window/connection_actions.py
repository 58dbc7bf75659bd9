"""The File menu's connection actions: add one (the dialog), edit the selected one (the
dialog starts from it; Save replaces it, saved again when it was saved), remove it."""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.services.connections import Connection


class ConnectionActions:
    """``window`` is the ``MainWindow``; ``store`` its ``ConnectionStore`` (None: nothing is
    saved)."""

    def __init__(self, window: Any, store: Any) -> None:
        self._window = window
        self._store = store

    def selected(self) -> Connection | None:
        """The connection above the current tab's selection (None without a selection)."""
        pane = self._window.current_pane()
        index = pane.selected_source_index()
        while index.isValid() and index.parent().isValid():
            index = index.parent()
        record = pane.model.record_of(index)
        connection = getattr(record, "connection", None)
        return connection if isinstance(connection, Connection) else None

    def remove_selected(self) -> None:
        connection = self.selected()
        if connection is not None:
            self._window.remove_connection(connection)

    def edit_selected(self) -> None:
        """Edit the selected connection: the dialog starts from it; Save replaces it (saved
        again when it was saved)."""
        from vaultbrowser.core.ui.connection_dialog import ConnectionDialog

        old = self.selected()
        if old is None:
            self._window.statusBar().showMessage(
                "Select a connection (or a row under it) to edit.", 5000)
            return
        dialog = ConnectionDialog(self._window, kinds=self._window.kinds, editing=old)
        if self._window.dialogs.run(dialog):
            self._window.run_task(self.replace(old, dialog.connection()))

    async def replace(self, old: Connection, new: Connection) -> bool:
        """Swap ``old`` for ``new`` (its row goes, the new one opens); a connection that does
        not open leaves ``old`` saved as it was."""
        saved = self._store is not None and any(
            c.key == old.key for c in self._store.load())
        self._window.remove_connection(old, forget=False)
        opened = await self._window.open_connection(new)
        if opened and saved and self._store is not None:
            if new.key != old.key:
                self._store.remove(old)
            self._store.add(new)
        return opened

    def add_dialog(self, kind: str | None = None) -> None:
        """The Add connection dialog (for ``kind`` first, e.g. the Azure sign-in)."""
        from vaultbrowser.core.ui.connection_dialog import ConnectionDialog

        dialog = ConnectionDialog(self._window, kinds=self._window.kinds, kind=kind)
        if dialog.exec():
            self._window.run_task(self._window.open_connection(dialog.connection(),
                                                               remember=True))

