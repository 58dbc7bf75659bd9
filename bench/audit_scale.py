"""Audit at scale (``python -m bench.audit_scale``; also a step of ``python -m bench``): 50
vaults × 1,000 items (900 secrets, 50 EC keys, 50 EC certificates, whose secrets and keys the
listings show too), every request answered 20 ms late as in the other Key Vault benches.

- **audit**: what ``vaultbrowser audit`` does (``cli._run``: ``collect_report`` over read-only
  connections in a read-only ``ServiceSession``, then ``write_report`` as JSON), over
  local-emulator connections (the command line signs vaults in with Entra ID only);
- **sequential SDK script**: the official async clients doing the same reads one after another
  (per vault: list secrets, each secret's versions; list certificates, each one's versions and
  GET; list keys, each one's versions and GET and, unless managed, its rotation policy).

The script is sequential, so its time is linear in the vaults: it runs over the first
``SDK_VAULTS`` vaults (default 3; ``BENCH_AUDIT_SDK_VAULTS=50`` for all, ~25 min) and its time
is scaled to the 50 (the figure says so). Throttling: the emulators count every 429 they answer
(none expected: they have no rate limit) and the busiest 10 s of each vault is compared with
the service's limit (4,000 GETs per vault per 10 s): the audit must stay below it.

The 50 emulators share one event loop on one thread of the runner process (and one TLS
directory); the measured runs are child processes (``python -m bench.audit_scale '<spec>'``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import Plan, Row, child, log, plan_from_env, print_table

LATENCY_MS = 20
SECRETS, KEYS, CERTIFICATES = 900, 50, 50
SERVICE_LIMIT_PER_10S = 4_000  # Key Vault: GETs per vault per 10 s
TARGET_SPEEDUP = 5.0


def vault_seed(index: int, scale: float = 1.0) -> dict[str, Any]:
    """Vault ``index``'s items: secrets, EC keys and EC certificates (cheap to make)."""
    secrets, keys, certificates = (max(1, int(n * scale)) for n in (SECRETS, KEYS, CERTIFICATES))
    return {
        "secrets": {f"secret-{index:02d}-{i:04d}": f"value-{i}" for i in range(secrets)},
        "keys": [{"name": f"key-{index:02d}-{i:03d}", "kty": "EC", "crv": "P-256"}
                 for i in range(keys)],
        "certificates": [{"name": f"cert-{index:02d}-{i:03d}", "kty": "EC", "crv": "P-256"}
                         for i in range(certificates)],
    }


@contextlib.contextmanager
def vault_farm(count: int, scale: float) -> Iterator[list[Any]]:
    """``count`` seeded Key Vault emulators on one loop in one daemon thread."""
    from vaultbrowser.emulators.keyvault.server import KeyVaultEmulator

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="kv-farm", daemon=True)
    thread.start()
    emulators: list[Any] = []
    with tempfile.TemporaryDirectory(prefix="vaultbrowser-audit-") as tls:
        try:
            for index in range(count):
                emulator = KeyVaultEmulator(data_dir=Path(tls), seed=vault_seed(index, scale),
                                            latency_ms=LATENCY_MS)
                asyncio.run_coroutine_threadsafe(emulator.start(), loop).result(timeout=30)
                emulators.append(emulator)
            yield emulators
        finally:
            for emulator in emulators:
                asyncio.run_coroutine_threadsafe(emulator.stop(), loop).result(timeout=30)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()


# --- the measured runs (child processes) ---------------------------------------------------


async def _audit(spec: dict[str, Any]) -> dict[str, Any]:
    from vaultbrowser.app import KINDS
    from vaultbrowser.core.audit.report import collect_report, write_report
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.session import ServiceSession

    connections = [Connection("keyvault", url, AuthMethod.LOCAL_EMULATOR, name=f"vault-{i:02d}",
                              ca_path=spec["ca_path"], read_only=True)
                   for i, url in enumerate(spec["urls"])]
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        session = ServiceSession(read_only=True)
        try:
            report = await collect_report(session, connections, kinds=KINDS,
                                          identity="bench")
        finally:
            await session.aclose()
        await asyncio.get_running_loop().run_in_executor(
            None, write_report, report, Path(out) / "audit.json", "json")
        elapsed = time.perf_counter() - started
    return {"audit_s": elapsed, "items": len(report.items), "errors": len(report.errors),
            "error_text": [f"{e.source}: {e.operation}: {e.title}" for e in report.errors[:5]]}


async def _sdk_vault(url: str, credential: Any, ca_path: str) -> int:
    """Every read of the audit, one request after another; the number of items read."""
    from azure.keyvault.certificates.aio import CertificateClient
    from azure.keyvault.keys.aio import KeyClient
    from azure.keyvault.secrets.aio import SecretClient

    items = 0
    async with (SecretClient(url, credential, connection_verify=ca_path) as secrets,
                CertificateClient(url, credential, connection_verify=ca_path) as certificates,
                KeyClient(url, credential, connection_verify=ca_path) as keys):
        async for secret in secrets.list_properties_of_secrets(max_page_size=25):
            async for _ in secrets.list_properties_of_secret_versions(secret.name,
                                                                      max_page_size=25):
                pass
            items += 1
        async for cert in certificates.list_properties_of_certificates(max_page_size=25):
            async for _ in certificates.list_properties_of_certificate_versions(
                    cert.name, max_page_size=25):
                pass
            await certificates.get_certificate(cert.name)
            items += 1
        async for key in keys.list_properties_of_keys(max_page_size=25):
            async for _ in keys.list_properties_of_key_versions(key.name, max_page_size=25):
                pass
            await keys.get_key(key.name)
            if not key.managed:
                await keys.get_key_rotation_policy(key.name)
            items += 1
    return items


