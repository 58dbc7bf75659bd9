"""The Key Vault write actions, one controller per tree: ``VaultItemActions`` (what every item
type shares; ``SecretActions`` and ``KeyActions`` in ``secret_key_actions``, certificates in
``certificate_actions``).

Built by the Key Vault view (``view.KeyVaultActions``); each adds its actions to its pane's
menus (see ``TreePane.action_providers``) and a "Deleted" box to its top bar (the vault rows
then list soft-deleted items, with Recover and Purge). Every write runs through the service layer as
a window task, shows its result and response in the detail pane, and refreshes only the
affected node. A failed write raises its typed error, which the window's reporter shows.

Write actions stay visible but disabled on a read-only connection, with a tooltip saying why
(the pipeline refuses writes there anyway). Actions act on the pane's selection when they are
triggered: the menus are built from that same selection.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QDialog, QMessageBox

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.ui.common_dialogs import TypedNameDialog
from vaultbrowser.keyvault.models.details import describe
from vaultbrowser.keyvault.models.item_types import VaultItems, VaultItemType
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot, item_row
from vaultbrowser.keyvault.services.inputs import PropertyChanges, purge_refusal
from vaultbrowser.keyvault.services.records import VaultItemRecord
from vaultbrowser.keyvault.ui.vault_dialogs import PropertiesDialog

if TYPE_CHECKING:
    from vaultbrowser.core.services.records import ResponseInfo
    from vaultbrowser.core.ui.tree.tree_pane import TreePane
    from vaultbrowser.core.ui.window.context import WindowContext

READ_ONLY_TIP = ("Disabled: this connection is read-only (audit mode), so vaultbrowser sends "
                 "no writes to it. Open it without read-only mode to make changes.")

MANAGED_TIP = ("This {noun} belongs to a certificate (same name): the vault changes it only "
               "through the certificate's actions")


@dataclass(frozen=True)
class Target:
    """What an action acts on: the selected row (maybe none) and the vault above it."""

    index: QPersistentModelIndex
    vault_index: QPersistentModelIndex
    root: VaultRoot | None
    record: Any

    @property
    def item(self) -> VaultItemRecord | None:
        """The selected item or version (None on a vault row or with nothing selected)."""
        return self.record if isinstance(self.record, VaultItemRecord) else None

    @property
    def vault_name(self) -> str:
        return self.root.name if self.root is not None else ""


class VaultItemActions(QObject):
    """The actions of one Key Vault pane (one item type): the shared delete / recover / purge
    / properties flows; subclasses add what is their own (create, versions, downloads…)."""

    item_type: VaultItemType

    @property
    def noun(self) -> str:
        return self.item_type.noun

    def __init__(self, window: WindowContext, pane: TreePane) -> None:
        super().__init__(window)
        self.window = window
        self.pane = pane
        model = pane.model
        assert isinstance(model, KeyVaultTreeModel)
        self.model: KeyVaultTreeModel = model
        self._tips: dict[QAction, str] = {}
        self.deleted_check = QCheckBox("Deleted")
        self.deleted_check.setToolTip(
            f"List each vault's soft-deleted {self.item_type.name} (deleted on, scheduled purge) "
            "instead of the active ones; Recover and Purge them from there")
        self.deleted_check.toggled.connect(self.show_deleted)
        pane.add_top_widget(self.deleted_check)
        pane.action_providers.append(self.actions_for)
        self.edit_action = self._action("Edit properties…", self.edit_properties,
                                        "Change the selected version's properties (an item row "
                                        "is its latest version)")
        self.delete_action = self._action(f"Delete {self.noun}…", self.delete_selected,
                                          f"Soft-delete the selected {self.noun} and all its "
                                          "versions (recoverable under Deleted)")
        self.recover_action = self._action(f"Recover {self.noun}", self.recover_selected,
                                           f"Bring the deleted {self.noun} back, with all its "
                                           "versions")
        self.purge_action = self._action(f"Purge {self.noun}…", self.purge_selected,
                                         f"Delete the {self.noun} for good (asks for its "
                                         "name)")
        # The main actions carry an icon: the toolbar shows those for the selection.
        for action, which in ((self.edit_action, Icon.EDIT), (self.delete_action, Icon.DELETE),
                              (self.recover_action, Icon.RECOVER),
                              (self.purge_action, Icon.PURGE)):
            action.setIcon(icon(which))

    # --- the Deleted view ---------------------------------------------------------------------

    def show_deleted(self, deleted: bool) -> None:
        """List soft-deleted items (True) or the active ones; the columns change with it."""
        self.model.set_show_deleted(deleted)  # the pane refits its columns to the new rows

    # --- actions and their state ------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], None], tip: str) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(lambda _checked=False: slot())
        self._tips[action] = tip
        action.setToolTip(tip)
        return action

    def _enable(self, action: QAction, applies: bool, target: Target, *, write: bool = True,
                why_not: str = "") -> QAction:
        """Enable ``action`` when it applies to ``target`` and, for a write, the connection
        takes writes; the tooltip says why it is disabled."""
        tip = self._tips[action]
        if not applies:
            action.setEnabled(False)
            action.setToolTip(why_not or f"Select a {self.noun} first")
        elif write and not self.window.can_write(target.root):
            action.setEnabled(False)
            action.setToolTip(READ_ONLY_TIP)
        else:
            action.setEnabled(True)
            action.setToolTip(tip)
        return action

    def target(self, index: QModelIndex | None = None) -> Target:
        """The target of ``index`` (default: the pane's selection; a status row counts as
        nothing selected). With nothing selected and one vault, that vault."""
        if index is None:
            index = self.pane.selected_source_index()
        model = self.model
        if index.isValid() and model.is_status_index(index):
            index = QModelIndex()
        vault = model.vault_index(index)
        if not vault.isValid() and len(model.root_nodes()) == 1:
            vault = model.index(0, 0)
        root = model.record_of(vault) if vault.isValid() else None
        record = model.record_of(index) if index.isValid() else None
        return Target(QPersistentModelIndex(index), QPersistentModelIndex(vault),
                      root if isinstance(root, VaultRoot) else None, record)

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        target = self.target(index)
        item = target.item
        if self.model.show_deleted:
            deleted = item is not None and item.is_deleted
            refusal = purge_refusal(item) if deleted and item is not None else None
            why_not = f"Select a deleted {self.noun} first"
            if deleted and item is not None and item.managed:
                deleted, why_not = False, MANAGED_TIP.format(noun=self.noun)
            self._enable(self.recover_action, deleted, target, why_not=why_not)
            self._enable(self.purge_action, deleted, target, why_not=why_not)
            if refusal and self.purge_action.isEnabled():
                self.purge_action.setToolTip(refusal)
            return [self.recover_action, self.purge_action]
        return self.active_actions(target)

    def active_actions(self, target: Target) -> list[QAction | None]:
        """The actions offered in the active (not deleted) view (subclasses)."""
        item = target.item
        why_not = "" if item is None else MANAGED_TIP.format(noun=self.noun)
        own = item is not None and not item.managed
        self._enable(self.edit_action, own, target, why_not=why_not)
        self._enable(self.delete_action, own, target, why_not=why_not)
        return [self.edit_action, None, self.delete_action]

    # --- shared flows ---------------------------------------------------------------------

    def items(self, target: Target) -> VaultItems:
        """The part of the target vault's service that holds this pane's items."""
        assert target.root is not None
        return self.item_type.items_of(target.root.service)

    def show_result(self, record: Any, response: ResponseInfo | None) -> None:
        """Show what a write returned (its record and HTTP response) in the detail pane."""
        self.window.show_details(describe(record, response))

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return self.window.run_task(coroutine)

    def edit_properties(self) -> None:
        target = self.target()
        record = target.item
        if record is None or target.root is None:
            return
        dialog = PropertiesDialog(self.window, record, self.noun.capitalize())
        try:
            if not self.window.dialogs.run(dialog):
                return
            changes = dialog.changes()
        finally:
            dialog.deleteLater()
        if changes.is_empty:
            self.window.show_response(record.name, "Nothing was changed: no request was sent.",
                                      None)
            return
        self.run(self.update_properties(target, record, changes))

    async def update_properties(self, target: Target, record: VaultItemRecord,
                                changes: PropertyChanges) -> None:
        update = self.items(target).update_properties
        result = await update(record.name, record.version, changes)
        self.show_updated(target, record, result.value)
        self.show_result(result.value, result.response)

    def show_updated(self, target: Target, before: VaultItemRecord,
                     after: VaultItemRecord) -> None:
        """Update the rows a property change touched: the item row (when its latest version
        changed) and the changed version's row, when they are loaded."""
        model = self.model
        item = model.find_item(target.vault_index, before.name)
        if before.version is None and item.isValid():
            model.update_record(item, item_row(after))
        if item.isValid() and after.version:
            version = model.find_child(item, lambda r: getattr(r, "version", None)
                                       == after.version)
            if version.isValid():
                model.update_record(version, after)

    def delete_selected(self) -> None:
        target = self.target()
        record = target.item
        if record is None or target.root is None:
            return
        level = record.recovery_level or ""
        if level and "Recoverable" not in level:
            after = ("This vault has no soft delete: the delete is final and cannot be "
                     "undone.")
        else:
            days = f" for {record.recoverable_days} days" if record.recoverable_days else ""
            after = (f"It stays recoverable{days} under “Deleted” (Recover), until it is "
                     "purged.")
        text = (f"Delete the {self.noun} “{record.name}” from {target.vault_name}, with all "
                f"its versions?\n\n{after}")
        if not self.window.dialogs.confirm(self.window, f"Delete {self.noun}", text, "Delete"):
            return
        self.run(self.delete(target, record.name))

    async def delete(self, target: Target, name: str) -> None:
        result = await self.items(target).delete(name)
        row = self.model.find_item(target.vault_index, name)
        if row.isValid():
            self.remove_row(self.model, row)
        self.show_result(result.value, result.response)
        self.after_item_change(target, name, removed=True)

    def recover_selected(self) -> None:
        target = self.target()
        record = target.item
        if record is None or target.root is None or not record.is_deleted:
            return
        self.run(self.recover(target, record.name))

    async def recover(self, target: Target, name: str) -> None:
        result = await self.items(target).recover(name)
        row = self.model.find_item(target.vault_index, name)
        if row.isValid() and self.model.show_deleted:
            self.remove_row(self.model, row)
        self.show_result(result.value, result.response)
        self.after_item_change(target, name, removed=False)

    def purge_selected(self) -> None:
        target = self.target()
        record = target.item
        if record is None or target.root is None or not record.is_deleted:
            return
        refusal = purge_refusal(record)
        if refusal:  # said before asking anything: this vault cannot purge
            self.window.reporter.report(InvalidInput(
                refusal, advice=f"Recover the {self.noun}, or let the vault purge it when its "
                "retention ends."))
            return
        dialog = TypedNameDialog(
            self.window, f"Purge {self.noun}",
            f"Purge the deleted {self.noun} “{record.name}” from {target.vault_name}?\n\n"
            "Purging deletes it and all its versions for good: it cannot be recovered.",
            record.name, "Purge")
        try:
            if not self.window.dialogs.run(dialog):
                return
            typed = dialog.typed()
        finally:
            dialog.deleteLater()
        self.run(self.purge(target, record.name, typed))

    async def purge(self, target: Target, name: str, typed: str) -> None:
        result = await self.items(target).purge(name, typed_name=typed)
        row = self.model.find_item(target.vault_index, name)
        if row.isValid():
            self.remove_row(self.model, row)
        self.window.show_response(f"{name} purged",
                                  f"The {self.noun} “{name}” was purged for good.",
                                  result.response)
        self.after_item_change(target, name, removed=True)

    async def confirmed(self, box: QMessageBox) -> bool:
        """Ask a ``confirm_box`` question from inside a task; whether the user agreed.

        Read from the box's result: a message box finishes twice (its button's own code,
        then Accepted from the action button) and the runner returns the first code.
        """
        await self.window.dialogs.wait(box)
        return box.result() == QDialog.DialogCode.Accepted

    def remove_row(self, model: KeyVaultTreeModel, index: QModelIndex) -> None:
        """Take a row out after a write removed it. A selected row is deselected first: the
        view would otherwise select a neighbour, whose details would replace the write's
        result in the detail pane."""
        pane = self.window.pane_of(model)
        selected = pane.selected_source_index()
        while selected.isValid() and selected != index:
            selected = selected.parent()
        if selected.isValid():
            pane.view.selectionModel().clear()
        model.remove_record(index)

    def after_item_change(self, target: Target, name: str, *, removed: bool) -> None:
        """Hook for rows of other trees a change touches (a certificate's key and secret)."""

    def show_new_row(self, index: QModelIndex) -> None:
        """Scroll a row a write added into view (without selecting it: the detail pane keeps
        the write's own result)."""
        if index.isValid():
            self.pane.view.scrollTo(self.pane.proxy.mapFromSource(index))
