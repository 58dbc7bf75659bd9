"""Helpers for the emulator tests: fake credentials, a loop runner, raw HTTP."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

import requests
from azure.core.credentials import AccessToken

from vaultbrowser.emulators.keyvault import KeyVaultEmulator

T = TypeVar("T")
_counter = itertools.count()


class FakeCredential:
    """A sync credential returning a fixed bearer token."""

    def __init__(self, token: str = "test-token") -> None:
        self.token = token
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(self.token, int(time.time()) + 3600)


class AsyncFakeCredential:
    """An async credential returning a fixed bearer token."""

    def __init__(self, token: str = "test-token") -> None:
        self.token = token

    async def get_token(self, *scopes: str, **_: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None

    async def __aenter__(self) -> AsyncFakeCredential:
        return self

    async def __aexit__(self, *_: Any) -> None:
        return None


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh loop."""
    return asyncio.run(coro)


def unique(prefix: str) -> str:
    """A name no other test uses."""
    return f"{prefix}-{next(_counter)}-{int(time.time() * 1000) % 100000}"


class Raw:
    """Plain HTTP against an emulator, for checking the wire directly."""

    def __init__(self, emulator: KeyVaultEmulator) -> None:
        self.emulator = emulator
        self.session = requests.Session()
        self.session.verify = str(emulator.ca_path)

    def __call__(
        self,
        method: str,
        path: str,
        api_version: str | None = "7.5",
        token: str | None = "raw-token",
        **kwargs: Any,
    ) -> requests.Response:
        params = dict(kwargs.pop("params", {}) or {})
        if api_version is not None:
            params.setdefault("api-version", api_version)
        headers = dict(kwargs.pop("headers", {}) or {})
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("https://") else self.emulator.url + path
        return self.session.request(method, url, params=params, headers=headers, timeout=30,
                                    verify=str(self.emulator.ca_path),
                                    **kwargs)


def client_kwargs(emulator: KeyVaultEmulator) -> dict[str, Any]:
    """What an SDK client needs besides URL and credential."""
    return {"connection_verify": str(emulator.ca_path)}
