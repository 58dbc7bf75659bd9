"""What Resource Manager knows about discovered resources, on hand-made records: each ARM rule,
purge protection once per vault, the rendering of resources (HTML by tenant and subscription,
CSV rows, JSON array and counts) and the demo's choice of connections."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.cli import with_demo
from vaultbrowser.core.audit.findings import analyze, open_to_internet, tls_below_1_2
from vaultbrowser.core.audit.model import (
    ACCOUNT_RESOURCE_TYPE,
    VAULT_RESOURCE_TYPE,
    AuditReport,
    AzureResourceEntry,
    ItemKind,
    ReportError,
    VaultItemEntry,
)
from vaultbrowser.core.audit.render_html import render_html
from vaultbrowser.core.audit.render_tabular import (
    CSV_COLUMNS,
    RESOURCE_COLUMNS,
    render_csv,
    render_json,
)
from vaultbrowser.core.services.connections import AuthMethod, Connection

NOW = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
HOSTILE = "<b>x</b>"


def _vault(name: str = "kv", **facts: object) -> AzureResourceEntry:
    defaults: dict[str, object] = {"rbac": True, "public_network": "Enabled",
                                   "firewall_default": "Deny", "purge_protection": True}
    return AzureResourceEntry(
        source=f"Tenant A / Sub 1 / {name}", tenant="Tenant A", tenant_id="t-a",
        subscription="Sub 1", subscription_id="s-1", resource_group="rg", name=name,
        resource_type=VAULT_RESOURCE_TYPE, type_label="Key Vault",
        resource_id=f"/subscriptions/s-1/resourceGroups/rg/providers/Microsoft.KeyVault/"
                    f"vaults/{name}", endpoint=f"https://{name}.vault.azure.net/",
        **{**defaults, **facts})  # type: ignore[arg-type]


def _account(name: str = "st", **facts: object) -> AzureResourceEntry:
    defaults: dict[str, object] = {"public_network": "Disabled", "shared_key_access": False,
                                   "public_blob_access": False, "minimum_tls": "TLS1_2"}
    return AzureResourceEntry(
        source=f"Tenant B / Sub 2 / {name}", tenant="Tenant B", tenant_id="t-b",
        subscription="Sub 2", subscription_id="s-2", resource_group="rg", name=name,
        resource_type=ACCOUNT_RESOURCE_TYPE, type_label="Storage account",
        resource_id=f"/subscriptions/s-2/resourceGroups/rg/providers/Microsoft.Storage/"
                    f"storageAccounts/{name}", **{**defaults, **facts})  # type: ignore[arg-type]


def _codes(*resources: AzureResourceEntry, items: tuple[VaultItemEntry, ...] = ()
           ) -> dict[str, list[str]]:
    return {f.code: [f"{i.kind}:{i.name}" for i in f.items]
            for f in analyze(items, (), NOW, resources)}


def test_well_kept_resources_have_no_findings() -> None:
    assert _codes(_vault(), _account()) == {}


@pytest.mark.parametrize(("public", "firewall", "open_"), [
    ("Enabled", "Allow", True), (None, None, True), ("Enabled", "Deny", False),
    ("Disabled", "Allow", False), ("SecuredByPerimeter", "Allow", False)])
def test_open_to_internet(public: str | None, firewall: str | None, open_: bool) -> None:
    assert open_to_internet(public, firewall) is open_
    codes = _codes(_vault(public_network=public, firewall_default=firewall),
                   _account(public_network=public, firewall_default=firewall))
    assert codes.get("open-to-internet", []) == (["vault:kv", "account:st"] if open_ else [])


def test_vault_on_access_policies() -> None:
    assert _codes(_vault(rbac=False)) == {"access-policies": ["vault:kv"]}
    assert _codes(_vault(rbac=None)) == {}  # ARM did not say


@pytest.mark.parametrize("purge", [False, None])  # not set: Azure leaves it off
def test_vault_without_purge_protection(purge: bool | None) -> None:
    (finding,) = analyze((), (), NOW, (_vault(purge_protection=purge),))
    assert (finding.code, finding.severity.value) == ("purge-protection-off", "high")
    assert finding.items[0].source == "Tenant A / Sub 1 / kv"


def test_purge_protection_once_per_vault_and_arm_decides() -> None:
    def item(source: str) -> VaultItemEntry:
        return VaultItemEntry(ItemKind.SECRET, source, "https://kv.vault.azure.net", "s",
                              expires_on=datetime(2031, 1, 1, tzinfo=UTC),
                              recovery_level="Recoverable+Purgeable")

    off = _vault("off", purge_protection=None)
    on = _vault("on")
    items = (item(off.source), item(off.source), item(on.source), item("direct-vault"))
    purge = _codes(off, on, items=items)["purge-protection-off"]
    # ARM's word for the discovered vaults (once each), the recovery level for the other
    assert sorted(purge) == ["vault:https://kv.vault.azure.net", "vault:off"]


@pytest.mark.parametrize(("shared", "flagged"), [(True, True), (None, True), (False, False)])
def test_shared_key_access(shared: bool | None, flagged: bool) -> None:
    assert ("shared-key-access" in _codes(_account(shared_key_access=shared))) is flagged


@pytest.mark.parametrize(("public", "flagged"), [(True, True), (None, False), (False, False)])
def test_public_blob_access(public: bool | None, flagged: bool) -> None:
    assert ("public-blob-access" in _codes(_account(public_blob_access=public))) is flagged


@pytest.mark.parametrize(("tls", "below"), [("TLS1_0", True), ("TLS1_1", True),
                                            ("tls1_1", True), ("TLS1_2", False),
                                            ("TLS1_3", False), (None, False), ("odd", False)])
def test_minimum_tls_below_1_2(tls: str | None, below: bool) -> None:
    assert tls_below_1_2(tls) is below
    findings = {f.code: f for f in analyze((), (), NOW, (_account(minimum_tls=tls),))}
    assert ("tls-below-1.2" in findings) is below
    if below:
        assert findings["tls-below-1.2"].severity.value == "high"


def test_severities_of_the_arm_rules() -> None:
    findings = analyze((), (), NOW, (
        _vault(rbac=False, purge_protection=None, firewall_default="Allow"),
        _account(public_network="Enabled", firewall_default="Allow", shared_key_access=None,
                 public_blob_access=True, minimum_tls="TLS1_0")))
    assert [(f.code, f.severity.value) for f in findings] == [
        ("purge-protection-off", "high"), ("tls-below-1.2", "high"),
        ("open-to-internet", "medium"), ("shared-key-access", "medium"),
        ("public-blob-access", "medium"), ("access-policies", "low")]


def _report(*resources: AzureResourceEntry) -> AuditReport:
    return AuditReport(
        generated_at=NOW, identity="auditor", tool_version="1.0", connections=(), items=(),
        containers=(), findings=analyze((), (), NOW, resources),
        errors=(ReportError("Tenant B / Sub 3", "list resources", "AccessDenied",
                            "Access denied", "no", status=403),), resources=resources)


def test_html_groups_resources_by_tenant_and_subscription() -> None:
    resources = (_vault("kv-a", rbac=False, notes=(HOSTILE,)), _vault("kv-b"),
                 _account("st-old", minimum_tls="TLS1_0", tags={"env": HOSTILE}))
    html = render_html(_report(*resources))
    section = html[html.index("<h2>Azure resources</h2>"):html.index("<h2>Inventory</h2>")]
    tenant_a, tenant_b = section.index("Tenant Tenant A"), section.index("Tenant Tenant B")
    assert tenant_a < section.index("Subscription Sub 1") < section.index("kv-a") < tenant_b
    assert tenant_b < section.index("Subscription Sub 2") < section.index("st-old")
    assert "access policies" in section and "TLS1_0" in section
    assert HOSTILE not in html and "&lt;b&gt;x&lt;/b&gt;" in section
    assert "Azure resources</span>" in html  # the summary tile
    assert "Tenant A / Sub 1 / kv-a" in html  # findings name where they live


def test_csv_and_json_carry_the_resources() -> None:
    report = _report(_vault("kv-a"), _account("st-old", minimum_tls="TLS1_0"))
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS + RESOURCE_COLUMNS
    resources = {row["name"]: row for row in rows if row["section"] == "resource"}
    assert resources["st-old"]["type"] == "Storage account"
    assert resources["st-old"]["minimum_tls"] == "TLS1_0"
    assert resources["kv-a"]["subscription"] == "Sub 1"
    assert resources["kv-a"]["purge_protection"] == "yes"
    document = json.loads(render_json(report))
    assert [r["name"] for r in document["resources"]] == ["kv-a", "st-old"]
    assert document["resources"][1]["finding_items"] == 1
    summary = document["summary"]
    assert (summary["resources"], summary["tenants"], summary["subscriptions"]) == (2, 2, 2)
    assert summary["finding_items_by_subscription"] == {"Tenant A / Sub 1": 0,
                                                        "Tenant B / Sub 2": 1}


def test_reports_without_resources_keep_their_shape() -> None:
    report = replace(_report(), errors=())
    assert "resources" not in json.loads(render_json(report))
    assert "resources" not in json.loads(render_json(report))["summary"]
    assert tuple(next(csv.DictReader(io.StringIO(render_csv(report)))).keys()) == CSV_COLUMNS
    assert "Azure resources" not in render_html(report)


def test_demo_audits_directly_or_through_discovery_only() -> None:
    vault = Connection("keyvault", "https://127.0.0.1:1", AuthMethod.LOCAL_EMULATOR)
    account = Connection("blob", "http://127.0.0.1:2/devstoreaccount1",
                         AuthMethod.LOCAL_EMULATOR)
    azure = Connection("azure", "https://127.0.0.1:3", AuthMethod.LOCAL_EMULATOR)
    named = Connection("keyvault", "https://named.vault.azure.net")
    demo = [vault, account, azure]
    assert with_demo([named], demo, KINDS) == [named, vault, account]
    discover = Connection("azure", "https://management.azure.com", scope="s-1")
    assert with_demo([named, discover], demo, KINDS) == [named, replace(azure, scope="s-1")]
