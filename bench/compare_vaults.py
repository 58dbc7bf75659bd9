"""Comparing two vaults at scale (``python -m bench.compare_vaults``): two Key Vault emulators
with 20 ms latency per request, each holding N secrets (1,000; BENCH_QUICK=1: 100) and N/5 keys,
a tenth of each differing (tags, content type, key size), compared through the app's pipeline:

- **properties**: listings of both vaults, one GET per common key (8 at a time);
- **with values**: the same plus one value GET per common secret and side, one at a time (the
  price of opting in, which is why it is off by default).

No target of the performance issue covers it: the figures are for the README and for noticing
regressions. Nothing here asserts a timing.
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


def _seed(count: int, variant: str) -> dict[str, Any]:
    secrets = [{"name": f"secret-{i:05d}", "value": f"v-{i}" if i % 10 or variant == "a"
                else f"w-{i}", "contentType": "text/plain" if i % 10 or variant == "a"
                else "application/json", "tags": {"n": str(i)}} for i in range(count)]
    keys = [{"name": f"key-{i:05d}", "kty": "RSA",
             "key_size": 3072 if variant == "b" and i % 10 == 0 else 2048}
            for i in range(count // 5)]
    return {"secrets": secrets, "keys": keys}


async def _compare(a: Any, b: Any, values: bool) -> float:
    from vaultbrowser.core.audit.model import ItemKind
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.keyvault.services.across.compare import compare_vaults
    from vaultbrowser.keyvault.services.across.vault_set import Vault
    from vaultbrowser.keyvault.services.opener import open_vault

    session = ServiceSession()
    try:
        sides = [Vault(name, open_vault(session, Connection(
            "keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR, name=name,
            ca_path=str(emulator.ca_path)))) for emulator, name in ((a, "a"), (b, "b"))]
        started = time.perf_counter()
        report = await compare_vaults([sides[0]], [sides[1]], values=values,
                                      kinds=[ItemKind.SECRET, ItemKind.KEY])
        elapsed = time.perf_counter() - started
        assert not report.errors, report.errors
        return elapsed
    finally:
        await session.aclose()


def main() -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    quick = os.environ.get("BENCH_QUICK") == "1"
    count = 100 if quick else 1000
    runs = 1 if quick else int(os.environ.get("BENCH_RUNS", "3"))
    samples: dict[str, list[float]] = {"properties": [], "values": []}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        a = stack.enter_context(run_emulator_in_thread(data_dir=Path(tmp) / "a",
                                                       seed=_seed(count, "a")))
        b = stack.enter_context(run_emulator_in_thread(data_dir=Path(tmp) / "b",
                                                       seed=_seed(count, "b")))
        a.faults.latency_ms = b.faults.latency_ms = LATENCY_MS
        for run in range(runs):
            log(f"compare run {run + 1}/{runs}: {count} secrets, {count // 5} keys per vault")
            samples["properties"].append(asyncio.run(_compare(a, b, values=False)))
            samples["values"].append(asyncio.run(_compare(a, b, values=True)))
    print_table([
        Row(f"compare {count} secrets + {count // 5} keys, properties", samples["properties"],
            "s", runs=runs),
        Row(f"compare {count} secrets + {count // 5} keys, with values", samples["values"], "s",
            runs=runs),
    ])


if __name__ == "__main__":
    main()
