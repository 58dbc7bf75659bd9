"""The commands one piece of work sent: the Redis counterpart of an HTTP call's response.

A detail pane shows, for a selected key, the commands that produced what it shows (name,
arguments with values hidden, duration, reply size, the node that answered). They are the
journal's entries (``RedisCommands`` records each one); ``capturing_commands`` collects those
recorded by the current task only: a journal listener runs inside the task that sent the
command, so a context variable tells whose entry it is while other tasks page keys meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from vaultbrowser.core.services.http.journal import ExchangeRecord, HttpJournal

_CAPTURE: ContextVar[list[ExchangeRecord] | None] = ContextVar("redis_commands_captured",
                                                                default=None)


@dataclass(frozen=True, slots=True)
class SentCommand:
    """One command as the detail pane lists it (already redacted by the command path)."""

    command: str  # "PIPELINE TYPE+PTTL" or "HSCAN"
    arguments: str  # the arguments, values hidden
    elapsed: float  # seconds
    node: str  # host:port that answered ("" when it failed)
    size: int  # bytes of the reply (0 when it failed)
    failure: str | None = None

    @property
    def outcome(self) -> str:
        if self.failure:
            return self.failure
        return f"{self.elapsed * 1000:.1f} ms · {self.size:,} B from {self.node}"


def sent_command(record: ExchangeRecord, url: str = "") -> SentCommand:
    """A journal entry as a ``SentCommand`` (``url``: the connection's URL, cut off the
    entry's text that names it)."""
    text = record.url
    if url and text.startswith(url):
        text = text[len(url):].strip()
    reply = record.reply
    return SentCommand(record.method, text, record.elapsed, reply.node if reply else "",
                       reply.size if reply else 0, record.failure)


@contextmanager
def capturing_commands(journal: HttpJournal | None) -> Iterator[list[ExchangeRecord]]:
    """Collect the journal entries recorded by this task (and tasks it starts) meanwhile."""
    captured: list[ExchangeRecord] = []
    if journal is None:
        yield captured
        return

    def heard(record: ExchangeRecord) -> None:
        if _CAPTURE.get() is captured:
            captured.append(record)

    token = _CAPTURE.set(captured)
    journal.add_listener(heard)
    try:
        yield captured
    finally:
        journal.remove_listener(heard)
        _CAPTURE.reset(token)
