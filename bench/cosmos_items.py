"""Page through 50,000 Cosmos DB items (``python -m bench.cosmos_items``; a step of ``python -m
bench``): the local ``@vercel/cosmosdb-server`` of the tests (``emulators/cosmos_server.py``:
loopback HTTPS with our CA) holding one container of 50,000 small items (2,000 with
``BENCH_QUICK=1``; ``BENCH_COSMOS_ITEMS`` to change), seeded by concurrent POSTs straight to
its REST API (the server checks no authorisation, so nothing is signed; the SDK's
``create_item`` costs ~40 % more per item),
then, after one untimed pass of the SDK's (the server's first over a fresh container is its
slowest), in the same run, each going first in turn, each in a child process of its own:

- **ours, the tab**: the Cosmos tab's Load all in a shown window (``scenarios.run_window``):
  the account's connection added (its databases listed by itself), the database expanded, then
  timed: the container expanded (its first page of ``FIRST_PAGE_ITEMS``: the first rows), Load
  all pressed, to the last page landed (pages of the tree's ``LOAD_ALL_PAGE_ITEMS``); the
  longest event-loop stall meanwhile. Left out, with a note, where the registry has no Cosmos
  kind;
- **ours, the service**: the same Load all without Qt — ``CosmosService.items`` over a
  connection opened as the app opens it (``open_service``: the session's transport with its
  journal, response limits and read-only guard; ``ItemRecord`` per item, with its JSON size):
  the first page, then pages of ``LOAD_ALL_PAGE_ITEMS`` through the query's continuation token;
- **the SDK**: ``ContainerProxy.query_items("SELECT * FROM c").by_page()`` on the same server,
  the same page sizes (a first page of ``FIRST_PAGE_ITEMS``, then ``by_page(token)`` with
  ``LOAD_ALL_PAGE_ITEMS``), every item of every page read into a list.

Both open their client and ask for one item before the clock starts (the account read, the
SDK's query modules imported on a process's first query). Targets: the tab ≤ 1.1×
the SDK for the first page and for Load all (the service's ratio where the tab is not
measured). Where Node.js or the npm package is missing the step
is skipped with a note saying how to get them.

The server evaluates the whole query again for every page (its continuation token is a
position), so a page costs time in proportion to the container, the same for every contender:
with our launcher's patch of its query engine (``emulators/cosmos_query_patch.py``; unpatched, a
page grew with the square of the container: 25 s at 50,000 items) ~60-150 ms a page of 1,000 at
50,000 items on 2 busy cores, and connections kept alive (seeding ~0.4-0.7 ms an item).
"""

from __future__ import annotations

import asyncio
import json
import os
import ssl
import sys
import time
from typing import Any

from bench.common import Plan, Row, child, collect, log, median, ratio_row, step_main

TARGET = 1.1
LOAD_ALL_PAGE_ITEMS = 1_000  # vaultbrowser/cosmos/models/cosmos_tree.py's Load all page
DATABASE, CONTAINER, KEY_PATH = "bench", "items", "/pk"
PARTITIONS = 16
SEED_AT_ONCE = 64  # POSTs in flight while seeding


def item_count(plan: Plan) -> int:
    """50,000, the issue's count (2,000 with ``BENCH_QUICK=1``); ``BENCH_COSMOS_ITEMS`` to
    change."""
    default = 2_000 if plan.quick else 50_000
    return max(1, int(os.environ.get("BENCH_COSMOS_ITEMS", default)))


def _item(number: int) -> dict[str, Any]:
    """A small item (~150 bytes of JSON), as an app's order or session might be."""
    return {"id": f"item-{number:06d}", "pk": f"p{number % PARTITIONS}", "n": number,
            "name": f"customer {number}", "status": ("open", "paid", "sent")[number % 3],
            "total": round(number * 1.25, 2), "tags": ["bench", f"t{number % 7}"]}


