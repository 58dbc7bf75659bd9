"""One measured run, in a process of its own: ``python -m bench.scenarios '<json spec>'``.

The runner (``bench/__main__.py``) starts one such process per scenario and run, so imports,
caches and the peak RSS of one run never leak into another. The last line of output is
``BENCH_RESULT {json}`` with the figures in seconds (RSS in MB, 10⁶ bytes).

Spec keys: ``mode`` ("window" or "raw"), ``service`` ("blobs" or "secrets"), ``url`` (blob
account endpoint or vault URL), ``ca_path`` (vault), ``container`` (blobs), ``count``. Window
options for the big blob cases (``bench.million``): ``flat`` (default true; false: the folder
listing, with the delimiter), ``first_only`` (stop at the first rows), ``sort_filter`` (after
Load all, sort by size, then filter: the stall and time of each).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def peak_rss_mb() -> float:
    """This process's peak resident set in MB.

    On Linux ``VmHWM`` of /proc/self/status: ``ru_maxrss`` survives ``exec``, so a child would
    report the runner's RSS at fork time (the runner holds the vault emulators). Elsewhere
    ``ru_maxrss`` (bytes on macOS, KiB otherwise).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return (peak if sys.platform == "darwin" else peak * 1024) / 1e6


# --- the window ---------------------------------------------------------------------------


async def _until(condition: Any, timeout: float = 120.0, what: Any = "") -> None:
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the window did not get there in time: {what()}")
        await asyncio.sleep(0.002)


def _describe(node: Any) -> str:
    return (f"stage={_STAGE[0]} rows={len(node.children)} listed={node.listed} "
            f"more={node.has_more} task={node.listing.task} error={node.listing.error} "
            f"load_all={node.listing.load_all} pages={node.listing.pages_loaded}")


_STAGE = ["start"]


