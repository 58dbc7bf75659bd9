"""Baseline figures of the browser (issue 3's note; the starting point of the performance work).

Prints, for a shown window (offscreen) on Azurite:
- time from expanding the demo container "app-logs" to its first rows;
- full "Load all" of a 20,000-blob container (flat), and the longest event-loop stall meanwhile.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.browser_baseline
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QModelIndex

from bench.loop_monitor import LoopStallMonitor

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def measure(window: object, azurite: object, big: str, runs: int) -> dict[str, list[float]]:
    from vaultbrowser.services.connections import AuthMethod, Connection, ServiceKind

    figures: dict[str, list[float]] = {"first_rows": [], "load_all": [], "max_stall": []}
    window.tabs.setCurrentIndex(3)
    pane = window.panes[3]
    model = window.blob_model
    connection = Connection(ServiceKind.BLOB, azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR)

    async def fresh_account() -> tuple[QModelIndex, list[str]]:
        """Connect anew (no cached rows) and wait for the container list."""
        if window.connections:
            window.remove_connection(connection)
            await asyncio.sleep(0.05)
        window.add_connection(connection)
        account = model.index(0, 0)
        while model.rowCount(account) < 2 or model.node_of(account).task is not None:
            await asyncio.sleep(0.005)
        return account, [model.index(r, 0, account).data() for r in range(model.rowCount(account))]

    for _ in range(runs):
        account, names = await fresh_account()
        container = model.index(names.index("app-logs"), 0, account)
        start = time.perf_counter()
        pane.view.expand(pane.proxy.mapFromSource(container))
        while not model.node_of(container).children:
            await asyncio.sleep(0.001)
        figures["first_rows"].append(time.perf_counter() - start)
        await model.wait_idle()

    model.set_flat(True)
    for _ in range(runs):
        account, names = await fresh_account()
        container = model.index(names.index(big), 0, account)
        pane.view.expand(pane.proxy.mapFromSource(container))
        with LoopStallMonitor() as monitor:
            start = time.perf_counter()
            model.load_all(container)
            await model.wait_idle()
            elapsed = time.perf_counter() - start
            await asyncio.sleep(0.02)
        assert model.rowCount(container) == 20_000, model.rowCount(container)
        figures["load_all"].append(elapsed)
        figures["max_stall"].append(monitor.max_stall)
    return figures


def main() -> int:
    import qasync
    from azure.storage.blob import BlobServiceClient
    from PySide6.QtWidgets import QApplication

    from tests.services.blob_seed import put_blobs
    from vaultbrowser.emulator.azurite import Azurite
    from vaultbrowser.services.demo_setup import seed_storage
    from vaultbrowser.services.session import ServiceSession
    from vaultbrowser.ui.error_dialog import ErrorReporter
    from vaultbrowser.ui.main_window import MainWindow

    runs = int(os.environ.get("BENCH_RUNS", "3"))
    big = "bench20k"
    with Azurite(workdir=Path(tempfile.mkdtemp())) as azurite:
        asyncio.run(seed_storage(azurite.connection_string))
        with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
            client.create_container(big)
        started = time.perf_counter()
        asyncio.run(put_blobs(azurite, big, ((f"d/{i // 1000:02d}/b-{i:05d}", b"x")
                                             for i in range(20_000)), concurrency=48))
        print(f"seeded 20,000 blobs in {time.perf_counter() - started:.1f} s")
        app = QApplication.instance() or QApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        window = MainWindow(ServiceSession(), reporter=ErrorReporter(modal=False))
        window.show()
        with loop:
            figures = loop.run_until_complete(measure(window, azurite, big, runs))
            loop.run_until_complete(window.aclose())
    print(f"{'figure':<52} {'median':>10} {'max':>10}")
    rows = [("first rows of demo container app-logs (expand → rows)", "first_rows", 1000, "ms"),
            ("Load all, 20,000 blobs, flat (100 then 2,000/page)", "load_all", 1, "s"),
            ("longest event-loop stall during that Load all", "max_stall", 1000, "ms")]
    for label, key, scale, unit in rows:
        values = figures[key]
        print(f"{label:<52} {statistics.median(values) * scale:>8.1f}{unit:>2} "
              f"{max(values) * scale:>8.1f}{unit:>2}")
    print(f"({runs} runs each; {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
