"""The Cosmos DB kind's audit collector (``ServiceKind.audit``): findings over what Resource
Manager says of an account, its containers' default TTL, and a bounded sample of their items.

- From Resource Manager, only for a connection discovery made (``Connection.
  resource_properties``; unknown otherwise, so not reported): local (key) authentication still
  enabled (``disableLocalAuth`` false), and public network access enabled (with or without IP
  rules: the finding says which).
- Containers without a default TTL among those the user expects to have one
  (``--cosmos-ttl-containers``: ``audit_options``); a default TTL of -1 (items expire only with
  a ttl of their own) is said as such.
- Items over a size threshold in a sample of each container: one query page (``SELECT * FROM
  c``, ``sample_items`` items), each item's size its compact JSON's, system properties
  included. The finding says it is a sample and its size.

Nothing here keeps an item's contents: only ids, partition key values and sizes. The findings go
into ``collector.findings`` (merged with the other kinds' in the report).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import Finding, FindingItem, ItemKind, Severity
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.cosmos.services.audit_options import CosmosAuditOptions, audit_options
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.cosmos.services.queries import ItemQuery
from vaultbrowser.cosmos.services.records import ContainerRecord, ItemRecord
from vaultbrowser.cosmos.services.service import CosmosService

MAX_LIST_PAGES = 100  # of databases, and of each database's containers: past it, kept as is
BIGGEST = 10  # the biggest items over the threshold reported per container

LOCAL_AUTH = "cosmos-local-auth"
PUBLIC_NETWORK = "cosmos-public-network"
NO_TTL = "cosmos-no-ttl"
BIG_ITEMS = "cosmos-big-items"


def arm_findings(source: str, name: str,
                 properties: Sequence[tuple[str, str]]) -> list[Finding]:
    """What Resource Manager says that matters: keys accepted, public network access. Nothing
    when ARM said nothing (a connection discovery did not make)."""
    known = dict(properties)
    findings = []
    if known.get("disableLocalAuth", "").lower() == "false":
        findings.append(Finding(
            LOCAL_AUTH, Severity.MEDIUM, "Cosmos DB accounts that accept account keys",
            "Local (key) authentication is enabled: whoever holds an account key or connection "
            "string has full access to every database, and its use cannot be told apart or "
            "revoked per person. Set disableLocalAuth once every client signs in with Entra ID "
            "(a Cosmos DB data-plane role).",
            (FindingItem(source, ItemKind.DATABASE_ACCOUNT, name,
                         "Resource Manager: disableLocalAuth false"),)))
    if known.get("publicNetworkAccess", "").lower() == "enabled":
        rules = known.get("ipRules")
        findings.append(Finding(
            PUBLIC_NETWORK, Severity.LOW, "Cosmos DB accounts reachable from public networks",
            "Public network access is enabled: the account answers on the internet (limited "
            "only by its IP rules, if any). Disable public network access and use private "
            "endpoints where the clients allow it.",
            (FindingItem(source, ItemKind.DATABASE_ACCOUNT, name,
                         "Resource Manager: public network access Enabled, " + (
                             f"IP rules {rules}" if rules else "no IP rules (every network)")),)))
    return findings


def ttl_findings(source: str, containers: Sequence[ContainerRecord],
                 options: CosmosAuditOptions) -> list[Finding]:
    """Containers expected to have a default TTL that have none (or -1)."""
    missing = [c for c in containers if options.expects_ttl(c.database, c.id)
               and (c.default_ttl is None or c.default_ttl < 0)]
    if not missing:
        return []
    return [Finding(
        NO_TTL, Severity.LOW, "Cosmos DB containers without a default TTL",
        "These containers match the globs of containers expected to have a default TTL "
        f"({', '.join(options.ttl_containers)}), but their items never expire unless each "
        "sets a ttl of its own: they stay until deleted. Set the container's default TTL.",
        tuple(FindingItem(source, ItemKind.CONTAINER, f"{c.database}/{c.id}",
                          "default TTL off" if c.default_ttl is None else
                          "default TTL -1: only items with their own ttl expire")
              for c in missing))]


def size_finding(source: str, sampled: Sequence[tuple[ContainerRecord, Sequence[ItemRecord]]],
                 options: CosmosAuditOptions) -> list[Finding]:
    """The biggest items over the threshold, per container's sample."""
    found: list[FindingItem] = []
    for container, items in sampled:
        big = sorted((item for item in items if item.size > options.item_bytes),
                     key=lambda item: -item.size)[:BIGGEST]
        note = f"sample of {len(items):,} items of the container ({options.sample_items:,} asked)"
        found.extend(FindingItem(source, ItemKind.DOCUMENT,
                                 f"{container.database}/{container.id}/{item.id}",
                                 f"{item.size:,} bytes of JSON ({note})") for item in big)
    if not found:
        return []
    return [Finding(
        BIG_ITEMS, Severity.INFO, "Big Cosmos DB items (sampled)",
        f"Items over {options.item_bytes // 1024:,} KiB in a sample of each container (the "
        f"first {options.sample_items:,} items of SELECT * FROM c; the size of each item's "
        "JSON, system properties included). Big items cost more request units on every read "
        "and write, and an item cannot exceed 2 MB. The counts are the sample's, not the "
        "whole container's.", tuple(found))]


async def all_containers(service: CosmosService) -> list[ContainerRecord]:
    """Every container of every database (``MAX_LIST_PAGES`` pages of each listing at most).

    Raises:
        VaultBrowserError: a listing failed.
    """
    databases, continuation = [], None
    for _ in range(MAX_LIST_PAGES):
        page = await service.databases(continuation)
        databases.extend(page.items)
        continuation = page.next_token
        if not continuation:
            break
    containers: list[ContainerRecord] = []
    for database in databases:
        continuation = None
        for _ in range(MAX_LIST_PAGES):
            listed = await service.containers(database.id, continuation)
            containers.extend(listed.items)
            continuation = listed.next_token
            if not continuation:
                break
    return containers


async def _sample(collector: InventoryCollector, source: str, service: CosmosService,
                  container: ContainerRecord, size: int) -> tuple[ContainerRecord,
                                                                  tuple[ItemRecord, ...]]:
    async with collector.limit:
        page = await collector.attempt(
            source, "sample items", lambda: service.items(container, ItemQuery(),
                                                          page_size=size),
            subject=f"{container.database}/{container.id}")
    return container, page.items if page is not None else ()


async def audit_cosmos(collector: InventoryCollector, connection: Connection,
                       options: CosmosAuditOptions | None = None) -> None:
    """Audit one Cosmos DB connection (read-only, as every audit connection is): ARM's findings
    when discovery made it, then its containers' TTLs and sampled item sizes. A failure to open
    or list is a report error; ARM's findings stand without it."""
    options = options or audit_options(collector.options)
    source = connection.display_name
    collector.findings.extend(arm_findings(source, connection.url,
                                           connection.resource_properties))
    async with collector.opened_service(source, "open Cosmos DB", lambda: open_service(
            collector.session, connection)) as service:
        if service is None:
            return
        containers = await collector.attempt(source, "list containers",
                                             lambda: all_containers(service))
        if containers is None:
            return
        collector.tell(f"{source}: containers", len(containers), None)
        collector.findings.extend(ttl_findings(source, containers, options))
        sampled = await asyncio.gather(*(_sample(collector, source, service, container,
                                                 options.sample_items)
                                         for container in containers))
        collector.tell(f"{source}: items sampled", sum(len(items) for _c, items in sampled),
                       None)
        collector.findings.extend(size_finding(source, sampled, options))
