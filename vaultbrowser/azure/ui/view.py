"""The Azure kind's Qt half: one "Azure" tab (sign-in → tenants → subscriptions → resources)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from vaultbrowser.azure.models import details as azure_details
from vaultbrowser.azure.models.azure_tree import AzureRoot, AzureTreeModel
from vaultbrowser.azure.services.arm_ids import ArmResourceId
from vaultbrowser.azure.services.connections import AZURE, PUBLIC_ARM
from vaultbrowser.azure.services.records import AzureResource
from vaultbrowser.azure.ui.azure_actions import AzureActions, HiddenSubscriptions
from vaultbrowser.core.models.details import Details, Row
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import Address, ServiceKind
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.ui.kind_icon import kind_icon
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext


class AzureView:
    def __init__(self, window: WindowContext) -> None:
        self.window = window
        # What discovery finds is named by the kinds that open it ("Key Vault").
        self.type_labels = {kind.resource_type: kind.label for kind in window.kinds
                            if kind.resource_type}
        self.hidden = HiddenSubscriptions(window.preferences)
        icons = {kind.resource_type: kind_icon(kind) for kind in window.kinds
                 if kind.resource_type}
        self.pane = TreePane(AzureTreeModel(self.type_labels, self.hidden.ids,
                                            type_icons=icons), "Azure")
        # Four levels deep, and the notes say what will stand in the way: room for both (in a
        # narrow pane, location and resource group step aside first).
        self.pane.set_column_widths((300, 120, 100, 130, 280))
        self.panes = (("Azure", self.pane),)
        self.actions = AzureActions(window, self.pane, self.hidden)

    def make_root(self, connection: Connection, service: Any) -> AzureRoot:
        return AzureRoot(connection, service)

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        return azure_details.describe(record, response, type_labels=self.type_labels)

    async def load_details(self, record: Any, root: Any) -> Details:
        return self.describe(record, None)  # discovery already said everything it knows

    def contents_rows(self, records: Sequence[Any]) -> tuple[Row, ...]:
        return azure_details.contents_rows(records, self.type_labels)

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        """Nothing to update: the details came from the row itself."""

    def address_of(self, record: Any, root: Any) -> tuple[str, str] | None:
        """A discovered resource's id (opened through the sign-in again)."""
        if isinstance(record, AzureResource):
            label = self.type_labels.get(record.type, record.type)
            return record.id, f"{record.name} ({label})"
        return None

    def found_connections(self, kind: ServiceKind) -> list[Connection]:
        """Connections to the ``kind`` resources discovery has listed so far (loaded rows of
        every open sign-in), each signed in as the sign-in that found it: what "every vault
        open or discovered" adds to the open ones. Nothing is fetched here."""
        if not kind.resource_type or kind.connection_for_resource is None:
            return []
        found: list[Connection] = []
        for top in self.pane.model.root_nodes():
            if not isinstance(top.record, AzureRoot):
                continue
            stack = list(top.children)
            while stack:
                node = stack.pop()
                stack.extend(node.children)
                resource = node.record
                if not (isinstance(resource, AzureResource) and resource.type == kind.resource_type
                        and resource.endpoint):
                    continue
                sign_in = replace(top.record.connection, name="",
                                  tenant_id=resource.tenant_id or top.record.connection.tenant_id)
                try:
                    connection = kind.connection_for_resource(resource.endpoint, sign_in, None)
                except InvalidInput:
                    continue
                found.append(replace(connection, name=resource.name))
        return found

    async def open_address(self, address: Address) -> None:
        """An Azure resource id: look it up through an Azure sign-in (the first open one, else
        the default credential on Azure public), then open it as its own kind."""
        resource_id = ArmResourceId.parse(address.path[0])
        signed_in = next((c for c in self.window.connections if c.kind == AZURE), None)
        sign_in = await self.window.open_or_reuse(
            signed_in or Connection(AZURE, PUBLIC_ARM, AuthMethod.DEFAULT))
        if sign_in is None:
            return
        root = self.window.root_of_connection(sign_in)
        if not isinstance(root, AzureRoot):
            return
        found = await root.service.resource(resource_id, sign_in.tenant_id)
        resource = found.value
        kind = next((k for k in self.window.kinds if k.resource_type == resource.type
                     and k.connection_for_resource is not None), None)
        if kind is None or kind.connection_for_resource is None or not resource.endpoint:
            raise InvalidInput(f"vaultbrowser cannot open {resource.type} resources.")
        connection = kind.connection_for_resource(
            resource.endpoint, replace(sign_in, tenant_id=resource.tenant_id or
                                       sign_in.tenant_id), None)
        await self.window.view(kind.name).open_address(Address(kind.name, connection, ()))
