"""A key's value in bounded pieces (``ValuePages``) against a real server, and its text forms."""

from __future__ import annotations

from typing import Any

from tests.redis.conftest import RedisProcess
from tests.redis.local_redis import open_local
from vaultbrowser.redis.models.key_rows import KeyRow
from vaultbrowser.redis.models.value_pages import (
    MAX_HEX_BYTES,
    MAX_SHOWN_BYTES,
    ValuePages,
    as_json,
    hex_dump,
)


def test_hex_and_json_forms() -> None:
    assert hex_dump(b"AB\x00") == "00000000  41 42 00" + " " * 39 + "  AB."
    big = hex_dump(bytes(MAX_HEX_BYTES + 1))
    assert big.endswith("(hex shows the first 256 KiB)")
    assert big.count("\n") == MAX_HEX_BYTES // 16
    assert as_json(b'{"a": [1]}') == '{\n  "a": [\n    1\n  ]\n}'
    assert as_json(b"not json") is None and as_json(b"[" * 100_000) is None


def test_a_namespace_s_own_key_shows_its_whole_name() -> None:
    assert KeyRow(b"a:", 2).shown == "a:" and KeyRow(b"a:b", 2).shown == "b"


def test_a_string_is_read_up_to_the_viewer_s_cap(run: Any, standalone: RedisProcess) -> None:
    standalone.admin.set("huge", b"x" * (MAX_SHOWN_BYTES + 100_000))
    standalone.admin.rpush("l", *[str(n) for n in range(5)])

    async def read() -> tuple[ValuePages, ValuePages]:
        service = await open_local(standalone.port)
        try:
            pages = ValuePages(service, b"huge", "string")
            while pages.can_read_more:
                await pages.more()
            items = ValuePages(service, b"l", "list")
            await items.more()
            items.edited(2, b"two")
            return pages, items
        finally:
            await service.close()

    pages, items = run(read())
    assert len(pages.data) == MAX_SHOWN_BYTES and pages.capped and not pages.complete
    assert "at most 1 MiB" in pages.summary()
    assert items.complete and items.rows[2] == ("2", "two") and items.values[2] == b"two"
    assert items.summary() == "all 5 entries"


def test_a_hash_value_too_big_is_a_row_saying_so(run: Any, standalone: RedisProcess) -> None:
    standalone.admin.hset("h", mapping={"small": "1", "huge": b"x" * (2 * 1024 * 1024)})

    async def read() -> ValuePages:
        service = await open_local(standalone.port)
        try:
            pages = ValuePages(service, b"h", "hash")
            await pages.more()
            return pages
        finally:
            await service.close()

    pages = run(read())
    rows = dict(pages.rows)
    assert rows["small"] == "1"
    assert rows["huge"] == ("‹value not read: 2.0 MiB with its field, more than the 1.0 MiB a "
                            "page keeps›")
    keys = dict(zip([row[0] for row in pages.rows], pages.keys, strict=True))
    assert keys == {"small": b"small", "huge": None}  # not editable: its value was not read
    assert pages.summary() == "all 2 entries · 1 value too big to read"
