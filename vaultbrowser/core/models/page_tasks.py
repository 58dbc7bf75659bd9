"""The page tasks of a ``LazyTreeModel``: started one per node, held until done, cancelled by
subtree, awaited until the tree is idle. Qt-free.

A task nobody holds can vanish mid-flight, so ``PageTasks`` holds each one (and counts it as
loading) until it is done. The task of a node's page in flight is also on its listing
(``Listing.task``): that is the one a refresh, a removal or closing cancels and detaches.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from vaultbrowser.core.models.listing import Listing
from vaultbrowser.core.models.tree_node import Node


class PageTasks:
    """Every page task of one tree not yet done (and any other work a tree counts as loading,
    held with ``hold``)."""

    def __init__(self) -> None:
        self._running: set[asyncio.Task[Any]] = set()

    def hold(self, task: asyncio.Task[Any]) -> asyncio.Task[Any]:
        """Hold ``task`` until it is done; the tree is loading meanwhile."""
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    def start(self, listing: Listing, page_run: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``page_run`` as ``listing``'s task, held here."""
        task = asyncio.ensure_future(page_run)
        listing.task = task
        self.hold(task)
        return task

    def any_running(self) -> bool:
        return bool(self._running)


def cancel_page_tasks(node: Node) -> None:
    """Cancel and detach every listing's task below (and at) ``node``; Load all stops."""
    stack = [node]
    while stack:
        current = stack.pop()
        listing = current.listing
        if listing is not None:
            listing.load_all = False
            if listing.task is not None:
                task, listing.task = listing.task, None
                task.cancel()
        stack.extend(current.children)


def pages_in_flight(node: Node) -> list[asyncio.Task[None]]:
    """The listings' tasks below (and at) ``node``, done or not."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.listing is not None and current.listing.task is not None:
            found.append(current.listing.task)
        stack.extend(current.children)
    return found


async def wait_pages_idle(node: Node) -> None:
    """Wait until no listing below (and at) ``node`` has a page in flight."""
    while True:
        tasks = [task for task in pages_in_flight(node) if not task.done()]
        if not tasks:
            return
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)
