"""Redis failures → the app's typed errors, with what to do next.

One translation for every command (``commands.RedisCommands``) and for opening a connection.
Redis error texts never carry a password or token (the server does not echo them), and every
text still passes the one redaction when the error is made (``VaultBrowserError``).
"""

from __future__ import annotations

import asyncio
import re
import ssl

from redis import exceptions as redis_errors

from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    Cancelled,
    InvalidInput,
    NetworkError,
    NotFound,
    ServiceError,
    ServiceUnavailable,
    VaultBrowserError,
)

# A policy's name as an error may quote it: policy 'Data Reader' / policy "custom-1" / policy x
_POLICY = re.compile(r"(?i)policy\s+(?:'([^']{1,80})'|\"([^\"]{1,80})\"|([\w-]{1,80}))")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300].rstrip(".") if text.strip() else ""


# redis-py takes these codes off the server's error text and raises a class for them instead
_CODES = ((redis_errors.NoPermissionError, "NOPERM"), (redis_errors.BusyLoadingError, "LOADING"),
          (redis_errors.ClusterCrossSlotError, "CROSSSLOT"), (redis_errors.TryAgainError,
                                                               "TRYAGAIN"),
          (redis_errors.OutOfMemoryError, "OOM"), (redis_errors.ReadOnlyError, "READONLY"),
          (redis_errors.NoScriptError, "NOSCRIPT"))


def _error_code(exc: BaseException, text: str) -> str | None:
    if isinstance(exc, redis_errors.AuthenticationError):
        wrong = any(word in text.lower() for word in ("invalid", "wrongpass", "disabled"))
        return "WRONGPASS" if wrong else "NOAUTH"
    for kind, code in _CODES:
        if isinstance(exc, kind):
            return code
    word = text.split(" ", 1)[0]
    return word if word.isupper() and word.isalpha() else None


def _cause_chain(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _is_tls_failure(exc: BaseException) -> bool:
    return any(isinstance(part, ssl.SSLError) or "SSL" in str(part) or "certificate" in str(part)
               for part in _cause_chain(exc))


def who(user: str | None) -> str:
    return f"the user name {user!r}" if user else "the default user"


def translate_redis_error(exc: BaseException, *, where: str, user: str | None = None,
                          command: str = "") -> VaultBrowserError:
    """The typed error for ``exc``, raised by ``command`` (empty: while connecting) at ``where``
    (the connection's display name); ``user`` is the user name sent (an object id)."""
    if isinstance(exc, VaultBrowserError):
        return exc
    if isinstance(exc, asyncio.CancelledError):
        return Cancelled("Cancelled.")
    text = _first_line(str(exc))
    code = _error_code(exc, text)
    doing = f"{command} on {where}" if command else f"Connecting to {where}"
    facts = {"error_code": code, "service_message": text or None,
             "method": command or None}
    if code == "NOAUTH":
        return AuthenticationRequired(
            f"{where} wants a sign-in first ({who(user)} sent no password): {text}.",
            advice=("Choose Entra ID sign-in (the identity needs a data access policy on the "
                    "cache) or an access key for this connection."), **facts)
    if isinstance(exc, redis_errors.AuthenticationError) or code == "WRONGPASS":
        return AuthenticationRequired(
            f"{where} refused the sign-in with {who(user)}: {text or 'authentication failed'}.",
            advice=("With Entra ID the user name is your identity's object id and the password "
                    "a token: the token may have expired, or the object id is not the one "
                    "given access. Check that the cache's Data Access Configuration lists this "
                    "object id, and sign in again. With an access key: check the key (it may "
                    "have been regenerated) and that access keys are enabled on the cache."),
            **facts)
    if isinstance(exc, redis_errors.NoPermissionError) or code == "NOPERM":
        found = _POLICY.search(text)
        policy = (f"the data access policy {next(g for g in found.groups() if g)!r}" if found
                  else f"the data access policy assigned to {user or 'your identity'}")
        return AccessDenied(
            f"{doing} was refused: {text}.",
            advice=(f"{policy[0].upper()}{policy[1:]} does not allow this command or key. Ask "
                    "an administrator for a policy that includes it (\"Data Owner\" or "
                    "\"Data Contributor\" to change data, \"Data Reader\" to browse)."),
            **facts)
    if isinstance(exc, redis_errors.ClusterCrossSlotError) or code == "CROSSSLOT" or (
            isinstance(exc, redis_errors.RedisClusterException) and "slot" in text.lower()):
        return InvalidInput(
            f"{doing} names keys in different cluster slots: {text}.",
            advice=("In a cluster, keys of one command must share a hash slot. Give both names "
                    "the same hash tag (the part in {braces}, e.g. user:{42}:a and "
                    "user:{42}:b), or do it key by key."), **facts)
    if isinstance(exc, redis_errors.BusyLoadingError) or code == "LOADING":
        return ServiceUnavailable(f"{where} is loading its data set into memory.",
                                  advice="Wait a moment and retry.", **facts)
    if code == "BUSY":
        return ServiceUnavailable(
            f"{where} is busy running a script or function: {text}.",
            advice="Wait for it to finish and retry; its owner can stop it (SCRIPT KILL).",
            **facts)
    if isinstance(exc, redis_errors.TryAgainError | redis_errors.ClusterDownError
                  | redis_errors.MasterDownError) or code in ("TRYAGAIN", "CLUSTERDOWN"):
        return ServiceUnavailable(f"{doing} failed: the cluster is changing ({text}).",
                                  advice="Wait a moment and retry.", **facts)
    if isinstance(exc, redis_errors.OutOfMemoryError) or code == "OOM":
        return ServiceUnavailable(f"{where} is out of memory: {text}.",
                                  advice="Delete data or scale the cache up, then retry.",
                                  **facts)
    if isinstance(exc, redis_errors.TimeoutError | TimeoutError):
        return NetworkError(f"{doing} timed out.",
                            advice="The server did not answer in time: check the network, "
                                   "firewall and private endpoint, then retry.", **facts)
    if isinstance(exc, redis_errors.ConnectionError | redis_errors.RedisClusterException
                   | OSError):
        if _is_tls_failure(exc):
            return NetworkError(
                f"{doing} failed: the TLS handshake did not succeed ({text}).",
                advice=("Check the host name and port (Azure Managed Redis: port 10000, TLS "
                        "only), and that the server's certificate is trusted on this computer "
                        "(a proxy that inspects TLS needs its CA installed)."), **facts)
        refused = "refused" in text.lower() or any(
            isinstance(part, ConnectionRefusedError) for part in _cause_chain(exc))
        return NetworkError(
            f"{doing} failed: " + ("the server refused the connection." if refused
                                   else (text or type(exc).__name__) + "."),
            advice=("Check the address and port, that the server runs and that its firewall "
                    "or private endpoint lets your network in."), **facts)
    if code == "WRONGTYPE":
        return ServiceError(f"{doing} failed: the key holds another type of value.",
                            advice="Refresh: the key may have been replaced.", **facts)
    if "no such key" in text.lower():
        return NotFound(f"{doing} failed: the key does not exist (any more).", **facts)
    if "index out of range" in text.lower():
        return NotFound(f"{doing} failed: the list is shorter now.",
                        advice="Refresh the list and try again.", **facts)
    if isinstance(exc, redis_errors.RedisError):
        return ServiceError(f"{doing} failed: {text or type(exc).__name__}.", **facts)
    return ServiceError(f"{doing} failed: {type(exc).__name__}: {text}.", **facts)
