"""``LazyCosmosService``: an account's service, opened at its first use (core's
``LazyService``: opening Cosmos DB reads the account first — a wrong key or a missing role
fails there)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.lazy_service import LazyService
from vaultbrowser.cosmos.services.service import CosmosService

if TYPE_CHECKING:
    from vaultbrowser.core.services.session import ServiceSession


class LazyCosmosService(LazyService[CosmosService]):
    closed_message = "The Cosmos DB connection was closed."

    @classmethod
    def for_connection(cls, session: ServiceSession, connection: Connection,
                       ) -> LazyCosmosService:
        """The kind's ``open``: the service ``open_service`` makes (the session adopts it)."""
        from vaultbrowser.cosmos.services.opening import open_service

        return cls(lambda: open_service(session, connection), session.close_service)
