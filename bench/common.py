"""What every benchmark step shares: the plan, child processes, samples and the table."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Plan:
    runs: int
    big_runs: int
    blob_counts: tuple[int, int]
    secret_counts: tuple[int, int]
    cold_runs: int
    quick: bool


def plan_from_env() -> Plan:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    if quick:
        return Plan(1, 1, (2_000, 5_000), (200, 500), 1, True)
    runs = max(1, int(os.environ.get("BENCH_RUNS", "3")))
    big_runs = max(1, int(os.environ.get("BENCH_BIG_RUNS", "1")))
    return Plan(runs, big_runs, (20_000, 100_000), (2_000, 10_000), max(runs, 3), False)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def child(args: list[str], timeout: float = 900) -> dict[str, Any]:
    """Run ``python -m <args>`` from the project root; its ``BENCH_RESULT`` JSON.

    Raises:
        RuntimeError: the child failed or printed no result.
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, timeout=timeout,
                          capture_output=True, text=True, check=False)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("BENCH_RESULT "):
            return json.loads(line.removeprefix("BENCH_RESULT "))
    raise RuntimeError(f"{' '.join(args[:1])} exited {done.returncode}: "
                       f"{(done.stderr or done.stdout)[-1500:]}")


Samples = dict[str, list[float]]


def collect(results: list[dict[str, Any]]) -> Samples:
    samples: Samples = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, int | float):
                samples.setdefault(key, []).append(float(value))
    return samples


@dataclass
class Row:
    label: str
    values: list[float]
    unit: str  # "ms", "s", "MB" or "modules" (a count)
    target: str = ""
    passed: bool | None = None
    runs: int | None = None

    def cells(self) -> list[str]:
        if not self.values:
            return [self.label, "n/a", "", str(self.runs or ""), self.target, "no data"]
        med = statistics.median(self.values)
        scale = 1000 if self.unit == "ms" else 1
        fmt = (lambda v: f"{v * scale:,.0f}") if self.unit in ("ms", "MB", "modules") else (
            lambda v: f"{v:,.2f}")
        spread = (f"{fmt(min(self.values))}–{fmt(max(self.values))}"
                  if len(self.values) > 1 else "")
        verdict = "" if self.passed is None else ("PASS" if self.passed else "FAIL")
        runs = "" if self.unit == "×" else str(len(self.values))  # a ratio of medians
        return [self.label, f"{fmt(med)} {self.unit}", spread, runs, self.target, verdict]


def median(samples: Samples, key: str) -> float | None:
    values = samples.get(key)
    return statistics.median(values) if values else None


def ratio_row(label: str, numerator: float | None, denominator: float | None,
              limit: float | None) -> Row:
    row = Row(label, [], "×")
    if numerator is None or not denominator:
        return row
    value = numerator / denominator
    row.values = [value]
    if limit is not None:
        row.target, row.passed = f"≤ {limit:g}×", value <= limit
    return row


def print_table(rows: list[Row]) -> None:
    header = ["figure", "median", "min–max", "runs", "target", "result"]
    cells = [header] + [row.cells() for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    right = {1, 2, 3}
    for number, line in enumerate(cells):
        print("  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                        for i, cell in enumerate(line)).rstrip())
        if number == 0:
            print("  ".join("-" * width for width in widths))


def machine() -> str:
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    return (f"{os.cpu_count()} CPUs{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; PySide6 {pyside}, Qt {qVersion()}")


def step_main(step: Callable[[Plan], tuple[list[Row], list[str]]],
              measure_one: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]) -> int:
    """``python -m bench.<step>``: with a JSON argument, one measured run in this process (its
    figures on the ``BENCH_RESULT`` line ``child`` reads); without, the whole step's table."""
    if len(sys.argv) > 1:
        figures = asyncio.run(measure_one(json.loads(sys.argv[1])))
        print("BENCH_RESULT " + json.dumps(figures), flush=True)
        return 0
    rows, notes = step(plan_from_env())
    print_table(rows)
    for note in notes:
        print(f"note: {note}")
    return 0


@contextlib.asynccontextmanager
async def azurite_blob_service(url: str) -> AsyncIterator[Any]:
    """The app's ``BlobService`` on Azurite's well-known account, through the app's recording
    transport (its journal is bounded: not what is measured), with a warm connection."""
    from azure.core.pipeline.transport import AioHttpTransport
    from azure.storage.blob.aio import BlobServiceClient

    from vaultbrowser.blob.services.blob_service import BlobService
    from vaultbrowser.core.services.http.journal import HttpJournal
    from vaultbrowser.core.services.http.transport import RecordingTransport
    from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME

    transport = RecordingTransport(AioHttpTransport(), journal=HttpJournal())
    client = BlobServiceClient(url, credential={"account_name": AZURITE_ACCOUNT_NAME,
                                                "account_key": AZURITE_ACCOUNT_KEY},
                               transport=transport)
    service = BlobService(client)
    try:
        await service.list_containers(page_size=10)  # a warm connection, as in the window
        yield service
    finally:
        await service.close()
        await transport.aclose()
