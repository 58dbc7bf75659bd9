"""The Azure tree's actions: open a discovered vault or storage account (Enter, double-click,
Open), open a storage account with its account key (an Azure Managed Redis database with its
access key), sign in to a tenant that asks for it, and hide or show subscriptions
(remembered)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox

from vaultbrowser.azure.models.azure_tree import AzureRoot, AzureTreeModel
from vaultbrowser.azure.services.records import (
    COSMOS_TYPE,
    REDIS_TYPE,
    STORAGE_TYPE,
    AzureResource,
    SubscriptionRecord,
)
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import ServiceKind
from vaultbrowser.core.services.records import SecretValue

if TYPE_CHECKING:
    from vaultbrowser.core.ui.tree.tree_pane import TreePane
    from vaultbrowser.core.ui.window.context import WindowContext

HIDDEN_KEY = "azure/hidden_subscriptions"
READ_ONLY_KEY_TIP = ("Disabled: this sign-in is read-only (audit mode). Listing an account's "
                     "keys hands out credentials, so read-only mode never asks for them.")


class HiddenSubscriptions:
    """The subscriptions the user hid: in the saved settings when there are any, else for
    this run only."""

    def __init__(self, settings: QSettings | None) -> None:
        self._settings = settings
        self._ids: set[str] = set()
        if settings is not None:
            stored = settings.value(HIDDEN_KEY) or []
            if isinstance(stored, str):  # one value comes back as a string from INI files
                stored = [stored]
            self._ids = {str(item).lower() for item in stored if item}

    def ids(self) -> set[str]:
        return set(self._ids)

    def set_hidden(self, subscription_id: str, hidden: bool) -> None:
        (self._ids.add if hidden else self._ids.discard)(subscription_id.lower())
        if self._settings is not None:
            self._settings.setValue(HIDDEN_KEY, sorted(self._ids))
            self._settings.sync()


class AzureActions(QObject):
    """The Azure pane's controller."""

    def __init__(self, window: WindowContext, pane: TreePane,
                 hidden: HiddenSubscriptions) -> None:
        super().__init__(pane)
        self.window = window
        self.pane = pane
        model = pane.model
        assert isinstance(model, AzureTreeModel)
        self.model: AzureTreeModel = model
        self.hidden = hidden
        self._kinds = {kind.resource_type: kind for kind in window.kinds
                       if kind.resource_type and kind.connection_for_resource}
        self.open_action = self._action("&Open", self.open_selected,
                                        "Browse it in its own tab (Enter)")
        self.open_with_key_action = self._action(
            "Open with account &key", self.open_selected_with_key,
            "Ask Resource Manager for the account's key and open the account with it (for an "
            "account whose data you cannot read with your Entra ID sign-in)")
        self.sign_in_action = self._action("&Sign in to this tenant", self.sign_in_selected,
                                           "Sign in to this tenant (multi-factor if it asks)")
        self.hide_action = self._action("&Hide subscription", self.toggle_hidden_selected,
                                        "Leave this subscription out of the tree (remembered)")
        self.audit_action = self._action(
            "&Audit this subscription…", self.audit_selected,
            "Write an audit report of every vault and storage account of this subscription "
            "(read-only: nothing is changed, no account key is asked for)")
        for action, which in ((self.open_action, Icon.OPEN_URL),
                              (self.sign_in_action, Icon.SIGN_IN),
                              (self.audit_action, Icon.AUDIT)):
            action.setIcon(icon(which))
        self.show_hidden = QCheckBox("Show hidden")
        self.show_hidden.setToolTip("Show the subscriptions you hid, marked (hidden)")
        self.show_hidden.toggled.connect(self.model.set_show_hidden)
        pane.add_top_widget(self.show_hidden)
        self.group_check = QCheckBox("By resource group")
        self.group_check.setToolTip("Show each subscription's resources under their resource "
                                    "groups")
        self.group_check.toggled.connect(self.model.set_grouped)
        pane.add_top_widget(self.group_check)
        pane.action_providers.append(self.actions_for)
        pane.record_activated.connect(self._on_activated)

    def _action(self, text: str, slot: Any, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    # --- the selection --------------------------------------------------------------------------

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        record = self.model.record_of(index) if index.isValid() else None
        if isinstance(record, AzureResource):
            self.open_action.setEnabled(record.type in self._kinds and bool(record.endpoint))
            actions: list[QAction | None] = [self.open_action]
            if record.type in (STORAGE_TYPE, REDIS_TYPE, COSMOS_TYPE):
                self._enable_key_action(record, self._root(index))
                actions.append(self.open_with_key_action)
            return actions
        if self.model.needs_sign_in(index) is not None:
            return [self.sign_in_action]
        if isinstance(record, SubscriptionRecord):
            self.hide_action.setText("Show subscription again" if record.hidden
                                     else "&Hide subscription")
            return [self.audit_action, None, self.hide_action]
        return []

    def _enable_key_action(self, resource: AzureResource, root: AzureRoot | None) -> None:
        read_only = root is None or not self.window.can_write(root)
        redis = resource.type == REDIS_TYPE
        refused = (dict(resource.properties).get("accessKeysAuthentication") == "Disabled"
                   if redis else resource.facts.shared_key_access is False
                   or resource.facts.local_auth is False)
        self.open_with_key_action.setText("Open with access &key" if redis
                                          else "Open with account &key")
        self.open_with_key_action.setEnabled(not read_only and not refused)
        if read_only:
            tip = READ_ONLY_KEY_TIP
        elif refused:
            tip = ("Disabled: this database does not accept access keys (Entra ID only)."
                   if redis else "Disabled: this account does not accept its keys (Entra ID "
                   "only)." if resource.facts.local_auth is False else
                   "Disabled: this account does not allow shared-key access.")
        elif redis:
            tip = ("Ask Resource Manager for the database's access key and open it with it "
                   "(for a database whose data access policy does not name you)")
        else:
            tip = str(self.open_with_key_action.statusTip())
        self.open_with_key_action.setToolTip(tip)

    def _selected(self) -> tuple[QModelIndex, Any]:
        index = self.pane.selected_source_index()
        return index, self.model.record_of(index) if index.isValid() else None

    def _root(self, index: QModelIndex) -> AzureRoot | None:
        root = self.window.root_of(self.model, index)
        return root if isinstance(root, AzureRoot) else None

    # --- opening --------------------------------------------------------------------------------

    def _on_activated(self, record: Any, index: QModelIndex) -> None:
        if isinstance(record, AzureResource):
            self.open(index, record)

    def open_selected(self) -> None:
        index, record = self._selected()
        if isinstance(record, AzureResource):
            self.open(index, record)

    def open(self, index: QModelIndex, resource: AzureResource,
             account_key: SecretValue | None = None) -> None:
        """Open ``resource`` in its kind's tab, signed in as the Azure row above it is."""
        kind, sign_in = self._kind_and_sign_in(index, resource)
        assert kind.connection_for_resource is not None
        connection = replace(kind.connection_for_resource(resource.endpoint, sign_in, account_key),
                             notes=tuple(f"Resource Manager says it is {warning}" if
                                         warning.startswith("behind") else
                                         f"Resource Manager says: {warning}"
                                         for warning in resource.facts.warnings()),
                             resource_properties=resource.properties)
        self.window.run_task(self._open(connection, remember=account_key is None))

    def _kind_and_sign_in(self, index: QModelIndex, resource: AzureResource
                          ) -> tuple[ServiceKind, Connection]:
        kind = self._kinds.get(resource.type)
        root = self._root(index)
        if kind is None or root is None:
            raise InvalidInput(f"vaultbrowser cannot open {resource.type} resources.")
        if not resource.endpoint:
            raise InvalidInput(f"Resource Manager gave no endpoint for {resource.name}.")
        return kind, replace(root.connection, name="",
                             tenant_id=resource.tenant_id or root.connection.tenant_id)

    async def _open(self, connection: Connection, *, remember: bool) -> None:
        if await self.window.open_connection(connection, remember=remember):
            self.window.show_connection(connection)

    def open_selected_with_key(self) -> None:
        index, record = self._selected()
        root = self._root(index)
        if isinstance(record, AzureResource) and root is not None:
            self.window.run_task(self._open_with_key(index, root, record))

    async def _open_with_key(self, index: QModelIndex, root: AzureRoot,
                             resource: AzureResource) -> None:
        key = await root.service.account_key(resource)
        what = "access key" if resource.type == REDIS_TYPE else "account key"
        self.window.show_response(
            f"{resource.name}: {what}",
            f"Opened {resource.name} with its {what}, listed through Resource Manager "
            "(the key stays in memory; it is not saved).", key.response)
        self.open(index, resource, key.value)

    # --- tenants and subscriptions ----------------------------------------------------------------

    def sign_in_selected(self) -> None:
        index, _record = self._selected()
        if self.model.needs_sign_in(index) is not None:
            self.model.retry(index)

    def audit_selected(self) -> None:
        """An audit report of the selected subscription: its Azure sign-in, read-only,
        limited to it (``Connection.scope``)."""
        index, record = self._selected()
        root = self._root(index)
        if not isinstance(record, SubscriptionRecord) or root is None:
            return
        connection = replace(root.connection, scope=record.subscription_id, read_only=True,
                             name=f"{root.connection.display_name} · {record.name}")
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in record.name)
        self.window.audit.export_report_dialog([connection], f"audit-{safe}")

    def toggle_hidden_selected(self) -> None:
        _index, record = self._selected()
        if isinstance(record, SubscriptionRecord):
            self.hidden.set_hidden(record.subscription_id, not record.hidden)
            self.model.relist_tenants()
