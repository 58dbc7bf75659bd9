"""The Cosmos connection an account that Azure discovery found becomes: signed in as the Azure
sign-in (Entra ID), or with the account key Resource Manager handed out (held, never shown)."""

from __future__ import annotations

import pytest

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.cosmos.services.discovered import cosmos_connection_for_resource

ENDPOINT = "https://cosmos-demo.documents.azure.com:443/"
TENANT = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"


def test_a_discovered_account_becomes_a_cosmos_connection() -> None:
    sign_in = Connection("azure", "https://management.azure.com", AuthMethod.AZURE_CLI,
                         tenant_id=TENANT, read_only=True)
    entra = cosmos_connection_for_resource(ENDPOINT, sign_in, None)
    assert (entra.kind, entra.url, entra.auth) == (
        "cosmos", "https://cosmos-demo.documents.azure.com/", AuthMethod.AZURE_CLI)
    assert entra.tenant_id == TENANT and entra.read_only and entra.secret is None

    key = SecretValue("a2V5LW9mLXRoZS1hY2NvdW50")
    keyed = cosmos_connection_for_resource(ENDPOINT, sign_in, key)
    assert keyed.auth is AuthMethod.ACCOUNT_KEY and keyed.secret is key
    assert keyed.display_name.endswith("(account key)") and keyed.read_only
    assert key.reveal() not in repr(keyed) and key.reveal() not in keyed.display_name
    with pytest.raises(InvalidInput):
        cosmos_connection_for_resource("https://example.com/", sign_in, None)


def test_a_loopback_account_keeps_the_sign_ins_ca() -> None:
    sign_in = Connection("azure", "https://127.0.0.1:7443", AuthMethod.LOCAL_EMULATOR,
                         tenant_id=TENANT, ca_path="/tmp/ca.pem")
    keyed = cosmos_connection_for_resource("https://127.0.0.1:8081/", sign_in,
                                           SecretValue("a2V5"))
    assert keyed.url == "https://127.0.0.1:8081/" and keyed.ca_path == "/tmp/ca.pem"
