"""“Restore as current version…” on a secret's version row (the Secrets tree): a new version with
the old version's value, content type and tags, after a confirmation that shows both versions'
dates and what happens to the expiry (``services/secret_restore.py``).

It adds itself to the secrets pane's menus next to ``SecretActions`` (whose selection and
result display it uses); refused with the reason on a read-only connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtGui import QAction

from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.ui.common_dialogs import confirm_box
from vaultbrowser.keyvault.services.records import SecretRecord
from vaultbrowser.keyvault.services.secret_restore import prepare_restore, restore_version
from vaultbrowser.keyvault.ui.vault_actions import (
    MANAGED_TIP,
    READ_ONLY_TIP,
    Target,
    VaultItemActions,
)

if TYPE_CHECKING:
    from vaultbrowser.core.ui.window.context import WindowContext

RESTORE_TIP = ("Add a new version with this version's value, content type and tags (asks "
               "first, showing both versions' dates)")


class SecretVersionRestore(QObject):
    """The restore action of the Secrets tree (``secrets`` is its ``SecretActions``)."""

    def __init__(self, window: WindowContext, secrets: VaultItemActions) -> None:
        super().__init__(secrets)
        self.window = window
        self.secrets = secrets
        self.action = QAction("Restore as current version…", self)
        self.action.setToolTip(RESTORE_TIP)
        self.action.triggered.connect(lambda _checked=False: self.restore_selected())
        secrets.pane.action_providers.append(self.actions_for)

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        """Offered on a version row of an active secret (an item row is the latest already)."""
        if self.secrets.model.show_deleted:
            return []
        target = self.secrets.target(index)
        record = target.item
        if not isinstance(record, SecretRecord) or record.version is None:
            return []
        if record.managed:
            self.action.setEnabled(False)
            self.action.setToolTip(MANAGED_TIP.format(noun="secret"))
        elif not self.window.can_write(target.root):
            self.action.setEnabled(False)
            self.action.setToolTip(READ_ONLY_TIP)
        else:
            self.action.setEnabled(True)
            self.action.setToolTip(RESTORE_TIP)
        return [self.action]

    def restore_selected(self) -> None:
        target = self.secrets.target()
        record = target.item
        if target.root is None or not isinstance(record, SecretRecord) or not record.version:
            return
        if not self.window.can_write(target.root):  # said before anything is sent
            self.window.reporter.report(ReadOnlyRefused(
                f"{target.vault_name} is read-only: restoring a version adds one, so nothing "
                "was sent."))
            return
        self.secrets.run(self.restore(target, record))

    async def restore(self, target: Target, record: SecretRecord) -> None:
        assert target.root is not None and record.version is not None
        secrets = target.root.service.secrets
        plan = await prepare_restore(secrets, record.name, record.version)
        box = confirm_box(self.window, "Restore secret version", plan.text, "Restore")
        try:
            if not await self.secrets.confirmed(box):
                return
        finally:
            box.deleteLater()
        result = await restore_version(secrets, plan)
        model = self.secrets.model
        index = model.insert_item(target.vault_index, result.value)
        if index.isValid() and model.node_of(index).listed:
            model.refresh(index)  # its versions: one more
        self.secrets.show_new_row(index)
        self.secrets.show_result(result.value, result.response)
