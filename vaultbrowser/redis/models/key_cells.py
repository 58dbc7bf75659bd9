"""``KeyCells``: fills the Type, TTL and Length cells of the key rows on screen.

SCAN lists names only. For the rows a pane shows (``rows_in_view``, told once the view
settles), one task per connection asks ``summarize_keys`` for the rows still lacking a summary
(two pipelined round trips for all of them) and puts the answers in the rows. A newer view
replaces the request in flight (cancelled silently); failures leave the cells empty and are
never raised (the activity panel has the commands). Qt-free apart from the model it updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.redis.models.key_rows import KeyRow
from vaultbrowser.redis.services.key_summaries import KeySummary, summarize_keys

_log = logging.getLogger(__name__)


class KeyCells:
    """``service_of(node)`` gives a key row's service (a ``LazyRedisService``);
    ``update(node, row)`` puts a filled row in the model (only while the node is still in the
    tree)."""

    def __init__(self, service_of: Callable[[Node], Any],
                 update: Callable[[Node, KeyRow], None]) -> None:
        self._service_of = service_of
        self._update = update
        self._tasks: dict[int, asyncio.Task[None]] = {}  # by id(service)

    def rows_in_view(self, nodes: Sequence[Node]) -> None:
        try:
            loop = asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:  # the window is closing: its loop is gone
            return
        if loop.is_closed():
            return
        wanted: dict[int, tuple[Any, list[Node]]] = {}
        for node in nodes:
            record = node.record
            if isinstance(record, KeyRow) and record.summary is None:
                service = self._service_of(node)
                wanted.setdefault(id(service), (service, []))[1].append(node)
        for key, (service, rows) in wanted.items():
            previous = self._tasks.pop(key, None)
            if previous is not None:
                previous.cancel()
            task = loop.create_task(self._fill(service, rows))
            self._tasks[key] = task
            task.add_done_callback(lambda done, k=key: self._forget(k, done))

    def _forget(self, key: int, task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]

    async def _fill(self, handle: Any, nodes: list[Node]) -> None:
        names = [node.record.name for node in nodes]
        try:
            service = await handle.opened()
            summaries: dict[bytes, KeySummary] = await summarize_keys(service.commands, names)
        except VaultBrowserError as error:  # the cells stay empty; the journal has it
            _log.debug("key cells not filled: %s", error.title)
            return
        for node in nodes:
            summary = summaries.get(node.record.name)
            if summary is not None and node.parent is not None:
                self._update(node, replace(node.record, summary=summary))

    async def wait_idle(self) -> None:
        """Wait for the fills in flight (tests)."""
        while self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()
