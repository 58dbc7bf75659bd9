"""The environment's proxy is still honoured now that our aiohttp sessions do not read the
environment per request (``EnvProxies``, looked up once per host): HTTPS_PROXY is used,
NO_PROXY bypasses it, and a proxy the caller names wins."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from azure.core.rest import HttpRequest

from vaultbrowser.core.services.http.env_proxy import EnvProxies
from vaultbrowser.core.services.http.transport import os_trust_transport

Run = Callable[[Coroutine[Any, Any, Any]], Any]


class FakeProxy:
    """A loopback "proxy" that records each request line and refuses it (407)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.lines.append((await reader.readline()).decode().strip())
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


def _clear_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY",
                 "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


async def _get_through_transport(url: str, **kwargs: Any) -> None:
    transport = os_trust_transport()
    try:
        with pytest.raises(Exception):  # noqa: B017 - only where the request went counts
            await transport.send(HttpRequest("GET", url), **kwargs)
    finally:
        await transport.close()


def test_the_environment_s_https_proxy_carries_the_request(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_proxy_env(monkeypatch)
    proxy = FakeProxy()

    async def body() -> None:
        monkeypatch.setenv("HTTPS_PROXY", await proxy.start())
        try:
            await _get_through_transport("https://vault.example.test/secrets")
            await _get_through_transport("https://vault.example.test/keys")  # from the cache
        finally:
            await proxy.stop()

    run(body())
    assert proxy.lines == ["CONNECT vault.example.test:443 HTTP/1.1"] * 2


def test_no_proxy_bypasses_the_environment_s_proxy(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_proxy_env(monkeypatch)
    proxy = FakeProxy()

    async def body() -> None:
        monkeypatch.setenv("HTTPS_PROXY", await proxy.start())
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        try:  # straight to a closed loopback port: refused, never through the proxy
            await _get_through_transport("https://127.0.0.1:9/secrets")
        finally:
            await proxy.stop()

    run(body())
    assert proxy.lines == []


def test_a_proxy_the_caller_names_wins_over_the_environment_s(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_proxy_env(monkeypatch)
    environment, named = FakeProxy(), FakeProxy()

    async def body() -> None:
        monkeypatch.setenv("HTTPS_PROXY", await environment.start())
        named_url = await named.start()
        try:
            await _get_through_transport("https://vault.example.test/secrets",
                                         proxies={"https": named_url})
        finally:
            await environment.stop()
            await named.stop()

    run(body())
    assert environment.lines == [] and len(named.lines) == 1


def test_no_proxy_in_the_environment_is_no_proxy(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    _clear_proxy_env(monkeypatch)
    assert run(EnvProxies().proxy_for("https://vault.example.test/secrets")) is None
