"""Reading what expires across vaults at scale (``python -m bench.expiry_timeline``): three Key
Vault emulators with 20 ms latency per request, each holding N secrets (1,000; BENCH_QUICK=1:
100) with expiries spread over a year and two months back, read through the app's pipeline as
Tools ▸ Expiry timeline… reads them (``expiring_items``: listings only, 4 vaults at a time).

Two figures: the time to the first items (what the window shows first) and to all of them. No
target of the performance issue covers it: the figures are for the README and for noticing
regressions. Nothing here asserts a timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, log, print_table

LATENCY_MS = 20
VAULTS = 3


def _seed(count: int, now: dt.datetime) -> dict[str, Any]:
    return {"secrets": [{"name": f"secret-{i:05d}", "value": "v", "attributes": {
        "exp": int(now.timestamp() + ((i * 7) % 425 - 60) * 86_400)}} for i in range(count)]}


async def _read(emulators: list[Any], now: dt.datetime) -> tuple[float, float, int]:
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.keyvault.services.across.expiry import expiring_items
    from vaultbrowser.keyvault.services.across.vault_set import Vault
    from vaultbrowser.keyvault.services.opener import open_vault

    session = ServiceSession()
    try:
        vaults = [Vault(f"vault-{n}", open_vault(session, Connection(
            "keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
            ca_path=str(emulator.ca_path)))) for n, emulator in enumerate(emulators)]
        started = time.perf_counter()
        first: float | None = None
        items = 0
        async for answer in expiring_items(vaults, now=now,
                                           until=now + dt.timedelta(days=365)):
            assert answer.error is None, answer.error
            if answer.items and first is None:
                first = time.perf_counter() - started
            items += len(answer.items)
        return first or 0.0, time.perf_counter() - started, items
    finally:
        await session.aclose()


def main() -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    quick = os.environ.get("BENCH_QUICK") == "1"
    count = 100 if quick else 1000
    runs = 1 if quick else int(os.environ.get("BENCH_RUNS", "3"))
    now = dt.datetime.now(dt.UTC)
    firsts: list[float] = []
    totals: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        emulators = [stack.enter_context(run_emulator_in_thread(
            data_dir=Path(tmp) / f"v{n}", seed=_seed(count, now))) for n in range(VAULTS)]
        for emulator in emulators:
            emulator.faults.latency_ms = LATENCY_MS
        for run in range(runs):
            log(f"expiry run {run + 1}/{runs}: {VAULTS} vaults of {count} secrets")
            first, total, items = asyncio.run(_read(emulators, now))
            firsts.append(first)
            totals.append(total)
    label = f"expiry timeline, {VAULTS} vaults × {count} secrets ({items} within 365 days)"
    print_table([Row(f"{label}: first items", firsts, "s", runs=runs),
                 Row(f"{label}: all", totals, "s", runs=runs)])


if __name__ == "__main__":
    main()
