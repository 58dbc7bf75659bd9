"""The loopback managed-identity endpoint with the real azure-identity credentials."""

from __future__ import annotations

import time

import pytest
import requests
from azure.identity import DefaultAzureCredential, ManagedIdentityCredential
from azure.identity.aio import ManagedIdentityCredential as AsyncManagedIdentityCredential
from azure.keyvault.secrets import SecretClient
from azure.keyvault.secrets.aio import SecretClient as AsyncSecretClient

from vaultbrowser.emulators.keyvault import LOCAL_TOKEN, KeyVaultEmulator

from .helpers import client_kwargs, run, unique

SCOPE = "https://vault.azure.net/.default"


@pytest.fixture
def identity_env(emu: KeyVaultEmulator, monkeypatch: pytest.MonkeyPatch) -> KeyVaultEmulator:
    for var in ("MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT",
                "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET",
                "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", emu.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", emu.identity_header)
    return emu


def test_wire_shape(emu: KeyVaultEmulator) -> None:
    assert emu.identity_endpoint.startswith("http://127.0.0.1:")
    params = {"api-version": "2019-08-01", "resource": "https://vault.azure.net"}
    ok = requests.get(emu.identity_endpoint, params=params, timeout=10,
                      headers={"X-IDENTITY-HEADER": emu.identity_header})
    body = ok.json()
    assert ok.status_code == 200 and body["access_token"] == LOCAL_TOKEN
    assert body["token_type"] == "Bearer" and body["resource"] == "https://vault.azure.net"
    assert isinstance(body["expires_on"], str) and int(body["expires_on"]) > time.time()
    bad = requests.get(emu.identity_endpoint, params=params, timeout=10,
                       headers={"X-IDENTITY-HEADER": "wrong"})
    assert bad.status_code == 400


def test_managed_identity_sync(identity_env: KeyVaultEmulator) -> None:
    emu = identity_env
    credential = ManagedIdentityCredential()
    token = credential.get_token(SCOPE)
    assert token.token == LOCAL_TOKEN and token.expires_on > time.time()
    client = SecretClient(emu.url, credential, **client_kwargs(emu))
    name = unique("mi")
    client.set_secret(name, "v")
    assert client.get_secret(name).value == "v"


def test_default_credential(identity_env: KeyVaultEmulator) -> None:
    credential = DefaultAzureCredential(
        exclude_workload_identity_credential=True, exclude_shared_token_cache_credential=True,
        exclude_cli_credential=True, exclude_powershell_credential=True,
        exclude_developer_cli_credential=True, exclude_visual_studio_code_credential=True,
    )
    assert credential.get_token(SCOPE).token == LOCAL_TOKEN


def test_managed_identity_async(identity_env: KeyVaultEmulator) -> None:
    emu = identity_env

    async def scenario() -> None:
        async with AsyncManagedIdentityCredential() as credential:
            token = await credential.get_token(SCOPE)
            assert token.token == LOCAL_TOKEN
            async with AsyncSecretClient(emu.url, credential, **client_kwargs(emu)) as client:
                name = unique("ami")
                await client.set_secret(name, "v")
                assert (await client.get_secret(name)).value == "v"

    run(scenario())
