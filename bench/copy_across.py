"""Copying secrets to another vault at scale (``python -m bench.copy_across``): two Key Vault
emulators answering each request 20 ms late, N secrets in the source (200; BENCH_QUICK=1: 50),
copied as Tools ▸ Copy to another vault… copies them (``VaultCopy``: the preview, then the run,
through the app's pipeline; 8 look-ups and 4 items at a time).

Two figures: the preview (both vaults read) and the copy (per secret: the source GET, the
target's name look-ups again — no silent overwrite if it changed since the preview — and the
PUT). No target of the performance issue covers it; nothing here asserts a timing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row, log, print_table

LATENCY_MS = 20


async def _copy(source: Any, target: Any, names: list[str]) -> tuple[float, float]:
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.keyvault.services.across.copy import VaultCopy
    from vaultbrowser.keyvault.services.across.copy_plan import (
        ConflictPolicy,
        CopyItem,
        Outcome,
    )
    from vaultbrowser.keyvault.services.across.vault_set import Vault
    from vaultbrowser.keyvault.services.opener import open_vault

    session = ServiceSession()
    try:
        src, dst = (Vault(label, open_vault(session, Connection(
            "keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR, name=label,
            ca_path=str(emulator.ca_path)))) for label, emulator in
            (("source", source), ("target", target)))
        copy = VaultCopy(src, dst)
        started = time.perf_counter()
        plan = await copy.plan([CopyItem("secret", n) for n in names], ConflictPolicy.SKIP)
        planned = time.perf_counter() - started
        started = time.perf_counter()
        outcomes = [result.outcome async for result in copy.run(plan)]
        copied = time.perf_counter() - started
        assert outcomes.count(Outcome.COPIED) == len(names), outcomes
        return planned, copied
    finally:
        await session.aclose()


def main() -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    quick = os.environ.get("BENCH_QUICK") == "1"
    count = 50 if quick else 200
    runs = 1 if quick else int(os.environ.get("BENCH_RUNS", "3"))
    plans: list[float] = []
    copies: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        source = stack.enter_context(run_emulator_in_thread(data_dir=Path(tmp) / "source"))
        for run in range(runs):
            names = [f"run{run}-secret-{i:04d}" for i in range(count)]
            source.seed({"secrets": {name: f"value-{name}" for name in names}})
            target = stack.enter_context(run_emulator_in_thread(
                data_dir=Path(tmp) / f"target{run}"))
            for emulator in (source, target):
                emulator.faults.latency_ms = LATENCY_MS
            log(f"copy run {run + 1}/{runs}: {count} secrets")
            planned, copied = asyncio.run(_copy(source, target, names))
            plans.append(planned)
            copies.append(copied)
            source.faults.latency_ms = 0
    label = f"copy to another vault, {count} secrets, {LATENCY_MS} ms per request"
    print_table([Row(f"{label}: preview", plans, "s", runs=runs),
                 Row(f"{label}: copy", copies, "s", runs=runs)])


if __name__ == "__main__":
    main()
