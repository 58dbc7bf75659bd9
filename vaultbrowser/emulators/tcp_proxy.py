"""A small asyncio TCP proxy for plain-HTTP emulators (Azurite) that breaks answers on demand.

Put it in front of Azurite and point a client at ``proxy.url_for(azurite.blob_endpoint)``. It
forwards bytes both ways; a rule armed by a request whose line matches breaks that request's
answer after ``after_body_bytes`` bytes of its body:

- ``reset``: the connection is aborted (the client sees a reset mid-body);
- ``stall``: nothing more is sent until the client hangs up, ``clear()``, or ``seconds`` pass;
- ``truncate``: the connection is closed cleanly (EOF before Content-Length is reached).

``respond`` answers a matching GET/HEAD itself, without forwarding it, with a status and the
storage service's XML error body (``ServerBusy`` for 503, ``InternalError`` for 500…) and an
optional Retry-After: the status faults of the Key Vault emulator, for Blob Storage.

HTTP/1.1 without pipelining is assumed (what aiohttp and the SDKs do): on one connection the
answer after a request line is that request's answer. ``requests`` lists every request line
seen, ``connections`` counts accepted connections. Qt-free; ``run_tcp_proxy_in_thread`` runs
one on its own loop in a daemon thread (for sync clients and the Qt tiers alike).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import urlsplit, urlunsplit

from vaultbrowser.emulators.loop_thread import serve_in_thread

_REQUEST_LINE = re.compile(rb"^(GET|HEAD|PUT|POST|DELETE|PATCH|OPTIONS) (\S+) HTTP/1\.[01]\r\n")


@dataclass
class ProxyRule:
    """Break the answers of requests whose target contains ``match`` (any when None)."""

    action: str  # reset | stall | truncate | respond
    match: str | None = None
    method: str | None = None
    times: int | None = 1  # None: until cleared
    after_body_bytes: int = 64
    seconds: float = 30.0  # stall: the longest hold
    status: int = 503  # respond
    retry_after: float | None = None  # respond

    def matches(self, method: str, target: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return self.match is None or self.match in target


class _Armed:
    """One answer being broken: counts its bytes up to the cut."""

    def __init__(self, rule: ProxyRule) -> None:
        self.rule = rule
        self.head = bytearray()
        self.body_start: int | None = None
        self.seen = 0

    def allowed(self, chunk: bytes) -> int | None:
        """How many bytes of ``chunk`` may pass (None: all of them)."""
        if self.body_start is None:
            self.head.extend(chunk)
            end = self.head.find(b"\r\n\r\n")
            if end >= 0:
                self.body_start = end + 4
        start = self.seen
        self.seen += len(chunk)
        if self.body_start is None:
            return None
        cut = self.body_start + self.rule.after_body_bytes
        if self.seen <= cut:
            return None
        return max(0, cut - start)


class TcpProxy:
    """See the module docstring. Thread-safe rule switches; serving runs on one loop."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.requests: list[str] = []
        self.connections = 0
        self._rules: list[ProxyRule] = []
        self._lock = threading.Lock()
        self._generation = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self.port = 0

    # --- switches -------------------------------------------------------------------------

    def _add(self, rule: ProxyRule) -> ProxyRule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def reset(self, match: str | None = None, *, method: str | None = None,
              times: int | None = 1, after_body_bytes: int = 64) -> ProxyRule:
        return self._add(ProxyRule("reset", match, method, times, after_body_bytes))

    def stall(self, match: str | None = None, *, method: str | None = None,
              times: int | None = 1, after_body_bytes: int = 64,
              seconds: float = 30.0) -> ProxyRule:
        return self._add(ProxyRule("stall", match, method, times, after_body_bytes, seconds))

    def truncate(self, match: str | None = None, *, method: str | None = None,
                 times: int | None = 1, after_body_bytes: int = 64) -> ProxyRule:
        return self._add(ProxyRule("truncate", match, method, times, after_body_bytes))

    def respond(self, status: int, match: str | None = None, *, times: int | None = 1,
                retry_after: float | None = None) -> ProxyRule:
        return self._add(ProxyRule("respond", match, None, times, status=status,
                                   retry_after=retry_after))

    def clear(self) -> None:
        """Drop every rule and release stalled answers (their connections are dropped)."""
        with self._lock:
            self._rules.clear()
            self._generation += 1

    def _take(self, method: str, target: str) -> ProxyRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.action == "respond" and method not in ("GET", "HEAD"):
                    continue  # a request body would follow: answer only bodiless requests
                if rule.matches(method, target):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def url_for(self, url: str) -> str:
        """``url`` with its host and port replaced by the proxy's."""
        parts = urlsplit(url)
        return urlunsplit(parts._replace(netloc=f"127.0.0.1:{self.port}"))

    # --- serving --------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await asyncio.start_server(self._accept, host, port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        if self._handlers:
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        try:
            await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # a peer went away, or stop() ended this connection
        finally:
            self._handlers.discard(task)
            writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        armed: list[_Armed] = []  # at most one: the answer of the last request line
        try:
            upward = asyncio.ensure_future(self._upward(reader, up_writer, writer, armed))
            try:
                await self._downward(up_reader, writer, armed)
            finally:
                upward.cancel()
                with contextlib.suppress(asyncio.CancelledError, OSError):
                    await upward
        finally:
            up_writer.transport.abort()

    async def _upward(self, reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter,
                      writer: asyncio.StreamWriter, armed: list[_Armed]) -> None:
        while data := await reader.read(65536):
            found = _REQUEST_LINE.match(data)
            if found:
                method, target = found.group(1).decode(), found.group(2).decode("latin-1")
                self.requests.append(f"{method} {target}")
                rule = self._take(method, target)
                if rule is not None and rule.action == "respond":
                    writer.write(_error_answer(rule, head=method == "HEAD"))
                    await writer.drain()
                    continue
                armed[:] = [_Armed(rule)] if rule is not None else []
            up_writer.write(data)
            await up_writer.drain()
        up_writer.write_eof()

    async def _downward(self, up_reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        armed: list[_Armed]) -> None:
        while data := await up_reader.read(65536):
            current = armed[0] if armed else None
            allowed = current.allowed(data) if current is not None else None
            if allowed is None:
                writer.write(data)
                await writer.drain()
                continue
            assert current is not None
            writer.write(data[:allowed])
            await writer.drain()
            await self._break(current.rule, writer)
            return

    async def _break(self, rule: ProxyRule, writer: asyncio.StreamWriter) -> None:
        if rule.action == "truncate":
            writer.close()  # a clean FIN before the body is complete
            return
        if rule.action == "stall":
            loop = asyncio.get_running_loop()
            deadline = loop.time() + rule.seconds
            generation = self._generation
            while (loop.time() < deadline and generation == self._generation
                   and not writer.transport.is_closing()):
                await asyncio.sleep(0.02)
        writer.transport.abort()