async def measure_window(window: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Expand the container (or connect the vault), then Load all, in the shown window.

    first_rows: expand (blobs) / add_connection (secrets) → the first item row is a row of the
    model. load_all: the same start → the last page landed ("Load all" pressed as soon as the
    first rows show; the first small page included). max_stall: the longest event-loop stall
    over that whole span. Blobs are listed flat (the pane's Flat box ticked) unless
    ``spec["flat"]`` is false.
    """
    from bench.loop_monitor import LoopStallMonitor
    from vaultbrowser.core.services.connections import AuthMethod, Connection

    blobs = spec["service"] == "blobs"
    pane = window.show_pane("Blobs" if blobs else "Secrets")
    model = pane.model
    if blobs:
        assert pane.flat_check is not None
        # every blob by full name, as a user would tick it
        pane.flat_check.setChecked(spec.get("flat", True))
        connection = Connection("blob", spec["url"], AuthMethod.LOCAL_EMULATOR)
    else:
        connection = Connection("keyvault", spec["url"], AuthMethod.LOCAL_EMULATOR,
                                ca_path=spec["ca_path"])

    # As the app does once its window is painted: the SDK imports in a worker thread. The
    # measured span starts when it is in, as it is for any connection added after start-up.
    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.sdk_imports import import_sdk

    await import_sdk(name for kind in KINDS for name in kind.sdk_modules)
    # The app's collector then collects and freezes what the import left (its 250 ms timer)
    # long before a user adds a connection; without this wait that one pass over the SDK's
    # objects (~17 ms) fell inside the measured first rows.
    await asyncio.sleep(0.3)
    rss_before = peak_rss_mb()
    first_rows: list[float] = []
    page_landed: list[float] = []  # when each page of the measured node landed
    target: list[Any] = []  # the node being measured, once known

    def on_rows(parent: Any, _first: int, _last: int) -> None:
        if not first_rows and target and model.node_of(parent) is target[0] and (
                target[0].children):
            first_rows.append(time.perf_counter())

    def on_page(parent: Any, _count: int) -> None:
        if target and model.node_of(parent) is target[0]:
            page_landed.append(time.perf_counter())

    model.rowsInserted.connect(on_rows)
    model.page_loaded.connect(on_page)
    with LoopStallMonitor() as monitor:
        if blobs:
            window.add_connection(connection)  # expands the account: containers list
            account = model.index(0, 0)
            await _until(lambda: model.node_of(account).listed
                         and model.node_of(account).listing.task is None, 120, lambda: "containers")
            names = [model.index(r, 0, account).data() for r in range(model.rowCount(account))]
            container = model.index(names.index(spec["container"]), 0, account)
            target.append(model.node_of(container))
            monitor.max_stall = 0.0  # measure the container's paging only
            start = time.perf_counter()
            pane.view.expand(pane.proxy.mapFromSource(container))
        else:
            monitor.max_stall = 0.0
            start = time.perf_counter()
            window.add_connection(connection)  # expands the vault: its secrets list
            target.append(model.root_nodes()[0])
        node = target[0]
        _STAGE[0] = "first rows"
        await _until(lambda: bool(first_rows), 120, lambda: _describe(node))
        if spec.get("first_only"):
            return {"first_rows": first_rows[0] - start, "max_stall": monitor.max_stall,
                    "first_rows_count": len(node.children), "peak_rss_mb": peak_rss_mb()}
        # "Load all" at once. The view may have asked for the next page already (its last rows
        # are visible), or even paged a small listing to the end by itself: either way the
        # listing ends when its last page lands.
        _STAGE[0] = "load all"
        model.load_all(model.index_of(node))
        await _until(lambda: node.listed and not node.has_more and node.listing.task is None,
                     900, lambda: _describe(node))
        end = page_landed[-1]
        await asyncio.sleep(0.05)  # a repaint after the last page counts too
        stall = monitor.max_stall
    first = first_rows[0]
    rows = len(node.children)
    figures = {"first_rows": first - start, "load_all": end - start, "max_stall": stall,
               "rows": rows, "rss_before_mb": rss_before, "peak_rss_mb": peak_rss_mb()}
    if spec.get("sort_filter"):
        figures.update(await _sort_and_filter(pane, spec.get("filter", "host-03")))
    return figures


async def _sort_and_filter(pane: Any, text: str) -> dict[str, float]:
    """Sort the loaded rows by size (descending), then filter them by ``text``: for each, the
    time from the user's click/keystroke until the new order is on screen and the loop is free
    again, and the longest stall meanwhile (a big sort or filter is computed in slices while
    the old order stays: ``pane.proxy.pending`` until it is swapped in; polled every ms)."""
    from PySide6.QtCore import Qt

    from bench.loop_monitor import LoopStallMonitor

    figures: dict[str, float] = {}
    steps = (("sort", lambda: pane.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)),
             ("filter", lambda: pane.filter_edit.setText(text)))
    for name, act in steps:
        with LoopStallMonitor() as monitor:
            await asyncio.sleep(0.05)
            started = time.perf_counter()
            act()
            await asyncio.sleep(0)  # the loop is free again once this resumes
            while pane.proxy.pending:
                await asyncio.sleep(0.001)
            figures[f"{name}_time"] = time.perf_counter() - started
            figures[f"{name}_rows"] = pane.proxy.rowCount()
            await asyncio.sleep(0.2)  # a repaint after it counts too
            figures[f"{name}_stall"] = monitor.max_stall
    return figures


def run_window(spec: dict[str, Any], measure: Any = None) -> dict[str, Any]:
    """``measure(window, spec)`` (default ``measure_window``) in a shown ``MainWindow``."""
    import qasync
    from PySide6.QtWidgets import QApplication

    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.core.ui.error_dialog import ErrorReporter
    from vaultbrowser.core.ui.gc_guard import MainThreadGarbageCollector
    from vaultbrowser.core.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    collector = MainThreadGarbageCollector(app)  # as the app runs: collection on the GUI thread
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(ServiceSession(), kinds=KINDS, reporter=ErrorReporter(modal=False))
    # A listing paging in, or a sort or filter being computed: no complete collection now.
    collector.set_busy_check(lambda: any(pane.model.is_loading() or pane.proxy.pending
                                         for pane in window.panes))
    errors: list[str] = []
    for pane in window.panes:
        pane.model.load_failed.connect(lambda error: errors.append(str(error)))
    window.show()
    collector.freeze_startup_heap()  # as app.py does once its window is shown
    with loop:
        try:
            figures = loop.run_until_complete((measure or measure_window)(window, spec))
        finally:
            loop.run_until_complete(window.aclose())
    collector.stop()
    if errors:
        figures["errors"] = errors[:3]
    return figures


# --- the raw SDK and raw HTTP ---------------------------------------------------------------


class _Token:
    """A fixed bearer token for the emulator (it accepts any)."""

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken("bench-token", int(time.time()) + 3600)

    async def close(self) -> None:
        pass


async def raw_blobs(spec: dict[str, Any]) -> dict[str, Any]:
    import xml.etree.ElementTree as ET

    import aiohttp
    from azure.storage.blob.aio import BlobServiceClient

    from bench.seed import container_sas
    from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME

    url, container = spec["url"], spec["container"]
    figures: dict[str, Any] = {}
    credential = {"account_name": AZURITE_ACCOUNT_NAME, "account_key": AZURITE_ACCOUNT_KEY}
    async with BlobServiceClient(url, credential=credential) as service:
        async for _ in service.list_containers(results_per_page=100):  # a warm connection,
            break  # as the window has one from listing the account's containers
        client = service.get_container_client(container)
        start = time.perf_counter()
        async for page in client.list_blobs(results_per_page=100).by_page():
            first = [blob async for blob in page]
            break
        figures["sdk_first_page"] = time.perf_counter() - start
        figures["sdk_first_page_rows"] = len(first)

        start = time.perf_counter()
        count = 0
        async for page in client.list_blobs(results_per_page=5000).by_page():
            async for _blob in page:
                count += 1
        figures["sdk_all"] = time.perf_counter() - start
        figures["sdk_rows"] = count

    # Raw HTTP: List Blobs with a SAS, ElementTree, follow NextMarker; keep what a row shows.
    sas = container_sas(container)
    base = f"{url}/{container}?restype=container&comp=list&maxresults=5000&{sas}"
    rows: list[tuple[Any, ...]] = []
    async with aiohttp.ClientSession() as session:
        start = time.perf_counter()
        marker = ""
        while True:
            query = base + (f"&marker={marker}" if marker else "")
            async with session.get(query, headers={"x-ms-version": "2025-01-05"}) as response:
                body = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"List Blobs: {response.status} {body[:300]!r}")
            root = ET.fromstring(body)
            for blob in root.iter("Blob"):
                props = blob.find("Properties")
                get = props.findtext if props is not None else (lambda _k: None)
                rows.append((blob.findtext("Name"), get("Content-Length"),
                             get("Content-Type"), get("BlobType"), get("AccessTier"),
                             get("Last-Modified")))
            marker = root.findtext("NextMarker") or ""
            if not marker:
                break
        figures["http_all"] = time.perf_counter() - start
        figures["http_rows"] = len(rows)
    return figures


async def raw_secrets(spec: dict[str, Any]) -> dict[str, Any]:
    from azure.keyvault.secrets.aio import SecretClient

    figures: dict[str, Any] = {}
    for key in ("sdk_first_page", "sdk_all"):
        # A fresh client each time: the first request pays the bearer challenge, as the
        # window's freshly added vault does.
        async with SecretClient(spec["url"], _Token(), connection_verify=spec["ca_path"]) as client:
            start = time.perf_counter()
            count = 0
            async for page in client.list_properties_of_secrets().by_page():
                async for _secret in page:
                    count += 1
                if key == "sdk_first_page":
                    break
            figures[key] = time.perf_counter() - start
            figures[key.replace("sdk_", "sdk_") + "_rows"] = count
    return figures


def run_raw(spec: dict[str, Any]) -> dict[str, Any]:
    measure = raw_blobs if spec["service"] == "blobs" else raw_secrets
    figures = asyncio.run(measure(spec))
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> int:
    import faulthandler

    faulthandler.dump_traceback_later(float(os.environ.get("BENCH_HANG_DUMP", "300")), exit=True)
    spec = json.loads(sys.argv[1])
    figures = run_window(spec) if spec["mode"] == "window" else run_raw(spec)
    print("BENCH_RESULT " + json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
