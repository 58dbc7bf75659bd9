"""Resource Graph through the real ResourceGraphClient: the query subset, scope, paging."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.resourcegraph import ResourceGraphClient
from azure.mgmt.resourcegraph.aio import ResourceGraphClient as AsyncResourceGraphClient
from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

from vaultbrowser.emulators.arm.seed import (
    CONTOSO_TENANT_ID,
    DEVELOPMENT_SUBSCRIPTION_ID,
    FABRIKAM_SUBSCRIPTION_ID,
    FABRIKAM_TENANT_ID,
    RESTRICTED_SUBSCRIPTION_ID,
    generated_world,
)
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.arm.tokens import EmulatorArmSyncCredential

from .helpers import BLOB_ENDPOINT, VAULT_URI, kw

BOTH = ("resources | where type in~ ('Microsoft.KeyVault/vaults', "
        "'microsoft.storage/storageaccounts')")


@pytest.fixture(scope="module")
def graph(emu: ArmEmulator) -> ResourceGraphClient:
    return ResourceGraphClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), **kw(emu))


def _query(client: ResourceGraphClient, text: str, **options: Any) -> Any:
    subscriptions = options.pop("subscriptions", None)
    return client.resources(QueryRequest(query=text, subscriptions=subscriptions,
                                         options=QueryRequestOptions(**options)))


def test_type_filter_spans_readable_subscriptions(graph: ResourceGraphClient) -> None:
    result = _query(graph, BOTH)
    names = sorted(row["name"] for row in result.data)
    assert names == ["demo-vault", "devstoreaccount1", "kv-dev-legacy", "kv-dev-open",
                     "stdevdatalake", "stdevlegacy01"]  # not the unreadable subscription's
    assert (result.total_records, result.count, result.result_truncated) == (6, 6, "false")
    assert result.skip_token is None and result.facets == []
    vault = next(row for row in result.data if row["name"] == "demo-vault")
    assert vault["type"] == "microsoft.keyvault/vaults" and vault["tenantId"] == CONTOSO_TENANT_ID
    assert vault["resourceGroup"] == "rg-prod-secrets" and vault["location"] == "westeurope"
    assert vault["properties"]["vaultUri"] == VAULT_URI
    assert vault["properties"]["enablePurgeProtection"] is True
    assert vault["properties"]["networkAcls"]["defaultAction"] == "Deny"
    account = next(row for row in result.data if row["name"] == "stdevdatalake")
    assert account["type"] == "microsoft.storage/storageaccounts"
    assert account["sku"] == {"name": "Standard_LRS", "tier": "Standard"}
    props = account["properties"]
    assert props["allowSharedKeyAccess"] is False and props["isHnsEnabled"] is True
    assert props["primaryEndpoints"]["blob"] == BLOB_ENDPOINT


def test_where_project_order(graph: ResourceGraphClient) -> None:
    text = """Resources
        | where type =~ 'MICROSOFT.KEYVAULT/VAULTS'
        | project id, name, properties
        | order by name asc"""
    rows = _query(graph, text).data
    assert [row["name"] for row in rows] == ["demo-vault", "kv-dev-legacy", "kv-dev-open"]
    assert all(set(row) == {"id", "name", "properties"} for row in rows)
    legacy = rows[1]["properties"]
    assert "enablePurgeProtection" not in legacy and legacy["enableRbacAuthorization"] is False
    assert legacy["accessPolicies"][0]["permissions"]["secrets"]
    one = _query(graph, "resources | where name =~ 'DEMO-VAULT' | project name, location").data
    assert one == [{"name": "demo-vault", "location": "westeurope"}]
    descending = _query(graph, BOTH + " | order by name desc | project name").data
    assert [row["name"] for row in descending][:2] == ["stdevlegacy01", "stdevdatalake"]


def test_table_format_and_listed_subscriptions(graph: ResourceGraphClient) -> None:
    result = _query(graph, "resources | project name, type | order by name asc",
                    result_format="table", subscriptions=[DEVELOPMENT_SUBSCRIPTION_ID])
    assert result.data["columns"] == [{"name": "name", "type": "string"},
                                      {"name": "type", "type": "string"}]
    assert [row[0] for row in result.data["rows"]] == [
        "kv-dev-legacy", "kv-dev-open", "stdevdatalake", "stdevlegacy01"]
    outside = [RESTRICTED_SUBSCRIPTION_ID, FABRIKAM_SUBSCRIPTION_ID]
    assert _query(graph, "resources", subscriptions=outside).total_records == 0


def test_without_id_results_are_truncated_not_paged(graph: ResourceGraphClient) -> None:
    result = _query(graph, BOTH + " | project name", top=2)
    assert (result.count, result.total_records, result.result_truncated) == (2, 6, "true")
    assert result.skip_token is None


def _error_body(error: HttpResponseError) -> dict[str, Any]:
    assert error.response is not None
    return error.response.json()["error"]


@pytest.mark.parametrize(("text", "second"), [
    ("resources | where type == 'x'", "ParserFailure"),
    ("resources | summarize count()", "ParserFailure"),
    ("resources | where type in~ ('a', )", "ParserFailure"),
    ("resources | project name | where type =~ 'x'", "FailedToResolveScalarExpression"),
    ("securityresources", "FailedToResolveTableExpression"),
    ("resources | where name =~ 'unterminated", "ParserFailure"),
])
def test_unsupported_query_is_400(graph: ResourceGraphClient, text: str, second: str) -> None:
    with pytest.raises(HttpResponseError) as caught:
        _query(graph, text)
    assert caught.value.status_code == 400
    error = _error_body(caught.value)
    assert error["code"] == "BadRequest"
    correlation = caught.value.response.headers["x-ms-correlation-request-id"]
    assert f"correlationId = {correlation}" in error["message"]
    assert [d["code"] for d in error["details"]] == ["InvalidQuery", second]
    assert error["details"][0]["message"].startswith("Query is invalid.")
    detail = error["details"][1]
    assert detail["line"] >= 1 and detail["characterPositionInLine"] >= 0 and detail["token"]


def test_parser_failure_position(graph: ResourceGraphClient) -> None:
    with pytest.raises(HttpResponseError) as caught:
        _query(graph, "resources\n| where type == 'x'")
    detail = _error_body(caught.value)["details"][1]
    assert (detail["line"], detail["characterPositionInLine"], detail["token"]) == (2, 13, "==")
    assert "=~" in detail["expectedToken"]


def test_tenant_without_graph_access_is_403(emu: ArmEmulator, graph: ResourceGraphClient) -> None:
    tenant = emu.world.tenant(CONTOSO_TENANT_ID)
    assert tenant is not None
    tenant.resource_graph_allowed = False
    try:
        with pytest.raises(HttpResponseError) as caught:
            _query(graph, "resources")
    finally:
        tenant.resource_graph_allowed = True
    assert caught.value.status_code == 403
    error = _error_body(caught.value)
    assert error["code"] == "AuthorizationFailed"
    assert error["message"].startswith("The client 'demo.user@contoso-demo.com' with object id '")
    assert ("does not have authorization to perform action "
            "'Microsoft.ResourceGraph/resources/read' over scope "
            "'/providers/Microsoft.ResourceGraph' or the scope is invalid.") in error["message"]


def test_aio_client(emu: ArmEmulator) -> None:
    async def scenario() -> list[str]:
        credential = emu.credential(FABRIKAM_TENANT_ID, mfa_tenants=[FABRIKAM_TENANT_ID])
        async with credential, AsyncResourceGraphClient(credential, **kw(emu)) as client:
            result = await client.resources(QueryRequest(query="resources | project id, name"))
            return [row["name"] for row in result.data]

    assert asyncio.run(scenario()) == ["kv-fabrikam-shared"]


@pytest.fixture(scope="module")
def big(arm_tls_dir: Path) -> Iterator[ArmEmulator]:
    world = generated_world(3, 50, 2000, vault_uri=VAULT_URI, blob_endpoint=BLOB_ENDPOINT)
    with run_arm_emulator_in_thread(world, data_dir=arm_tls_dir) as emulator:
        yield emulator


def test_skip_tokens_walk_every_tenant_share(big: ArmEmulator) -> None:
    seen: dict[str, list[str]] = {}
    for tenant in big.world.tenants:
        client = ResourceGraphClient(big.sync_credential(tenant.id), **kw(big))
        ids: list[str] = []
        token = None
        pages = 0
        while True:
            result = _query(client, BOTH + " | project id, name, tenantId", skip_token=token)
            assert result.result_truncated == "false" and result.count == len(result.data)
            assert all(row["tenantId"] == tenant.id for row in result.data)
            ids += [row["id"] for row in result.data]
            pages += 1
            token = result.skip_token
            if token is None:
                break
        assert len(ids) == len(set(ids)) == result.total_records
        assert pages == -(-len(ids) // 100)
        seen[tenant.id] = ids
    assert sum(len(ids) for ids in seen.values()) == 2000
    assert sorted(len(ids) for ids in seen.values()) == [650, 650, 700]


def test_top_skip_and_foreign_skip_token(big: ArmEmulator) -> None:
    client = ResourceGraphClient(big.sync_credential(), **kw(big))
    first = _query(client, "resources | project id", top=1000)
    assert first.count == first.total_records and first.skip_token is None
    skipped = _query(client, "resources | project id", top=5, skip=10)
    assert [row["id"] for row in skipped.data] == [row["id"] for row in first.data[10:15]]
    token = _query(client, "resources | project id", top=5).skip_token
    with pytest.raises(HttpResponseError) as caught:
        _query(client, "resources | project id, name", skip_token=token)
    assert _error_body(caught.value)["details"][0]["code"] == "InvalidSkipToken"
    with pytest.raises(HttpResponseError) as caught:
        _query(client, "resources", top=5000)
    assert caught.value.status_code == 400
