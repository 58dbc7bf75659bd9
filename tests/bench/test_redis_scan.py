"""The Redis SCAN bench's parts on a small real server: every key counted by ours, the raw
client and redis-cli; skipped (saying why) without redis-server."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from bench.redis_scan import MISSING, _measure, cli_has_count, redis_cli_scan, redis_server


@pytest.mark.skipif(not (shutil.which("redis-server") and shutil.which("redis-cli")),
                    reason=MISSING)
def test_every_key_is_counted_by_each_contender() -> None:
    with redis_server(2_345) as port:
        figures = asyncio.run(_measure({"port": port, "page": 500}))
        _elapsed, printed = redis_cli_scan(port, 500 if cli_has_count() else None)
    assert figures["ours_keys"] == figures["raw_keys"] == printed == 2_345
    assert figures["ours_pages"] >= 4 and figures["ours_s"] > 0


@pytest.mark.skipif(not (shutil.which("redis-server") and shutil.which("redis-cli")),
                    reason=MISSING)
def test_the_redis_tab_loads_every_key() -> None:
    import json

    from bench.common import child

    with redis_server(1_234) as port:
        flat = child(["bench.redis_scan", json.dumps({"mode": "tree", "port": port,
                                                      "flat": True})], timeout=300)
        grouped = child(["bench.redis_scan", json.dumps({"mode": "tree", "port": port})],
                        timeout=300)
    assert flat["tree_rows"] == 1_234 and flat["tree_pages"] >= 2
    assert grouped["tree_rows"] == 1  # DEBUG POPULATE's keys are all key:<n>
    assert 0 < grouped["tree_first_rows"] <= grouped["tree_s"]
