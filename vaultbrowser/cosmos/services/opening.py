"""Opening a Cosmos DB connection: its sign-in, the session's transport, the ``CosmosService``.

The official ``azure.cosmos.aio.CosmosClient`` is built on the session's ``RecordingTransport``
(``transport=``: azure-cosmos takes azure-core's pipeline arguments), so every request — each
retry of a throttled one too — is a journal entry, held to the response limits, and refused
before the wire by the read-only guard when the connection is read-only; the guard lets queries
through (``read_requests.cosmos_read_request``).

The client reads the account (``GET /``: its regions and consistency) when it opens; a wrong
key or a missing role fails there, as the typed error of that first request. That read's facts
are kept (``account.AccountRead``, the client's ``raw_response_hook``): ``CosmosService.account``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azure.cosmos.aio import CosmosClient

from vaultbrowser.core.services.connections import ENTRA_METHODS, AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.cosmos.services.account import AccountRead
from vaultbrowser.cosmos.services.addresses import (
    account_key,
    normalize_cosmos_url,
    parse_connection_string,
)
from vaultbrowser.cosmos.services.failures import cosmos_translated
from vaultbrowser.cosmos.services.operation_names import cosmos_operation_name
from vaultbrowser.cosmos.services.read_requests import cosmos_read_request
from vaultbrowser.cosmos.services.service import CosmosService

if TYPE_CHECKING:
    from vaultbrowser.core.services.session import ServiceSession

# How Cosmos connections sign in: Entra ID (data-plane RBAC, every method the app has), the
# account key or a connection string (held in memory or named by an environment variable), or
# the local server of the tests and the demo (the session's fixed loopback token: the server
# checks no authorisation).
COSMOS_AUTH_METHODS = (*ENTRA_METHODS, AuthMethod.ACCOUNT_KEY, AuthMethod.CONNECTION_STRING,
                       AuthMethod.LOCAL_EMULATOR)
# The session's client options azure-cosmos takes; it hands any other keyword on to every
# request, down to aiohttp (the storage SDK's backoff options made each request fail).
_CLIENT_OPTIONS = frozenset({"retry_total", "retry_status", "retry_read", "retry_backoff_factor",
                             "retry_backoff_max", "connection_timeout", "read_timeout",
                             "logging_enable"})


def credential_of(session: ServiceSession, connection: Connection, endpoint: str) -> Any:
    """What the SDK signs with: the session's Entra ID credential, or the key (as text, the
    SDK's form; it never leaves the client's auth header).

    Raises:
        InvalidInput: a sign-in method Cosmos DB does not take, a missing or invalid secret, a
            connection string of another account.
    """
    if connection.auth in ENTRA_METHODS or connection.auth is AuthMethod.LOCAL_EMULATOR:
        return session.token_credential(connection)
    secret = connection.resolve_secret()
    if secret is None:  # resolve_secret raises when a needed secret is missing
        raise InvalidInput(f"{connection.auth.label} needs a secret for {connection.display_name}.")
    if connection.auth is AuthMethod.ACCOUNT_KEY:
        return account_key(secret.reveal()).reveal()
    if connection.auth is AuthMethod.CONNECTION_STRING:
        parsed = parse_connection_string(secret)
        if parsed.endpoint != endpoint:
            raise InvalidInput("The connection string is for another account than the "
                               "connection's endpoint.",
                               advice="Paste the connection string of this account, or edit "
                                      "the connection's endpoint.")
        return parsed.key.reveal()
    raise InvalidInput(f"{connection.auth.label} is not a way to sign in to Cosmos DB.",
                       advice="Choose Entra ID sign-in, the account key or a connection string.")


async def open_service(session: ServiceSession, connection: Connection) -> CosmosService:
    """A connection's service, built from the session's parts (credential, transport with its
    journal, read-only guard and limits, network options) and adopted by the session.

    Raises:
        InvalidInput: the endpoint or secret is not valid, or a sign-in Cosmos does not take.
        VaultBrowserError: the typed error of the account's first read (sign-in, role,
            network).
    """
    endpoint = normalize_cosmos_url(connection.url)
    credential = credential_of(session, connection, endpoint)
    transport = session.transport(connection, reads=cosmos_read_request,
                                  names=cosmos_operation_name)
    options = {name: value for name, value in session.client_options().items()
               if name in _CLIENT_OPTIONS}
    account_read = AccountRead()
    client = CosmosClient(endpoint, credential, transport=transport, **options,
                          **account_read.hooks)
    service = CosmosService(client, endpoint=endpoint, where=connection.display_name,
                            read_only=session.is_read_only(connection),
                            account_read=account_read)
    try:
        async with cosmos_translated():
            await client.__aenter__()  # reads the account: the first failure shows here
    except BaseException:
        await client.close()
        raise
    session.adopt(service, transport)
    return service
