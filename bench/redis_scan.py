"""SCAN a million Redis keys (``python -m bench.redis_scan``; a step of ``python -m bench``):
a ``redis-server`` of its own on a free loopback port (no persistence, a temporary directory),
filled by ``DEBUG POPULATE`` (1,000,000 keys in about a second; 20,000 with ``BENCH_QUICK=1``),
then in the same run, alternating which goes first:

- **ours, the tree**: the Redis tab's Load all in a shown window (``scenarios.run_window``):
  the connection added (its first page of 100 listed by itself), Load all pressed, to the last
  page landed — in the tree's default shape (namespaces on ``:``: every key scanned and
  grouped, one namespace row here), and flat (a row per key: the million rows inserted;
  ~8 s and ~520 MB a run; ``BENCH_REDIS_FLAT=0`` leaves it out);
- **ours, the service**: the same Load all without Qt — ``RedisKeys.list_keys`` pages of
  ``LOAD_ALL_PAGE_KEYS`` (the tree's Load all page) following the cursor to the end, over a
  connection opened as the app opens it (``open_redis``: the command gate, the journal of every
  SCAN, the reply limit, ``KeyRecord`` per key), in a child process of its own;
- **redis-cli --scan --count <the same>** on the same server, its output read in full. Redis
  7.0's redis-cli (Debian 12's) has no ``--count`` (7.2 added it): its ``--scan`` asks
  ``SCAN cursor`` with the server's default COUNT, 10, a round trip per ~10 keys; the row says
  which it was;
- **the raw client limit**: a plain redis-py client (hiredis parser, as ours) looping
  ``SCAN cursor COUNT <the same>`` with nothing kept — what any redis-py-based listing can
  reach; ours ÷ it is the cost of our layers (gate, journal, records, pages).

Target: the tab's Load all (its default shape) ≤ 1.2× redis-cli; the other ratios say where
the time goes. Where ``redis-server`` or ``redis-cli`` is missing the step
is skipped with a note saying how to get them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import Plan, Row, child, collect, log, median, ratio_row, step_main

LOAD_ALL_PAGE_KEYS = 5_000  # vaultbrowser/redis/models/key_tree.py's Load all page
TARGET = 1.2
MISSING = ("redis-server / redis-cli not installed (Debian: apt-get install redis-server "
           "redis-tools)")


def key_count(plan: Plan) -> int:
    return 20_000 if plan.quick else 1_000_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def redis_server(count: int) -> Iterator[int]:
    """A fresh ``redis-server`` holding ``count`` keys (``key:0`` …); its port."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    assert server and cli
    with tempfile.TemporaryDirectory(prefix="vaultbrowser-bench-redis-") as workdir:
        port = _free_port()
        process = subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", workdir, "--enable-debug-command", "local",
             "--logfile", str(Path(workdir) / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 15
            while subprocess.run([cli, "-p", str(port), "PING"], capture_output=True,
                                 check=False).stdout.strip() != b"PONG":
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)
            started = time.perf_counter()
            subprocess.run([cli, "-p", str(port), "DEBUG", "POPULATE", str(count), "key", "10"],
                           check=True, capture_output=True, timeout=300)
            size = int(subprocess.run([cli, "-p", str(port), "DBSIZE"], check=True,
                                      capture_output=True).stdout)
            if size != count:
                raise RuntimeError(f"DEBUG POPULATE made {size:,} keys, not {count:,}")
            log(f"redis scan: {count:,} keys populated in {time.perf_counter() - started:.1f} s")
            yield port
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def cli_has_count() -> bool:
    """Whether this redis-cli's ``--scan`` takes ``--count`` (redis-cli 7.2 and later)."""
    cli = shutil.which("redis-cli")
    assert cli
    usage = subprocess.run([cli, "--help"], capture_output=True, text=True, check=False)
    return "--count" in usage.stdout + usage.stderr


def redis_cli_scan(port: int, page: int | None) -> tuple[float, int]:
    """``redis-cli --scan`` (``--count <page>`` unless None)'s wall time and the keys it
    printed."""
    cli = shutil.which("redis-cli")
    assert cli
    count = ["--count", str(page)] if page else []
    started = time.perf_counter()
    done = subprocess.run([cli, "-p", str(port), "--scan", *count],
                          capture_output=True, check=True, timeout=600)
    elapsed = time.perf_counter() - started
    return elapsed, done.stdout.count(b"\n")


