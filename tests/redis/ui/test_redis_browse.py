"""Browsing Redis in the window against a real server: the Keys tab, a key's details with the
commands that produced them, and the value viewer of each type (in bounded pieces)."""

from __future__ import annotations

import json
from typing import Any

from tests.redis.conftest import RedisCluster, RedisProcess
from tests.redis.ui.redis_window import RedisWindow
from vaultbrowser.redis.models.details import COMMANDS_SECTION
from vaultbrowser.redis.models.value_pages import PAGE_ENTRIES
from vaultbrowser.redis.services.values import STRING_RANGE_BYTES
from vaultbrowser.redis.ui.value_viewer import HEX, JSON, TEXT


def section(details: Any, title: str) -> dict[str, str]:
    return dict(next(s for s in details.sections if s.title == title).rows)


def test_keys_tab_details_and_the_commands_that_produced_them(
        qloop: Any, redis_window: RedisWindow, standalone: RedisProcess) -> None:
    standalone.admin.hset("app:user:1", mapping={"name": "ada", "role": "admin"})
    standalone.admin.set("app:flag", "on", ex=600)
    h = redis_window
    tabs = [h.window.tabs.tabText(i) for i in range(h.window.tabs.count())]
    assert "Redis" in tabs

    async def run() -> None:
        root = await h.connect(standalone.port)
        assert sorted(h.names(root)) == ["app"]
        user = await h.row(root, "app", "user", "1")
        details = await h.select(user)
        key = section(details, "Key")
        assert key["Type"] == "hash" and key["TTL"] == "no expiry"
        assert key["Length (entries)"] == "2" and key["Encoding"] == "listpack"
        assert int(key["Memory usage"].split()[0]) > 0
        commands = section(details, COMMANDS_SECTION)
        outcome, sent = commands["PIPELINE (4 commands)"].split(" — ")
        assert sent == ("TYPE app:user:1; PTTL app:user:1; MEMORY USAGE app:user:1; "
                        "OBJECT ENCODING app:user:1")
        assert outcome.endswith(f"B from 127.0.0.1:{standalone.port}") and " ms · " in outcome
        assert commands["HLEN"].endswith(" — HLEN app:user:1")
        assert details.note.startswith("2 Redis commands, ")
        assert "values hidden" in h.window.detail_pane.status_line.text()
        # the row took the type, TTL and length the details told
        assert [h.model.index(user.row(), c, user.parent()).data() for c in (1, 2, 3)] == [
            "hash", "—", "2"]
        # the value: a table of fields
        assert h.viewer.isVisible() and h.viewer.pages.type == "hash"
        assert sorted(h.viewer.pages.rows) == [("name", "ada"), ("role", "admin")]
        flag = await h.row(root, "app", "flag")
        details = await h.select(flag)
        assert section(details, "Key")["TTL"].endswith("ms)")
        assert h.viewer.text.toPlainText() == "on"
    qloop.run_until_complete(run())
    assert not h.errors


def test_a_big_string_is_read_in_ranges_as_text_json_and_hex(
        qloop: Any, redis_window: RedisWindow, standalone: RedisProcess) -> None:
    big = b"".join(b"line %06d\n" % n for n in range(20_000))  # 240,000 bytes
    standalone.admin.set("big", big)
    standalone.admin.set("doc", json.dumps({"b": [1, 2], "a": "x"}))
    standalone.admin.set("bin", bytes(range(32)))
    h = redis_window

    async def run() -> None:
        root = await h.connect(standalone.port)
        await h.select(await h.row(root, "big"))
        pages = h.viewer.pages
        assert len(pages.data) == STRING_RANGE_BYTES and not pages.complete
        assert h.viewer.info.text() == "first 64.0 KiB of 234.4 KiB"
        assert h.viewer.load_more_button.isEnabled()
        assert not h.viewer.edit_button.isEnabled()  # edit needs the whole value
        while not h.viewer.pages.complete:
            h.viewer.load_more()
            await h.viewer.wait_idle()
        assert h.viewer.pages.data == big
        assert h.viewer.text.toPlainText() == big.decode()
        assert not h.viewer.load_more_button.isVisible()

        await h.select(await h.row(root, "doc"))
        h.viewer.format_combo.setCurrentText(JSON)
        assert json.loads(h.viewer.text.toPlainText()) == {"b": [1, 2], "a": "x"}
        assert "\n  " in h.viewer.text.toPlainText()  # pretty-printed
        h.viewer.format_combo.setCurrentText(HEX)
        assert h.viewer.text.toPlainText().startswith("00000000  7b 22 62 22")
        await h.select(await h.row(root, "bin"))
        assert "00000010  10 11 12" in h.viewer.text.toPlainText()
        h.viewer.format_combo.setCurrentText(TEXT)
    qloop.run_until_complete(run())
    assert not h.errors


