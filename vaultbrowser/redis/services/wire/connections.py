"""The connections a Redis client opens: TLS verified with the app's own trust, and each reply's
node noted for the journal.

Trust: redis-py builds every TLS context itself from ``ssl.create_default_context()`` — the
CA bundle OpenSSL was built with, not the operating system's trust store — and takes no
context of its own (redis/redis-py#3599). A corporate CA in the Windows or macOS store (a TLS
inspecting proxy) would then be refused here while the HTTP kinds trust it. So the client is
given no ``ssl=`` options at all; its connections open TLS with the context the HTTP kinds
use: the OS trust store (``truststore``), or a loopback server's private CA as its only root.

The answering node: a cluster client follows MOVED and ASK redirects inside one
``execute_command``; which node finally answered only the connection that read the reply
knows. It adds its ``host:port`` to the list ``answering_nodes()`` opened for the command in
flight (a context variable: each task its own, and the tasks a cluster pipeline gathers share
their parent's list).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.connection import Connection

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.transport import os_trust_context

_ANSWERING_NODES: ContextVar[list[str] | None] = ContextVar("redis_answering_nodes",
                                                            default=None)


def tls_context(ca_path: str | None) -> ssl.SSLContext:
    """The context a TLS connection verifies with: the OS trust store, or only ``ca_path``.

    Raises:
        InvalidInput: ``ca_path`` is not a usable PEM CA certificate.
    """
    if not ca_path:
        return os_trust_context()
    try:
        # With a cafile, create_default_context loads that file alone (no system roots), as
        # the HTTP kinds' private_ca_transport does.
        return ssl.create_default_context(cafile=ca_path)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"The CA certificate file {ca_path} cannot be used: {exc}",
                           advice="Point the connection at the local server's PEM CA "
                                  "file.") from None


def connection_class(context: ssl.SSLContext | None) -> type[Connection]:
    """The connection class of one client: TLS with ``context`` (plain TCP when None).

    Raises:
        ValueError: ``context`` does not verify certificates and host names (never allowed).
    """
    if context is not None and (context.verify_mode != ssl.CERT_REQUIRED
                                or not context.check_hostname):
        raise ValueError("TLS verification may not be turned off")

    class NodeConnection(Connection):
        tls_context = context

        def _connection_arguments(self) -> Mapping[str, Any]:
            arguments = dict(super()._connection_arguments())
            if context is not None:  # asyncio.open_connection: server_hostname is the host
                arguments["ssl"] = context
            return arguments

        async def read_response(self, *args: Any, **kwargs: Any) -> Any:
            reply = await super().read_response(*args, **kwargs)
            nodes = _ANSWERING_NODES.get()
            if nodes is not None:
                nodes.append(f"{self.host}:{self.port}")
            return reply

    return NodeConnection


def use_connection_class(client: Redis | RedisCluster, connection: type[Connection]) -> None:
    """Make a new ``client`` (before its first command) open its connections as
    ``connection``. Neither client takes a connection class: the standalone client's pool
    holds the class it builds with, a cluster client the keyword arguments every node (found
    now or later) is built with, and its startup nodes their own."""
    if isinstance(client, RedisCluster):
        client.connection_kwargs["connection_class"] = connection
        client.nodes_manager.connection_kwargs["connection_class"] = connection
        for node in client.nodes_manager.startup_nodes.values():
            node.connection_class = connection
    else:
        client.connection_pool.connection_class = connection


@contextmanager
def answering_nodes() -> Iterator[list[str]]:
    """The ``host:port`` of each reply read while the block runs, in order (the last is
    the node that answered a redirected command)."""
    nodes: list[str] = []
    token = _ANSWERING_NODES.set(nodes)
    try:
        yield nodes
    finally:
        _ANSWERING_NODES.reset(token)