async def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    """One run of ours in this process: open (untimed), then every page to the end."""
    from vaultbrowser.core.services.http.journal import HttpJournal
    from vaultbrowser.redis.services.opening import RedisOptions, open_redis
    from vaultbrowser.redis.services.wire.addresses import RedisAddress

    service = await open_redis(RedisAddress("127.0.0.1", spec["port"], tls=False),
                               where="bench redis", credentials=None, read_only=True,
                               journal=HttpJournal(),
                               options=RedisOptions(connect_timeout=10, command_timeout=60))
    try:
        await service.keys.list_keys(page_size=100)  # warm: COMMAND INFO for the gate
        started = time.perf_counter()
        keys = pages = 0
        token: str | None = None
        while True:
            page = await service.keys.list_keys(page_size=spec["page"], continuation=token)
            keys += len(page.items)
            pages += 1
            token = page.next_token
            if token is None:
                break
        elapsed = time.perf_counter() - started
    finally:
        await service.close()
    return {"ours_s": elapsed, "ours_keys": keys, "ours_pages": pages,
            **await _raw_client(spec)}


async def _raw_client(spec: dict[str, Any]) -> dict[str, Any]:
    """The raw client limit: redis-py alone, SCAN to the end, keys counted, nothing kept."""
    from redis.asyncio import Redis

    client = Redis(host="127.0.0.1", port=spec["port"])
    try:
        await client.ping()
        started = time.perf_counter()
        keys, cursor = 0, 0
        while True:
            cursor, names = await client.scan(cursor, count=spec["page"])
            keys += len(names)
            if cursor == 0:
                break
        elapsed = time.perf_counter() - started
    finally:
        await client.aclose()
    return {"raw_s": elapsed, "raw_keys": keys}


async def _until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the Redis tree did not get there in time: {what}")
        await asyncio.sleep(0.002)


