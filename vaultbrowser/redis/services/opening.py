"""Opening a Redis connection: sign-in, TLS, standalone or cluster, then the ``RedisService``.

The server tells which client it needs: ``INFO cluster`` (or, where a data access policy
withholds INFO, ``CLUSTER INFO``) answers ``cluster_enabled:1`` for
Azure Managed Redis's OSS cluster policy (and any Redis Cluster) — a cluster-aware client then
follows the slot map (MOVED/ASK, one connection pool per primary); its enterprise policy (and
a plain server) answers 0 — one endpoint, one client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.credentials import CredentialProvider

from vaultbrowser.core.services.connections import (
    ENTRA_METHODS,
    AuthMethod,
    Connection,
    is_loopback_host,
)
from vaultbrowser.core.services.errors import AccessDenied, InvalidInput, ServiceError
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.redis.services.service import RedisService
from vaultbrowser.redis.services.wire.addresses import RedisAddress, parse_redis_url
from vaultbrowser.redis.services.wire.commands import RedisCommands
from vaultbrowser.redis.services.wire.connections import (
    connection_class,
    tls_context,
    use_connection_class,
)
from vaultbrowser.redis.services.wire.entra import EntraTokenProvider, SecretPasswordProvider
from vaultbrowser.redis.services.wire.failures import translate_redis_error

if TYPE_CHECKING:
    from vaultbrowser.core.services.session import ServiceSession

# How Redis connections sign in: Entra ID (every method the app has), an access key, or
# nothing (a local server on loopback: the tests and the demo).
REDIS_AUTH_METHODS = (*ENTRA_METHODS, AuthMethod.ACCOUNT_KEY, AuthMethod.LOCAL_EMULATOR)


@dataclass(frozen=True)
class RedisOptions:
    """How to reach the server: timeouts in seconds, a private CA file (loopback only)."""

    connect_timeout: float = 10.0
    command_timeout: float = 30.0
    ca_path: str | None = None
    # One retry of a dropped connection or a timeout (redis-py's default is three, with the
    # timeouts added up a user would wait minutes for an unreachable server).
    retries: int = 1


async def open_redis(address: RedisAddress, *, where: str,
                     credentials: CredentialProvider | None = None,
                     read_only: bool = False, journal: HttpJournal | None = None,
                     options: RedisOptions | None = None) -> RedisService:
    """Connect (``credentials``: an ``EntraTokenProvider``, started, or an access key's
    ``SecretPasswordProvider``; None: no sign-in), detect a cluster, and return the service.

    Raises:
        InvalidInput: a private CA file for a host that is not loopback, or not a usable
            PEM CA certificate.
        AuthenticationRequired, AccessDenied, NetworkError…: the typed error of the failure.
    """
    options = options or RedisOptions()
    if options.ca_path and not is_loopback_host(address.host):
        raise InvalidInput("A custom CA file is only allowed for a Redis server on loopback.")
    user = _user_of(credentials)
    settings: dict[str, Any] = {
        "host": address.host, "port": address.port, "credential_provider": credentials,
        "socket_connect_timeout": options.connect_timeout,
        "socket_timeout": options.command_timeout,
        "retry": Retry(ExponentialWithJitterBackoff(cap=2.0, base=0.2), options.retries),
    }
    # TLS is the connections' own (wire/connections.py): the OS trust store or the private CA
    connections = connection_class(tls_context(options.ca_path) if address.tls else None)
    identity = "access key" if isinstance(credentials, SecretPasswordProvider) else None
    standalone = Redis(db=address.db, **settings)
    use_connection_class(standalone, connections)
    probe = RedisCommands(standalone, address=address, where=where,
                          user=user, read_only=read_only, journal=journal, identity=identity)
    try:
        clustered = await _is_cluster(probe)
    except BaseException:
        await probe.close()
        raise
    if not clustered:
        return RedisService(probe, credentials)
    await probe.close()
    if address.db:
        raise InvalidInput(f"{where} is a cluster: it has database 0 only.",
                           advice="Remove the database number from the address.")
    cluster = RedisCluster(**settings)
    use_connection_class(cluster, connections)
    try:
        await cluster.initialize()
    except Exception as exc:
        await cluster.aclose()
        raise translate_redis_error(exc, where=where, user=user) from None
    return RedisService(RedisCommands(cluster, address=address, where=where, user=user,
                                      read_only=read_only, journal=journal,
                                      identity=identity), credentials)


async def _is_cluster(probe: RedisCommands) -> bool:
    """Whether the server is a cluster. INFO is in ACL's @dangerous category, which data
    access policies (Azure's "Data Reader", "Data Contributor") leave out; CLUSTER INFO they
    allow, and a server without cluster support answers it with an error."""
    try:
        return _cluster_enabled(await probe.call("INFO", "cluster", expected=(AccessDenied,)))
    except AccessDenied:
        pass
    try:
        await probe.call("CLUSTER", "INFO", expected=(ServiceError,))
    except ServiceError as exc:
        if "cluster support disabled" in (exc.service_message or "").lower():
            return False
        raise
    return True


def _cluster_enabled(info: object) -> bool:
    # redis-py parses INFO into a dict; a raw reply (another parser) is the text
    if isinstance(info, dict):
        return str(info.get("cluster_enabled", 0)) == "1"
    return b"cluster_enabled:1" in info if isinstance(info, bytes) else False


def _user_of(credentials: CredentialProvider | None) -> str | None:
    if isinstance(credentials, EntraTokenProvider | SecretPasswordProvider):
        return credentials.user
    return None


async def open_service(session: ServiceSession, connection: Connection) -> RedisService:
    """A connection's service, built from the session's parts (its credential, journal,
    timeouts and read-only mode) and adopted by the session, which closes it.

    Raises:
        InvalidInput: the address is not valid, or a sign-in the kind does not take.
        VaultBrowserError: the typed error of the sign-in or the connection's failure.
    """
    parsed = parse_redis_url(connection.url)
    address = parsed.address
    credentials: CredentialProvider | None
    if connection.auth in ENTRA_METHODS:
        credentials = EntraTokenProvider(session.token_credential(connection))
        await credentials.start()
    elif connection.auth is AuthMethod.ACCOUNT_KEY:
        secret = connection.resolve_secret()
        assert secret is not None  # resolve_secret raises when a needed secret is missing
        credentials = SecretPasswordProvider(secret)
    elif connection.auth is AuthMethod.LOCAL_EMULATOR and is_loopback_host(address.host):
        credentials = None
    else:
        raise InvalidInput(f"{connection.auth.label} is not a way to sign in to Redis.",
                           advice="Choose Entra ID sign-in or an access key.")
    network = session.client_options()
    options = RedisOptions(connect_timeout=float(network.get("connection_timeout", 10.0)),
                           command_timeout=float(network.get("read_timeout", 30.0)),
                           ca_path=connection.ca_path)
    try:
        service = await open_redis(address, where=connection.display_name,
                                   credentials=credentials,
                                   read_only=session.is_read_only(connection),
                                   journal=session.journal, options=options)
    except BaseException:  # a failure or a cancel: stop the token refresh with it
        if isinstance(credentials, EntraTokenProvider):
            await credentials.close()
        raise
    session.adopt(service)
    return service


def access_key(text: str) -> SecretValue:
    """A typed access key, checked for what can be checked without the server.

    Raises:
        InvalidInput: empty, or with spaces or control characters (the text is never quoted).
    """
    if not text or any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidInput("The access key is empty or has spaces or control characters.",
                           advice="Copy the key again from the cache's Access keys page.")
    return SecretValue(text)
