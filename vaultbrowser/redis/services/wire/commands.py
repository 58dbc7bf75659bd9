"""The one place every Redis command of a connection goes through.

``RedisCommands.call`` (one command) and ``call_batch`` (a pipeline) each, in order:
1. check the command against read-only mode (``read_only.ReadOnlyGate``): refused locally;
2. send it over the connection's client (standalone ``redis.asyncio.Redis`` or cluster-aware
   ``redis.asyncio.cluster.RedisCluster``: MOVED/ASK and retries are redis-py's);
3. record a journal entry for the activity panel (``ExchangeRecord`` with a ``CommandReply``):
   the command's name, its arguments with values hidden (``Hidden``), the duration, the reply's
   size and the node that answered (after a redirect, the node redirected to), or the failure;
4. hold the reply to ``max_reply_bytes`` (callers ask for bounded ranges and pages; this catches
   what a page still brings; a hash page first sets aside its oversized values, ``fit``) and
   translate errors to typed ones.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from vaultbrowser.core.services.errors import LimitExceeded, ReadOnlyRefused, VaultBrowserError
from vaultbrowser.core.services.http.journal import CommandReply, ExchangeRecord, HttpJournal
from vaultbrowser.core.services.redaction import redact_text
from vaultbrowser.redis.services.wire.addresses import RedisAddress
from vaultbrowser.redis.services.wire.connections import answering_nodes
from vaultbrowser.redis.services.wire.failures import translate_redis_error
from vaultbrowser.redis.services.wire.names import display_text
from vaultbrowser.redis.services.wire.read_only import ReadOnlyGate, command_name

MAX_REPLY_BYTES = 32 * 1024 * 1024  # as LimitSettings.max_page_bytes: one answer's ceiling
_SHOWN_ARGUMENT = 80  # characters of one argument in the journal
_SHOWN_COMMAND = 400


@dataclass(frozen=True, slots=True)
class Hidden:
    """An argument that carries a value (what is written): sent, never shown or logged."""

    value: bytes | str | int | float

    def __repr__(self) -> str:
        return "Hidden(…)"


Argument = bytes | str | int | float | Hidden


def _wire(argument: Argument) -> bytes | str | int | float:
    return argument.value if isinstance(argument, Hidden) else argument


def _shown(argument: Argument) -> str:
    if isinstance(argument, Hidden):
        size = len(argument.value) if isinstance(argument.value, bytes | str) else 0
        return f"‹value, {size:,} B›" if size else "‹value›"
    if isinstance(argument, bytes):
        return display_text(argument, _SHOWN_ARGUMENT)
    return display_text(str(argument).encode(), _SHOWN_ARGUMENT)


def command_text(args: Sequence[Argument]) -> str:
    """How the journal shows a command: its arguments, values hidden, long ones cut."""
    text = " ".join(_shown(argument) for argument in args)
    return text if len(text) <= _SHOWN_COMMAND else text[:_SHOWN_COMMAND] + "…"


def reply_size(reply: Any) -> int:
    """The bytes of a reply's strings (numbers count 8): what the reply held in memory."""
    if isinstance(reply, bytes | str):
        return len(reply)
    if isinstance(reply, dict):
        return sum(reply_size(key) + reply_size(value) for key, value in reply.items())
    if isinstance(reply, list | tuple | set):
        total = 0
        for item in reply:  # a loop, not recursion, for the common flat list of strings
            total += len(item) if isinstance(item, bytes) else reply_size(item)
        return total
    return 8


