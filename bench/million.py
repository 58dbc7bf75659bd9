"""The big blob cases (``python -m bench.million``; a step of ``python -m bench`` with
``BENCH_MILLION=1``), against ``bench.synthetic_blobs`` (no storage: the names are computed):

- **1,000,000 blobs flat, Load all** in the shown window (``scenarios.measure_window``: expand
  → last page landed) next to the raw-HTTP limit in the same run (measured just before and just
  after each window run): aiohttp and a streaming
  expat parse following ``NextMarker`` (pages of 5,000, the app's query, names only);
  the window's peak RSS with the million loaded, its longest loop stall while paging, then
  while sorting the loaded rows by size and filtering them;
- **the root of a 1,400,000-blob container** (delimiter listing): expand → first rows, next
  to one raw request of the same page (100, ``delimiter=/``) over a warm connection;
- **prefix search in the 1,000,000-blob container**: the search dock's prefix search (flat,
  first page of 100) from Search to its first result row, next to one raw request of that page.

Each figure comes from a child process (``bench.scenarios`` for the window cases, this module
for the raw ones and the search); the server runs on a thread of the runner, idle otherwise.
``BENCH_QUICK=1``: 20,000 and 28,000 blobs.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any
from urllib.parse import quote

from bench.common import Plan, Row, Samples, child, collect, log, median, plan_from_env, ratio_row

FIRST_PAGE = 100  # the tree's first page and the search dock's first page
INCLUDE = "metadata,tags"  # what the app asks for


def counts(plan: Plan) -> tuple[int, int]:
    """The flat container's and the root container's blob counts."""
    return (20_000, 28_000) if plan.quick else (1_000_000, 1_400_000)


def search_prefix(count: int) -> str:
    """A type-ahead prefix in the middle of the flat container with 100 matches (part-0001xx
    of a folder of 200–800)."""
    from bench.synthetic_blobs import BlobNames

    return BlobNames(count).name(count // 2).rsplit("/", 1)[0] + "/part-0001"


# --- the raw side (a child process) ----------------------------------------------------------


async def _one_page(session: Any, query: str) -> tuple[int, str]:
    """One List Blobs GET, parsed by expat as it streams in, names only: how many names (of
    blobs and prefixes) it held and its NextMarker. Expat with two handlers is the fastest
    streaming parse at hand (a 5,000-blob page: 63 ms, ``XMLPullParser`` 166 ms, building
    elements for every tag)."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    parser.buffer_text = True
    texts: list[str] = []
    state = {"names": 0, "marker": "", "in": ""}

    def start(tag: str, _attrs: Any) -> None:
        if tag in ("Name", "NextMarker"):
            state["in"] = tag
            texts.clear()

    def end(tag: str) -> None:
        if tag == state["in"]:
            state["in"] = ""
            if tag == "Name":
                state["names"] += 1  # type: ignore[operator]
            else:
                state["marker"] = "".join(texts)

    def text(data: str) -> None:
        if state["in"]:
            texts.append(data)

    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.CharacterDataHandler = text
    async with session.get(query, headers={"x-ms-version": "2025-01-05"}) as response:
        if response.status != 200:
            raise RuntimeError(f"List Blobs: {response.status} {await response.text()}")
        async for chunk in response.content.iter_chunked(64 * 1024):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return int(state["names"]), str(state["marker"])


async def raw(spec: dict[str, Any]) -> dict[str, Any]:
    import aiohttp

    url = spec["url"]
    figures: dict[str, Any] = {}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{url}?comp=list") as response:  # a warm connection
            await response.read()
        root = (f"{url}/{spec['root_container']}?restype=container&comp=list"
                f"&delimiter=%2F&maxresults={FIRST_PAGE}&include={INCLUDE}")
        started = time.perf_counter()
        figures["root_rows"], _ = await _one_page(session, root)
        figures["root_request"] = time.perf_counter() - started
        prefix = (f"{url}/{spec['container']}?restype=container&comp=list"
                  f"&prefix={quote(spec['prefix'], safe='')}&maxresults={FIRST_PAGE}"
                  f"&include={INCLUDE}")
        started = time.perf_counter()
        figures["prefix_rows"], _ = await _one_page(session, prefix)
        figures["prefix_request"] = time.perf_counter() - started
        if spec.get("full"):
            base = (f"{url}/{spec['container']}?restype=container&comp=list&maxresults=5000"
                    f"&include={INCLUDE}")
            started = time.perf_counter()
            total, marker = 0, ""
            while True:
                names, marker = await _one_page(
                    session, base + (f"&marker={quote(marker, safe='')}" if marker else ""))
                total += names
                if not marker:
                    break
            figures["http_all"] = time.perf_counter() - started
            figures["http_rows"] = total
    return figures