_STORAGE_ERRORS = {
    500: ("InternalError", "The server encountered an internal error. Please retry the request."),
    503: ("ServerBusy", "The server is currently unable to receive requests. Please retry your "
                        "request."),
}


def _error_answer(rule: ProxyRule, *, head: bool) -> bytes:
    """A Blob Storage style error response for a ``respond`` rule."""
    code, message = _STORAGE_ERRORS.get(rule.status, ("InjectedFault", "Injected fault."))
    request_id = str(uuid.uuid4())
    body = (f'<?xml version="1.0" encoding="utf-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}\nRequestId:{request_id}</Message></Error>").encode()
    reason = HTTPStatus(rule.status).phrase if rule.status in HTTPStatus._value2member_map_ \
        else "Error"
    lines = [f"HTTP/1.1 {rule.status} {reason}", "Content-Type: application/xml",
             f"Content-Length: {len(body)}", f"x-ms-error-code: {code}",
             f"x-ms-request-id: {request_id}", "x-ms-version: 2025-01-05"]
    if rule.retry_after is not None:
        lines.append(f"Retry-After: {rule.retry_after:g}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (b"" if head else body)


@contextmanager
def run_tcp_proxy_in_thread(upstream_url: str) -> Iterator[TcpProxy]:
    """A :class:`TcpProxy` in front of ``upstream_url``'s host and port, served on a private
    loop in a daemon thread; stopped when the block exits."""
    parts = urlsplit(upstream_url)
    proxy = TcpProxy(parts.hostname or "127.0.0.1", parts.port or 80)
    with serve_in_thread(proxy, "127.0.0.1", 0, "tcp-proxy") as serving:
        yield serving