class RedisCommands:
    """One connection's client and its rules; every service part sends through it."""

    def __init__(self, client: Redis | RedisCluster, *, address: RedisAddress, where: str,
                 user: str | None, read_only: bool, journal: HttpJournal | None,
                 max_reply_bytes: int = MAX_REPLY_BYTES, identity: str | None = None) -> None:
        self.client = client
        self.cluster = isinstance(client, RedisCluster)
        self.address = address
        self.where = where  # the connection's display name
        self.user = user  # the user name sent (an object id, or None: the default user)
        # Who the journal and the audit trail name: the object id, or how it signed in
        self.identity = identity or user
        self.journal = journal
        self.max_reply_bytes = max_reply_bytes
        self.gate = ReadOnlyGate(where, read_only=read_only, command_info=self._command_info)

    @property
    def read_only(self) -> bool:
        return self.gate.read_only

    # --- topology -------------------------------------------------------------------------

    def primaries(self) -> tuple[str, ...]:
        """host:port of every primary (the connection's address when standalone), sorted."""
        if isinstance(self.client, RedisCluster):
            return tuple(sorted(node.name for node in self.client.get_primaries()))
        return (self.address.node,)

    def slot_of(self, key: bytes) -> int | None:
        """The cluster hash slot of ``key`` (None when standalone)."""
        return self.client.keyslot(key) if isinstance(self.client, RedisCluster) else None

    def _node_of(self, key: bytes | None, node: str | None, answered: list[str]) -> str:
        """The node the journal names: the one asked, or in a cluster the one whose reply was
        read last (after a MOVED or ASK redirect, not the node first asked). A batch not about
        one key names its node when one node answered it all."""
        if node is not None:
            return node
        if isinstance(self.client, RedisCluster):
            if answered and (key is not None or len(set(answered)) == 1):
                return answered[-1]
            if key is None:
                return "cluster"
            try:  # no reply seen (read on another thread): the slot table's node
                return self.client.get_node_from_key(key).name  # type: ignore[arg-type,union-attr]
            except Exception:
                return "cluster"
        return self.address.node

    def _target(self, node: str | None) -> dict[str, Any]:
        if node is None or not isinstance(self.client, RedisCluster):
            return {}
        target = self.client.get_node(node_name=node)
        if target is None:
            raise translate_redis_error(ConnectionError(f"node {node} is no longer a primary"),
                                        where=self.where, user=self.user)
        return {"target_nodes": target}

    # --- sending --------------------------------------------------------------------------

    async def call(self, *args: Argument, key: bytes | None = None, node: str | None = None,
                   expected: tuple[type[VaultBrowserError], ...] = (),
                   fit: Callable[[Any], Any] | None = None) -> Any:
        """Send one command; its reply (bytes, not decoded).

        ``key`` names the key the command is about (the journal's node in a cluster); ``node``
        (host:port of a primary) sends a keyless command (SCAN) to that node. An error of an
        ``expected`` type is what the caller asks about (is INFO allowed?): the journal
        records it as expected, not as a failure. ``fit`` takes the reply as read and returns
        what the caller keeps (a scan page without its oversized members); that, not the
        reply, is held to ``max_reply_bytes``.

        Raises:
            ReadOnlyRefused: read-only and the command may write; nothing was sent.
            LimitExceeded: the reply was larger than ``max_reply_bytes``.
            VaultBrowserError: the typed error of whatever failed.
        """
        name = command_name(args)
        started_at, start = datetime.now(UTC), time.perf_counter()
        text = command_text(args)
        try:
            await self.gate.check([name])
            with answering_nodes() as answered:
                reply = await self.client.execute_command(*(_wire(a) for a in args),
                                                          **self._target(node))
        except BaseException as exc:
            error = exc if isinstance(exc, asyncio.CancelledError) else translate_redis_error(
                exc, where=self.where, user=self.user, command=name.replace("|", " ").upper())
            self._record_failure(name, text, started_at, start, exc,
                                 expected=isinstance(error, expected))
            if error is exc:
                raise
            raise error from None
        return self._accepted(name, text, started_at, start, reply,
                              self._node_of(key, node, answered), fit=fit)

    async def call_batch(self, commands: Sequence[tuple[Argument, ...]], *,
                         key: bytes | None = None) -> list[Any]:
        """Send ``commands`` in one pipeline (no transaction); one journal entry for them.

        In a cluster, redis-py sends each to its key's node (``key``, when they are all about
        one, names the node in the journal; else "cluster"). A command the server
        refused leaves its typed error in its place in the result; the others' replies stand.

        Raises:
            ReadOnlyRefused: read-only and one of them may write; none was sent.
            LimitExceeded, VaultBrowserError: as ``call``, for the batch as a whole.
        """
        names = [command_name(args) for args in commands]
        label = "PIPELINE " + "+".join(name.split("|")[0].upper() for name in names)
        text = "; ".join(command_text(args) for args in commands[:20])
        if len(commands) > 20:
            text += f"; … {len(commands) - 20:,} more"
        started_at, start = datetime.now(UTC), time.perf_counter()
        try:
            await self.gate.check(names)
            pipe = self.client.pipeline(transaction=False)
            for args in commands:
                pipe.execute_command(*(_wire(a) for a in args))
            with answering_nodes() as answered:
                replies = await pipe.execute(raise_on_error=False)
        except BaseException as exc:
            self._record_failure(label, text, started_at, start, exc)
            if isinstance(exc, asyncio.CancelledError | VaultBrowserError):
                raise
            raise translate_redis_error(exc, where=self.where, user=self.user,
                                        command=label) from None
        replies = [translate_redis_error(reply, where=self.where, user=self.user,
                                         command=name.replace("|", " ").upper())
                   if isinstance(reply, Exception) else reply
                   for name, reply in zip(names, replies, strict=True)]
        return self._accepted(label, text, started_at, start,
                              [r for r in replies if not isinstance(r, Exception)],
                              self._node_of(key, None, answered), replies)

    async def _command_info(self, names: list[str]) -> dict[str, Any]:
        # Asked without the gate (it is the gate's own question) and without the journal:
        # like redis-py's own COMMAND at a cluster client's start, protocol, not browsing.
        target = ({"target_nodes": self.client.get_default_node()}
                  if isinstance(self.client, RedisCluster) else {})
        return await self.client.execute_command("COMMAND", "INFO", *names, **target)

    # --- the journal ----------------------------------------------------------------------

    def _accepted(self, name: str, text: str, started_at: datetime, start: float, reply: Any,
                  node: str, result: Any = None,
                  fit: Callable[[Any], Any] | None = None) -> Any:
        elapsed = time.perf_counter() - start
        size = reply_size(reply)  # what was read (the journal's size)
        if fit is not None:
            reply = fit(reply)
        kept = size if fit is None else reply_size(reply)
        if kept > self.max_reply_bytes:
            error = LimitExceeded(
                f"{name.replace('|', ' ').upper()} on {self.where} answered with {kept:,} "
                f"bytes, more than vaultbrowser reads in one answer.",
                limit="max_page_bytes", value=float(self.max_reply_bytes))
            self._record(name, text, started_at, elapsed, failure=error.message)
            raise error
        self._record(name, text, started_at, elapsed, reply=CommandReply(node, size))
        return reply if result is None else result

    def _record_failure(self, name: str, text: str, started_at: datetime, start: float,
                        exc: BaseException, *, expected: bool = False) -> None:
        refused = isinstance(exc, ReadOnlyRefused)
        cancelled = isinstance(exc, asyncio.CancelledError)
        failure = ("Refused: read-only" if refused else "Cancelled" if cancelled
                   else redact_text(f"{type(exc).__name__}: {exc}")[:500])
        self._record(name, text, started_at, time.perf_counter() - start, failure=failure,
                     refused=refused, cancelled=cancelled, expected=expected)

    def _record(self, name: str, text: str, started_at: datetime, elapsed: float, *,
                reply: CommandReply | None = None, failure: str | None = None,
                refused: bool = False, cancelled: bool = False,
                expected: bool = False) -> None:
        if self.journal is None:
            return
        self.journal.record(ExchangeRecord(
            response=None, method=name.replace("|", " ").upper(),
            url=f"{self.address.url} {text}", started_at=started_at, elapsed=elapsed,
            failure=failure, authorized=True, connection=self.where,
            identity=self.identity, refused=refused, cancelled=cancelled, reply=reply,
            expected=expected))

    async def close(self) -> None:
        await self.client.aclose()
