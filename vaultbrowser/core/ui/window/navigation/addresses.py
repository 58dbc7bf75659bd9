"""Getting around by address: open what a pasted Azure address names (each kind reads its own),
the address of the selection (for a pin), and where the user was at the last close."""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.kinds import parse_address


class Navigation:
    """``window`` is the ``MainWindow`` (this module does not import it)."""

    def __init__(self, window: Any) -> None:
        self._window = window

    def selected_address(self) -> tuple[str, str] | None:
        """The address (and a label) of the current tab's selection, for a pin."""
        pane = self._window.current_pane()
        index = pane.selected_source_index()
        if not index.isValid() or pane.model.is_status_index(index):
            return None
        view = self._window.view_of_pane(pane)
        return view.address_of(pane.model.record_of(index), self._window.root_of(pane.model, index))

    async def restore_last(self) -> None:
        """Open where the user was when the window last closed (nothing when unknown)."""
        last = self._window.quick_access.last()
        if last is not None:
            await self.open_address(last)

    async def open_address(self, text: str) -> None:
        """Open what a pasted Azure address names and select its item (errors reported)."""
        try:
            address = parse_address(self._window.kinds, text)
            await self._window.view(address.kind).open_address(address)
        except VaultBrowserError as error:
            self._window.reporter.report(error)

