"""``LazyRedisService``: a Redis connection's service, opened at its first use (core's
``LazyService``: opening Redis is a conversation — the Entra token, the connection, ``INFO
cluster`` to pick the standalone or the cluster client)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.lazy_service import LazyService
from vaultbrowser.redis.services.service import RedisService

if TYPE_CHECKING:
    from vaultbrowser.core.services.session import ServiceSession


class LazyRedisService(LazyService[RedisService]):
    closed_message = "The Redis connection was closed."

    @classmethod
    def for_connection(cls, session: ServiceSession, connection: Connection,
                       ) -> LazyRedisService:
        """The kind's ``open``: the service ``open_service`` makes (the session adopts it)."""
        from vaultbrowser.redis.services.opening import open_service

        return cls(lambda: open_service(session, connection), session.close_service)
