"""Auditing across a tenant: ``vaultbrowser audit --demo --discover`` over the demo's ARM
emulator (two tenants, four subscriptions) and the Key Vault and Azurite emulators it points at;
the scope options (``--tenant``, ``--subscription``) and ``in_scope``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.azure.kind import KIND as AZURE_KIND
from vaultbrowser.azure.services.connections import AZURE, PUBLIC_ARM
from vaultbrowser.azure.services.tenants import in_scope
from vaultbrowser.core.audit.cli import main
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    DEVELOPMENT_SUBSCRIPTION_ID,
    FABRIKAM_TENANT_ID,
    PRODUCTION_SUBSCRIPTION_ID,
)
from vaultbrowser.emulators.cosmos_server import CosmosServer

PRODUCTION = "Contoso Demo / Contoso Production"
DEVELOPMENT = "Contoso Demo / Contoso Development"
# The Redis demo starts where redis-server is installed; the demo estate then holds its two
# Azure Managed Redis clusters (one per Contoso subscription we read).
REDIS_DEMO = shutil.which("redis-server") is not None
REDIS_CLUSTERS = {"redis-prod-sessions", "redis-dev-cache"} if REDIS_DEMO else set()
# The Cosmos DB demo starts where the kind is registered and Node.js and the local server's npm
# package are installed; the demo estate then holds its two Cosmos DB accounts.
COSMOS_DEMO = (any(kind.name == "cosmos" for kind in KINDS) and shutil.which("node") is not None
               and CosmosServer.find_package() is not None)
COSMOS_ACCOUNTS = {"cosmos-prod-orders", "cosmos-dev-catalog"} if COSMOS_DEMO else set()


def _audit(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(argv, KINDS)
    return code, err.getvalue()


@pytest.fixture(scope="module")
def discovered(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, dict[str, Any]]:
    """(exit code, stderr, JSON report) of ``audit --demo --discover``."""
    output = tmp_path_factory.mktemp("discover") / "report.json"
    code, err = _audit(["--demo", "--discover", "--format", "json", "--output", str(output)])
    return code, err, json.loads(output.read_text(encoding="utf-8"))


def _items(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [item for finding in report["findings"] if finding["code"] == code
            for item in finding["items"]]


def test_findings_of_two_subscriptions_grouped_by_where_they_live(
        discovered: tuple[int, str, dict[str, Any]]) -> None:
    _code, err, report = discovered
    sources = {item["source"] for finding in report["findings"] for item in finding["items"]}
    assert {source.rsplit(" / ", 1)[0] for source in sources} == {PRODUCTION, DEVELOPMENT}
    assert f"{PRODUCTION} / demo-vault" in sources
    assert f"{DEVELOPMENT} / kv-dev-legacy" in sources
    summary = report["summary"]
    assert summary["subscriptions"] == 2 and summary["resources"] == (
        6 + len(REDIS_CLUSTERS) + len(COSMOS_ACCOUNTS))
    assert {r["name"] for r in report["resources"]
            if r["resource_type"] == "microsoft.cache/redisenterprise"} == REDIS_CLUSTERS
    assert {r["name"] for r in report["resources"]
            if r["resource_type"] == "microsoft.documentdb/databaseaccounts"} == COSMOS_ACCOUNTS
    assert set(summary["finding_items_by_subscription"]) == {PRODUCTION, DEVELOPMENT}
    # the inventory carries the same paths, and the demo's vault and account are not also
    # audited directly (only through discovery)
    assert {s["source"] for s in report["inventory"]["secrets"]} == {
        f"{PRODUCTION} / demo-vault", f"{DEVELOPMENT} / kv-dev-legacy",
        f"{DEVELOPMENT} / kv-dev-open"}
    assert [c["kind"] for c in report["connections"]] == [AZURE]
    # progress per tenant and subscription
    assert "audit: Contoso Demo: subscriptions: 3 listed" in err
    assert f"audit: {DEVELOPMENT}: resources: {4 + REDIS_DEMO + COSMOS_DEMO} listed" in err


def test_what_resource_manager_knows_becomes_findings(
        discovered: tuple[int, str, dict[str, Any]]) -> None:
    _code, _err, report = discovered
    resources = {r["name"]: r for r in report["resources"]}
    assert resources["stdevlegacy01"]["minimum_tls"] == "TLS1_0"
    assert resources["kv-dev-legacy"]["type_label"] == "Key Vault"
    assert resources["stdevlegacy01"]["type_label"] == "Storage account"
    assert resources["kv-dev-legacy"]["tenant_id"] == CONTOSO_TENANT_ID

    def names(code: str) -> set[str]:
        return {item["name"] for item in _items(report, code)}

    assert names("tls-below-1.2") == {"stdevlegacy01"}
    assert names("access-policies") == {"kv-dev-legacy"}
    assert names("shared-key-access") == {"stdevlegacy01", "devstoreaccount1"}
    assert names("public-blob-access") == {"stdevlegacy01", "devstoreaccount1"}
    assert names("open-to-internet") == {"kv-dev-legacy", "kv-dev-open", "stdevlegacy01",
                                         "devstoreaccount1"}
    # ARM's word on purge protection, once per vault (demo-vault has it on)
    purge = [item["source"] for item in _items(report, "purge-protection-off")]
    assert sorted(purge) == [f"{DEVELOPMENT} / kv-dev-legacy", f"{DEVELOPMENT} / kv-dev-open"]
    severities = {f["code"]: f["severity"] for f in report["findings"]}
    assert severities["tls-below-1.2"] == "high" and severities["access-policies"] == "low"
    if REDIS_DEMO:  # the Redis kind's audit reads ARM's view from discovery's connection
        sources = {code: {item["source"] for item in _items(report, code)}
                   for code in ("redis-access-keys", "redis-non-tls")}
        assert sources["redis-access-keys"] == {f"{DEVELOPMENT} / redis-dev-cache"}
        assert sources["redis-non-tls"] == {f"{DEVELOPMENT} / redis-dev-cache",
                                            f"{PRODUCTION} / redis-prod-sessions"}
    if COSMOS_DEMO:  # the Cosmos kind's audit reads ARM's view the same way
        sources = {code: {item["source"] for item in _items(report, code)}
                   for code in ("cosmos-local-auth", "cosmos-public-network")}
        assert sources["cosmos-local-auth"] == {f"{DEVELOPMENT} / cosmos-dev-catalog"}
        assert sources["cosmos-public-network"] == {f"{DEVELOPMENT} / cosmos-dev-catalog",
                                                    f"{PRODUCTION} / cosmos-prod-orders"}


def test_unreadable_parts_are_report_errors(discovered: tuple[int, str, dict[str, Any]]) -> None:
    code, err, report = discovered
    assert code == 1  # incomplete, as any audit with errors
    errors = {(e["source"], e["operation"]): e for e in report["errors"]}
    restricted = errors[("Contoso Demo / Contoso Restricted", "list resources")]
    assert restricted["status"] == 403
    fabrikam = errors[("Fabrikam Partner", "list subscriptions")]
    assert fabrikam["title"] == "This tenant needs its own sign-in"
    assert fabrikam["subject"] == FABRIKAM_TENANT_ID
    assert len(report["errors"]) == 2 and "Traceback" not in err


def test_subscription_limits_the_audit(tmp_path: Path) -> None:
    output = tmp_path / "report.csv"
    code, err = _audit(["--demo", "--discover", "--subscription",
                        PRODUCTION_SUBSCRIPTION_ID.upper(), "--output", str(output)])
    assert code == 0, err  # Fabrikam and the restricted subscription are out of scope
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    resources = [row for row in rows if row["section"] == "resource"]
    assert sorted(row["name"] for row in resources) == sorted(
        ["demo-vault", "devstoreaccount1"] + (["redis-prod-sessions"] if REDIS_DEMO else [])
        + (["cosmos-prod-orders"] if COSMOS_DEMO else []))
    assert {row["subscription_id"] for row in resources} == {PRODUCTION_SUBSCRIPTION_ID}
    findings = [row for row in rows if row["section"] == "finding"]
    assert findings and all(row["source"].startswith(PRODUCTION + " / ") for row in findings)
    assert not any(row["section"] == "error" for row in rows)


def test_a_bad_tenant_exits_2(tmp_path: Path) -> None:
    code, err = _audit(["--demo", "--discover", "--tenant", "contoso-typo",
                        "--output", str(tmp_path / "r.json")])
    assert code == 2 and "--tenant 'contoso-typo'" in err
    assert list(tmp_path.iterdir()) == []


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    AZURE_KIND.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_scope_options_make_one_scoped_sign_in() -> None:
    assert AZURE_KIND.connections_from_args(_args()) == []
    (connection,) = AZURE_KIND.connections_from_args(_args(
        "--discover", "--tenant", CONTOSO_TENANT_ID, "--subscription",
        DEVELOPMENT_SUBSCRIPTION_ID, "--tenant", CONTOSO_TENANT_ID.upper()))
    assert (connection.url, connection.auth) == (PUBLIC_ARM, AuthMethod.DEFAULT)
    assert connection.scope == f"{CONTOSO_TENANT_ID},{DEVELOPMENT_SUBSCRIPTION_ID}"
    (azure,) = AZURE_KIND.connections_from_args(_args("--azure"))
    assert azure == Connection(AZURE, PUBLIC_ARM, AuthMethod.DEFAULT)  # as before
    with pytest.raises(InvalidInput, match="--subscription '1234'"):
        AZURE_KIND.connections_from_args(_args("--discover", "--subscription", "1234"))
    with pytest.raises(InvalidInput, match="--discover"):
        AZURE_KIND.connections_from_args(_args("--tenant", CONTOSO_TENANT_ID))
    assert AZURE_KIND.discovers and not any(kind.discovers for kind in KINDS
                                            if kind is not AZURE_KIND)


def test_the_opened_discovery_honours_the_scope() -> None:
    """The window opens connections through the kind: the scope reaches the service."""
    async def scope_of_opened() -> str:
        session = ServiceSession()
        try:
            return AZURE_KIND.open(session, Connection(
                AZURE, "https://127.0.0.1:9", AuthMethod.LOCAL_EMULATOR,
                tenant_id=CONTOSO_TENANT_ID, scope=FABRIKAM_TENANT_ID)).scope
        finally:
            await session.aclose()

    assert asyncio.run(scope_of_opened()) == FABRIKAM_TENANT_ID


@pytest.mark.parametrize(("scope", "tenant", "subscription", "kept"), [
    ("", "t1", None, True),
    ("", "t1", "s1", True),
    ("t1", "T1", None, True),
    ("t1", "t1", "s9", True),  # its tenant is named
    ("s1", "t1", "S1", True),
    ("s1", "t1", "s2", False),
    ("t2,s1", "t1", None, False),  # a tenant: only when named (tenants() asks for the rest)
    ("t2, s1", "t1", "s1", True),
])
def test_in_scope(scope: str, tenant: str, subscription: str | None, kept: bool) -> None:
    assert in_scope(scope, tenant, subscription) is kept