async def _sdk(spec: dict[str, Any]) -> dict[str, Any]:
    from vaultbrowser.core.services.session import LOCAL_EMULATOR_TOKEN
    from vaultbrowser.core.services.signin.credentials import StaticTokenCredential

    credential = StaticTokenCredential(LOCAL_EMULATOR_TOKEN)
    started = time.perf_counter()
    items = 0
    for url in spec["urls"]:
        items += await _sdk_vault(url, credential, spec["ca_path"])
    return {"sdk_s": time.perf_counter() - started, "sdk_items": items}


def run_child(spec: dict[str, Any]) -> dict[str, Any]:
    return asyncio.run(_audit(spec) if spec["mode"] == "audit" else _sdk(spec))


# --- the step -------------------------------------------------------------------------------


def _throttling(emulators: list[Any], since: float) -> tuple[int, int]:
    """429 answers, and the most requests any vault answered in one 10 s window."""
    throttled = busiest = 0
    for emulator in emulators:
        times = sorted(e.time for e in emulator.request_log if e.time >= since)
        throttled += sum(1 for e in emulator.request_log if e.time >= since and e.status == 429)
        start = 0
        for end, at in enumerate(times):
            while at - times[start] > 10:
                start += 1
            busiest = max(busiest, end - start + 1)
    return throttled, busiest


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_audit_scale(plan: Plan) -> tuple[list[Row], list[str]]:
    """The bench step: seed the vaults, run the audit and the SDK script, the rows."""
    vaults = 5 if plan.quick else int(os.environ.get("BENCH_AUDIT_VAULTS", "50"))
    scale = 0.1 if plan.quick else 1.0
    sdk_vaults = min(vaults, int(os.environ.get("BENCH_AUDIT_SDK_VAULTS", "3")))
    notes: list[str] = []
    started = time.perf_counter()
    with vault_farm(vaults, scale) as emulators:
        seeds = [vault_seed(i, scale) for i in range(vaults)]
        per_vault = len(seeds[0]["secrets"]) + len(seeds[0]["keys"]) + len(
            seeds[0]["certificates"])
        # the listings show a certificate three times: itself, its secret and its key
        items = sum(len(s["secrets"]) + len(s["keys"]) + 3 * len(s["certificates"])
                    for s in seeds)
        log(f"audit: {vaults} vaults seeded in {time.perf_counter() - started:.1f} s")
        spec = {"urls": [e.url for e in emulators], "ca_path": str(emulators[0].ca_path)}
        for emulator in emulators:
            emulator.request_log.clear()
        since = time.time()
        cpu_before = (_children_cpu(), time.process_time())
        audit = child(["bench.audit_scale", json.dumps({**spec, "mode": "audit"})], timeout=3600)
        # where the audit's time went: its own process, and the emulators (this process's
        # threads; the main thread only waited)
        audit_cpu = _children_cpu() - cpu_before[0]
        emulator_cpu = time.process_time() - cpu_before[1]
        throttled, busiest = _throttling(emulators, since)
        requests = sum(len(e.request_log) for e in emulators)
        log(f"audit: {audit['audit_s']:.1f} s, {audit['items']:,} items, {requests:,} requests, "
            f"errors {audit['errors']} {audit['error_text']}")
        sdk = child(["bench.audit_scale", json.dumps(
            {**spec, "urls": spec["urls"][:sdk_vaults], "mode": "sdk"})], timeout=3600)
        log(f"audit: SDK script over {sdk_vaults} vault(s): {sdk['sdk_s']:.1f} s, "
            f"{sdk['sdk_items']:,} items")
    sdk_scaled = sdk["sdk_s"] * vaults / sdk_vaults
    speedup = sdk_scaled / audit["audit_s"]
    if audit["items"] != items or audit["errors"]:
        notes.append(f"audit: {audit['items']:,} items of {items:,}, {audit['errors']} "
                     f"error(s): {audit['error_text']}")
    label = f"audit {vaults} vaults × {per_vault:,} items"
    scaled = "" if sdk_vaults == vaults else f" ({sdk_vaults} of {vaults} vaults timed, scaled)"
    rows = [
        Row(f"{label}: vaultbrowser audit (JSON report)", [audit["audit_s"]], "s"),
        Row(f"{label}: sequential SDK script{scaled}", [sdk_scaled], "s"),
        Row(f"{label}: audit speed-up over the SDK script", [speedup], "×",
            f"≥ {TARGET_SPEEDUP:g}×", speedup >= TARGET_SPEEDUP),
        Row(f"{label}: busiest vault, requests per 10 s (429s: {throttled})", [busiest],
            "req", f"< {SERVICE_LIMIT_PER_10S:,}, no 429",
            busiest < SERVICE_LIMIT_PER_10S and throttled == 0),
    ]
    notes.append(f"audit: {requests:,} requests to {vaults} vaults ({LATENCY_MS} ms each) in "
                 f"{audit['audit_s']:.1f} s ({requests / audit['audit_s']:,.0f}/s); CPU: the "
                 f"audit process {audit_cpu:.1f} s ({audit_cpu / requests * 1000:.2f} ms per "
                 f"request), the emulators {emulator_cpu:.1f} s; the SDK script timed over "
                 f"{sdk_vaults} vault(s), {sdk['sdk_s']:.1f} s")
    return rows, notes


def main() -> int:
    if len(sys.argv) > 1:  # one measured run
        print("BENCH_RESULT " + json.dumps(run_child(json.loads(sys.argv[1]))), flush=True)
        return 0
    rows, notes = measure_audit_scale(plan_from_env())
    print_table(rows)
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
