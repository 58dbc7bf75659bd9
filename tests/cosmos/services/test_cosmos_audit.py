"""The Cosmos DB audit against the real local server: containers without a default TTL among
those the user expects to have one, items over the size threshold in the bounded sample (said
to be a sample, with its size), ARM's findings for a connection discovery made (keys accepted,
public network access), and the audit's command-line options."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from tests.cosmos.conftest import admin_client, cosmos_connection, unique
from vaultbrowser.core.audit.findings import merged
from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import ItemKind, Severity
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.audit import (
    BIG_ITEMS,
    LOCAL_AUTH,
    NO_TTL,
    PUBLIC_NETWORK,
    audit_cosmos,
)
from vaultbrowser.cosmos.services.audit_options import (
    DEFAULT_ITEM_KIB,
    CosmosAuditOptions,
    add_audit_arguments,
    audit_options,
)
from vaultbrowser.emulators.cosmos_server import CosmosServer

BIG = "x" * 120_000  # an item of ~120 KB: over the default 100 KiB


def _seed(server: CosmosServer) -> str:
    database = unique("audit")

    async def run() -> None:
        async with admin_client(server) as client:
            db = await client.create_database(database)
            sessions = await db.create_container("sessions", partition_key={
                "paths": ["/pk"], "kind": "Hash"})
            await db.create_container("sessions-ttl", partition_key={
                "paths": ["/pk"], "kind": "Hash"}, default_ttl=3600)
            await db.create_container("events", partition_key={
                "paths": ["/pk"], "kind": "Hash"}, default_ttl=-1)
            await db.create_container("orders", partition_key={
                "paths": ["/pk"], "kind": "Hash"})
            await sessions.create_item({"id": "huge", "pk": "p1", "blob": BIG})
            for n in range(30):
                await sessions.create_item({"id": f"s{n:02d}", "pk": f"p{n % 3}", "n": n})

    asyncio.run(run())
    return database


async def _audit(connection: Connection, options: argparse.Namespace) -> InventoryCollector:
    session = ServiceSession(read_only=True)
    collector = InventoryCollector(session)
    collector.options = options
    try:
        await audit_cosmos(collector, connection)
    finally:
        await session.aclose()
    return collector


def _mine(collector: InventoryCollector, database: str) -> dict[str, Any]:
    """The findings, with only this test's database's items (the server is shared)."""
    found = {}
    for finding in merged(collector.findings):
        items = [i for i in finding.items if i.kind is ItemKind.DATABASE_ACCOUNT
                 or i.name.startswith(database + "/")]
        if items:
            found[finding.code] = (finding, items)
    return found


def test_ttl_and_sampled_sizes_against_the_server(cosmos_server: CosmosServer) -> None:
    database = _seed(cosmos_server)
    options = argparse.Namespace(cosmos_ttl_containers=[f"{database}/sessions*",
                                                        f"{database}/events"],
                                 cosmos_item_size_kib=DEFAULT_ITEM_KIB,
                                 cosmos_sample_items=20)
    connection = cosmos_connection(cosmos_server, name="local cosmos", read_only=True)
    collector = asyncio.run(_audit(connection, options))
    assert collector.errors.errors() == ()
    found = _mine(collector, database)
    assert set(found) == {NO_TTL, BIG_ITEMS}  # nothing from ARM: not from discovery
    ttl, ttl_items = found[NO_TTL]
    assert ttl.severity is Severity.LOW
    assert sorted((i.name, i.detail) for i in ttl_items) == [
        (f"{database}/events", "default TTL -1: only items with their own ttl expire"),
        (f"{database}/sessions", "default TTL off")]  # sessions-ttl has one; orders: not asked
    assert all(i.source == "local cosmos" and i.kind is ItemKind.CONTAINER for i in ttl_items)
    big, big_items = found[BIG_ITEMS]
    assert "sample" in big.description and "20" in big.description
    (item,) = big_items  # the first 20 items of the query: "huge" was written first
    assert item.kind is ItemKind.DOCUMENT and item.name == f"{database}/sessions/huge"
    assert "bytes of JSON (sample of 20 items of the container (20 asked))" in item.detail
    assert int(item.detail.split(" ")[0].replace(",", "")) > 120_000
    assert BIG not in repr(collector.findings)  # sizes only, never contents


def test_every_item_sampled_finds_the_big_one(cosmos_server: CosmosServer) -> None:
    database = _seed(cosmos_server)
    options = argparse.Namespace(cosmos_sample_items=1000, cosmos_item_size_kib=64)
    connection = cosmos_connection(cosmos_server, read_only=True)
    found = _mine(asyncio.run(_audit(connection, options)), database)
    assert set(found) == {BIG_ITEMS}  # no TTL expected: no TTL finding
    _finding, items = found[BIG_ITEMS]
    assert [i.name for i in items] == [f"{database}/sessions/huge"]
    assert "sample of 31 items of the container (1,000 asked)" in items[0].detail


def test_arm_findings_of_a_discovered_account(cosmos_server: CosmosServer) -> None:
    properties = (("publicNetworkAccess", "Enabled"), ("disableLocalAuth", "false"),
                  ("ipRules", "203.0.113.0/24"))
    connection = cosmos_connection(cosmos_server, read_only=True,
                                   resource_properties=properties)
    collector = asyncio.run(_audit(connection, argparse.Namespace()))
    findings = {f.code: f for f in merged(collector.findings)}
    assert findings[LOCAL_AUTH].severity is Severity.MEDIUM
    assert findings[LOCAL_AUTH].items[0].detail == "Resource Manager: disableLocalAuth false"
    assert findings[PUBLIC_NETWORK].items[0].detail == (
        "Resource Manager: public network access Enabled, IP rules 203.0.113.0/24")
    assert findings[LOCAL_AUTH].items[0].kind is ItemKind.DATABASE_ACCOUNT


def test_arm_findings_stand_when_the_account_does_not_answer() -> None:
    properties = (("publicNetworkAccess", "Enabled"), ("disableLocalAuth", "true"))
    connection = Connection("cosmos", "https://127.0.0.1:9/", AuthMethod.LOCAL_EMULATOR,
                            read_only=True, resource_properties=properties)
    collector = asyncio.run(_audit(connection, argparse.Namespace()))
    findings = {f.code: f for f in merged(collector.findings)}
    assert set(findings) == {PUBLIC_NETWORK}  # local auth disabled: no finding
    assert "no IP rules (every network)" in findings[PUBLIC_NETWORK].items[0].detail
    assert [e.operation for e in collector.errors.errors()] == ["open Cosmos DB"]


def test_the_options_on_the_command_line() -> None:
    parser = argparse.ArgumentParser()
    add_audit_arguments(parser)
    parsed = audit_options(parser.parse_args([
        "--cosmos-ttl-containers", "app/sessions*", "--cosmos-ttl-containers", "*/cache",
        "--cosmos-item-size-kib", "256", "--cosmos-sample-items", "500"]))
    assert parsed == CosmosAuditOptions(("app/sessions*", "*/cache"), 256 * 1024, 500)
    assert parsed.expects_ttl("app", "sessions-eu") and parsed.expects_ttl("x", "cache")
    assert not parsed.expects_ttl("app", "orders") and not parsed.expects_ttl("App", "cache2")
    assert audit_options(argparse.Namespace()) == CosmosAuditOptions()  # the window's audit
    for bad in (["--cosmos-sample-items", "0"], ["--cosmos-item-size-kib", "many"],
                ["--cosmos-sample-items", "5000"]):
        try:
            parser.parse_args(bad)
        except SystemExit:
            continue
        raise AssertionError(f"accepted {bad}")
