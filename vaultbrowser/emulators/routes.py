"""The route table the emulators share: ``(method, pattern, handler)`` with ``{name}``
placeholders matching one path segment, matched case-insensitively. Each emulator turns a
:class:`NoRoute` into its own service's 404 or 405."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Generic, TypeVar

HandlerT = TypeVar("HandlerT")


class NoRoute(LookupError):
    """No handler for a request; ``path_known`` when the path has one for another method."""

    def __init__(self, method: str, path: str, path_known: bool) -> None:
        super().__init__(f"{method.upper()} {path}")
        self.path_known = path_known


class Router(Generic[HandlerT]):
    """Matches (method, path) to a handler and its path parameters."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], HandlerT]] = []

    def add(self, routes: Iterable[tuple[str, str, HandlerT]]) -> None:
        for method, pattern, handler in routes:
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
            self._routes.append((method, re.compile(f"^{regex}$", re.IGNORECASE), handler))

    def match(self, method: str, path: str) -> tuple[HandlerT, dict[str, str]]:
        """The handler for a request and its path parameters.

        Raises:
            NoRoute: no route for this method and path.
        """
        path_known = False
        for route_method, regex, handler in self._routes:
            found = regex.match(path)
            if found:
                if route_method == method.upper():
                    return handler, found.groupdict()
                path_known = True
        raise NoRoute(method, path, path_known)
