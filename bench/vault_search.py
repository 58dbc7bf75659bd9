"""Search all vaults at scale (``python -m bench.vault_search``; also a step of ``python -m
bench``): over one vault of 10,000 secrets (``seed.vault_seed``; the emulator adds
``KV_LATENCY_MS`` to every request, as a real vault is some way off),

- **search throughput**: a ``CrossVaultSearch`` (a regex matching 1 name in 100) through the
  app's pipeline (``ServiceSession``: journal, limits, read-only guard, retries), in items
  scanned per second, and its matches;
- **raw listing**: the official ``SecretClient.list_properties_of_secrets`` paging through the
  same vault with nothing tested or kept — the most any listing-based search can reach;
- their ratio (target: the search keeps at least 80 % of the raw listing's pace).

Each run is a child process (``python -m bench.vault_search '<json spec>'``).
"""

from __future__ import annotations

import json
import time
from typing import Any

from bench.common import Plan, Row, child, collect, log, median, step_main

PATTERN = r"-\d{3}07$"  # 1 name in 100 (secret-00007, secret-00107…)
LATENCY_MS = 20
TARGET_SHARE = 0.8


async def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    if spec.get("raw_first"):
        figures.update(await _raw_listing(spec))
        figures.update(await _search(spec))
    else:
        figures.update(await _search(spec))
        figures.update(await _raw_listing(spec))
    return figures


async def _search(spec: dict[str, Any]) -> dict[str, Any]:
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.name_match import NameMatch
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.keyvault.services.across.search import CrossVaultSearch
    from vaultbrowser.keyvault.services.across.search_filters import (
        ItemKind,
        VaultQuery,
    )
    from vaultbrowser.keyvault.services.across.vault_set import Vault
    from vaultbrowser.keyvault.services.opener import open_vault

    session = ServiceSession()
    try:
        connection = Connection("keyvault", spec["url"], AuthMethod.LOCAL_EMULATOR,
                                name="bench-vault", ca_path=spec["ca_path"])
        service = open_vault(session, connection)
        await service.secrets.list(page_size=1)  # a warm connection and token, as in the window
        # Secrets only, as the raw listing (the vault holds no certificate nor key).
        query = VaultQuery(name=PATTERN, match=NameMatch.REGEX,
                           kinds=frozenset({ItemKind.SECRETS}))
        search = CrossVaultSearch([Vault("bench-vault", service)], query,
                                  journal=session.journal)
        started = time.perf_counter()
        (final,) = await search.run(lambda _progress, _hits: None)
        elapsed = time.perf_counter() - started
    finally:
        await session.aclose()
    return {"search_scanned": final.scanned, "search_matches": final.matches,
            "search_items_per_s": final.scanned / elapsed, "search_s": elapsed}


async def _raw_listing(spec: dict[str, Any]) -> dict[str, Any]:
    from azure.keyvault.secrets.aio import SecretClient

    from vaultbrowser.core.services.session import LOCAL_EMULATOR_TOKEN
    from vaultbrowser.core.services.signin.credentials import StaticTokenCredential

    async with SecretClient(spec["url"], StaticTokenCredential(LOCAL_EMULATOR_TOKEN),
                            connection_verify=spec["ca_path"]) as client:
        async for _ in client.list_properties_of_secrets(max_page_size=1):
            break  # a warm connection and token
        started = time.perf_counter()
        items = 0
        async for _ in client.list_properties_of_secrets(max_page_size=25):
            items += 1
        elapsed = time.perf_counter() - started
    return {"raw_scanned": items, "raw_items_per_s": items / elapsed}


def measure_vault_search(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: one seeded vault, runs in both orders, the table's rows."""
    from bench.seed import vault_seed
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    count = plan.secret_counts[1]
    notes: list[str] = []
    results = []
    started = time.perf_counter()
    with run_emulator_in_thread(seed=vault_seed(count)) as emulator:
        emulator.faults.latency_ms = LATENCY_MS
        log(f"vault search: {count:,} secrets seeded in {time.perf_counter() - started:.1f} s")
        spec = {"url": emulator.url, "ca_path": str(emulator.ca_path)}
        runs = max(2, plan.big_runs)  # both orders of the two listings
        for run in range(runs):
            log(f"vault search {count:,}: run {run + 1}/{runs}")
            results.append(child(["bench.vault_search", json.dumps(
                {**spec, "raw_first": run % 2 == 1})]))
    samples = collect(results)
    expected_matches = sum(1 for i in range(count) if i % 100 == 7)
    for result in results:
        if (result.get("search_scanned") != count or result.get("raw_scanned") != count
                or result.get("search_matches") != expected_matches):
            notes.append(f"vault search: a run scanned {result.get('search_scanned')} / "
                         f"{result.get('raw_scanned')} of {count:,}, matched "
                         f"{result.get('search_matches')} of {expected_matches}")
    label = f"secrets {count:,}"
    search, raw = median(samples, "search_items_per_s"), median(samples, "raw_items_per_s")
    share = Row(f"{label}: search all vaults / raw SDK listing", [], "×",
                target=f"≥ {TARGET_SHARE:g}×")
    if search and raw:
        share.values = [search / raw]
        share.passed = search / raw >= TARGET_SHARE
    rows = [
        Row(f"{label}: search all vaults, items scanned/s", samples.get(
            "search_items_per_s", []), "/s"),
        Row(f"{label}: search all vaults, whole vault", samples.get("search_s", []), "s"),
        Row(f"{label}: raw SDK listing, items/s", samples.get("raw_items_per_s", []), "/s"),
        share,
    ]
    return rows, notes


def main() -> int:
    return step_main(measure_vault_search, _measure)


if __name__ == "__main__":
    raise SystemExit(main())