def test_collections_are_read_a_page_or_window_at_a_time(
        qloop: Any, redis_window: RedisWindow, standalone: RedisProcess) -> None:
    admin = standalone.admin
    admin.hset("h", mapping={f"f{n}": f"v{n}" for n in range(250)})
    admin.sadd("s", *[f"m{n}" for n in range(250)])
    admin.zadd("z", {f"p{n}": n / 2 for n in range(250)})
    admin.rpush("l", *[f"item {n}" for n in range(250)])
    for n in range(250):
        admin.xadd("x", {"n": str(n)}, id=f"{1000 + n}-0")
    h = redis_window

    async def run() -> None:
        root = await h.connect(standalone.port)
        for name, columns in (("h", ("Field", "Value")), ("s", ("Member",)),
                              ("z", ("Member", "Score")), ("l", ("Index", "Value")),
                              ("x", ("Entry id", "Fields"))):
            await h.select(await h.row(root, name))
            pages = h.viewer.pages
            assert pages.columns == columns
            first = h.viewer.table_model.rowCount()
            if name in ("l", "x"):  # windows of PAGE_ENTRIES, never the whole key at once
                assert first == PAGE_ENTRIES
                assert "entries shown · more" in h.viewer.info.text()
            else:  # SCAN pages: COUNT is the server's hint (a small key comes whole)
                assert first >= PAGE_ENTRIES
            while not pages.complete:
                h.viewer.load_more()
                await h.viewer.wait_idle()
            assert h.viewer.table_model.rowCount() == 250, name
            assert h.viewer.info.text() == "all 250 entries"
        rows = h.viewer.pages.rows
        assert rows[0] == ("1000-0", "n=0") and rows[-1] == ("1249-0", "n=249")
        await h.select(await h.row(root, "l"))
        assert h.viewer.pages.rows[:2] == [("0", "item 0"), ("1", "item 1")]
        await h.select(await h.row(root, "z"))
        assert {row[0]: row[1] for row in h.viewer.pages.rows}.get("p3") in (None, "1.5")
    qloop.run_until_complete(run())
    assert not h.errors


def test_the_cluster_shows_the_node_that_answered(
        qloop: Any, redis_window: RedisWindow, cluster: RedisCluster) -> None:
    admin = cluster.admin()
    try:
        for n in range(30):
            admin.set(f"k:{n}", n)
    finally:
        admin.close()
    h = redis_window

    async def run() -> None:
        root = await h.connect(cluster.port)
        keys = await h.row(root, "k")
        await h.listed(keys)
        assert len(h.names(keys)) == 30
        nodes = set()
        for text in ("1", "2", "3", "4", "5"):
            details = await h.select(await h.row(keys, text))
            commands = section(details, COMMANDS_SECTION)
            nodes |= {value.split(" — ")[0].rsplit(" from ", 1)[1]
                      for value in commands.values()}
        ports = {f"127.0.0.1:{node.port}" for node in cluster.nodes}
        assert nodes <= ports and len(nodes) >= 2
    qloop.run_until_complete(run())
    assert not h.errors


def test_a_pasted_redis_address_opens_and_shows_its_connection(
        qloop: Any, redis_window: RedisWindow, standalone: RedisProcess) -> None:
    standalone.admin.set("hello", "world")
    h = redis_window

    async def run() -> None:
        await h.window.navigation.open_address(f"redis://127.0.0.1:{standalone.port}")
        assert [c.url for c in h.window.connections] == [f"redis://127.0.0.1:{standalone.port}"]
        root = h.model.index(0, 0)
        assert h.pane.selected_source_index() == root  # shown and selected
        await h.listed(root)
        assert h.names(root) == ["hello"]
        # the same address again: the open connection, not a second one
        await h.window.navigation.open_address(f"redis://127.0.0.1:{standalone.port}/")
        assert len(h.window.connections) == 1
    qloop.run_until_complete(run())
    assert not h.errors


def test_the_activity_panel_says_who_answered_each_command(
        qloop: Any, redis_window: RedisWindow, standalone: RedisProcess) -> None:
    from vaultbrowser.core.models.activity_model import Column, cell_text

    standalone.admin.set("k", "v")
    h = redis_window

    async def run() -> None:
        root = await h.connect(standalone.port)
        await h.select(await h.row(root, "k"))
    qloop.run_until_complete(run())
    scans = [r for r in h.window.session.journal.records() if r.method == "SCAN"]
    assert scans and cell_text(scans[0], Column.STATUS) == (
        f"OK · {scans[0].reply.size:,} B from 127.0.0.1:{standalone.port}")
    assert cell_text(scans[0], Column.CONNECTION) == "local redis"
    assert not scans[0].failed


def test_copy_name_copies_the_whole_key_name(qloop: Any, redis_window: RedisWindow,
                                             standalone: RedisProcess) -> None:
    from PySide6.QtGui import QGuiApplication

    standalone.admin.set("app:user:7", "v")
    h = redis_window

    async def run() -> None:
        root = await h.connect(standalone.port)
        await h.select(await h.row(root, "app", "user", "7"))
        h.pane.copy_selected()
        assert QGuiApplication.clipboard().text() == "app:user:7"
        await h.select(await h.row(root, "app", "user"))
        h.pane.copy_selected()
        assert QGuiApplication.clipboard().text() == "app:user:"
    qloop.run_until_complete(run())


def test_the_scan_bar_applies_and_remembers_the_shape(qapp: Any, tmp_path: Any) -> None:
    from PySide6.QtCore import QSettings

    from vaultbrowser.redis.models.key_tree import RedisTreeModel
    from vaultbrowser.redis.ui.scan_bar import ScanBar

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    model = RedisTreeModel()
    bar = ScanBar(model, settings=settings)
    bar.delimiter_edit.setText("/")
    bar.match_edit.setText("a*")
    bar.type_combo.setCurrentText("hash")  # applies the pattern typed so far too
    assert (model.delimiter, model.match, model.type_filter) == (b"/", b"a*", "hash")
    bar.flat_check.setChecked(True)
    bar.match_edit.clear()  # the clear button lists every key again
    assert model.match is None and model.flat
    settings.sync()
    again = RedisTreeModel()
    ScanBar(again, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert again.flat and again.delimiter == b"/"
