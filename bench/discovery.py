"""Discovery at scale: from sign-in to a filled Azure tab, 3 tenants × 50 subscriptions ×
2,000 resources on the ARM emulator (``python -m bench.discovery``; also a step of
``python -m bench``).

The emulator runs on a thread of this (the runner's) process; each measured run is a fresh
child process (``python -m bench.discovery '<json spec>'``):

- ``window``: the Azure connection is added to a shown window; the span ends when every tenant
  and subscription is listed (their resources in). The longest event-loop stall is recorded.
- ``raw``: the same answers through ``AzureDiscovery`` alone (no window): the floor to compare.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TENANTS, SUBSCRIPTIONS, RESOURCES = 3, 50, 2_000


def _sign_in(spec: dict[str, Any]) -> Any:
    from vaultbrowser.core.services.connections import AuthMethod, Connection

    return Connection("azure", spec["url"], AuthMethod.LOCAL_EMULATOR, name="bench",
                      tenant_id=spec["home"], ca_path=spec["ca_path"])


async def _raw(spec: dict[str, Any]) -> dict[str, Any]:
    from vaultbrowser.azure.services.opener import open_azure
    from vaultbrowser.core.services.session import ServiceSession

    session = ServiceSession()
    try:
        discovery = open_azure(session, _sign_in(spec))
        started = time.perf_counter()
        tenants = (await discovery.tenants()).items

        async def tenant_resources(tenant_id: str) -> int:
            subscriptions = (await discovery.subscriptions(tenant_id)).items
            pages = await asyncio.gather(*(discovery.resources(tenant_id, s.subscription_id)
                                           for s in subscriptions))
            return sum(len(page.items) for page in pages)

        counts = await asyncio.gather(*(tenant_resources(t.tenant_id) for t in tenants))
        return {"filled": time.perf_counter() - started, "resources": sum(counts)}
    finally:
        await session.aclose()


async def _window(window: Any, spec: dict[str, Any]) -> dict[str, Any]:
    from bench.loop_monitor import LoopStallMonitor
    from vaultbrowser.app import KINDS
    from vaultbrowser.azure.services.records import AzureResource, SubscriptionRecord
    from vaultbrowser.core.services.sdk_imports import import_sdk

    await import_sdk(name for kind in KINDS for name in kind.sdk_modules)
    # As in the app (and bench/scenarios.py): its collector collects and freezes what the
    # import left long before a user signs in; without it one automatic pass over every SDK's
    # objects fell inside the measured span (~80 ms once azure.cosmos joined the imports).
    await asyncio.sleep(0.3)
    pane = window.show_pane("Azure")
    model = pane.model

    def filled() -> bool:
        roots = model.root_nodes()
        if not roots or not roots[0].listed:
            return False
        subscriptions = [sub for tenant in roots[0].children for sub in tenant.children
                         if isinstance(sub.record, SubscriptionRecord)]
        return (len(subscriptions) == TENANTS * SUBSCRIPTIONS
                and all(tenant.listed for tenant in roots[0].children)
                and all(sub.listed and sub.listing.task is None for sub in subscriptions))

    with LoopStallMonitor() as monitor:
        monitor.max_stall = 0.0
        started = time.perf_counter()
        window.add_connection(_sign_in(spec))
        while not filled():
            if time.perf_counter() - started > 300:
                raise TimeoutError("the Azure tab did not fill in 300 s")
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.05)
        stall = monitor.max_stall
    resources = sum(1 for tenant in model.root_nodes()[0].children for sub in tenant.children
                    for row in sub.children if isinstance(row.record, AzureResource))
    return {"filled": elapsed, "max_stall": stall, "resources": resources}


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["mode"] == "raw":
        return asyncio.run(_raw(spec))
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
    collector.set_busy_check(lambda: any(pane.model.is_loading() or pane.proxy.pending
                                         for pane in window.panes))
    window.show()
    collector.freeze_startup_heap()  # as app.py does once its window is shown
    with loop:
        try:
            return loop.run_until_complete(_window(window, spec))
        finally:
            loop.run_until_complete(window.aclose())
            collector.stop()


def measure_discovery(plan: Any) -> tuple[list[Any], list[str]]:
    """The runner's step: rows for ``python -m bench``'s table."""
    from bench.common import Row, child, collect, log, median, ratio_row
    from vaultbrowser.emulators.arm.seed import generated_world
    from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread

    world = generated_world(TENANTS, SUBSCRIPTIONS, RESOURCES,
                            vault_uri="https://127.0.0.1:9/",
                            blob_endpoint="http://127.0.0.1:9/devstoreaccount1/")
    notes: list[str] = []
    results: dict[str, list[dict[str, Any]]] = {"raw": [], "window": []}
    with tempfile.TemporaryDirectory() as tls, run_arm_emulator_in_thread(
            world, data_dir=Path(tls)) as emulator:
        spec = {"url": emulator.base_url, "ca_path": str(emulator.ca_file),
                "home": world.tenants[0].id}
        for run in range(plan.runs):
            for mode in ("raw", "window"):
                try:
                    result = child(["bench.discovery", json.dumps({**spec, "mode": mode})])
                except Exception as exc:  # one broken run must not hide the others
                    notes.append(f"discovery {mode} run {run + 1}: {exc}")
                    continue
                results[mode].append(result)
                log(f"discovery {mode} run {run + 1}: " + ", ".join(
                    f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                    for k, v in result.items()))
    raw, window = collect(results["raw"]), collect(results["window"])
    label = f"discovery {TENANTS}×{SUBSCRIPTIONS}×{RESOURCES:,}"
    rows = [
        Row(f"{label}: sign-in → Azure tab filled", window.get("filled", []), "s", "≤ 2 s",
            None if not window.get("filled")
            else median(window, "filled") <= 2.0),  # type: ignore[operator]
        Row(f"{label}: discovery alone (no window)", raw.get("filled", []), "s"),
        ratio_row(f"{label}: filled ÷ discovery alone", median(window, "filled"),
                  median(raw, "filled"), 2.0),
        Row(f"{label}: longest event-loop stall", window.get("max_stall", []), "ms",
            "≤ 50 ms", None if not window.get("max_stall")
            else median(window, "max_stall") <= 0.05),  # type: ignore[operator]
    ]
    return rows, notes


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("BENCH_RESULT " + json.dumps(run_child(json.loads(sys.argv[1]))), flush=True)
    else:
        from bench.common import plan_from_env, print_table

        found_rows, found_notes = measure_discovery(plan_from_env())
        print_table(found_rows)
        for note in found_notes:
            print(f"note: {note}")
