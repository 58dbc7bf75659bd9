"""Blob search at scale (``python -m bench.search``; also a step of ``python -m bench``): in
the 100,000-blob container (``seed.blob_names``: ``d/000/b-000000``…, 1,000 per folder),

- **prefix first match**: from asking ``BlobSearch.prefix_page`` (flat, a first page of 100,
  as the search dock's type-ahead asks) for a prefix in the middle of the container to its
  first row, over a warm connection;
- **deep search throughput**: a ``DeepSearch`` (regex over every name, pages of 5,000) through
  the app's pipeline (``RecordingTransport``, journal, limits), in names scanned per second,
  next to the raw-HTTP listing limit: aiohttp + ElementTree following ``NextMarker`` with
  nothing tested or kept — the most any listing-based search can reach on this Azurite.

Each run is a child process (``python -m bench.search '<json spec>'``) on one seeded Azurite.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Plan, Row, azurite_blob_service, child, collect, log, median, step_main

PREFIX = "d/050/b-0501"  # the middle of the container: 10 blobs start with it (at 100,000)
PATTERN = r"b-\d{4}7[0-4]$"  # 5 of every 100 names


async def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    """One run; ``spec["raw_first"]`` alternates which listing goes first (Azurite's own
    state after a full listing would otherwise favour the second)."""
    figures: dict[str, Any] = {}
    if spec.get("raw_first"):
        figures.update(await _raw_listing(spec))
        figures.update(await _search(spec))
    else:
        figures.update(await _search(spec))
        figures.update(await _raw_listing(spec))
    return figures


async def _search(spec: dict[str, Any]) -> dict[str, Any]:
    from vaultbrowser.blob.services.search.blob_search import BlobSearch
    from vaultbrowser.blob.services.search.criteria import DeepCriteria
    from vaultbrowser.core.services.name_match import NameMatch

    url, container = spec["url"], spec["container"]
    figures: dict[str, Any] = {}
    async with azurite_blob_service(url) as service:
        search = BlobSearch(service)
        started = time.perf_counter()
        page = await search.prefix_page(container, PREFIX, flat=True, page_size=100)
        figures["prefix_first_match"] = time.perf_counter() - started
        figures["prefix_matches"] = len(page.items)

        deep = search.deep(container, DeepCriteria(PATTERN, NameMatch.REGEX))
        started = time.perf_counter()
        progress = await deep.run()
        elapsed = time.perf_counter() - started
        figures["deep_scanned"] = progress.scanned
        figures["deep_matches"] = progress.matches
        figures["deep_names_per_s"] = progress.scanned / elapsed
    return figures


async def _raw_listing(spec: dict[str, Any]) -> dict[str, Any]:
    """The raw-HTTP limit: the same pages, names only, nothing tested."""
    import xml.etree.ElementTree as ET

    import aiohttp

    from bench.seed import container_sas

    url, container = spec["url"], spec["container"]
    sas = container_sas(container)
    base = f"{url}/{container}?restype=container&comp=list&maxresults=5000&{sas}"
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        marker, names = "", 0
        while True:
            query = base + (f"&marker={marker}" if marker else "")
            async with session.get(query, headers={"x-ms-version": "2025-01-05"}) as response:
                body = await response.read()
            root = ET.fromstring(body)
            names += sum(1 for _ in root.iter("Name"))
            marker = root.findtext("NextMarker") or ""
            if not marker:
                break
        return {"http_names_per_s": names / (time.perf_counter() - started),
                "http_scanned": names}


def measure_search(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: seed one Azurite with the big container, measure, the table's rows."""
    from bench.seed import blob_names, seed_workspace, verify_listing, wait_until_idle
    from vaultbrowser.emulators.azurite import Azurite

    count = plan.blob_counts[1]
    container = f"search{count}"
    names = list(blob_names(count))
    notes: list[str] = []
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(
            prefix="vaultbrowser-bench-search-")))
        started = time.perf_counter()
        seed_workspace(workdir, container, names)
        azurite = stack.enter_context(Azurite(workdir, in_memory=False))
        verify_listing(azurite, container, names)
        wait_until_idle(azurite.pid)
        log(f"search: {count:,} blobs seeded in {time.perf_counter() - started:.0f} s")
        spec = {"url": azurite.blob_endpoint, "container": container}
        results = []
        runs = max(2, plan.big_runs)  # both orders of the two listings
        for run in range(runs):
            log(f"search {count:,}: run {run + 1}/{runs}")
            results.append(child(["bench.search", json.dumps(
                {**spec, "raw_first": run % 2 == 1})]))
    samples = collect(results)
    for result in results:
        if result.get("deep_scanned") != count or result.get("http_scanned") != count:
            notes.append(f"search: a run scanned {result.get('deep_scanned')} / "
                         f"{result.get('http_scanned')} names of {count:,}")
    label = f"blobs {count:,}"
    deep, http = median(samples, "deep_names_per_s"), median(samples, "http_names_per_s")
    rows = [
        Row(f"{label}: prefix search, first match", samples.get("prefix_first_match", []),
            "ms"),
        Row(f"{label}: deep search, names scanned/s", samples.get("deep_names_per_s", []),
            "/s"),
        Row(f"{label}: raw HTTP listing, names/s", samples.get("http_names_per_s", []), "/s"),
        _share_row(f"{label}: deep search / raw HTTP listing", deep, http),
    ]
    return rows, notes


def _share_row(label: str, deep: float | None, http: float | None) -> Row:
    row = Row(label, [], "×")
    if deep and http:
        row.values = [deep / http]
    return row


def main() -> int:
    return step_main(measure_search, _measure)


if __name__ == "__main__":
    raise SystemExit(main())
