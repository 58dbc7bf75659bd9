"""The Cosmos items bench's parts on the real local server (a few hundred items): the seeding,
and every item counted by ours and by the SDK with the same pages; skipped (saying why)
without Node.js or the npm package."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bench.cosmos_items import LOAD_ALL_PAGE_ITEMS, _measure, seed, tree_available
from vaultbrowser.cosmos.services.queries import FIRST_PAGE_ITEMS
from vaultbrowser.emulators.cosmos_server import CosmosServer, CosmosServerUnavailable

COUNT = FIRST_PAGE_ITEMS + LOAD_ALL_PAGE_ITEMS + 7  # a first page, a full one, a rest


@pytest.fixture(scope="module")
def seeded() -> Iterator[dict[str, str]]:
    server = CosmosServer()
    try:
        server.start()
    except CosmosServerUnavailable as exc:
        pytest.skip(f"The local Cosmos DB server cannot start: {exc}")
    try:
        spec = {"endpoint": server.endpoint, "ca": str(server.ca_path)}
        assert asyncio.run(seed(spec["endpoint"], spec["ca"], COUNT)) > 0
        yield spec
    finally:
        server.stop()


def test_ours_and_the_sdk_count_every_item_in_the_same_pages(seeded: dict[str, str]) -> None:
    ours = asyncio.run(_measure({**seeded, "which": "ours"}))
    sdk = asyncio.run(_measure({**seeded, "which": "sdk"}))
    assert ours["ours_items"] == sdk["sdk_items"] == COUNT
    assert ours["ours_pages"] == sdk["sdk_pages"] == 3
    assert 0 < ours["ours_first"] <= ours["ours_s"] and 0 < sdk["sdk_first"] <= sdk["sdk_s"]


@pytest.mark.skipif(not tree_available(), reason="the registry has no Cosmos kind yet")
def test_the_cosmos_tab_loads_every_item(seeded: dict[str, str]) -> None:
    import json

    from bench.common import child

    tree = child(["bench.cosmos_items", json.dumps({**seeded, "which": "tree"})], timeout=300)
    assert tree["tree_items"] == COUNT and tree["tree_pages"] == 3
    assert 0 < tree["tree_first"] <= tree["tree_s"]
