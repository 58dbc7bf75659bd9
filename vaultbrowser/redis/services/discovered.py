"""An Azure Managed Redis database that Azure discovery found, as a Redis connection
(the kind's ``ServiceKind.connection_for_resource``).

Discovery's endpoint is ``rediss://<hostName>:<port>`` (``redis://`` when ARM says the
database's client protocol is Plaintext). Resource Manager's view of the database travels on
``Connection.resource_properties`` (the Azure kind sets it): ``audit.audit_redis`` reads it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from vaultbrowser.core.services.connections import AuthMethod, Connection, valid_dns_name
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.signin.clouds import signed_in_like
from vaultbrowser.redis.services.wire.addresses import normalize_redis_url

REDIS_KIND = "redis"  # the kind's name (kind.py's REDIS): services never import kind.py


def _plaintext_url(endpoint: str) -> str:
    """A Plaintext database's ``redis://host:port`` as ARM named it, checked but not accepted
    for opening: its connection exists so that its audit can report ARM's view; opening it is
    refused (``parse_redis_url``: no unencrypted Redis beyond this computer).

    Raises:
        InvalidInput: not a ``redis://host:port`` with a DNS name and a port.
    """
    refused = InvalidInput("Resource Manager named no usable Redis endpoint for this database.")
    try:
        parts = urlsplit(endpoint)
        port, host = parts.port, parts.hostname or ""
    except ValueError:
        raise refused from None
    if parts.scheme != "redis" or not port or not valid_dns_name(host) or parts.path.strip(
            "/") or parts.username or parts.password or parts.query or parts.fragment:
        raise refused
    return f"redis://{host}:{port}"


def redis_connection_for_resource(endpoint: str, sign_in: Connection,
                                  access_key: SecretValue | None) -> Connection:
    """The Redis connection of a database discovery found (``endpoint``: the resource's),
    signed in as the Azure sign-in that found it — or, with ``access_key`` (one Resource Manager
    handed out), with that key, and named so.

    A Plaintext database (``redis://`` on an Azure host) still gets its connection: its audit
    reports ARM's view of it, and opening it fails with the reason (no unencrypted Redis to
    another computer).

    Raises:
        InvalidInput: the endpoint is not a Redis address; it is in another Azure cloud than
            the sign-in.
    """
    try:
        url = normalize_redis_url(endpoint)
    except InvalidInput:
        url = _plaintext_url(endpoint.strip())
    connection = signed_in_like(sign_in, REDIS_KIND, url)
    if access_key is None:
        return connection
    return Connection(REDIS_KIND, url, AuthMethod.ACCOUNT_KEY, read_only=sign_in.read_only,
                      name=f"{connection.display_name} (access key)", secret=access_key)
