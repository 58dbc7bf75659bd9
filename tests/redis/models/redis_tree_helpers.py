"""Driving the Redis tree in tests: open a real local server's service on the qasync loop,
add it as a root, page nodes to the end."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import QModelIndex

from tests.redis.local_redis import open_local
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.redis.models.key_rows import RedisRoot
from vaultbrowser.redis.models.key_tree import RedisTreeModel
from vaultbrowser.redis.services.lazy_service import LazyRedisService


def local_connection(port: int, *, read_only: bool = False) -> Connection:
    return Connection("redis", f"redis://127.0.0.1:{port}", AuthMethod.LOCAL_EMULATOR,
                      name="test redis", read_only=read_only)


def add_server(qloop: Any, model: RedisTreeModel, port: int, *,
               read_only: bool = False) -> QModelIndex:
    service = qloop.run_until_complete(open_local(port, read_only=read_only))
    return model.add_root(RedisRoot(local_connection(port, read_only=read_only),
                                    LazyRedisService.of(service)))


def close_all(qloop: Any, model: RedisTreeModel) -> None:
    model.cells.close()
    model.cancel_all()
    for node in model.root_nodes():
        qloop.run_until_complete(node.record.service.close())  # the handle closes it


def fetch(qloop: Any, model: RedisTreeModel, index: QModelIndex) -> None:
    """One page of ``index``'s node (its first, or the next)."""
    model.fetchMore(index)
    qloop.run_until_complete(model.wait_idle())


def load_all(qloop: Any, model: RedisTreeModel, index: QModelIndex) -> None:
    if model.canFetchMore(index):
        fetch(qloop, model, index)
    model.load_all(index)
    qloop.run_until_complete(model.wait_idle())


def rows(model: RedisTreeModel, parent: QModelIndex) -> list[str]:
    """The item rows' names under ``parent`` (status rows left out)."""
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))
            if model.index(row, 0, parent).data(STATUS_ROLE) is None]


def status(model: RedisTreeModel, parent: QModelIndex) -> str | None:
    count = model.rowCount(parent)
    last = model.index(count - 1, 0, parent)
    return last.data() if count and last.data(STATUS_ROLE) is not None else None


def child(model: RedisTreeModel, parent: QModelIndex, text: str) -> QModelIndex:
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        if index.data() == text and index.data(STATUS_ROLE) is None:
            return index
    raise AssertionError(f"{text!r} not under {parent.data()!r}: {rows(model, parent)}")


async def settle() -> None:
    await asyncio.sleep(0.01)
