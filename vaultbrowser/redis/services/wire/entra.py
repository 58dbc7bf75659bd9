"""Entra ID sign-in to Redis: the token is the password, the identity's object id the user name.

``EntraTokenProvider`` is a redis-py ``StreamingCredentialProvider`` over the app's own ASYNC
credentials (every sign-in method the session builds: CLI, browser, device code, service
principals, managed identity). It fetches a token for ``REDIS_SCOPE`` on the event loop,
refreshes it before it expires (at ``refresh_at`` of its lifetime) and hands each new token to
redis-py's re-authentication callbacks, which send ``AUTH <oid> <token>`` on the pooled
connections (standalone and cluster nodes) without dropping them; connections opened later
authenticate with the newest token (``get_credentials_async``).

Why not ``redis-entraid`` (the Redis team's provider): its identity providers wrap SYNC
azure-identity credentials and redis-py's ``TokenManager`` calls them synchronously on the event
loop, so a token fetch (a network call, a device code prompt) would freeze the window, and it
cannot take the async credentials every other kind of this app signs in with. It would also
bring msal, requests and PyJWT for what is here one unverified payload decode.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from redis.auth.token import SimpleToken
from redis.credentials import CredentialProvider, StreamingCredentialProvider

from vaultbrowser.core.services.errors import AuthenticationRequired, VaultBrowserError
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.translate import translate_error

REDIS_SCOPE = "https://redis.azure.com/.default"
REFRESH_AT = 0.75  # of a token's lifetime: Entra tokens live 60–90 minutes
MIN_REFRESH_DELAY = 0.5  # seconds: a token that is (nearly) expired is replaced at once
RETRY_DELAY = 10.0  # seconds between tries when a refresh failed (the old token still works)

_NOT_AN_ENTRA_TOKEN = (
    "Choose a sign-in method that gives Microsoft Entra ID access tokens for a user, service "
    "principal or managed identity (not a local emulator's fixed token), or connect with an "
    "access key.")


def object_id_of(token: str) -> str:
    """The ``oid`` claim of a JWT, read without verifying it (the server verifies; we only
    need the user name to send with it).

    Raises:
        AuthenticationRequired: the token is not a JWT, or has no object id.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthenticationRequired("The sign-in gave a token that is not a JSON Web Token: "
                                     "Redis needs the identity's object id from it.",
                                     advice=_NOT_AN_ENTRA_TOKEN)
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise AuthenticationRequired("The sign-in gave a token whose claims cannot be read.",
                                     advice=_NOT_AN_ENTRA_TOKEN) from None
    oid = payload.get("oid") if isinstance(payload, dict) else None
    if not isinstance(oid, str) or not oid:
        raise AuthenticationRequired(
            "The sign-in gave a token without an object id (oid claim): Redis signs in with "
            "the object id as the user name.", advice=_NOT_AN_ENTRA_TOKEN)
    return oid


Callback = Callable[[Any], Awaitable[None] | None]


