"""Credentials per sign-in method: built without network, sync ones kept off the loop."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from azure.identity import ManagedIdentityCredential
from azure.identity import aio as identity_aio

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.signin.credentials import ExecutorCredential, build_token_credential

VAULT = "https://v.vault.azure.net"
TENANT = "00000000-0000-0000-0000-000000000001"
CLIENT = "00000000-0000-0000-0000-000000000002"


def conn(auth: AuthMethod, **fields: Any) -> Connection:
    return Connection("keyvault", VAULT, auth, **fields)


@pytest.mark.parametrize(
    ("connection", "expected"),
    [
        (conn(AuthMethod.DEFAULT), identity_aio.DefaultAzureCredential),
        (conn(AuthMethod.AZURE_CLI, tenant_id=TENANT), identity_aio.AzureCliCredential),
        (conn(AuthMethod.MANAGED_IDENTITY, client_id=CLIENT),
         identity_aio.ManagedIdentityCredential),
        (conn(AuthMethod.SERVICE_PRINCIPAL_SECRET, tenant_id=TENANT, client_id=CLIENT,
              secret=SecretValue("client-secret")), identity_aio.ClientSecretCredential),
        (conn(AuthMethod.INTERACTIVE_BROWSER, tenant_id=TENANT), ExecutorCredential),
        (conn(AuthMethod.DEVICE_CODE), ExecutorCredential),
    ],
    ids=lambda value: getattr(value, "auth", None) or getattr(value, "__name__", ""),
)
def test_each_sign_in_method_builds_its_credential(connection: Connection, expected: type,
                                                   run: Any) -> None:
    async def body() -> Any:
        credential = build_token_credential(connection)
        await credential.close()
        return credential

    assert isinstance(run(body()), expected)


def test_service_principal_needs_its_fields_and_secret() -> None:
    with pytest.raises(InvalidInput, match="tenant"):
        build_token_credential(conn(AuthMethod.SERVICE_PRINCIPAL_SECRET))
    with pytest.raises(InvalidInput, match="needs a secret"):
        build_token_credential(conn(AuthMethod.SERVICE_PRINCIPAL_SECRET, tenant_id=TENANT,
                                    client_id=CLIENT))
    with pytest.raises(InvalidInput, match="certificate"):
        build_token_credential(conn(AuthMethod.SERVICE_PRINCIPAL_CERTIFICATE, tenant_id=TENANT))
    with pytest.raises(InvalidInput):
        build_token_credential(conn(AuthMethod.ACCOUNT_KEY))


def test_sync_credential_runs_off_the_event_loop(kv_emulator: Any, run: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync credential (the kind interactive sign-in is) gets its token on a worker thread."""
    monkeypatch.setenv("IDENTITY_ENDPOINT", kv_emulator.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", kv_emulator.identity_header)
    threads: list[str] = []

    class Watching(ManagedIdentityCredential):
        def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            threads.append(threading.current_thread().name)
            return super().get_token(*scopes, **kwargs)

    async def body() -> Any:
        credential = ExecutorCredential(Watching())
        try:
            return await credential.get_token("https://vault.azure.net/.default")
        finally:
            await credential.close()

    token = run(body())
    assert token.token and threads and threads[0] != threading.main_thread().name