async def seed(endpoint: str, ca_path: str, count: int) -> float:
    """A database with one container of ``count`` items; the seconds it took."""
    import aiohttp

    context = ssl.create_default_context(cafile=ca_path)
    base = endpoint.rstrip("/")
    headers = {"content-type": "application/json", "x-ms-version": "2020-07-15",
               "authorization": "unsigned"}  # the local server checks none
    started = time.perf_counter()
    connector = aiohttp.TCPConnector(ssl=context, limit=SEED_AT_ONCE)
    async with aiohttp.ClientSession(connector=connector) as session:
        async def post(path: str, body: dict[str, Any], extra: dict[str, str]) -> None:
            async with session.post(base + path, data=json.dumps(body),
                                    headers={**headers, **extra}) as response:
                await response.read()
                if response.status != 201:
                    raise RuntimeError(f"seeding {path}: {response.status}")

        await post("/dbs", {"id": DATABASE}, {})
        await post(f"/dbs/{DATABASE}/colls", {"id": CONTAINER, "partitionKey": {
            "paths": [KEY_PATH], "kind": "Hash"}}, {})
        limit = asyncio.Semaphore(SEED_AT_ONCE)

        async def one(number: int) -> None:
            item = _item(number)
            async with limit:
                await post(f"/dbs/{DATABASE}/colls/{CONTAINER}/docs", item,
                           {"x-ms-documentdb-partitionkey": json.dumps([item["pk"]])})

        await asyncio.gather(*(one(number) for number in range(count)))
    return time.perf_counter() - started


async def _ours(spec: dict[str, Any]) -> dict[str, Any]:
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.cosmos.services.opening import open_service
    from vaultbrowser.cosmos.services.records import ContainerRecord

    session = ServiceSession(read_only=True)
    try:
        service = await open_service(session, Connection(
            "cosmos", spec["endpoint"], AuthMethod.LOCAL_EMULATOR, ca_path=spec["ca"],
            read_only=True))
        container = ContainerRecord(DATABASE, CONTAINER, (KEY_PATH,))
        await service.items(container, page_size=1)  # warm, as the SDK's side
        started = time.perf_counter()
        page = await service.items(container)
        first = time.perf_counter()
        items, pages, token = len(page.items), 1, page.next_token
        while token is not None:
            page = await service.items(container, continuation=token,
                                       page_size=LOAD_ALL_PAGE_ITEMS)
            items, pages, token = items + len(page.items), pages + 1, page.next_token
        end = time.perf_counter()
    finally:
        await session.aclose()
    return {"ours_first": first - started, "ours_s": end - started, "ours_items": items,
            "ours_pages": pages}


async def _sdk(spec: dict[str, Any]) -> dict[str, Any]:
    from azure.cosmos.aio import CosmosClient

    from vaultbrowser.cosmos.services.queries import FIRST_PAGE_ITEMS
    from vaultbrowser.emulators.cosmos_server import COSMOS_SERVER_KEY

    async with CosmosClient(spec["endpoint"], COSMOS_SERVER_KEY,
                            connection_verify=spec["ca"]) as client:
        container = client.get_database_client(DATABASE).get_container_client(CONTAINER)
        # warm: the first query of a process imports the SDK's query modules (~25 ms)
        await anext(container.query_items("SELECT * FROM c", max_item_count=1).by_page())
        started = time.perf_counter()
        pager = container.query_items("SELECT * FROM c", max_item_count=FIRST_PAGE_ITEMS
                                      ).by_page()
        kept = [item async for item in await anext(pager)]
        first = time.perf_counter()
        pages, token = 1, pager.continuation_token
        if token:
            async for page in container.query_items(
                    "SELECT * FROM c", max_item_count=LOAD_ALL_PAGE_ITEMS).by_page(token):
                kept.extend([item async for item in page])
                pages += 1
        end = time.perf_counter()
    return {"sdk_first": first - started, "sdk_s": end - started, "sdk_items": len(kept),
            "sdk_pages": pages}


async def _until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the Cosmos tree did not get there in time: {what}")
        await asyncio.sleep(0.002)