# --- the search dock (a window child) --------------------------------------------------------


async def measure_prefix_search(window: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Connect, wait for the containers, then a flat prefix search from the search dock: from
    Search to the first result row (the loop's longest stall meanwhile)."""
    from bench.loop_monitor import LoopStallMonitor
    from bench.scenarios import _until, peak_rss_mb
    from vaultbrowser.app import KINDS
    from vaultbrowser.blob.ui.search.blob_search_tool import SearchScope
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.sdk_imports import import_sdk

    await import_sdk(name for kind in KINDS for name in kind.sdk_modules)
    pane = window.show_pane("Blobs")
    model = pane.model
    window.add_connection(Connection("blob", spec["url"], AuthMethod.LOCAL_EMULATOR))
    account = model.index(0, 0)
    await _until(lambda: model.node_of(account).listed
                 and model.node_of(account).listing.task is None, 120, lambda: "containers")
    tool = next(view.search for view in window.kind_views() if getattr(view, "pane", None)
                is pane)
    tool.panel.flat_check.setChecked(True)
    tool.set_scope(SearchScope(window.root_of(model, account), spec["container"]))
    tool.panel.query_edit.setText(spec["prefix"])
    results = tool.panel.results
    with LoopStallMonitor() as monitor:
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        tool.search()
        await _until(lambda: results.rowCount() > 0, 120, lambda: "the first match")
        first = time.perf_counter() - started
    return {"prefix_first_match": first, "prefix_matches": results.rowCount(),
            "max_stall": monitor.max_stall, "peak_rss_mb": peak_rss_mb()}


# --- the runner -------------------------------------------------------------------------------


def _run(args: list[str], label: str, into: list[dict[str, Any]], notes: list[str]) -> None:
    try:
        result = child(args, timeout=1800)
    except Exception as exc:  # a broken case must not hide the others
        notes.append(f"{label}: {exc}")
        log(notes[-1])
        return
    if result.get("errors"):
        notes.append(f"{label}: {result['errors']}")
    into.append(result)
    log(f"{label}: " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                 for k, v in result.items() if k != "errors"))


def run_million(plan: Plan) -> tuple[list[Row], list[str]]:
    from bench.synthetic_blobs import SyntheticBlobServer

    flat_count, root_count = counts(plan)
    flat_name, root_name = "million", "root1400k"
    notes: list[str] = []
    raws: list[dict[str, Any]] = []
    loads: list[dict[str, Any]] = []
    roots: list[dict[str, Any]] = []
    searches: list[dict[str, Any]] = []
    started = time.perf_counter()
    with SyntheticBlobServer({flat_name: flat_count, root_name: root_count}) as server:
        spec = {"url": server.blob_endpoint, "container": flat_name,
                "root_container": root_name, "prefix": search_prefix(flat_count)}
        window = {"service": "blobs", "url": server.blob_endpoint, "mode": "window"}
        for run in range(plan.runs):  # the quick cases, each next to its raw request
            _run(["bench.million", json.dumps(spec)], f"raw requests run {run + 1}", raws, notes)
            _run(["bench.scenarios", json.dumps({**window, "container": root_name,
                                                 "count": root_count, "flat": False,
                                                 "first_only": True})],
                 f"root of {root_count:,} run {run + 1}", roots, notes)
            _run(["bench.million", json.dumps({**spec, "mode": "search"})],
                 f"prefix search run {run + 1}", searches, notes)
        fulls: list[dict[str, Any]] = []
        for run in range(plan.big_runs):  # raw, window, raw: the machine's load drifts
            _run(["bench.million", json.dumps({**spec, "full": True})],
                 f"raw HTTP {flat_count:,} run {run + 1}a", fulls, notes)
            _run(["bench.scenarios", json.dumps({**window, "container": flat_name,
                                                 "count": flat_count, "sort_filter": True})],
                 f"window {flat_count:,} run {run + 1}", loads, notes)
            _run(["bench.million", json.dumps({**spec, "full": True})],
                 f"raw HTTP {flat_count:,} run {run + 1}b", fulls, notes)
        if server.service.unknown:
            notes.append(f"synthetic server: unknown requests {server.service.unknown[:3]}")
    for result in fulls:
        if result.get("http_rows") != flat_count:
            notes.append(f"raw HTTP listed {result.get('http_rows')} of {flat_count:,}")
    for result in loads:
        if result.get("rows") != flat_count:
            notes.append(f"the window loaded {result.get('rows')} rows of {flat_count:,}")
    notes.append(f"big blob cases (synthetic server; {flat_count:,} and {root_count:,} blobs): "
                 f"{time.perf_counter() - started:.0f} s")
    return rows(flat_count, root_count, collect(raws + fulls), collect(loads), collect(roots),
                collect(searches)), notes


def _limit_row(label: str, values: list[float], unit: str, limit: float) -> Row:
    value = median({"v": values}, "v")
    scale = 1000 if unit == "ms" else 1
    return Row(label, values, unit, f"≤ {limit:g} {unit}",
               None if value is None else value * scale <= limit)


def rows(flat_count: int, root_count: int, raw: Samples, load: Samples, root: Samples,
         search: Samples) -> list[Row]:
    flat, big = f"blobs {flat_count:,} (synthetic)", f"blobs {root_count:,} (synthetic)"
    per_row = []
    for before, peak, count in zip(load.get("rss_before_mb", []), load.get("peak_rss_mb", []),
                                   load.get("rows", []), strict=False):
        if count:
            per_row.append((peak - before) * 1e6 / count)
    return [
        Row(f"{flat}: Load all in the window, flat", load.get("load_all", []), "s"),
        Row(f"{flat}: raw HTTP + streaming parse, names only", raw.get("http_all", []), "s"),
        ratio_row(f"{flat}: Load all ÷ raw HTTP", median(load, "load_all"),
                  median(raw, "http_all"), 1.1),
        _limit_row(f"{flat}: peak RSS of the window, all loaded", load.get("peak_rss_mb", []),
                   "MB", 700),
        Row(f"{flat}: RSS growth per loaded row", per_row, "B"),
        _limit_row(f"{flat}: longest loop stall while paging", load.get("max_stall", []),
                   "ms", 50),
        _limit_row(f"{flat}: longest loop stall sorting by size", load.get("sort_stall", []),
                   "ms", 50),
        _limit_row(f"{flat}: longest loop stall filtering", load.get("filter_stall", []),
                   "ms", 50),
        Row(f"{flat}: sort by size, click → new order on screen", load.get("sort_time", []),
            "s"),
        Row(f"{flat}: filter, keystroke → filtered rows on screen",
            load.get("filter_time", []), "s"),
        Row(f"{big}: root first rows in the window", root.get("first_rows", []), "ms"),
        Row(f"{big}: one raw request (root, {FIRST_PAGE}, delimiter)",
            raw.get("root_request", []), "ms"),
        ratio_row(f"{big}: root first rows ÷ one raw request", median(root, "first_rows"),
                  median(raw, "root_request"), 1.2),
        Row(f"{flat}: prefix search, first match shown", search.get("prefix_first_match", []),
            "ms"),
        Row(f"{flat}: one raw request (prefix, {FIRST_PAGE})", raw.get("prefix_request", []),
            "ms"),
        ratio_row(f"{flat}: prefix first match ÷ one raw request",
                  median(search, "prefix_first_match"), median(raw, "prefix_request"), 1.2),
    ]


def enabled() -> bool:
    return os.environ.get("BENCH_MILLION", "") not in ("", "0")


def measure_million(plan: Plan) -> tuple[list[Row], list[str]]:
    """The ``python -m bench`` step: only with ``BENCH_MILLION=1`` (see bench/README.md for
    how long it takes)."""
    if not enabled():
        return [], ["big blob cases (1,000,000 / 1,400,000 synthetic blobs) skipped: "
                    "BENCH_MILLION=1 runs them"]
    return run_million(plan)


def main() -> int:
    if len(sys.argv) > 1:  # one measured run
        spec = json.loads(sys.argv[1])
        if spec.get("mode") == "search":
            from bench.scenarios import run_window

            figures = run_window(spec, measure_prefix_search)
        else:
            from bench.scenarios import peak_rss_mb

            figures = asyncio.run(raw(spec))
            figures["peak_rss_mb"] = peak_rss_mb()
        print("BENCH_RESULT " + json.dumps(figures), flush=True)
        return 0
    from bench.common import print_table

    found, notes = run_million(plan_from_env())
    print_table(found)
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
