"""Credentials for connections, all async; no app registration or admin consent needed.

azure-identity's interactive browser and device code credentials exist only in sync form: they
are wrapped in ``ExecutorCredential`` so that waiting for the user never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.signin.clouds import available_clouds, cloud_of_url

if TYPE_CHECKING:  # azure-core loads after the window's first paint (sdk_imports)
    from azure.core.credentials import AccessToken

DeviceCodePrompt = Callable[[str, str, datetime], None]
"""Shows the user (verification URL, user code, expiry) for device-code sign-in."""


class ExecutorCredential:
    """An async credential over a sync one: ``get_token`` runs in the default executor."""

    def __init__(self, credential: Any) -> None:
        self._credential = credential

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, lambda: self._credential.get_token(*scopes, **kwargs)
        )

    async def close(self) -> None:
        close = getattr(self._credential, "close", None)
        if close is not None:
            close()

    async def __aenter__(self) -> ExecutorCredential:
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()


class StaticTokenCredential:
    """The local emulators' credential: a fixed token, never sent anywhere but loopback."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)

    async def close(self) -> None:
        """Nothing to release."""

    async def __aenter__(self) -> StaticTokenCredential:
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()


def credential_key(connection: Connection) -> tuple[Any, ...]:
    """Connections with equal keys can share one credential (and its token cache)."""
    return (connection.auth, connection.tenant_id, connection.client_id,
            connection.certificate_path, connection.secret_env)


TOKEN_CACHE_NAME = "vaultbrowser"


def cache_options(persistent_cache: bool) -> dict[str, Any]:
    """Keyword arguments for azure-identity credentials that can cache tokens.

    Off (the default): nothing, so tokens stay in memory. On: azure-identity's persistent cache,
    encrypted by the platform (DPAPI, Keychain, libsecret); ``allow_unencrypted_storage`` stays
    False, so where no encryption is available the credential fails rather than writing
    plain-text tokens.
    """
    if not persistent_cache:
        return {}
    from azure.identity import TokenCachePersistenceOptions

    return {"cache_persistence_options": TokenCachePersistenceOptions(
        name=TOKEN_CACHE_NAME, allow_unencrypted_storage=False)}


def _token_request_options(network: dict[str, Any]) -> dict[str, Any]:
    """Pipeline options of an async credential's token requests: the session's retries, and a
    transport that verifies with the OS trust store (a TLS-inspecting proxy's CA, installed on
    the machine, is trusted for sign-in as for the data requests) with the session's timeouts."""
    from vaultbrowser.core.services.http.transport import os_trust_transport

    network = dict(network)
    timeouts = {key: network.pop(key) for key in ("connection_timeout", "read_timeout")
                if key in network}
    return {**network, "transport": os_trust_transport(**timeouts)}


def _sync_token_request_options(network: dict[str, Any]) -> dict[str, Any]:
    """As ``_token_request_options``, for the sync credentials (requests underneath)."""
    from vaultbrowser.core.services.http.transport import os_trust_sync_transport

    network = dict(network)
    timeouts = {key: network.pop(key) for key in ("connection_timeout", "read_timeout")
                if key in network}
    return {**network, "transport": os_trust_sync_transport(**timeouts)}


def build_token_credential(connection: Connection, *,
                           device_code_prompt: DeviceCodePrompt | None = None,
                           persistent_cache: bool = False,
                           network_options: dict[str, Any] | None = None) -> Any:
    """An async token credential for an Entra ID sign-in method.

    ``persistent_cache`` opts in to azure-identity's encrypted token cache for the methods that
    support it (service principals, interactive browser, device code); the others (CLI,
    managed identity, the default chain) keep nothing of ours on disk. ``network_options``
    (retries, timeouts) apply to the service principals' token requests, so a failing sign-in
    is reported as soon as a failing data request.

    Raises:
        InvalidInput: the method is not a token method, or a required field is missing.
    """
    from azure.identity import aio as identity_aio

    auth = connection.auth
    # The connection's cloud signs in at its own authority (login.chinacloudapi.cn for a vault
    # in .vault.azure.cn); any tenant may be asked for (discovery asks each tenant's own).
    cloud = cloud_of_url(connection.url, available_clouds())
    cache = {**cache_options(persistent_cache), "additionally_allowed_tenants": ["*"],
             **({"authority": cloud.authority_host} if cloud is not None else {})}
    network = dict(network_options or {})
    tenant = connection.tenant_id or None
    client_id = connection.client_id or None
    if auth is AuthMethod.DEFAULT:
        options: dict[str, Any] = {key: cache[key] for key in ("additionally_allowed_tenants",
                                                               "authority") if key in cache}
        if tenant:
            options["visual_studio_code_tenant_id"] = tenant
        if client_id:
            options["managed_identity_client_id"] = client_id
        return identity_aio.DefaultAzureCredential(**options)
    if auth is AuthMethod.AZURE_CLI:
        return identity_aio.AzureCliCredential(tenant_id=tenant,
                                               additionally_allowed_tenants=["*"])
    if auth is AuthMethod.MANAGED_IDENTITY:
        return identity_aio.ManagedIdentityCredential(client_id=client_id)
    if auth is AuthMethod.SERVICE_PRINCIPAL_SECRET:
        if not (tenant and client_id):
            raise InvalidInput("A service principal needs a tenant id and a client id.")
        secret = connection.resolve_secret()
        assert secret is not None  # resolve_secret raises when a needed secret is missing
        return identity_aio.ClientSecretCredential(tenant, client_id, secret.reveal(), **cache,
                                                   **_token_request_options(network))
    if auth is AuthMethod.SERVICE_PRINCIPAL_CERTIFICATE:
        if not (tenant and client_id and connection.certificate_path):
            raise InvalidInput(
                "A service principal with a certificate needs a tenant id, a client id and the "
                "path of a PEM or PFX file."
            )
        has_password = connection.secret_env or connection.secret
        password = connection.resolve_secret() if has_password else None
        return identity_aio.CertificateCredential(
            tenant, client_id, connection.certificate_path,
            password=password.reveal() if password else None, **cache,
            **_token_request_options(network),
        )
    if auth is AuthMethod.INTERACTIVE_BROWSER:
        from azure.identity import InteractiveBrowserCredential

        return ExecutorCredential(InteractiveBrowserCredential(
            tenant_id=tenant, **cache, **_sync_token_request_options(network)))
    if auth is AuthMethod.DEVICE_CODE:
        from azure.identity import DeviceCodeCredential

        options = {"tenant_id": tenant, **cache, **_sync_token_request_options(network)}
        if device_code_prompt is not None:
            options["prompt_callback"] = device_code_prompt
        return ExecutorCredential(DeviceCodeCredential(**options))
    raise InvalidInput(f"{auth.label} is not an Entra ID sign-in method.")