async def measure_tree(window: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """The Cosmos tab's Load all in the shown window (a child of its own): the database
    expanded untimed, then the container expanded → first rows → Load all → the last page
    landed; the longest loop stall meanwhile."""
    from bench.loop_monitor import LoopStallMonitor
    from bench.scenarios import peak_rss_mb
    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.sdk_imports import import_sdk

    title = next(pane.title for pane in window.panes if pane.title.startswith("Cosmos"))
    model = window.show_pane(title).model
    await import_sdk(name for kind in KINDS for name in kind.sdk_modules)
    await asyncio.sleep(0.3)  # as the app: its collector's pass after the import, not measured
    window.add_connection(Connection("cosmos", spec["endpoint"], AuthMethod.LOCAL_EMULATOR,
                                     ca_path=spec["ca"]))
    await _until(lambda: bool(model.root_nodes()) and model.root_nodes()[0].listed, 120,
                 "databases")

    def child_named(parent: Any, name: str) -> Any:
        return next((n for n in parent.children if getattr(n.record, "id", None) == name), None)

    database = child_named(model.root_nodes()[0], DATABASE)
    assert database is not None, "the bench database is not listed"
    model.fetchMore(model.index_of(database))
    await _until(lambda: database.listed, 120, "containers")
    node = child_named(database, CONTAINER)
    assert node is not None, "the bench container is not listed"
    # Timed by the model's own signals, not by polling: a poll every few ms is work the
    # tab's process does and the SDK's does not (the stall monitor's beat is that already).
    landed: list[float] = []
    first_page, finished = asyncio.Event(), asyncio.Event()

    def page_landed(parent: Any, _rows: int) -> None:
        if model.node_of(parent) is node:
            landed.append(time.perf_counter())
            first_page.set()

    model.page_loaded.connect(page_landed)
    model.load_all_finished.connect(lambda _parent, _complete: finished.set())
    with LoopStallMonitor() as monitor:
        start = time.perf_counter()
        model.fetchMore(model.index_of(node))
        await asyncio.wait_for(first_page.wait(), 300)
        first = landed[0]
        await _until(lambda: node.listing.task is None, 10, "first page's task done")
        if node.has_more:  # as the user does, once the first rows show
            model.load_all(model.index_of(node))
            await asyncio.wait_for(finished.wait(), 1800)
        end = landed[-1]
        await asyncio.sleep(0.05)  # a repaint after the last page counts too
    if node.listing.error is not None:
        raise RuntimeError(f"the Cosmos tree's listing failed: {node.listing.error}")
    return {"tree_first": first - start, "tree_s": end - start, "tree_items": len(node.children),
            "tree_pages": node.listing.pages_loaded, "tree_stall": monitor.max_stall,
            "tree_rss_mb": peak_rss_mb()}


def tree_available() -> bool:
    """Whether the registry has the Cosmos kind (its tab)."""
    from vaultbrowser.app import KINDS

    return any(kind.name == "cosmos" for kind in KINDS)


async def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    """One run of one side (``spec["which"]``) in this process."""
    return await (_ours(spec) if spec["which"] == "ours" else _sdk(spec))


def measure_cosmos_items(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: one seeded server, one untimed pass, ``max(2, runs)`` runs, each side
    first in turn."""
    from vaultbrowser.emulators.cosmos_server import CosmosServer, CosmosServerUnavailable

    count = item_count(plan)
    notes: list[str] = []
    results: list[dict[str, Any]] = []
    runs = max(2, plan.runs)
    tree = tree_available()
    if not tree:
        notes.append("cosmos items: the registry has no Cosmos kind yet: the service's paging "
                      "loop stands for the tab")
    server = CosmosServer()
    try:
        server.start()
    except CosmosServerUnavailable as error:
        return [], [f"cosmos items skipped: {error}"]
    try:
        spec = {"endpoint": server.endpoint, "ca": str(server.ca_path)}
        took = asyncio.run(seed(spec["endpoint"], spec["ca"], count))
        notes.append(f"cosmos items: {count:,} items seeded in {took:.1f} s "
                     f"({SEED_AT_ONCE} POSTs at a time)")
        log(f"cosmos items: {count:,} seeded in {took:.1f} s")
        # One pass untimed: the server's first over a freshly seeded container is its slowest
        # (its heap still growing), and would count against whoever goes first.
        warm = asyncio.run(_sdk(spec))
        log(f"cosmos items: the server's first pass (untimed) {warm['sdk_s']:.2f} s")
        sides = ("tree", "ours", "sdk") if tree else ("ours", "sdk")
        for run in range(runs):
            figures: dict[str, Any] = {}
            # each goes first, second, … equally often (a later place was the faster one)
            for which in sides[run % len(sides):] + sides[:run % len(sides)]:
                figures.update(child(["bench.cosmos_items", json.dumps(
                    {**spec, "which": which})], timeout=1800))
            log(f"cosmos items {count:,} run {run + 1}/{runs}: "
                + (f"tab {figures['tree_s']:.2f} s (first {figures['tree_first'] * 1000:.0f} "
                   f"ms), " if tree else "") + f"service {figures['ours_s']:.2f} s "
                f"({figures['ours_pages']} pages, first {figures['ours_first'] * 1000:.0f} ms), "
                f"SDK {figures['sdk_s']:.2f} s (first {figures['sdk_first'] * 1000:.0f} ms)")
            for key in ("tree_items", "ours_items", "sdk_items") if tree else (
                    "ours_items", "sdk_items"):
                if figures[key] != count:
                    notes.append(f"cosmos items run {run + 1}: {key}={figures[key]:,} of "
                                 f"{count:,}")
            results.append(figures)
    finally:
        server.stop()
    return _rows(collect(results), count, tree), notes


def _rows(samples: dict[str, list[float]], count: int, tree: bool) -> list[Row]:
    label = f"cosmos items {count:,}"
    ours = "tree" if tree else "ours"  # what the targets judge: the tab, else the service
    total, sdk = median(samples, f"{ours}_s"), median(samples, "sdk_s")
    first, sdk_first = median(samples, f"{ours}_first"), median(samples, "sdk_first")
    what = "in the Cosmos tab (container expanded → last page)" if tree else (
        "through the service")
    rows = [
        Row(f"{label}: Load all {what}", samples.get(f"{ours}_s", []), "s",
            f"≤ {TARGET:g}× the SDK", None if total is None or sdk is None
            else total <= TARGET * sdk),
        Row(f"{label}: its first page (first rows)", samples.get(f"{ours}_first", []), "ms",
            f"≤ {TARGET:g}× the SDK", None if first is None or sdk_first is None
            else first <= TARGET * sdk_first),
    ]
    if tree:
        rows += [
            Row(f"{label}: its longest event-loop stall", samples.get("tree_stall", []), "ms"),
            Row(f"{label}: Load all through the service", samples.get("ours_s", []), "s"),
        ]
    rows += [
        Row(f"{label}: the SDK's query_items(...).by_page(), the same pages",
            samples.get("sdk_s", []), "s"),
        Row(f"{label}: the SDK's first page", samples.get("sdk_first", []), "ms"),
        ratio_row(f"{label}: Load all, {ours} ÷ the SDK", total, sdk, TARGET),
        ratio_row(f"{label}: first page, {ours} ÷ the SDK", first, sdk_first, TARGET),
    ]
    if tree:
        rows.append(ratio_row(f"{label}: Load all, service ÷ the SDK",
                              median(samples, "ours_s"), sdk, None))
    return rows


def main() -> int:
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    if spec.get("which") == "tree":  # one measured run in a shown window
        from bench.scenarios import run_window

        print("BENCH_RESULT " + json.dumps(run_window(spec, measure_tree)), flush=True)
        return 0
    return step_main(measure_cosmos_items, _measure)


if __name__ == "__main__":
    sys.exit(main())
