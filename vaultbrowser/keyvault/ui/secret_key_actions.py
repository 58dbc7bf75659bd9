"""The secret and key controllers: what ``VaultItemActions`` does, plus new secrets and versions
(``SecretActions``) and new keys, enable and disable (``KeyActions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.keyvault.models.item_types import KEYS, SECRETS
from vaultbrowser.keyvault.services.inputs import PropertyChanges
from vaultbrowser.keyvault.services.records import KeyRecord, SecretRecord
from vaultbrowser.keyvault.ui.key_export_rotate import KeyExportAndRotate
from vaultbrowser.keyvault.ui.secret_restore_action import SecretVersionRestore
from vaultbrowser.keyvault.ui.vault_actions import MANAGED_TIP, Target, VaultItemActions
from vaultbrowser.keyvault.ui.vault_dialogs import KeyDialog, SecretDialog

if TYPE_CHECKING:
    from vaultbrowser.core.ui.tree.tree_pane import TreePane
    from vaultbrowser.core.ui.window.context import WindowContext


class SecretActions(VaultItemActions):
    item_type = SECRETS

    def __init__(self, window: WindowContext, pane: TreePane) -> None:
        super().__init__(window, pane)
        self.new_action = self._action("New secret…", self.new_secret,
                                       "Create a secret in the selected vault")
        self.new_action.setIcon(icon(Icon.NEW))
        self.version_action = self._action("New version…", self.new_version,
                                           "Add a version (a new value) to the selected secret")
        self.restore = SecretVersionRestore(window, self)  # on version rows

    def active_actions(self, target: Target) -> list[QAction | None]:
        item = target.item
        self._enable(self.new_action, target.root is not None, target,
                     why_not="Select a vault first")
        self._enable(self.version_action, item is not None and not item.managed, target,
                     why_not="" if item is None else MANAGED_TIP.format(noun=self.noun))
        return [self.new_action, self.version_action, *super().active_actions(target)]

    def new_secret(self) -> None:
        target = self.target()
        if target.root is None:
            return
        self._ask_secret(target, None)

    def new_version(self) -> None:
        target = self.target()
        if target.root is None or not isinstance(target.item, SecretRecord):
            return
        self._ask_secret(target, target.item)

    def _ask_secret(self, target: Target, existing: SecretRecord | None) -> None:
        dialog = SecretDialog(self.window, target.vault_name, existing)
        try:
            if not self.window.dialogs.run(dialog):
                return
            inputs = dialog.inputs()
            value = dialog.take_value()
        finally:
            dialog.value_edit.clear()
            dialog.deleteLater()
        self.run(self.write_secret(target, inputs, value, new=existing is None))

    async def write_secret(self, target: Target, inputs: Any, value: Any, *, new: bool) -> None:
        assert target.root is not None
        service = target.root.service
        write = service.secrets.create if new else service.secrets.add_version
        result = await write(inputs.name, value, **inputs.options())
        del value
        index = self.model.insert_item(target.vault_index, result.value)
        if not new and index.isValid() and self.model.node_of(index).listed:
            self.model.refresh(index)  # its versions: one more
        self.show_new_row(index)
        self.show_result(result.value, result.response)


class KeyActions(VaultItemActions):
    item_type = KEYS

    def __init__(self, window: WindowContext, pane: TreePane) -> None:
        super().__init__(window, pane)
        self.edit_action.setText("Edit expiry and tags…")
        self.new_action = self._action("New key…", self.new_key,
                                       "Create an RSA or EC key in the selected vault")
        self.new_action.setIcon(icon(Icon.NEW))
        self.enable_action = self._action("Enable", lambda: self.set_enabled(True),
                                          "Allow cryptographic operations with this version")
        self.disable_action = self._action("Disable", lambda: self.set_enabled(False),
                                           "Refuse cryptographic operations with this version")
        self.export_rotate = KeyExportAndRotate(self)

    def active_actions(self, target: Target) -> list[QAction | None]:
        item = target.item
        self._enable(self.new_action, target.root is not None, target,
                     why_not="Select a vault first")
        self._enable(self.enable_action, item is not None and item.enabled is False, target,
                     why_not="Select a disabled key" if item is not None else "")
        self._enable(self.disable_action, item is not None and item.enabled is not False,
                     target, why_not="Select an enabled key" if item is not None else "")
        return [self.new_action, None, self.enable_action, self.disable_action,
                *self.export_rotate.actions(target), None, *super().active_actions(target)]

    def new_key(self) -> None:
        target = self.target()
        if target.root is None:
            return
        dialog = KeyDialog(self.window, target.vault_name)
        try:
            if not self.window.dialogs.run(dialog):
                return
            inputs = dialog.inputs()
        finally:
            dialog.deleteLater()
        self.run(self.create_key(target, inputs))

    async def create_key(self, target: Target, inputs: Any) -> None:
        assert target.root is not None
        result = await target.root.service.keys.create(
            inputs.name, key_type=inputs.key_type, size=inputs.size, curve=inputs.curve,
            enabled=inputs.enabled, not_before=inputs.not_before, expires_on=inputs.expires_on,
            tags=inputs.tags)
        self.show_new_row(self.model.insert_item(target.vault_index, result.value))
        self.show_result(result.value, result.response)

    def set_enabled(self, enabled: bool) -> None:
        target = self.target()
        record = target.item
        if not isinstance(record, KeyRecord) or target.root is None:
            return
        self.run(self.update_properties(target, record, PropertyChanges(enabled=enabled)))
