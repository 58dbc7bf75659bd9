"""Redis addresses, parsed once and strictly: an Azure Managed Redis endpoint or a Redis URL.

Accepted: ``<name>.<region>.redis.azure.net`` (TLS, port 10000 by default), ``rediss://host
[:port][/db]`` and ``redis://`` (no TLS) for loopback hosts only. A password in a URL
(``rediss://user:password@host``) is taken out as a ``SecretValue`` and never repeated: messages
about such a text never quote it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from vaultbrowser.core.services.connections import (
    host_and_port,
    is_loopback_host,
    named,
    valid_dns_name,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue

AMR_SUFFIX = ".redis.azure.net"
AMR_PORT = 10000  # Azure Managed Redis listens on 10000 (TLS only)
REDIS_PORT = 6379
HIGHEST_DB = 15
_EXAMPLE = "e.g. rediss://myredis.westeurope.redis.azure.net:10000 or redis://localhost:6379"


@dataclass(frozen=True, slots=True)
class RedisAddress:
    """Where a Redis server is: host, port, TLS or not, and the database number."""

    host: str
    port: int
    tls: bool
    db: int = 0

    @property
    def url(self) -> str:
        """The one canonical URL (``Connection.url``): no user, no password."""
        scheme = "rediss" if self.tls else "redis"
        db = f"/{self.db}" if self.db else ""
        return f"{scheme}://{host_and_port(self.host, self.port)}{db}"

    @property
    def node(self) -> str:
        """host:port, as the activity panel names the node that answered."""
        return host_and_port(self.host, self.port)

    @property
    def is_azure_managed(self) -> bool:
        return self.host.endswith(AMR_SUFFIX)


@dataclass(frozen=True, slots=True)
class ParsedRedisUrl:
    """A parsed address and the credentials that came with it (only from a pasted URL)."""

    address: RedisAddress
    user: str | None = None
    password: SecretValue | None = None


def parse_redis_url(text: str) -> ParsedRedisUrl:
    """Read what the user typed or pasted.

    Raises:
        InvalidInput: not a Redis address; ``redis://`` (no TLS) to a host that is not
            loopback; a bad port or database number. A text holding a password is never quoted.
    """
    text = text.strip()
    quote = "@" not in text  # user info may hold a password: never repeat such a text
    if not text:
        raise InvalidInput("Type a Redis address.", advice=f"For example {_EXAMPLE}.")
    if any(ch.isspace() or not ch.isprintable() for ch in text) or not text.isascii():
        raise InvalidInput("The Redis address contains spaces, control or non-ASCII characters.",
                           advice=f"Type or paste the address again, {_EXAMPLE}.")
    if "://" not in text:
        host_part = text.split("/", 1)[0].rsplit(":", 1)[0].lower()
        # A bare host: Azure Managed Redis and every other remote server speak TLS; plain
        # TCP is offered only on loopback (a local server).
        text = ("redis://" if is_loopback_host(host_part.strip("[]")) else "rediss://") + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        raise InvalidInput(f"{named(text, quote, 'The Redis address')} is not a valid address "
                           "(check the port).", advice=f"For example {_EXAMPLE}.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("redis", "rediss"):
        raise InvalidInput(f"{named(text, quote, 'The address')} is not a Redis address.",
                           advice=f"Redis addresses start with rediss:// ({_EXAMPLE}).")
    if not host:
        raise InvalidInput("The Redis address has no host name.", advice=f"For example {_EXAMPLE}.")
    if not is_loopback_host(host) and not valid_dns_name(host):
        raise InvalidInput(f"{named(host, quote, 'The host')} is not a valid host name.",
                           advice="Host names use letters a–z, digits and hyphens, in labels "
                                  "separated by dots.")
    if parts.query or parts.fragment:
        raise InvalidInput("The Redis address has options after '?' or '#'; vaultbrowser takes "
                           "none.", advice="Give host, port and database alone; the sign-in "
                                           "method is chosen in the connection dialog.")
    tls = scheme == "rediss"
    if not tls and not is_loopback_host(host):
        raise InvalidInput(
            f"redis:// sends everything, passwords and tokens included, unencrypted; "
            f"vaultbrowser uses it only for this computer (loopback), not for "
            f"{named(host, quote, 'this host')}.",
            advice="Use rediss:// (TLS). Azure Managed Redis accepts TLS only, on port 10000.")
    if port is None:
        port = AMR_PORT if host.endswith(AMR_SUFFIX) else REDIS_PORT
    if port == 0:
        raise InvalidInput("The Redis address has port 0.", advice=f"For example {_EXAMPLE}.")
    return ParsedRedisUrl(RedisAddress(host, port, tls, _database(parts.path)),
                          *_credentials(parts.username, parts.password))


def normalize_redis_url(text: str) -> str:
    """The canonical URL of an address (a ``ServiceKind.normalize_url``); credentials dropped.

    Raises:
        InvalidInput: see ``parse_redis_url``.
    """
    return parse_redis_url(text).address.url


def _database(path: str) -> int:
    number = path.strip("/")
    if not number:
        return 0
    if not number.isdigit() or int(number) > HIGHEST_DB:
        raise InvalidInput(f"'{number[:20]}' is not a Redis database number.",
                           advice=f"Give a number from 0 to {HIGHEST_DB} after the port, or none "
                                  "(Azure Managed Redis has database 0 only).")
    return int(number)


def _credentials(user: str | None,
                 password: str | None) -> tuple[str | None, SecretValue | None]:
    return (unquote(user) if user else None,
            SecretValue(unquote(password)) if password else None)
