"""The Azure tree: a sign-in → its tenants → their subscriptions → key vaults and storage
accounts.

Everything loads by itself once the sign-in row is there (tenants, then every tenant's
subscriptions, then their resources from the tenant's one Resource Graph query), so the filter
finds a vault across all of them. A tenant that wants its own sign-in shows an error row that
signs in on Enter; a subscription the account may not read shows its 403 on its own row.
Hidden subscriptions are left out unless "show hidden" is on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex
from PySide6.QtGui import QBrush, QIcon

from vaultbrowser.azure.services.records import AzureResource, SubscriptionRecord, TenantRecord
from vaultbrowser.azure.services.tenants import TenantSignInRequired
from vaultbrowser.core.models.connection_root import ConnectionRoot
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.lazy_tree import AnyIndex, LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tones import Tone, tone_brush, tone_colour
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import AccessDenied, VaultBrowserError
from vaultbrowser.core.services.records import Page

if TYPE_CHECKING:
    from vaultbrowser.azure.services.discovery import AzureDiscovery


@dataclass(frozen=True, eq=False)
class AzureRoot(ConnectionRoot):
    """A signed-in Azure account: a top-level row of the Azure tree."""

    service: AzureDiscovery


@dataclass(frozen=True)
class ResourceGroupRecord:
    """A subscription's resource group, when the tree groups by them."""

    tenant_id: str
    subscription_id: str
    name: str


COLUMN_TITLES = ("Name", "Type", "Location", "Resource group", "Notes")
COLUMN_PRIORITY = (0, 1, 4, 3, 2)  # per column: the notes say what will stand in the way


