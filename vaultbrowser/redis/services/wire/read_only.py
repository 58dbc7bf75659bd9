"""Read-only mode for Redis: a command is sent only when it is on our allowlist of reads AND the
server's own command table (``COMMAND INFO``) says it neither writes nor administers.

Both must agree: the allowlist (``READ_COMMANDS``) is what vaultbrowser means to send while
browsing; the server's flags catch a server whose command means something else (a module, a
renamed command). ``@dangerous`` is not refused as such: INFO is in that category and only
reads; what the allowlist does not name is refused anyway. A refused command is never sent and
is recorded in the journal like a refused HTTP request (``commands.RedisCommands``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from vaultbrowser.core.services.errors import ReadOnlyRefused

# Lower-case names as COMMAND INFO gives them; a container's subcommand as "memory|usage".
READ_COMMANDS = frozenset({
    "scan", "type", "pttl", "ttl", "exists", "memory|usage", "object|encoding", "strlen",
    "getrange", "get", "hlen", "hscan", "hget", "hstrlen", "llen", "lrange", "lindex", "scard",
    "sscan", "sismember", "zcard", "zscan", "zscore", "xlen", "xrange", "xrevrange",
    "xinfo|stream", "dbsize", "info", "ping", "client|id", "command|info", "acl|whoami",
    "cluster|info",
})
# Commands whose first argument names a subcommand (COMMAND INFO knows them as "a|b").
CONTAINER_COMMANDS = frozenset({
    "acl", "client", "cluster", "command", "config", "debug", "function", "latency", "memory",
    "module", "object", "pubsub", "script", "slowlog", "xgroup", "xinfo",
})
REFUSING_FLAGS = frozenset({"write", "admin", "denyoom", "may_replicate", "pubsub", "blocking"})
REFUSING_CATEGORIES = frozenset({"@write", "@admin", "@pubsub", "@blocking", "@scripting"})


def command_name(args: tuple[Any, ...]) -> str:
    """The command table's name of ``args`` ("get", "memory|usage")."""
    def text(part: Any) -> str:
        return (part.decode("ascii", "replace") if isinstance(part, bytes) else str(part)).lower()

    name = text(args[0])
    if name in CONTAINER_COMMANDS and len(args) > 1:
        return f"{name}|{text(args[1])}"
    return name


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class ReadOnlyGate:
    """Checks commands before they are sent on a read-only connection (a no-op otherwise).

    ``command_info(names)`` asks the server for COMMAND INFO of those names (the parsed dict
    redis-py returns); it is asked once, for the whole allowlist, and kept for the connection.
    """

    def __init__(self, where: str, *, read_only: bool,
                 command_info: Callable[[list[str]], Awaitable[dict[str, Any]]]) -> None:
        self.where = where
        self.read_only = read_only
        self._command_info = command_info
        self._server_reads: frozenset[str] | None = None
        # Why the server's table could not be read (COMMAND not allowed to this user): the
        # allowlist alone decides then, which only ever refuses more.
        self.table_unavailable: str | None = None

    async def check(self, names: Iterable[str]) -> None:
        """Raises:
            ReadOnlyRefused: a command in ``names`` may change data; nothing was sent.
        """
        if not self.read_only:
            return
        names = list(names)
        for name in names:
            if name not in READ_COMMANDS:
                raise self._refusal(name, "it is not one of the commands vaultbrowser reads with")
        server_reads = await self._reads_by_the_server()
        for name in names:
            if server_reads is not None and name not in server_reads:
                raise self._refusal(name, "the server's command table marks it as one that "
                                          "writes or administers, or does not know it")

    async def _reads_by_the_server(self) -> frozenset[str] | None:
        if self._server_reads is None and self.table_unavailable is None:
            try:
                table = await self._table(sorted(READ_COMMANDS))
            except Exception as exc:  # NOPERM for COMMAND: fall back on the allowlist alone
                self.table_unavailable = f"{type(exc).__name__}: {str(exc)[:200]}"
                return None
            self._server_reads = frozenset(
                _text(name).lower() for name, info in (table or {}).items()
                if isinstance(info, dict) and not _refused_by_flags(info))
        return self._server_reads

    async def _table(self, names: list[str]) -> dict[str, Any]:
        try:
            return await self._command_info(names)
        except (TypeError, IndexError):
            # A name the server lacks (renamed away, a module's) answers nil, which redis-py's
            # parser cannot read: ask one by one, and a name that fails is not a read there.
            table: dict[str, Any] = {}
            for name in names:
                try:
                    table.update(await self._command_info([name]))
                except (TypeError, IndexError):
                    continue
            return table

    def _refusal(self, name: str, why: str) -> ReadOnlyRefused:
        shown = name.replace("|", " ").upper()
        return ReadOnlyRefused(
            f"{self.where} is read-only: vaultbrowser refused to send {shown} ({why}). Nothing "
            "was sent.", method=shown, error_code="READONLY")


def _refused_by_flags(info: dict[str, Any]) -> bool:
    flags = {_text(flag).lower() for flag in info.get("flags") or ()}
    categories = {_text(category).lower() for category in info.get("acl_categories") or ()}
    return bool(flags & REFUSING_FLAGS or categories & REFUSING_CATEGORIES)
