"""Blob preview of a 4 MiB blob (``python -m bench.preview``; also a step of ``python -m
bench``): for a JSON document, a CSV table, plain text and random bytes, the time from asking
(the ranged GET of the preview limit, through the app's pipeline) to every view filled, and the
longest the event loop (the window) could not run meanwhile — parsing goes to a worker thread
and the text views fill in slices, so the stall stays small whatever the size.

Each run is a child process (``python -m bench.preview '<json spec>'``) with a Qt application
(offscreen) and a qasync loop, as the app runs, on one Azurite.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import sys
import time
from typing import Any

from bench.common import Plan, Row, child, collect, log, plan_from_env, print_table

MiB = 1024 * 1024
STALL_TARGET = 0.1  # seconds: the window answers within 100 ms while a preview fills
KINDS = ("json", "csv", "text", "binary")


def _payload(kind: str, size: int) -> tuple[str, bytes]:
    rng = random.Random(7)
    if kind == "json":
        items, length = [], 2
        while length < size - 200:
            item = {"id": len(items), "name": f"item {len(items)}", "tags": ["a", "b"],
                    "value": rng.random()}
            items.append(item)
            length += len(json.dumps(item)) + 2
        return "doc.json", json.dumps(items).encode()
    if kind == "csv":
        rows = b"".join(b"%d,name %d,%f\n" % (i, i, rng.random()) for i in range(size // 20))
        return "rows.csv", b"id,name,value\n" + rows
    if kind == "text":
        line = b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n"
        return "notes.txt", (line * (size // len(line) + 1))[:size]
    return "blob.bin", rng.randbytes(size)


async def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    from azure.core.pipeline.transport import AioHttpTransport
    from azure.storage.blob.aio import BlobServiceClient

    from bench.loop_monitor import LoopStallMonitor
    from vaultbrowser.blob.services.blob_service import BlobService
    from vaultbrowser.blob.services.previews.formats import prepare_preview
    from vaultbrowser.blob.ui.preview.preview_panel import PreviewPanel
    from vaultbrowser.core.services.http.journal import HttpJournal
    from vaultbrowser.core.services.http.transport import RecordingTransport

    transport = RecordingTransport(AioHttpTransport(), journal=HttpJournal())
    client = BlobServiceClient.from_connection_string(spec["connection_string"],
                                                      transport=transport)
    service = BlobService(client)
    panel = PreviewPanel()
    panel.show()
    result: dict[str, Any] = {}
    try:
        await service.get_container_properties(spec["container"])  # a warm connection
        # Once per process, not per preview: fonts and views set up on their first showing.
        await panel.show_preview(prepare_preview(b'{"warm": [1, "up"]}', "w.json", None,
                                                 complete=True))
        for kind in KINDS:
            name = spec["names"][kind]
            with LoopStallMonitor() as monitor:
                await asyncio.sleep(0.01)
                started = time.perf_counter()
                head = (await service.previews.read_head(spec["container"], name,
                                                         spec["limit"])).value
                preview = await asyncio.to_thread(prepare_preview, head.data, name,
                                                  head.record.content_type,
                                                  complete=head.complete)
                await panel.show_preview(preview)
                result[f"{kind}_shown"] = time.perf_counter() - started
                await asyncio.sleep(0.01)
            result[f"{kind}_stall"] = monitor.max_stall
    finally:
        await service.close()
        await transport.aclose()
    return result


def _run_child(spec: dict[str, Any]) -> None:
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(_measure(spec))
    print("BENCH_RESULT " + json.dumps(result))


def measure_preview(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: one Azurite with the four blobs, ``plan.runs`` child runs, the rows."""
    from azure.storage.blob import BlobServiceClient as SyncClient

    from vaultbrowser.emulators.azurite import Azurite

    size = MiB if plan.quick else 4 * MiB
    with Azurite() as azurite:
        client = SyncClient.from_connection_string(azurite.connection_string)
        container = client.create_container("preview")
        names = {}
        for kind in KINDS:
            name, data = _payload(kind, size)
            container.upload_blob(name, data)
            names[kind] = name
        client.close()
        spec = {"connection_string": azurite.connection_string, "container": "preview",
                "names": names, "limit": size}
        results = []
        for run in range(plan.runs):
            log(f"preview: run {run + 1}/{plan.runs}")
            results.append(child(["bench.preview", json.dumps(spec)]))
    samples = collect(results)
    label = f"preview {size // MiB} MiB"
    rows: list[Row] = []
    for kind in KINDS:
        rows.append(Row(f"{label} {kind}: GET to views filled", samples.get(f"{kind}_shown", []),
                        "ms"))
        stalls = samples.get(f"{kind}_stall", [])
        rows.append(Row(f"{label} {kind}: longest loop stall", stalls, "ms",
                        target=f"< {STALL_TARGET * 1000:.0f} ms",
                        passed=bool(stalls) and statistics.median(stalls) < STALL_TARGET,
                        runs=len(stalls)))
    return rows, []


def main() -> int:
    if len(sys.argv) > 1:
        _run_child(json.loads(sys.argv[1]))
        return 0
    rows, notes = measure_preview(plan_from_env())
    print_table(rows)
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