@guard_model_methods
class AzureTreeModel(LazyTreeModel):
    """``type_labels`` name resource types ("microsoft.keyvault/vaults" → "Key vault");
    ``hidden`` holds the ids of the subscriptions the user hid."""

    expand_to_matches = True  # all of it loads by itself: the filter opens the way to a match

    def __init__(self, type_labels: Mapping[str, str], hidden: Callable[[], set[str]],
                 parent: Any = None, type_icons: Mapping[str, QIcon] | None = None) -> None:
        super().__init__(parent)
        self._type_labels = dict(type_labels)
        self._type_icons = dict(type_icons or {})
        self._hidden = hidden
        self._show_hidden = False
        self._grouped = False
        # Each subscription's resources as last listed: its resource groups' rows come from it.
        self._listed: dict[tuple[str, str], tuple[AzureResource, ...]] = {}
        self.page_loaded.connect(self._load_children)

    # --- grouping by resource group --------------------------------------------------------------

    @property
    def grouped(self) -> bool:
        return self._grouped

    def set_grouped(self, grouped: bool) -> None:
        """Show each subscription's resources under their resource groups (or not)."""
        if grouped == self._grouped:
            return
        self._grouped = grouped
        for root in self.root_nodes():
            for tenant in list(root.children):
                for subscription in list(tenant.children):
                    if subscription.listing is not None and subscription.listing.started:
                        self.refresh(self.index_of(subscription))

    # --- hidden subscriptions -----------------------------------------------------------------

    @property
    def show_hidden(self) -> bool:
        return self._show_hidden

    def set_show_hidden(self, show: bool) -> None:
        """Show the hidden subscriptions too (marked); listed tenants list again."""
        if show != self._show_hidden:
            self._show_hidden = show
            self.relist_tenants()

    def relist_tenants(self) -> None:
        """List every listed tenant's subscriptions again (after hiding one)."""
        for root in self.root_nodes():
            for tenant in list(root.children):
                if tenant.listing is not None and tenant.listing.started:
                    self.refresh(self.index_of(tenant))

    # --- LazyTreeModel hooks --------------------------------------------------------------------

    def column_titles(self) -> Sequence[str]:
        return COLUMN_TITLES

    def column_priority(self, column: int) -> int:
        return COLUMN_PRIORITY[column] if 0 <= column < len(COLUMN_PRIORITY) else column

    def is_lazy(self, record: Any) -> bool:
        return isinstance(record, AzureRoot | TenantRecord | SubscriptionRecord
                          | ResourceGroupRecord)

    def page_size(self, node: Node, first: bool) -> int:
        return 1000  # every answer here is one whole list

    def noun(self, node: Node) -> str:
        record = node.record
        if isinstance(record, AzureRoot):
            return "tenants"
        if isinstance(record, TenantRecord):
            return "subscriptions"
        if isinstance(record, SubscriptionRecord) and self._grouped:
            return "resource groups"
        return "key vaults or storage accounts"

    def root_of(self, node: Node) -> AzureRoot:
        while not isinstance(node.record, AzureRoot):
            assert node.parent is not None
            node = node.parent
        return node.record

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        service = self.root_of(node).service
        record = node.record
        if isinstance(record, AzureRoot):
            return await service.tenants()
        if isinstance(record, TenantRecord):
            service.forget(record.tenant_id)  # a (re)listing asks Resource Graph again
            page = await service.subscriptions(record.tenant_id)
            hidden = self._hidden()
            shown = [replace(sub, hidden=sub.subscription_id in hidden) for sub in page.items
                     if self._show_hidden or sub.subscription_id not in hidden]
            return Page(tuple(shown), None, page.response)
        if isinstance(record, ResourceGroupRecord):
            key = (record.tenant_id, record.subscription_id)
            listed = self._listed.get(key)
            if listed is None:
                listed = (await service.resources(*key)).items
            return Page(tuple(r for r in listed if r.resource_group.lower()
                              == record.name.lower()), None, None)
        assert isinstance(record, SubscriptionRecord)
        page = await service.resources(record.tenant_id, record.subscription_id)
        self._listed[(record.tenant_id, record.subscription_id)] = page.items
        if not self._grouped:
            return page
        groups = sorted({r.resource_group for r in page.items}, key=str.lower)
        return Page(tuple(ResourceGroupRecord(record.tenant_id, record.subscription_id, name)
                          for name in groups), None, page.response)

    def _load_children(self, parent: QModelIndex, count: int) -> None:
        """Tenants and subscriptions list as soon as they appear (one query per tenant)."""
        node = self.node_of(parent)
        if not isinstance(node.record, AzureRoot | TenantRecord | SubscriptionRecord):
            return
        for child in node.children[len(node.children) - count:]:
            if child.listing is not None and not child.listing.started:
                self.fetchMore(self.index_of(child))

    # --- a tenant's own sign-in ---------------------------------------------------------------

    def needs_sign_in(self, index: AnyIndex) -> TenantRecord | None:
        """The tenant at ``index`` when its listing failed for want of its own sign-in."""
        node = self.node_of(index)
        listing = node.listing
        if (isinstance(node.record, TenantRecord) and listing is not None
                and isinstance(listing.error, TenantSignInRequired)):
            return node.record
        return None

    def retry(self, index: AnyIndex) -> None:
        """Retry; for a tenant that wants its own sign-in, sign in to it first."""
        tenant = self.needs_sign_in(index)
        if tenant is None:
            super().retry(index)
            return
        self.page_tasks.hold(asyncio.ensure_future(self.sign_in(QModelIndex(index))))

    async def sign_in(self, index: QModelIndex) -> None:
        """Sign in to the tenant at ``index``, then list it again (errors: ``load_failed``)."""
        node = self.node_of(index)
        tenant = node.record
        if not isinstance(tenant, TenantRecord):
            return
        try:
            await self.root_of(node).service.sign_in(tenant.tenant_id)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self.load_failed.emit(error)
            return
        if node.parent is not None and node in node.parent.children:
            self.refresh(self.index_of(node))

    def reports_failure(self, node: Node, error: VaultBrowserError) -> bool:
        # Loaded without being asked: a tenant that wants its own sign-in and a subscription
        # the account may not read are facts of the estate, told on their rows (tooltips hold
        # the details), not a dialog each.
        expected = (isinstance(error, TenantSignInRequired)
                    or (isinstance(error, AccessDenied)
                        and isinstance(node.record, SubscriptionRecord)))
        return not expected

    def status_text(self, node: Node) -> str:
        error = node.listing.error if node.listing is not None else None
        if isinstance(error, TenantSignInRequired):
            return "⚠ Needs its own sign-in — press Enter to sign in"
        if isinstance(error, AccessDenied) and isinstance(node.record, SubscriptionRecord):
            return "⚠ No access to this subscription"
        return super().status_text(node)

    # --- rows -----------------------------------------------------------------------------------

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, AzureRoot):
            return record.label if column == 0 else ""
        if isinstance(record, TenantRecord):
            if column == 0:
                return record.name
            if column == 1:
                return "Tenant (home)" if record.home else "Tenant"
            return record.default_domain if column == 4 else ""
        if isinstance(record, SubscriptionRecord):
            if column == 0:
                return record.name + ("  (hidden)" if record.hidden else "")
            if column == 1:
                return "Subscription"
            if column == 4:
                return "" if record.state in ("", "Enabled") else record.state
            return ""
        if isinstance(record, ResourceGroupRecord):
            return record.name if column == 0 else "Resource group" if column == 1 else ""
        if isinstance(record, AzureResource):
            if column == 0:
                return record.name
            if column == 1:
                return self._type_labels.get(record.type, record.type)
            if column == 2:
                return record.location
            if column == 3:
                return record.resource_group
            if column == 4:
                return "; ".join(record.facts.warnings())
        return ""

    def foreground(self, record: Any) -> QBrush | None:
        if isinstance(record, SubscriptionRecord) and (record.hidden or record.state not in (
                "", "Enabled")):
            return tone_brush(Tone.MUTED)
        if isinstance(record, AzureResource) and record.facts.warnings():
            return tone_brush(Tone.WARNING)  # something will stand in the way: say so
        return None

    def decoration(self, record: Any, column: int) -> QIcon | None:
        """The name's icon: a discovered resource has its kind's, with the warning sign when
        something will stand in the way (the Notes column says what)."""
        if column != 0:
            return None
        if isinstance(record, AzureRoot):
            return icon(Icon.SIGN_IN)
        if isinstance(record, TenantRecord):
            return icon(Icon.TENANT)
        if isinstance(record, SubscriptionRecord):
            return icon(Icon.SUBSCRIPTION)
        if isinstance(record, ResourceGroupRecord):
            return icon(Icon.RESOURCE_GROUP)
        if isinstance(record, AzureResource):
            if record.facts.warnings():
                return icon(Icon.FAILED, tone_colour(Tone.WARNING))
            return self._type_icons.get(record.type)
        return None

    def tooltip(self, record: Any, column: int) -> str | None:
        if isinstance(record, AzureRoot):
            return record.tooltip
        if isinstance(record, TenantRecord):
            return f"{record.name}\nTenant id {record.tenant_id}"
        if isinstance(record, SubscriptionRecord):
            return f"{record.name}\nSubscription id {record.subscription_id}"
        if isinstance(record, AzureResource):
            lines = [record.id, record.endpoint, *record.facts.warnings()]
            return "\n".join(line for line in lines if line)
        return None
