"""How the detail pane describes Cosmos DB rows: an account, a database, a container (its
partition key, indexing policy, TTL, throughput, conflict resolution) and an item (its system
properties; its JSON goes to the JSON viewer), each with the Cosmos headers of the call."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.details import (
    Details,
    DetailSection,
    Row,
    describe_connection,
    describe_unknown,
    detail_rows,
    time_text,
)
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.cosmos.models.rows import ContainerRow, CosmosRoot, DatabaseRow, ItemRow
from vaultbrowser.cosmos.services.records import CallFacts

if TYPE_CHECKING:  # azure-cosmos loads when an account opens, not with the window
    from vaultbrowser.cosmos.services.details import ContainerDetails

COSMOS_CALL_SECTION = "Cosmos DB call"
REDACTED = "present (redacted)"


def cosmos_call_rows(response: ResponseInfo | None) -> tuple[Row, ...]:
    """The Cosmos headers that matter (``CallFacts``): the request charge, the activity id,
    whether a session token and a continuation came (never their values), and the
    retry-after of a throttled call."""
    if response is None:
        return ()
    facts = CallFacts.of(response)
    return detail_rows(
        ("Status", response.status_line),
        ("Request charge", None if facts.request_charge is None
         else f"{facts.request_charge:,.2f} RU"),
        ("Activity id", facts.activity_id),
        ("Session token", REDACTED if facts.session_token_sent else "none"),
        ("Continuation", "present: more pages" if facts.continuation_present else "none"),
        ("Retry after", None if facts.retry_after is None
         else f"{facts.retry_after * 1000:,.0f} ms"),
        ("Item count", facts.item_count),
    )


def with_call(details: Details, response: ResponseInfo | None) -> Details:
    rows = cosmos_call_rows(response)
    if not rows:
        return details
    return Details(details.title, details.subtitle,
                   (*details.sections, DetailSection(COSMOS_CALL_SECTION, rows)), response,
                   details.record, note=details.note)


def describe_item(record: ItemRow, response: ResponseInfo | None = None) -> Details:
    item = record.item
    ttl = item.document.get("ttl")
    rows = detail_rows(
        ("id", record.id),
        ("Partition key", record.partition_key_text or "(none)"),
        ("Partition key path", ", ".join(record.partition_key_paths)),
        ("Container", f"{record.database}/{record.container.id}"),
        ("ETag", record.etag),
        ("Last modified", time_text(item, "modified") if item.modified else None),
        ("Time to live", f"{ttl:,} s" if isinstance(ttl, int) and not isinstance(ttl, bool)
         else None),
        ("Size", fmt.size(item.size)),
        ("Top-level properties", f"{len(record.user_document()):,}"))
    note = "" if response is not None else "From the listing: the item as the query returned it."
    return with_call(Details(record.id, "Item", (DetailSection("Item", rows),), response,
                             record, note=note), response)


def _json_text(value: Any) -> str | None:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else None


def _throughput_text(details: ContainerDetails) -> str:
    throughput = details.throughput
    if throughput.autoscale_max_ru is not None:
        return f"autoscale, up to {throughput.autoscale_max_ru:,} RU/s"
    if throughput.manual_ru is not None:
        return f"{throughput.manual_ru:,} RU/s (manual)"
    return throughput.unavailable or "unknown"


def describe_container(record: ContainerRow, details: ContainerDetails | None = None,
                       response: ResponseInfo | None = None) -> Details:
    """A container: from the listing (``details`` None), or with its properties read."""
    container = details.container if details is not None else record.record
    ttl = container.default_ttl
    rows = detail_rows(
        ("Database", record.database),
        ("Container", record.id),
        ("Partition key paths", ", ".join(container.partition_key_paths) or "(unknown)"),
        ("Partition key kind", None if details is None else (
            f"{details.partition_key_kind}" + (f", version {details.partition_key_version}"
                                               if details.partition_key_version else ""))),
        ("Default TTL", "off (items never expire)" if ttl is None
         else "on, no default expiry (-1: items set their own)" if ttl == -1
         else f"{ttl:,} s"),
        ("Throughput", None if details is None else _throughput_text(details)),
        ("Conflict resolution", None if details is None
         else _conflict_text(details.conflict_resolution_policy) or "(none)"),
        ("Unique keys", None if details is None else "; ".join(
            ", ".join(paths) for paths in details.unique_keys) or "(none)"),
        ("Analytical store TTL", None if details is None or details.analytical_ttl is None
         else f"{details.analytical_ttl:,} s"),
        ("Last modified", time_text(container, "modified") if container.modified else None))
    sections = [DetailSection("Container", rows)]
    if details is not None:
        policy = details.indexing_policy
        sections.append(DetailSection("Indexing policy", detail_rows(
            ("Mode", policy.get("indexingMode")),
            ("Automatic", str(policy.get("automatic")) if "automatic" in policy else None),
            ("Included paths", ", ".join(str(p.get("path")) for p in
                                         policy.get("includedPaths") or ())),
            ("Excluded paths", ", ".join(str(p.get("path")) for p in
                                         policy.get("excludedPaths") or ())),
            ("Composite indexes", _json_text(policy.get("compositeIndexes"))),
            ("Spatial indexes", _json_text(policy.get("spatialIndexes"))))))
    note = ("" if details is not None
            else "From the listing: the container's properties are being read.")
    return with_call(Details(record.id, "Container", tuple(sections), response, record,
                             note=note), response)


def _conflict_text(policy: Mapping[str, Any]) -> str | None:
    mode = policy.get("mode")
    if mode == "LastWriterWins":
        return f"last writer wins on {policy.get('conflictResolutionPath') or '/_ts'}"
    if mode == "Custom":
        procedure = policy.get("conflictResolutionProcedure")
        return f"custom ({procedure})" if procedure else "custom (a conflicts feed)"
    return str(mode) if mode else None


def describe_account(root: CosmosRoot, response: ResponseInfo | None = None) -> Details:
    """An account's row: its connection; the account's own read when the client opened
    (default consistency, regions: no call of ours); ARM's view when discovery found it."""
    details = describe_connection(root, "Cosmos DB account", "Account endpoint", response)
    service = root.service.current
    account = service.account if service is not None else None
    sections = list(details.sections)
    if account is not None:
        sections.append(DetailSection("Account", detail_rows(
            ("Account", account.id or None),
            ("Default consistency", account.consistency or "(not said)"),
            ("Write regions", ", ".join(account.write_regions) or "(none listed)"),
            ("Read regions", ", ".join(account.read_regions) or "(none listed)"),
            ("Multi-region writes", None if account.multiple_write_regions is None
             else "Yes" if account.multiple_write_regions else "No"))))
    arm = tuple(root.connection.resource_properties)
    if arm:
        sections.append(DetailSection("Resource Manager", detail_rows(*arm)))
    note = details.note if account is not None else (
        "The account's own details (consistency, regions) are read when it opens: expand "
        "it." + (" Resource Manager's view is below." if arm else ""))
    return with_call(Details(details.title, details.subtitle, tuple(sections), response, root,
                             note=note), response)


def describe(record: Any, response: ResponseInfo | None = None) -> Details:
    if isinstance(record, CosmosRoot):
        return describe_account(record, response)
    if isinstance(record, DatabaseRow):
        return with_call(Details(record.id, "Database", (DetailSection("Database", detail_rows(
            ("Database", record.id))),), response, record,
            note="From the listing: selecting a database sends no request."), response)
    if isinstance(record, ContainerRow):
        return describe_container(record, None, response)
    if isinstance(record, ItemRow):
        return describe_item(record, response)
    return describe_unknown(record, response)