async def measure_tree(window: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """The Redis tab's Load all in the shown window (a child of its own): connection added →
    first rows → Load all → the last page landed; the longest loop stall meanwhile."""
    from bench.loop_monitor import LoopStallMonitor
    from bench.scenarios import peak_rss_mb
    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.sdk_imports import import_sdk

    title = next(pane.title for pane in window.panes if pane.title.startswith("Redis"))
    pane = window.show_pane(title)
    model = pane.model
    model.set_flat(bool(spec.get("flat")))
    await import_sdk(name for kind in KINDS for name in kind.sdk_modules)
    await asyncio.sleep(0.3)  # as the app: its collector's pass after the import, not measured
    landed: list[float] = []
    model.page_loaded.connect(lambda _parent, _rows: landed.append(time.perf_counter()))
    connection = Connection("redis", f"redis://127.0.0.1:{spec['port']}",
                            AuthMethod.LOCAL_EMULATOR)
    with LoopStallMonitor() as monitor:
        start = time.perf_counter()
        window.add_connection(connection)  # lists its first page by itself
        await _until(lambda: bool(model.root_nodes()) and model.root_nodes()[0].listed, 120,
                     "first page")
        node = model.root_nodes()[0]
        first = time.perf_counter()
        model.load_all(model.index_of(node))
        await _until(lambda: not node.has_more and node.listing.task is None, 1800, "load all")
        end = landed[-1]
        await asyncio.sleep(0.05)  # a repaint after the last page counts too
    if node.listing.error is not None:
        raise RuntimeError(f"the Redis tree's listing failed: {node.listing.error}")
    return {"tree_first_rows": first - start, "tree_s": end - start,
            "tree_rows": len(node.children), "tree_pages": node.listing.pages_loaded,
            "tree_stall": monitor.max_stall, "tree_rss_mb": peak_rss_mb()}


def measure_redis_scan(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: one populated server, ``max(2, runs)`` runs in alternating order."""
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        return [], [f"redis scan skipped: {MISSING}"]
    count = key_count(plan)
    notes: list[str] = []
    results: list[dict[str, Any]] = []
    runs = max(2, plan.runs)
    shapes = [("tree", False)] + ([("flat", True)] if flat_enabled() else [])
    cli_count = LOAD_ALL_PAGE_KEYS if cli_has_count() else None
    if cli_count is None:
        notes.append("redis scan: this redis-cli has no --count (before 7.2): its --scan "
                     "used the server's default COUNT 10")
    with redis_server(count) as port:
        redis_cli_scan(port, cli_count)  # warm: the server's pages in the cache
        for run in range(runs):
            figures: dict[str, Any] = {}
            order = ("ours", "cli") if run % 2 == 0 else ("cli", "ours")
            for which in order:
                if which == "ours":
                    figures.update(child(["bench.redis_scan", json.dumps(
                        {"port": port, "page": LOAD_ALL_PAGE_KEYS})]))
                    for name, flat in shapes:
                        tree = child(["bench.redis_scan", json.dumps(
                            {"mode": "tree", "port": port, "flat": flat})], timeout=1800)
                        figures.update({key.replace("tree", name, 1): value
                                        for key, value in tree.items()})
                else:
                    figures["cli_s"], figures["cli_keys"] = redis_cli_scan(port, cli_count)
            log(f"redis scan {count:,} run {run + 1}/{runs}: tree {figures['tree_s']:.2f} s "
                f"({figures['tree_pages']} pages), service {figures['ours_s']:.2f} s, "
                f"redis-cli {figures['cli_s']:.2f} s, raw redis-py {figures['raw_s']:.2f} s"
                + (f", flat tree {figures['flat_s']:.2f} s" if "flat_s" in figures else ""))
            if "flat_rows" in figures and figures["flat_rows"] < count:
                notes.append(f"redis scan run {run + 1}: the flat tree holds "
                             f"{figures['flat_rows']:,} rows of {count:,}")
            for key in ("ours_keys", "cli_keys", "raw_keys"):
                if figures[key] < count:  # SCAN may return a key twice, never miss one
                    notes.append(f"redis scan run {run + 1}: {key}={figures[key]:,} of "
                                 f"{count:,}")
            results.append(figures)
    samples = collect(results)
    label = f"redis keys {count:,}"
    tree, cli = median(samples, "tree_s"), median(samples, "cli_s")
    rows = [
        Row(f"{label}: Load all in the Redis tab (namespaces; connection → last page)",
            samples.get("tree_s", []), "s", f"≤ {TARGET:g}× redis-cli",
            None if tree is None or cli is None else tree <= TARGET * cli),
        Row(f"{label}: its first rows (connection → first page)",
            samples.get("tree_first_rows", []), "ms"),
        Row(f"{label}: its longest event-loop stall", samples.get("tree_stall", []), "ms"),
        Row(f"{label}: Load all through the service (SCAN COUNT {LOAD_ALL_PAGE_KEYS:,})",
            samples.get("ours_s", []), "s"),
        Row(f"{label}: redis-cli --scan" + (f" --count {cli_count:,}" if cli_count else
                                            " (COUNT 10: no --count before 7.2)"),
            samples.get("cli_s", []), "s"),
        Row(f"{label}: raw redis-py SCAN COUNT {LOAD_ALL_PAGE_KEYS:,}, nothing kept",
            samples.get("raw_s", []), "s"),
        ratio_row(f"{label}: Load all in the tab ÷ redis-cli --scan", tree, cli, TARGET),
        ratio_row(f"{label}: Load all through the service ÷ redis-cli --scan",
                  median(samples, "ours_s"), cli, None),
        ratio_row(f"{label}: Load all through the service ÷ raw redis-py",
                  median(samples, "ours_s"), median(samples, "raw_s"), None),
    ]
    if "flat_s" in samples:
        rows += [
            Row(f"{label}: Load all in the Redis tab, flat (a row per key)",
                samples.get("flat_s", []), "s"),
            Row(f"{label}: flat: longest event-loop stall", samples.get("flat_stall", []), "ms"),
            Row(f"{label}: flat: peak RSS of the window process",
                samples.get("flat_rss_mb", []), "MB"),
            ratio_row(f"{label}: flat Load all ÷ redis-cli --scan", median(samples, "flat_s"),
                      cli, None),
        ]
    return rows, notes


def flat_enabled() -> bool:
    return os.environ.get("BENCH_REDIS_FLAT", "1") not in ("", "0")


def main() -> int:
    spec = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
    if spec.get("mode") == "tree":  # one measured run in a shown window
        from bench.scenarios import run_window

        print("BENCH_RESULT " + json.dumps(run_window(spec, measure_tree)), flush=True)
        return 0
    return step_main(measure_redis_scan, _measure)


if __name__ == "__main__":
    raise SystemExit(main())
