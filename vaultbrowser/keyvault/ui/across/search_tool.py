"""``CrossVaultSearchTool``: Tools ▸ Search all vaults… (Ctrl+Shift+K).

It opens the (non-modal) ``CrossVaultSearchDialog`` over every vault open or discovered, runs
each search as a window task (the vaults only discovered are opened for it and closed after),
streams matches and each vault's progress into the dialog, cancels on Cancel, Esc or close,
and opens a result on Enter: its vault is opened when it was only discovered, and the item is
selected in its tab (the way a pasted item id is, ``KindView.open_address``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

from vaultbrowser.core.services.kinds import Address
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.services.across.search import (
    CrossVaultSearch,
    SearchHit,
    SearchLimits,
    VaultProgress,
)
from vaultbrowser.keyvault.services.across.search_filters import QueryError, VaultQuery
from vaultbrowser.keyvault.services.connections import KEY_VAULT
from vaultbrowser.keyvault.ui.across.vaults import AllVaults, VaultChoice

if TYPE_CHECKING:
    # Imported when first opened: building the window does not pay for the dialog.
    from vaultbrowser.keyvault.ui.across.search_dialog import CrossVaultSearchDialog

SHORTCUT = "Ctrl+Shift+K"


class CrossVaultSearchTool(QObject):
    """The action, the dialog (made on first use, kept) and the search in flight."""

    def __init__(self, window: WindowContext, vaults: AllVaults,
                 limits: SearchLimits | None = None) -> None:
        super().__init__(window)  # type: ignore[call-overload]
        self.window = window
        self.vaults = vaults
        self.limits = limits or SearchLimits()
        self.dialog: CrossVaultSearchDialog | None = None
        self.task: asyncio.Task[Any] | None = None
        self._searched: dict[str, VaultChoice] = {}  # vault URL (lower case) → its choice
        self._started = 0.0
        self.action = QAction("Search all vaults…", self)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.action.setToolTip(f"Find secrets, certificates and keys in every vault open or "
                               f"discovered: by name, tag, content type, expiry, certificate "
                               f"subject, issuer or thumbprint ({SHORTCUT})")
        self.action.triggered.connect(self.open)

    def open(self) -> CrossVaultSearchDialog:
        """Show the dialog (over a fresh list of vaults unless a search is running)."""
        choices = self.vaults.choices()
        dialog = self.dialog
        if dialog is None:
            from vaultbrowser.keyvault.ui.across.search_dialog import CrossVaultSearchDialog

            dialog = self.dialog = CrossVaultSearchDialog(choices, self.window)  # type: ignore[arg-type]
            dialog.search_requested.connect(self.search)
            dialog.cancel_requested.connect(self.cancel)
            dialog.activated.connect(self.open_hit)
            if not choices:
                dialog.show_message("No vault is open or discovered yet: add a Key Vault "
                                    "connection, or sign in to Azure to find vaults.",
                                    problem=True)
        elif not dialog.running:
            dialog.set_choices(choices)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.name_edit.setFocus()
        dialog.name_edit.selectAll()
        return dialog

    # --- running -----------------------------------------------------------------------------

    def search(self) -> asyncio.Task[Any] | None:
        """Start a search with the dialog's fields (the one in flight is cancelled). None when
        nothing started: the dialog says what is wrong, and nothing was sent."""
        dialog = self.dialog
        if dialog is None:
            return None
        self.cancel()
        try:
            query = dialog.query()
        except QueryError as error:
            dialog.show_message(f"{error.message} {error.advice}".strip(), problem=True)
            return None
        choices = dialog.picker.ticked()
        if not choices:
            dialog.show_message("Tick at least one vault to search.", problem=True)
            return None
        dialog.hits.clear()
        dialog.progress.clear()
        dialog.show_message(f"Searching {len(choices)} vault{'s' if len(choices) != 1 else ''}…")
        self._searched = {choice.url.lower(): choice for choice in choices}
        self._started = time.monotonic()
        task = self.window.run_task(self._run(query, choices))
        self.task = task
        dialog.set_running(True)
        task.add_done_callback(self._finished)
        return task

    def cancel(self) -> None:
        task, self.task = self.task, None
        if task is not None and not task.done():
            task.cancel()
            if self.dialog is not None:
                self.dialog.set_running(False)
                self.dialog.show_message(
                    f"Cancelled — {self.dialog.hits.rowCount():,} matches so far.")

    async def _run(self, query: VaultQuery, choices: Sequence[VaultChoice]) -> None:
        async with self.vaults.opened(choices) as vaults:
            # The session's journal: a 429 the SDK retries shows in the vault's row at once.
            search = CrossVaultSearch(vaults, query, self.limits, self.window.session.journal)
            await search.run(self._found)

    def _found(self, progress: VaultProgress, hits: Sequence[SearchHit]) -> None:
        dialog = self.dialog
        if dialog is None:
            return
        dialog.hits.append(hits)
        dialog.progress.update(progress)
        dialog.show_summary(dialog.progress.summary())

    def _finished(self, task: asyncio.Task[Any]) -> None:
        if self.task is not task or self.dialog is None:
            return
        self.task = None
        dialog = self.dialog
        dialog.set_running(False)
        if task.cancelled():
            return
        if task.exception() is not None:
            dialog.show_message("The search failed (see the error); Search tries again.",
                                problem=True)
            return
        count = dialog.hits.rowCount()
        took = time.monotonic() - self._started
        found = f"{count:,} match{'es' if count != 1 else ''}" if count else "Nothing found"
        dialog.show_message(f"{found} in {took:.1f} s. Enter or double-click opens an item.")

    # --- opening a result ------------------------------------------------------------------

    def open_hit(self, hit: SearchHit) -> asyncio.Task[Any] | None:
        """Open ``hit``'s vault if needed and select the item in its tab."""
        choice = self._searched.get(hit.vault.url.rstrip("/").lower())
        if choice is None:
            return None
        address = Address(KEY_VAULT, choice.connection, (hit.kind.value, hit.record.name))
        return self.window.run_task(self.window.view(KEY_VAULT).open_address(address))
