"""SCAN a million Redis keys (``python -m bench.redis_scan``; a step of ``python -m bench``):
a ``redis-server`` of its own on a free loopback port (no persistence, a temporary directory),
filled by ``DEBUG POPULATE`` (1,000,000 keys in about a second; 20,000 with ``BENCH_QUICK=1``),
then in the same run, alternating which goes first:

- **ours**: the Redis kind's Load all through the service — ``RedisKeys.list_keys`` pages of
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

Target: ours ≤ 1.2× redis-cli. Where ``redis-server`` or ``redis-cli`` is missing the step
is skipped with a note saying how to get them.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
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
    from vaultbrowser.redis.services.addresses import RedisAddress
    from vaultbrowser.redis.services.opening import RedisOptions, open_redis

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


def measure_redis_scan(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: one populated server, ``max(2, runs)`` runs in alternating order."""
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        return [], [f"redis scan skipped: {MISSING}"]
    count = key_count(plan)
    notes: list[str] = []
    results: list[dict[str, Any]] = []
    runs = max(2, plan.runs)
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
                else:
                    figures["cli_s"], figures["cli_keys"] = redis_cli_scan(port, cli_count)
            log(f"redis scan {count:,} run {run + 1}/{runs}: ours {figures['ours_s']:.2f} s "
                f"({figures['ours_pages']} pages), redis-cli {figures['cli_s']:.2f} s, raw "
                f"redis-py {figures['raw_s']:.2f} s")
            for key in ("ours_keys", "cli_keys", "raw_keys"):
                if figures[key] < count:  # SCAN may return a key twice, never miss one
                    notes.append(f"redis scan run {run + 1}: {key}={figures[key]:,} of "
                                 f"{count:,}")
            results.append(figures)
    samples = collect(results)
    label = f"redis keys {count:,}"
    rows = [
        Row(f"{label}: Load all through the service (SCAN COUNT {LOAD_ALL_PAGE_KEYS:,})",
            samples.get("ours_s", []), "s"),
        Row(f"{label}: redis-cli --scan" + (f" --count {cli_count:,}" if cli_count else
                                            " (COUNT 10: no --count before 7.2)"),
            samples.get("cli_s", []), "s"),
        Row(f"{label}: raw redis-py SCAN COUNT {LOAD_ALL_PAGE_KEYS:,}, nothing kept",
            samples.get("raw_s", []), "s"),
        ratio_row(f"{label}: Load all ÷ redis-cli --scan", median(samples, "ours_s"),
                  median(samples, "cli_s"), TARGET),
        ratio_row(f"{label}: Load all ÷ raw redis-py", median(samples, "ours_s"),
                  median(samples, "raw_s"), None),
    ]
    return rows, notes


def main() -> int:
    return step_main(measure_redis_scan, _measure)


if __name__ == "__main__":
    raise SystemExit(main())
