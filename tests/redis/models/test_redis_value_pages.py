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
