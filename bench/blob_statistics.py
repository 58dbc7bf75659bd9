"""Folder statistics at scale (``python -m bench.blob_statistics``; also a step of
``python -m bench``): ``collect_statistics`` over the whole 100,000-blob container
(``seed.blob_names``) through the app's pipeline (``RecordingTransport``, journal, limits):

- **blobs counted per second** (pages of 5,000), next to the raw-HTTP listing limit measured
  by ``bench.search``;
- **peak memory** the count allocates (``tracemalloc``, a second pass): bounded by one page and
  the fixed tallies, never by the number of blobs — the peak after two pages of 5,000 and
  after all 20 pages, which must be about the same (measured: 9.4 and 9.5 MB).

Each run is a child process (``python -m bench.blob_statistics '<json spec>'``).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.common import Plan, Row, azurite_blob_service, child, collect, log, median, step_main

MEMORY_TARGET_MB = 64.0  # one 5,000-blob page parsed, plus the tallies


async def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    from vaultbrowser.blob.services.statistics import collect_statistics

    url, container = spec["url"], spec["container"]
    figures: dict[str, Any] = {}
    async with azurite_blob_service(url) as service:
        started = time.perf_counter()
        stats = await collect_statistics(service, container)
        elapsed = time.perf_counter() - started
        figures["blobs"] = stats.blobs
        figures["blobs_per_s"] = stats.blobs / elapsed
        peaks: list[float] = []
        tracemalloc.start()
        await collect_statistics(service, container, on_progress=lambda _stats: peaks.append(
            tracemalloc.get_traced_memory()[1] / 1e6))
        tracemalloc.stop()
        figures["peak_mb_two_pages"] = peaks[min(1, len(peaks) - 1)]
        figures["peak_mb_all"] = peaks[-1]
    return figures


def measure_statistics(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: seed one Azurite with the big container, measure, the table's rows."""
    from bench.seed import blob_names, seed_workspace, verify_listing, wait_until_idle
    from vaultbrowser.emulators.azurite import Azurite

    count = plan.blob_counts[1]
    container = f"stats{count}"
    names = list(blob_names(count))
    notes: list[str] = []
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(
            prefix="vaultbrowser-bench-stats-")))
        seed_workspace(workdir, container, names)
        azurite = stack.enter_context(Azurite(workdir, in_memory=False))
        verify_listing(azurite, container, names)
        wait_until_idle(azurite.pid)
        spec = {"url": azurite.blob_endpoint, "container": container}
        results = []
        for run in range(plan.big_runs):
            log(f"statistics {count:,}: run {run + 1}/{plan.big_runs}")
            results.append(child(["bench.blob_statistics", json.dumps(spec)]))
    samples = collect(results)
    for result in results:
        if result.get("blobs") != count:
            notes.append(f"statistics: a run counted {result.get('blobs')} of {count:,} blobs")
    label = f"blobs {count:,}"
    peak = median(samples, "peak_mb_all")
    rows = [
        Row(f"{label}: statistics, blobs counted/s", samples.get("blobs_per_s", []), "/s"),
        Row(f"{label}: statistics, peak memory allocated", samples.get("peak_mb_all", []),
            "MB", target=f"< {MEMORY_TARGET_MB:.0f} MB",
            passed=None if peak is None else peak < MEMORY_TARGET_MB),
        Row(f"{label}: statistics, peak memory after two pages",
            samples.get("peak_mb_two_pages", []), "MB"),
    ]
    return rows, notes


def main() -> int:
    return step_main(measure_statistics, _measure)


if __name__ == "__main__":
    raise SystemExit(main())
