"""``LazyCosmosService``: an account's service, opened at its first use.

The window asks a kind's ``open`` for a connection's service synchronously; opening Cosmos DB
reads the account first (its regions; a wrong key or a missing role fails there), so ``open``
returns this handle and the tree's first page awaits ``opened()``. A failed open is raised to
that caller (its error row offers Retry) and tried again on the next call. (The same shape as
the Redis kind's handle: kinds share no code but ``core``.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import Cancelled
from vaultbrowser.cosmos.services.service import CosmosService

if TYPE_CHECKING:
    from vaultbrowser.core.services.session import ServiceSession


class LazyCosmosService:
    """``opened()`` gives the ``CosmosService`` (opening it once); ``current`` is it, or None
    before it opened; ``close()`` closes it (and stops an open in flight)."""

    def __init__(self, opener: Callable[[], Awaitable[CosmosService]],
                 close_service: Callable[[CosmosService], Awaitable[None]] | None = None,
                 ) -> None:
        self._opener = opener
        self._close_service = close_service
        self._service: CosmosService | None = None
        self._opening: asyncio.Future[CosmosService] | None = None
        self._closed = False

    @classmethod
    def for_connection(cls, session: ServiceSession, connection: Connection,
                       ) -> LazyCosmosService:
        """The kind's ``open``: the service ``open_service`` makes (the session adopts it)."""
        from vaultbrowser.cosmos.services.opening import open_service

        return cls(lambda: open_service(session, connection), session.close_service)

    @property
    def current(self) -> CosmosService | None:
        return self._service

    async def opened(self) -> CosmosService:
        """The service, opened on the first call (callers meanwhile wait for the same open).

        Raises:
            VaultBrowserError: the typed error of the sign-in or the account's first read.
            Cancelled: the handle was closed.
        """
        if self._service is not None:
            return self._service
        if self._closed:
            raise Cancelled("The Cosmos DB connection was closed.")
        if self._opening is None or self._opening.done():
            self._opening = asyncio.ensure_future(self._opener())
        # shielded: one caller cancelled (a refresh) must not stop the others' open
        service = await asyncio.shield(self._opening)
        if self._closed:
            await self._close(service)
            raise Cancelled("The Cosmos DB connection was closed.")
        self._service = service
        return service

    async def _close(self, service: CosmosService) -> None:
        if self._close_service is not None:
            await self._close_service(service)
        else:
            await service.close()

    async def close(self) -> None:
        self._closed = True
        service, self._service = self._service, None
        if service is not None:
            await self._close(service)