class EntraTokenProvider(StreamingCredentialProvider):
    """Tokens from an async credential as Redis credentials (user = oid, password = token).

    ``start()`` fetches the first token (so the user name is known before connecting) and
    keeps a refresh scheduled until ``close()``.
    """

    def __init__(self, credential: Any, *, scope: str = REDIS_SCOPE,
                 refresh_at: float = REFRESH_AT, retry_delay: float = RETRY_DELAY) -> None:
        self._credential = credential
        self._scope = scope
        self._refresh_at = refresh_at
        self._retry_delay = retry_delay
        self._token: SecretValue | None = None
        self._oid: str | None = None
        self._received = 0.0
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self._on_next: list[Callback] = []
        self._on_error: list[Callback] = []
        self._refresh_task: asyncio.Task[None] | None = None
        self.refreshes = 0  # tokens handed to the connections after the first
        self.last_error: VaultBrowserError | None = None  # the latest refresh's failure

    # --- redis-py's contract ------------------------------------------------------------

    def on_next(self, callback: Callback) -> None:
        self._on_next.append(callback)

    def on_error(self, callback: Callback) -> None:
        self._on_error.append(callback)

    def is_streaming(self) -> bool:
        return True

    def get_credentials(self) -> tuple[str, str]:
        """The sync path is never taken by the async clients; it serves the current token."""
        if self._token is None or self._oid is None:
            raise AuthenticationRequired("Not signed in yet.")
        return self._oid, self._token.reveal()

    async def get_credentials_async(self) -> tuple[str, str]:
        """For each new connection: the current token, fetched anew when it is due."""
        if self._token is None or time.time() >= self._refresh_due():
            await self._fetch(force=False)
        return self.get_credentials()

    # --- ours -----------------------------------------------------------------------------

    @property
    def user(self) -> str | None:
        """The object id sent as the user name (None before the first token)."""
        return self._oid

    @property
    def expires_on(self) -> float:
        return self._expires

    async def start(self) -> str:
        """Fetch the first token and schedule its refresh; the user name (object id).

        Raises:
            AuthenticationRequired: the credential could not sign in, or its token has no oid.
            VaultBrowserError: the typed error of the sign-in's failure.
        """
        await self._fetch()
        self._schedule(self._refresh_due() - time.time())
        assert self._oid is not None
        return self._oid

    async def refresh(self) -> None:
        """Fetch a new token now and re-authenticate the connections with it.

        Raises:
            VaultBrowserError: fetching or re-authenticating failed (the old token stays).
        """
        await self._fetch()
        token = SimpleToken(self.get_credentials()[1], self._expires * 1000,
                            self._received * 1000, {"oid": self._oid})
        self.refreshes += 1
        for callback in list(self._on_next):
            outcome = callback(token)
            if asyncio.iscoroutine(outcome):
                await outcome

    async def close(self) -> None:
        task, self._refresh_task = self._refresh_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def _refresh_due(self) -> float:
        return self._received + (self._expires - self._received) * self._refresh_at

    async def _fetch(self, *, force: bool = True) -> None:
        async with self._lock:
            if not force and self._token is not None and time.time() < self._refresh_due():
                return  # connections opened together: the first one fetched it already
            try:
                access = await self._credential.get_token(self._scope)
            except VaultBrowserError:
                raise
            except Exception as exc:
                raise translate_error(exc) from None
            oid = object_id_of(access.token)
            if self._oid is not None and oid != self._oid:
                # A connection is one identity: a different oid means another account signed in
                raise AuthenticationRequired(
                    "The sign-in now gives tokens of another identity than the one this "
                    "connection started with.", advice="Close the connection and open it again.")
            self._token, self._oid = SecretValue(access.token), oid
            self._received, self._expires = time.time(), float(access.expires_on)

    def _schedule(self, delay: float) -> None:
        self._refresh_task = asyncio.get_running_loop().create_task(
            self._refresh_later(max(delay, MIN_REFRESH_DELAY)))

    async def _refresh_later(self, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await self.refresh()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # kept for the UI; the next try comes after retry_delay
            self.last_error = (exc if isinstance(exc, VaultBrowserError)
                               else AuthenticationRequired(
                                   f"Refreshing the Redis sign-in failed: {type(exc).__name__}."))
            self._schedule(min(self._retry_delay, max(self._expires - time.time(), 0)))
            return
        self.last_error = None
        self._schedule(self._refresh_due() - time.time())


class SecretPasswordProvider(CredentialProvider):
    """An access key (or a password from a pasted URL) for redis-py, revealed only when a
    connection authenticates: the client's settings and reprs never hold it."""

    def __init__(self, password: SecretValue, user: str | None = None) -> None:
        self._password = password
        self.user = user

    def get_credentials(self) -> tuple[str] | tuple[str, str]:
        if self.user:
            return self.user, self._password.reveal()
        return (self._password.reveal(),)

    async def get_credentials_async(self) -> tuple[str] | tuple[str, str]:
        return self.get_credentials()

    def __repr__(self) -> str:
        return f"SecretPasswordProvider(user={self.user!r})"
