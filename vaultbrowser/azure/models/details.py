"""What the detail pane shows for Azure rows: a sign-in, a tenant, a subscription, a resource
with what Resource Manager knows about it (network, access model, protection)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from vaultbrowser.azure.models.azure_tree import AzureRoot
from vaultbrowser.azure.services.records import (
    AzureResource,
    ResourceFacts,
    SubscriptionRecord,
    TenantRecord,
)
from vaultbrowser.core.models.details import (
    Details,
    DetailSection,
    Row,
    describe_connection,
    describe_unknown,
    detail_rows,
)
from vaultbrowser.core.services.records import ResponseInfo


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def _fact_rows(facts: ResourceFacts) -> tuple[tuple[str, str], ...]:
    return detail_rows(
        ("Access model", None if facts.rbac is None else (
            "Azure RBAC" if facts.rbac else "Access policies")),
        ("Public network access", facts.public_network),
        ("Firewall default action", facts.firewall_default),
        ("Soft delete", _yes_no(facts.soft_delete)),
        ("Soft-delete retention", f"{facts.soft_delete_days} days"
         if facts.soft_delete_days is not None else None),
        ("Purge protection", _yes_no(facts.purge_protection) if facts.purge_protection
         is not None else None),
        ("Shared-key access", _yes_no(facts.shared_key_access)),
        ("Public blob access allowed", _yes_no(facts.public_blob_access)),
        ("Minimum TLS version", facts.minimum_tls),
        ("Hierarchical namespace", _yes_no(facts.hierarchical_namespace)),
    )


def property_label(name: str) -> str:
    """ARM's camelCase property name in words ("accessKeysAuthentication" → "Access keys
    authentication"): any type's properties read alike, with no list of names to keep."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).split()
    text = " ".join(word if word.isupper() else word.lower() for word in words)
    return text[:1].upper() + text[1:]


def describe(record: Any, response: ResponseInfo | None = None, *,
             type_labels: Mapping[str, str] | None = None) -> Details:
    """Details from an Azure record alone (no request: discovery already said it all)."""
    if isinstance(record, AzureRoot):
        return describe_connection(record, "Azure sign-in", "Resource Manager", response)
    if isinstance(record, TenantRecord):
        rows = detail_rows(("Name", record.display_name), ("Tenant id", record.tenant_id),
                           ("Default domain", record.default_domain),
                           ("Home tenant", "Yes" if record.home else "No"))
        return Details(record.name, "Tenant", (DetailSection("Tenant", rows),), response,
                       record)
    if isinstance(record, SubscriptionRecord):
        rows = detail_rows(("Name", record.display_name),
                           ("Subscription id", record.subscription_id),
                           ("Tenant id", record.tenant_id), ("State", record.state),
                           ("Hidden", "Yes" if record.hidden else None))
        return Details(record.name, "Subscription", (DetailSection("Subscription", rows),),
                       response, record)
    if isinstance(record, AzureResource):
        label = (type_labels or {}).get(record.type, record.type)
        rows = detail_rows(("Name", record.name), ("Type", label),
                           ("Endpoint", record.endpoint), ("Location", record.location),
                           ("Resource group", record.resource_group),
                           ("Subscription id", record.subscription_id),
                           ("Tenant id", record.tenant_id), ("Resource id", record.id))
        sections = [DetailSection("Resource", rows)]
        known = _fact_rows(record.facts)
        shown = {label for label, _value in known}  # a fact ARM's properties repeat: once
        facts = known + tuple((property_label(name), value) for name, value in record.properties
                              if property_label(name) not in shown)
        if facts:
            sections.append(DetailSection("What Resource Manager says", facts))
        warnings = record.facts.warnings()
        if warnings:
            sections.append(DetailSection("Before you open it", tuple(
                (str(number), text) for number, text in enumerate(warnings, start=1))))
        if record.tags:
            sections.append(DetailSection("Tags", record.tags))
        return Details(record.name, label, tuple(sections), response, record,
                       note="From discovery: press Enter (or Open) to browse it.")
    return describe_unknown(record, response)


def contents_rows(records: Sequence[Any], type_labels: Mapping[str, str]) -> tuple[Row, ...]:
    """What a sign-in's, tenant's or subscription's loaded rows are, counted by type."""
    counts: Counter[str] = Counter()
    for record in records:
        if isinstance(record, AzureResource):
            counts[type_labels.get(record.type, record.type)] += 1
        elif isinstance(record, SubscriptionRecord):
            counts["Subscriptions"] += 1
        elif isinstance(record, TenantRecord):
            counts["Tenants"] += 1
    return tuple((label, f"{count:,}") for label, count in sorted(counts.items()))
