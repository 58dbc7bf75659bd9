"""The Redis Keys tree against real servers (tests/redis/conftest.py): flat and namespaces,
SCAN paging with "N scanned · more" and Load all, MATCH and TYPE on the server, the cells of
the rows on screen, a three-primary cluster scanned on every primary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.redis.conftest import RedisCluster, RedisProcess
from tests.redis.models.redis_tree_helpers import (
    add_server,
    child,
    close_all,
    fetch,
    load_all,
    rows,
    status,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.redis.models.key_rows import KeyRow, NamespaceRow
from vaultbrowser.redis.models.key_tree import RedisTreeModel, ttl_text


@pytest.fixture
def model(qloop: Any) -> Iterator[RedisTreeModel]:
    tree = RedisTreeModel()
    yield tree
    close_all(qloop, tree)


def seed(server: RedisProcess) -> None:
    admin = server.admin
    pipe = admin.pipeline(transaction=False)
    for number in range(300):
        pipe.set(f"sessions:{number:03d}", "x" * number)
    pipe.hset("app:user:1", mapping={"name": "ada", "role": "admin"})
    pipe.rpush("app:queue", "a", "b", "c")
    pipe.sadd("app:tags", "red", "green")
    pipe.set("plain", "value", ex=3600)
    pipe.execute()


def test_namespaces_are_lazy_folders_and_keys_show_below_their_prefix(
        qloop: Any, model: RedisTreeModel, standalone: RedisProcess, qtmodeltester: Any) -> None:
    seed(standalone)
    root = add_server(qloop, model, standalone.port)
    load_all(qloop, model, root)
    assert sorted(rows(model, root)) == ["app", "plain", "sessions"]
    assert status(model, root) is None  # complete: no status row
    app = child(model, root, "app")
    assert isinstance(model.record_of(app), NamespaceRow)
    assert model.hasChildren(app) and model.canFetchMore(app)
    load_all(qloop, model, app)
    assert sorted(rows(model, app)) == ["queue", "tags", "user"]
    user = child(model, app, "user")
    load_all(qloop, model, user)
    assert rows(model, user) == ["1"]
    assert model.record_of(model.index(0, 0, user)).name == b"app:user:1"
    qtmodeltester.check(model)


def test_flat_pages_with_scan_then_load_all(qloop: Any, model: RedisTreeModel,
                                            standalone: RedisProcess) -> None:
    seed(standalone)
    model.set_flat(True)
    root = add_server(qloop, model, standalone.port)
    fetch(qloop, model, root)
    first = rows(model, root)
    assert 0 < len(first) < 304  # a small first page (SCAN COUNT 100)
    assert "scanned · more available" in (status(model, root) or "")
    assert model.canFetchMore(root)
    finished: list[bool] = []
    model.load_all_finished.connect(lambda _index, complete: finished.append(complete))
    model.load_all(root)
    qloop.run_until_complete(model.wait_idle())
    assert finished == [True]
    names = rows(model, root)
    assert len(names) == len(set(names)) == 304
    assert "app:user:1" in names and "sessions:299" in names


def test_load_all_can_be_cancelled(qloop: Any, model: RedisTreeModel,
                                   standalone: RedisProcess) -> None:
    seed(standalone)
    model.set_flat(True)
    root = add_server(qloop, model, standalone.port)
    fetch(qloop, model, root)
    model.load_all(root)
    model.cancel(root)
    qloop.run_until_complete(model.wait_idle())
    assert model.node_of(root).listing.task is None
    assert len(rows(model, root)) <= 304


def test_match_and_type_filters_go_to_the_server(qloop: Any, model: RedisTreeModel,
                                                 standalone: RedisProcess) -> None:
    seed(standalone)
    journal_root = add_server(qloop, model, standalone.port)
    model.set_flat(True)
    model.set_filter(b"app:*", None)
    load_all(qloop, model, journal_root)
    assert sorted(rows(model, journal_root)) == ["app:queue", "app:tags", "app:user:1"]
    model.set_filter(None, "hash")
    qloop.run_until_complete(model.wait_idle())
    load_all(qloop, model, journal_root)
    assert rows(model, journal_root) == ["app:user:1"]
    model.set_filter(b"*", "list")
    qloop.run_until_complete(model.wait_idle())
    load_all(qloop, model, journal_root)
    assert rows(model, journal_root) == ["app:queue"]
    with pytest.raises(InvalidInput):
        model.set_filter(None, "bitmap")


def test_a_pattern_applies_below_namespaces_too(qloop: Any, model: RedisTreeModel,
                                                standalone: RedisProcess) -> None:
    seed(standalone)
    model.set_filter(b"*:0[01]?", None)
    root = add_server(qloop, model, standalone.port)
    load_all(qloop, model, root)
    assert rows(model, root) == ["sessions"]
    sessions = child(model, root, "sessions")
    load_all(qloop, model, sessions)
    assert sorted(rows(model, sessions)) == [f"{n:03d}" for n in range(20)]


def test_another_delimiter_splits_other_namespaces(qloop: Any, model: RedisTreeModel,
                                                   standalone: RedisProcess) -> None:
    standalone.admin.mset({"a/b/c": 1, "a/d": 2, "e:f": 3})
    root = add_server(qloop, model, standalone.port)
    load_all(qloop, model, root)
    assert sorted(rows(model, root)) == ["a/b/c", "a/d", "e"]
    model.set_delimiter(b"/")
    qloop.run_until_complete(model.wait_idle())
    load_all(qloop, model, root)
    assert sorted(rows(model, root)) == ["a", "e:f"]
    with pytest.raises(InvalidInput):
        model.set_delimiter(b"")


def test_rows_in_view_get_type_ttl_and_length(qloop: Any, model: RedisTreeModel,
                                              standalone: RedisProcess) -> None:
    seed(standalone)
    standalone.admin.set("gone-soon", "x")
    model.set_flat(True)
    model.set_filter(b"[pag]*", None)  # plain, app:*, gone-soon
    root = add_server(qloop, model, standalone.port)
    load_all(qloop, model, root)
    indexes = [model.index(row, 0, root) for row in range(len(rows(model, root)))]
    standalone.admin.delete("gone-soon")
    model.rows_in_view(indexes)
    qloop.run_until_complete(model.cells.wait_idle())
    cells = {model.index(i.row(), 0, root).data(): [model.index(i.row(), c, root).data()
                                                    for c in (1, 2, 3)] for i in indexes}
    assert cells["app:user:1"] == ["hash", "—", "2"]
    assert cells["app:queue"] == ["list", "—", "3"]
    assert cells["app:tags"] == ["set", "—", "2"]
    assert cells["plain"][0] == "string" and cells["plain"][1] in ("1h", "59m 59s")
    assert cells["plain"][2] == "5 B"
    assert cells["gone-soon"][0] == "(gone)"
    assert all(isinstance(model.record_of(i), KeyRow) for i in indexes)


def test_ttl_text() -> None:
    assert ttl_text(None) == "—"
    assert ttl_text(500) == "500ms"
    assert ttl_text(37_000) == "37s"
    assert ttl_text(61_000) == "1m 1s"
    assert ttl_text(3 * 3_600_000) == "3h"
    assert ttl_text(50 * 3_600_000) == "2d 2h"


def test_a_cluster_is_scanned_on_every_primary(qloop: Any, model: RedisTreeModel,
                                               cluster: RedisCluster) -> None:
    admin = cluster.admin()
    try:
        for number in range(200):
            admin.set(f"user:{number}", number)
        admin.hset("cfg", mapping={"a": "1"})
    finally:
        admin.close()
    root = add_server(qloop, model, cluster.port)
    load_all(qloop, model, root)
    assert sorted(rows(model, root)) == ["cfg", "user"]
    user = child(model, root, "user")
    load_all(qloop, model, user)
    assert len(rows(model, user)) == 200
    model.set_flat(True)
    qloop.run_until_complete(model.wait_idle())
    load_all(qloop, model, root)
    names = rows(model, root)
    assert len(names) == len(set(names)) == 201
    indexes = [model.index(row, 0, root) for row in range(20)]
    model.rows_in_view(indexes)
    qloop.run_until_complete(model.cells.wait_idle())
    assert all(model.index(i.row(), 1, root).data() in ("string", "hash") for i in indexes)
