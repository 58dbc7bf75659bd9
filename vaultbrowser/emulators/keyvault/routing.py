"""A tiny router and the per-request context handed to handlers.

Routes are ``(method, pattern, handler)`` with ``{name}`` placeholders matching one path
segment. The server strips trailing slashes before matching, like the service tolerates them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from vaultbrowser.emulators.keyvault.errors import KvError, bad_request_body

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


class Router:
    """Matches (method, path) to a handler and its path parameters."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, routes: list[Route]) -> None:
        for method, pattern, handler in routes:
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
            self._routes.append((method, re.compile(f"^{regex}$", re.IGNORECASE), handler))

    def match(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        """The handler for a request.

        Raises:
            KvError: 404 for an unknown path, 405 for a known path with another method.
        """
        path_known = False
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if found:
                if route_method == method.upper():
                    return handler, found.groupdict()
                path_known = True
        if path_known:
            raise KvError(405, "BadParameter", f"The requested resource does not support http "
                          f"method '{method.upper()}'.")
        raise KvError(404, "NotFound", f"The requested path {path} was not found.")
