"""``LazyService``: a connection's service, opened at its first use.

The window asks a kind's ``open`` for a connection's service synchronously and sends nothing
until the first call (as the HTTP kinds' clients do). Kinds whose opening is a conversation
(Redis: the token, the connection, ``INFO cluster``; Cosmos DB: the account's first read)
return such a handle from ``open``, and the tree's first page awaits ``opened()``. A failed
open is raised to that caller (its error row offers Retry) and tried again on the next call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Generic, Protocol, TypeVar

from vaultbrowser.core.services.errors import Cancelled


class ClosableService(Protocol):
    async def close(self) -> None: ...


ServiceT = TypeVar("ServiceT", bound=ClosableService)


class LazyService(Generic[ServiceT]):
    """``opened()`` gives the service (opening it once); ``current`` is it, or None before it
    opened; ``close()`` closes it (and stops an open in flight). Subclasses name what closed."""

    closed_message = "The connection was closed."

    def __init__(self, opener: Callable[[], Awaitable[ServiceT]],
                 close_service: Callable[[ServiceT], Awaitable[None]] | None = None,
                 ) -> None:
        self._opener = opener
        self._close_service = close_service
        self._service: ServiceT | None = None
        self._opening: asyncio.Future[ServiceT] | None = None
        self._closed = False

    @classmethod
    def of(cls, service: Any) -> Any:
        """A handle over a service opened already (tests, the demo)."""
        async def already() -> Any:
            return service

        handle = cls(already)
        handle._service = service
        return handle

    @property
    def current(self) -> ServiceT | None:
        return self._service

    async def opened(self) -> ServiceT:
        """The service, opened on the first call (callers meanwhile wait for the same open).

        Raises:
            VaultBrowserError: the typed error of the sign-in or the first call.
            Cancelled: the handle was closed.
        """
        if self._service is not None:
            return self._service
        if self._closed:
            raise Cancelled(self.closed_message)
        if self._opening is None or self._opening.done():
            self._opening = asyncio.ensure_future(self._opener())
        # shielded: one caller cancelled (a refresh) must not stop the others' open
        service = await asyncio.shield(self._opening)
        if self._closed:
            await self._close(service)
            raise Cancelled(self.closed_message)
        self._service = service
        return service

    async def _close(self, service: ServiceT) -> None:
        if self._close_service is not None:
            await self._close_service(service)
        else:
            await service.close()

    async def close(self) -> None:
        self._closed = True
        service, self._service = self._service, None
        if service is not None:
            await self._close(service)
