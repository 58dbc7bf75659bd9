"""``ServiceSession``: builds and owns every service, transport and credential of one run.

The composition root creates one session; models ask it for a ``KeyVaultService`` or
``BlobService`` per connection. Closing the session (from the window's close handling, while
the loop still runs) closes clients, credentials and HTTP sessions in that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vaultbrowser.core.services.config import LimitSettings, NetworkSettings
from vaultbrowser.core.services.connection_strings import parse_account_key, parse_sas_token
from vaultbrowser.core.services.connections import (
    DEVSTORE_ACCOUNT,
    AuthMethod,
    Connection,
    ServiceKind,
    StorageConnectionParts,
    endpoint_account,
    is_loopback_url,
    normalize_blob_endpoint,
    parse_storage_connection_string,
    sas_url_parts,
)
from vaultbrowser.core.services.credentials import (
    DeviceCodePrompt,
    StaticTokenCredential,
    build_token_credential,
    credential_key,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.journal import HttpJournal, RequestGuard
from vaultbrowser.core.services.http.readonly import read_only_guard
from vaultbrowser.core.services.records import SecretValue

if TYPE_CHECKING:  # the SDK modules load when the first connection opens
    from vaultbrowser.blob.services.blob_service import BlobService
    from vaultbrowser.core.services.http.transport import RecordingTransport
    from vaultbrowser.keyvault.services.vault_service import KeyVaultService

# The token the session sends to the local Key Vault emulator (which accepts any token).
LOCAL_EMULATOR_TOKEN = "vaultbrowser-local-emulator-token"
# Azurite's well-known development account key (public, documented by Microsoft).
DEVSTORE_ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


# azure-core's network trace logs whole requests and responses (values, keys) when enabled.
_NO_BODY_LOGGING: dict[str, Any] = {"logging_enable": False}


def _inert_policy() -> Any:
    from vaultbrowser.core.services.http.transport import no_network_trace_policy

    return no_network_trace_policy()


class ServiceSession:
    """Owns transports, credentials and services; one per application run."""

    def __init__(
        self,
        journal: HttpJournal | None = None,
        *,
        network: NetworkSettings | None = None,
        read_only: bool = False,
        device_code_prompt: DeviceCodePrompt | None = None,
        persistent_token_cache: bool = False,
        limits: LimitSettings | None = None,
    ) -> None:
        """``read_only`` makes every connection read-only (``--read-only``); a connection's
        own ``read_only`` flag does the same for that connection alone.

        ``persistent_token_cache`` (opt-in, off by default) lets Entra ID credentials keep their
        tokens in azure-identity's encrypted persistent cache; otherwise tokens live in memory
        only and nothing credential-like is written to disk."""
        self.journal = journal if journal is not None else HttpJournal()
        self._network = network or NetworkSettings()
        self._limits = limits or LimitSettings()  # every transport holds responses to them
        self.read_only = read_only
        self._device_code_prompt = device_code_prompt
        self.persistent_token_cache = persistent_token_cache
        self._credentials: dict[tuple[Any, ...], Any] = {}
        self._transports: list[RecordingTransport] = []
        self._services: list[Any] = []
        self._transport_of: dict[int, RecordingTransport] = {}  # id(service) → its transport

    # --- building blocks ----------------------------------------------------------------

    def _transport(self, connection: Connection) -> RecordingTransport:
        from vaultbrowser.core.services.http.transport import (
            RecordingTransport,
            os_trust_transport,
            private_ca_transport,
        )

        options: dict[str, Any] = {"connection_timeout": self._network.connection_timeout,
                                   "read_timeout": self._network.read_timeout}
        if connection.ca_path:
            # A private CA is for the local emulators only; Azure hosts use the OS trust store.
            if not is_loopback_url(connection.url):
                raise InvalidInput("A custom CA file is only allowed for loopback emulators.")
            inner = private_ca_transport(connection.ca_path, **options)
        else:
            # Verification on, with the operating system's trust store (corporate CAs work).
            inner = os_trust_transport(**options)
        guard: RequestGuard | None = None
        if self.is_read_only(connection):
            guard = read_only_guard(connection.display_name)
        transport = RecordingTransport(inner, journal=self.journal, guard=guard,
                                       connection=connection.display_name, limits=self._limits)
        self._transports.append(transport)
        return transport

    def _token_credential(self, connection: Connection) -> Any:
        key = credential_key(connection)
        credential = self._credentials.get(key)
        if credential is None:
            if connection.auth is AuthMethod.LOCAL_EMULATOR:
                credential = StaticTokenCredential(LOCAL_EMULATOR_TOKEN)
            else:
                credential = build_token_credential(
                    connection, device_code_prompt=self._device_code_prompt,
                    persistent_cache=self.persistent_token_cache,
                    network_options=self._network.client_options(),
                )
            self._credentials[key] = credential
        return credential

    def is_read_only(self, connection: Connection) -> bool:
        return self.read_only or connection.read_only

    # --- services -------------------------------------------------------------------------

    def open_vault(self, connection: Connection) -> KeyVaultService:
        """A service for one vault. Nothing is sent until the first call.

        Raises:
            InvalidInput: the connection is not a Key Vault connection or lacks what it needs.
        """
        from vaultbrowser.keyvault.services.vault_service import KeyVaultService

        if connection.kind is not ServiceKind.KEY_VAULT:
            raise InvalidInput(f"{connection.display_name} is not a Key Vault connection.")
        if connection.auth in (AuthMethod.CONNECTION_STRING, AuthMethod.ACCOUNT_KEY,
                               AuthMethod.SAS):
            raise InvalidInput(f"{connection.auth.label} does not apply to Key Vault.")
        transport = self._transport(connection)
        service = KeyVaultService(
            connection.url,
            self._token_credential(connection),
            transport,
            **self._network.client_options(),
            **_NO_BODY_LOGGING,
            # Key Vault's network trace policy logs bodies (secret values) when logging_enable
            # is set, even per call: an inert policy in its place means it never can.
            logging_policy=_inert_policy(),
        )
        self._services.append(service)
        self._transport_of[id(service)] = transport
        return service

    def open_storage(self, connection: Connection) -> BlobService:
        """A service for one storage account. Nothing is sent until the first call.

        A connection string, SAS or account key is parsed here (``storage_secret_parts``): the
        SDK gets the endpoint the connection shows and one credential, never the raw text.

        Raises:
            InvalidInput: not a storage connection, or its secret is missing or malformed, or
                names another endpoint than the connection's URL (nothing is sent).
        """
        from azure.storage.blob.aio import BlobServiceClient

        from vaultbrowser.blob.services.blob_service import BlobService

        if connection.kind is not ServiceKind.BLOB:
            raise InvalidInput(f"{connection.display_name} is not a storage connection.")
        url: str = connection.url
        credential: Any = None
        if connection.auth in (AuthMethod.CONNECTION_STRING, AuthMethod.ACCOUNT_KEY,
                               AuthMethod.SAS):
            parts = storage_secret_parts(connection)
            url = parts.blob_endpoint
            if parts.sas is not None:
                from azure.core.credentials import AzureSasCredential

                credential = AzureSasCredential(parts.sas.token.reveal())
            else:  # exactly one credential: an account key, or the emulator's public one
                key = (DEVSTORE_ACCOUNT_KEY if parts.development_storage
                       else _revealed(parts.account_key))
                credential = {"account_name": parts.account_name or account_name_of(url),
                              "account_key": key}
        elif connection.auth is AuthMethod.LOCAL_EMULATOR:
            credential = {"account_name": account_name_of(url),
                          "account_key": DEVSTORE_ACCOUNT_KEY}
        transport = self._transport(connection)
        options: dict[str, Any] = {"transport": transport, **self._network.client_options(),
                                   **_NO_BODY_LOGGING}
        if credential is None:
            credential = self._token_credential(connection)
        client = BlobServiceClient(url, credential=credential, **options)
        service = BlobService(client, name=connection.display_name)
        self._services.append(service)
        self._transport_of[id(service)] = transport
        return service

    async def close_service(self, service: Any) -> None:
        """Close one service and the HTTP transport (aiohttp session) made for it."""
        if service in self._services:
            self._services.remove(service)
        await service.close()
        transport = self._transport_of.pop(id(service), None)
        if transport is not None and transport in self._transports:
            self._transports.remove(transport)
            await transport.aclose()

    async def aclose(self) -> None:
        """Close everything this session opened. Safe to call twice."""
        services, self._services = self._services, []
        self._transport_of.clear()
        for service in services:
            await service.close()
        credentials, self._credentials = self._credentials, {}
        for credential in credentials.values():
            close = getattr(credential, "close", None)
            if close is not None:
                await close()
        transports, self._transports = self._transports, []
        for transport in transports:
            await transport.aclose()


def _revealed(secret: SecretValue | None) -> str:
    if secret is None:  # StorageConnectionParts always carries one credential
        raise InvalidInput("The storage connection has no credential.")
    return secret.reveal()


def account_name_of(url: str) -> str:
    """The storage account name of a blob endpoint (``acct`` of ``acct.blob.core…``, or the
    path of an emulator URL such as ``http://127.0.0.1:10000/devstoreaccount1``; Azurite's
    default account at a bare loopback address).

    Raises:
        InvalidInput: the address does not tell (a custom domain, or not an account name).
    """
    name = endpoint_account(url)
    if name is None and is_loopback_url(url) and not urlsplit(url).path.strip("/"):
        return DEVSTORE_ACCOUNT
    if name is None:
        raise InvalidInput(f"The storage account name of {url} cannot be told from the address.",
                           advice="Use a connection string with AccountName and AccountKey.")
    return name


def storage_secret_parts(connection: Connection) -> StorageConnectionParts:
    """What a connection-string, SAS or account-key connection gives the SDK: its secret (in
    memory, or read now from ``secret_env``) parsed with the same strict parsers as when it was
    added, for exactly the endpoint the connection shows.

    Raises:
        InvalidInput: the secret is missing or malformed, or names another endpoint than the
            connection's URL (e.g. the environment variable changed since it was saved).
    """
    secret = connection.resolve_secret()
    if secret is None:
        raise InvalidInput(f"{connection.auth.label} needs a secret for "
                           f"{connection.display_name}.")
    shown = normalize_blob_endpoint(connection.url, allow_http=is_loopback_url(connection.url))
    text = secret.reveal().strip()
    if connection.auth is AuthMethod.CONNECTION_STRING:
        parts = parse_storage_connection_string(text)
    elif connection.auth is AuthMethod.SAS:  # a token, or a whole SAS URL (from a variable)
        url, sas = sas_url_parts(text) if "://" in text else (shown, parse_sas_token(text))
        parts = StorageConnectionParts(url, endpoint_account(url), sas=sas)
    else:
        parts = StorageConnectionParts(shown, endpoint_account(shown),
                                       account_key=parse_account_key(text))
    if parts.blob_endpoint != shown:
        source = (f"the environment variable {connection.secret_env}"
                  if connection.secret is None and connection.secret_env else "its secret")
        raise InvalidInput(
            f"{connection.display_name} was not opened: {source} names another storage "
            f"endpoint than {shown}.",
            advice="vaultbrowser connects only to the account it shows. Set the variable back, "
                   "or remove the connection and add it again.")
    return parts
