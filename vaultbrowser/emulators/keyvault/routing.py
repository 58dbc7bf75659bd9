"""A tiny router and the per-request context handed to handlers.

Routes are ``(method, pattern, handler)`` for ``emulators.routes.Router``. The server strips
trailing slashes before matching, like the service tolerates them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from vaultbrowser.emulators.keyvault.errors import bad_request_body

if TYPE_CHECKING:
    from vaultbrowser.emulators.keyvault.store import Store


@dataclass
class Reply:
    """A handler's answer: status, JSON body (None for no body) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    """What a handler needs to know about its request."""

    request: web.Request
    base_url: str
    query: dict[str, str]
    api_version: str
    store: Store
    options: dict[str, Any]
    path: str
    _body: Any = None
    _read: bool = False

    async def json(self) -> dict[str, Any]:
        """The request body as a JSON object (``{}`` when empty).

        Raises:
            KvError: 400 BadParameter for invalid JSON or a non-object body.
        """
        if not self._read:
            raw = await self.request.read()
            self._read = True
            try:
                self._body = json.loads(raw) if raw.strip() else {}
            except ValueError as exc:
                raise bad_request_body() from exc
            if not isinstance(self._body, dict):
                raise bad_request_body("The request body must be a JSON object.")
        return self._body


Handler = Callable[..., Awaitable[Reply]]
Route = tuple[str, str, Handler]
