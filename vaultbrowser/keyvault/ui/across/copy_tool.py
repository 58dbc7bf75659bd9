"""“Copy to another vault…” in the Tools menu and in each Key Vault tree's menus: it opens the
copy dialog (``copy_dialog.CopyDialog``) for the selection of the tree shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtGui import QAction

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot
from vaultbrowser.keyvault.services.across.copy_plan import CopyItem
from vaultbrowser.keyvault.services.records import VaultItemRecord
from vaultbrowser.keyvault.ui.across.vaults import AllVaults, VaultChoice

if TYPE_CHECKING:
    # Imported when first opened: building the window does not pay for the dialog.
    from vaultbrowser.keyvault.ui.across.copy_dialog import CopyDialog


class _Tools(Protocol):
    """What the tool needs of ``KeyVaultTools``: the vault set and the Key Vault view."""

    vaults: AllVaults
    view: Any


def selected_items(pane: TreePane) -> tuple[VaultRoot | None, list[CopyItem]]:
    """The vault and items a pane's selection names: an item or version row is that item, a
    vault row every item loaded under it but a certificate's own secret or key. Nothing in the
    Deleted view."""
    model = pane.model
    assert isinstance(model, KeyVaultTreeModel)
    index = pane.selected_source_index()
    if index.isValid() and model.is_status_index(index):
        index = QModelIndex()
    vault = model.vault_index(index)
    if not vault.isValid() and len(model.root_nodes()) == 1:
        vault = model.index(0, 0)
    root = model.record_of(vault) if vault.isValid() else None
    if not isinstance(root, VaultRoot) or model.show_deleted:
        return None, []
    noun = model.item_type.noun
    record = model.record_of(index) if index.isValid() else None
    if isinstance(record, VaultItemRecord):
        return root, [CopyItem(noun, record.name)]  # type: ignore[arg-type]
    items = []
    for row in range(model.rowCount(vault)):
        child = model.index(row, 0, vault)
        found = model.record_of(child) if not model.is_status_index(child) else None
        # A certificate's own secret and key go with the certificate (its own tab).
        if isinstance(found, VaultItemRecord) and not found.is_deleted and not found.managed:
            items.append(CopyItem(noun, found.name))  # type: ignore[arg-type]
    return root, items


class CopyToVaultTool(QObject):
    """The Tools menu's “Copy to another vault…” and the same action in each Key Vault tree's
    menus (on item, version and vault rows)."""

    def __init__(self, window: WindowContext, tools: _Tools) -> None:
        super().__init__(tools.view.secrets_pane)
        self.window = window
        self.tools = tools
        self.dialog: CopyDialog | None = None
        self.action = QAction("Copy to another vault…", self)
        self.action.setToolTip("Copy the selected secret, certificate or key (or a vault's "
                               "loaded items) to another vault: preview first")
        self.action.triggered.connect(lambda _checked=False: self.open_for(self.current_pane()))
        self._pane_actions: dict[TreePane, QAction] = {}
        for pane in self.panes():
            action = QAction("Copy to another vault…", self)
            action.setToolTip("Copy this item (on a vault row: its loaded items) to another "
                              "vault, after a preview; this vault is only read")
            action.triggered.connect(lambda _checked=False, p=pane: self.open_for(p))
            self._pane_actions[pane] = action
            pane.action_providers.append(lambda index, p=pane: self._offer(p, index))

    def panes(self) -> tuple[TreePane, ...]:
        view = self.tools.view
        return (view.secrets_pane, view.certificates_pane, view.keys_pane)

    def current_pane(self) -> TreePane:
        return next((pane for pane in self.panes() if pane.isVisible()), self.panes()[0])

    def _offer(self, pane: TreePane, index: QModelIndex) -> list[QAction | None]:
        model = pane.model
        assert isinstance(model, KeyVaultTreeModel)
        action = self._pane_actions[pane]
        if model.show_deleted or not index.isValid():
            return []
        action.setEnabled(True)
        return [action]

    def open_for(self, pane: TreePane) -> CopyDialog | None:
        """Open the dialog for ``pane``'s selection (a message says what to select if none)."""
        root, items = selected_items(pane)
        if root is None or not items:
            self.window.reporter.report(InvalidInput(
                "Select a secret, certificate or key (or a vault whose items are loaded) in a "
                "Key Vault tab first.", advice="Then choose Tools ▸ Copy to another vault…"))
            return None
        source = VaultChoice(root.connection.display_name, root.connection, root)
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        from vaultbrowser.keyvault.ui.across.copy_dialog import CopyDialog

        self.dialog = CopyDialog(self.window, self.tools.vaults, source, items,
                                 parent=pane.window())
        self.dialog.show()
        return self.dialog
