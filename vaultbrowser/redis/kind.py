"""The Azure Managed Redis kind as the registry sees it (``app.KINDS``): names, addresses,
sign-in methods, command-line options, and the lazily loaded service (redis-py), audit, demo
and Qt view."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vaultbrowser.core.services.connections import (
    ENTRA_METHODS,
    AuthMethod,
    Connection,
    is_loopback_host,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import Address, DemoProvider, ServiceKind
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.redis.services.discovered import redis_connection_for_resource
from vaultbrowser.redis.services.wire.addresses import (
    AMR_SUFFIX,
    RedisAddress,
    normalize_redis_url,
    parse_redis_url,
)

REDIS = "redis"
# Imported off the loop's thread before the first connection opens.
SDK_MODULES = ("vaultbrowser.redis.services.opening", "redis.asyncio", "redis.asyncio.cluster")
AUTH_METHODS = (*ENTRA_METHODS, AuthMethod.ACCOUNT_KEY, AuthMethod.LOCAL_EMULATOR)

# Three stacked red slabs with a dark outline (a cache's layers): legible at 16 px on light
# and dark backgrounds.
ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<g stroke="#5c0f0a" stroke-width="1.6" stroke-linejoin="round">
<path d="M3 22.5l13 6 13-6-13-6z" fill="#a8231a"/>
<path d="M3 16l13 6 13-6-13-6z" fill="#d9382c"/>
<path d="M3 9.5l13 6 13-6-13-6z" fill="#ff6f61"/>
</g>
<path d="M13 9.5l3-1.5 3 1.5-3 1.5z" fill="#ffffff"/>
</svg>"""


def parse_redis_address(text: str) -> Address | None:
    """A pasted Redis address (``rediss://…``, ``redis://`` on loopback, an Azure Managed
    Redis host name) as the connection that opens it; None for another kind's text. A password
    in the URL becomes the access key, held in memory only (never quoted in a message).

    Raises:
        InvalidInput: a Redis address that is not valid (``parse_redis_url``).
    """
    stripped = text.strip()
    lowered = stripped.lower()
    host = lowered.split("://", 1)[-1].split("/", 1)[0].rsplit("@", 1)[-1].split(":", 1)[0]
    if not lowered.startswith(("redis://", "rediss://")) and not host.endswith(AMR_SUFFIX):
        return None
    parsed = parse_redis_url(stripped)
    return Address(REDIS, _connection_to(parsed.address, secret=parsed.password), (), text)


def _connection_to(address: RedisAddress, secret: SecretValue | None = None,
                   secret_env: str | None = None) -> Connection:
    """With the access key when one is given (held in memory, or named by its environment
    variable); else no sign-in for plain ``redis://`` on this computer; else Entra ID."""
    if secret is not None or secret_env:
        return Connection(REDIS, address.url, AuthMethod.ACCOUNT_KEY, secret=secret,
                          secret_env=secret_env)
    if not address.tls and is_loopback_host(address.host):
        return Connection(REDIS, address.url, AuthMethod.LOCAL_EMULATOR)
    return Connection(REDIS, address.url)


def _operation_name(command: str, url: str) -> str | None:
    """A Redis command's name in the audit trail: its journal record's method is the command,
    its URL the server's address (with the command's arguments, values redacted)."""
    return f"redis {command}" if url.lower().startswith(("redis://", "rediss://")) else None


def _check_secret(auth: AuthMethod, text: str) -> SecretValue:
    if auth is AuthMethod.ACCOUNT_KEY:
        from vaultbrowser.redis.services.opening import access_key

        return access_key(text)
    return SecretValue(text)


def _open(session: Any, connection: Connection) -> Any:
    from vaultbrowser.redis.services.lazy_service import LazyRedisService

    return LazyRedisService.for_connection(session, connection)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--redis", action="append", default=[], metavar="URL",
                        help="an Azure Managed Redis endpoint or rediss:// URL (repeatable; "
                        "Entra ID sign-in; redis:// on this computer needs none)")
    parser.add_argument("--redis-key-env", metavar="NAME",
                        help="sign in to the --redis servers with the access key in this "
                        "environment variable instead of Entra ID")


def _connections_from_args(args: argparse.Namespace) -> list[Connection]:
    connections = []
    for url in args.redis:
        parsed = parse_redis_url(url)
        if parsed.password is not None:
            raise InvalidInput("A --redis address holds a password: the command line is "
                               "visible to other programs.",
                               advice="Put the access key in an environment variable and name "
                                      "it with --redis-key-env.")
        connections.append(_connection_to(parsed.address, secret_env=args.redis_key_env))
    return connections


async def _audit(collector: Any, connection: Connection) -> None:
    from vaultbrowser.redis.services.audit import audit_redis

    await audit_redis(collector, connection)


def _demo(workdir: Path, seed: bool) -> DemoProvider:
    from vaultbrowser.redis.services.demo.redis_demo import RedisDemo

    return RedisDemo(workdir, seed)


def _view(window: Any) -> Any:
    from vaultbrowser.redis.ui.view import RedisView

    return RedisView(window)


KIND = ServiceKind(
    name=REDIS,
    label="Azure Managed Redis",
    nouns=("Redis server", "Redis servers"),
    url_label="Redis address",
    url_placeholder="myredis.westeurope.redis.azure.net or rediss://host:10000",
    normalize_url=normalize_redis_url,
    auth_methods=AUTH_METHODS,
    sdk_modules=SDK_MODULES,
    open=_open,
    add_arguments=_add_arguments,
    connections_from_args=_connections_from_args,
    audit=_audit,
    demo=_demo,
    view=_view,
    resource_type="microsoft.cache/redisenterprise",
    connection_for_resource=redis_connection_for_resource,
    parse_address=parse_redis_address,
    icon_svg=ICON_SVG,
    check_secret=_check_secret,
    operation_name=_operation_name,
)
