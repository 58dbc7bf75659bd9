"""``ServiceSession``: owns every service, transport and credential of one run.

The composition root creates one session. A kind's ``open`` builds its service from the
session's parts (``transport``, ``token_credential``, ``client_options``) and hands it back
with ``adopt``. Closing the session (from
the window's close handling, while the loop still runs) closes services, credentials and HTTP
sessions in that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vaultbrowser.core.services.config import LimitSettings, NetworkSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection, is_loopback_url
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.journal import HttpJournal, OperationName, RequestGuard
from vaultbrowser.core.services.http.readonly import ReadOnlyRequest, read_only_guard
from vaultbrowser.core.services.signin.credentials import (
    DeviceCodePrompt,
    StaticTokenCredential,
    build_token_credential,
    credential_key,
)

if TYPE_CHECKING:  # the SDK modules load when the first connection opens
    from vaultbrowser.core.services.http.transport import RecordingTransport

# The token the session sends to the local Key Vault emulator (which accepts any token).
LOCAL_EMULATOR_TOKEN = "vaultbrowser-local-emulator-token"


# azure-core's network trace logs whole requests and responses (values, keys) when enabled.
_NO_BODY_LOGGING: dict[str, Any] = {"logging_enable": False}


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

    def client_options(self) -> dict[str, Any]:
        """What every SDK client of the session is built with: the network settings (retries,
        timeouts) and no body logging (azure-core's network trace logs whole requests and
        responses, secret values included, when enabled)."""
        return {**self._network.client_options(), **_NO_BODY_LOGGING}

    def transport(self, connection: Connection,
                  reads: ReadOnlyRequest | None = None,
                  names: OperationName | None = None) -> RecordingTransport:
        """A new recording transport for ``connection`` (read-only guard, limits, TLS rules);
        the session closes it. ``reads``: the kind's rule for its requests that only read
        although they are not GETs (a Cosmos DB query), let through in read-only mode.
        ``names``: the kind's names for its requests, on each record (the audit trail's).

        Raises:
            InvalidInput: a private CA file for a host that is not loopback.
        """
        from vaultbrowser.core.services.http.transport import (
            RecordingTransport,
            os_trust_transport,
            private_ca_transport,
        )

        options: dict[str, Any] = {"connection_timeout": self._network.connection_timeout,
                                   "read_timeout": self._network.read_timeout,
                                   # A streamed body (a blob download) is read in blocks of
                                   # this size: azure-core's default, 4 KiB, cost a Python
                                   # iteration per 4 KiB (the storage SDK's own is 256 KiB).
                                   "connection_data_block_size": 256 * 1024}
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
            guard = read_only_guard(connection.display_name, reads)
        transport = RecordingTransport(inner, journal=self.journal, guard=guard,
                                       connection=connection.display_name, limits=self._limits,
                                       names=names)
        self._transports.append(transport)
        return transport

    def token_credential(self, connection: Connection) -> Any:
        """The Entra ID credential of ``connection``'s sign-in method, shared by connections
        that sign in the same way (the local emulators get a fixed loopback-only token)."""
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

    def adopt(self, service: Any, transport: RecordingTransport | None = None) -> None:
        """Own ``service`` (a kind's opener made it, with ``transport`` when it speaks HTTP
        through the session's pipeline): closed with the session, or with ``close_service``."""
        self._services.append(service)
        if transport is not None:
            self._transport_of[id(service)] = transport

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
