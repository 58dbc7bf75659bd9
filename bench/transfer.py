"""``python -m bench.transfer``: one big blob up and down against Azurite, ours next to the SDK.

Uploads a local file of BENCH_TRANSFER_MIB MiB (default 512) and downloads it again, each way
BENCH_RUNS times (default 3), alternating the order of the contenders per run:

- ours: ``BlobService.upload_file`` (conditional block upload) and ``transfers.download_many``
  (ranged GETs into a temporary file, fsync, rename), through a service built by
  ``ServiceSession`` exactly as the app builds it (recording transport, network settings);
- the SDK: ``upload_blob`` of the open file and ``download_blob().readinto`` a file, with the
  SDK's defaults, on a plain client; both also with ``max_concurrency=4`` (ours stages
  ``upload_concurrency`` blocks at a time and reads 4 ranges at a time, so those rows show what
  concurrency alone buys), and the download also with 8 MiB chunks like ours: Azurite computes
  the MD5 of every range of at most 4 MiB (the SDK's default chunk) and reads it twice, which
  costs it ~4× the CPU per byte; that row keeps the comparison about the client paths.

``measure_transfer`` is the step of ``python -m bench``: downloads only (rows in MiB/s and
ours / the SDK's best, target ≥ 1.0×); ``BENCH_TRANSFER=0`` skips it.

Azurite keeps blobs in memory (the figures are the client paths', not Azurite's disk). Prints
the medians in MiB/s with min–max and ours/SDK ratios of the same invocation. Asserts nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.common import Plan, Row
from vaultbrowser.blob.services.opener import open_storage

MIB = 1024 * 1024
CONTAINER = "bench-transfer"


def log(message: str) -> None:
    print(f"[bench.transfer {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def make_source(path: Path, size: int) -> str:
    """A file of random bytes; its SHA-256."""
    digest = hashlib.sha256()
    block = os.urandom(MIB)
    with open(path, "wb") as file:
        for index in range(size // MIB):
            # Vary each MiB cheaply so no two blocks are equal.
            chunk = index.to_bytes(8, "little") + block[8:]
            digest.update(chunk)
            file.write(chunk)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(8 * MIB):
            digest.update(chunk)
    return digest.hexdigest()


async def timed(action: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await action()
    return time.perf_counter() - start


async def measure(endpoint: str, connection_string: str, source: Path, workdir: Path,
                  runs: int, *, uploads: bool = True) -> dict[str, list[float]]:
    """Seconds per contender and run; ``uploads=False``: downloads only (the blob is uploaded
    once, untimed, by ``upload_file``)."""
    from azure.storage.blob.aio import BlobServiceClient

    from vaultbrowser.blob.services.records import BlobRecord
    from vaultbrowser.blob.services.transfers.runs import download_many
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.services.session import ServiceSession

    size = source.stat().st_size
    session = ServiceSession()
    service = open_storage(session, Connection("blob", endpoint,
                                              AuthMethod.LOCAL_EMULATOR))
    sdk = BlobServiceClient.from_connection_string(connection_string)
    container = sdk.get_container_client(CONTAINER)
    # The SDK tuned like ours: 8 MiB ranges (its default, 4 MiB, makes Azurite hash each range).
    sdk8 = BlobServiceClient.from_connection_string(connection_string,
                                                    max_chunk_get_size=8 * MIB)
    seconds: dict[str, list[float]] = {key: [] for key in
                                       ("ours_up", "sdk_up", "sdk4_up", "ours_down", "sdk_down",
                                        "sdk4_down", "sdk8_down")}
    try:
        await container.create_container()

        async def ours_up(name: str) -> None:
            await service.uploads.upload_file(CONTAINER, name, source)

        async def sdk_up(name: str, concurrency: int) -> None:
            with open(source, "rb") as file:
                await container.upload_blob(name, file, length=size, overwrite=True,
                                            max_concurrency=concurrency)

        async def ours_down(name: str) -> None:
            out = workdir / "ours-out"
            out.mkdir(exist_ok=True)
            report = await download_many(service, CONTAINER,
                                         [BlobRecord(CONTAINER, name, size=size)], out)
            if report.failed or len(report.done) != 1:
                raise RuntimeError(f"our download failed: {report}")

        async def sdk_down(name: str, concurrency: int, client: Any = container) -> None:
            downloader = await client.download_blob(name, max_concurrency=concurrency)
            with open(workdir / "sdk-out.bin", "wb") as file:
                await downloader.readinto(file)

        if not uploads:
            await ours_up("ours-0")
        for run in range(runs if uploads else 0):
            ups: list[tuple[str, Callable[[], Awaitable[object]]]] = [
                ("ours_up", lambda r=run: ours_up(f"ours-{r}")),
                ("sdk_up", lambda r=run: sdk_up(f"sdk-{r}", 1)),
                ("sdk4_up", lambda r=run: sdk_up(f"sdk4-{r}", 4)),
            ]
            for key, action in ups if run % 2 == 0 else reversed(ups):
                seconds[key].append(await timed(action))
                log(f"run {run + 1}/{runs} {key}: {size / MIB / seconds[key][-1]:.0f} MiB/s")
            for name in (f"sdk-{run}", f"sdk4-{run}") + ((f"ours-{run}",) if run else ()):
                await container.delete_blob(name)
        for run in range(runs):
            downloads: list[tuple[str, Callable[[], Awaitable[object]]]] = [
                ("ours_down", lambda: ours_down("ours-0")),
                ("sdk_down", lambda: sdk_down("ours-0", 1)),
                ("sdk4_down", lambda: sdk_down("ours-0", 4)),
                ("sdk8_down", lambda: sdk_down("ours-0", 4, sdk8.get_container_client(CONTAINER))),
            ]
            for key, action in downloads if run % 2 == 0 else reversed(downloads):
                seconds[key].append(await timed(action))
                log(f"run {run + 1}/{runs} {key}: {size / MIB / seconds[key][-1]:.0f} MiB/s")
                if key == "ours_down":
                    downloaded = workdir / "ours-out" / "ours-0"
                    if run == 0:
                        expected = sha256_of(source)
                        if sha256_of(downloaded) != expected:
                            raise RuntimeError("our download differs from the source")
                    downloaded.unlink()
                else:
                    (workdir / "sdk-out.bin").unlink()
    finally:
        await sdk.close()
        await sdk8.close()
        await session.aclose()
    return seconds


def rates(size: int, seconds: dict[str, list[float]], key: str) -> list[float]:
    return [size / MIB / s for s in seconds.get(key, [])]


def print_table(size: int, runs: int, seconds: dict[str, list[float]]) -> None:
    mib = size / MIB

    def rate(key: str) -> tuple[float, float, float]:
        values = rates(size, seconds, key)
        return statistics.median(values), min(values), max(values)

    labels = {
        "ours_up": "upload: ours (BlobService.upload_file)",
        "sdk_up": "upload: SDK upload_blob (defaults)",
        "sdk4_up": "upload: SDK upload_blob (max_concurrency=4)",
        "ours_down": "download: ours (transfers.download_many)",
        "sdk_down": "download: SDK download_blob().readinto (defaults)",
        "sdk4_down": "download: SDK download_blob(max_concurrency=4)",
        "sdk8_down": "download: SDK max_concurrency=4, max_chunk_get_size=8 MiB",
    }
    print(f"\nOne {mib:.0f} MiB blob against Azurite (in memory), median of {runs} runs\n")
    print(f"| {'path':<52} | {'MiB/s':>6} | {'min–max':>9} |")
    print(f"|{'-' * 54}|{'-' * 8}|{'-' * 11}|")
    for key, label in labels.items():
        if seconds.get(key):
            median, low, high = rate(key)
            print(f"| {label:<52} | {median:>6.0f} | {low:>4.0f}–{high:<4.0f} |")
    for ours, sdk in (("ours_up", "sdk_up"), ("ours_up", "sdk4_up"), ("ours_down", "sdk_down"),
                      ("ours_down", "sdk4_down"), ("ours_down", "sdk8_down")):
        if seconds.get(ours) and seconds.get(sdk):
            print(f"| {'ratio ' + ours + ' / ' + sdk:<52} | "
                  f"{rate(ours)[0] / rate(sdk)[0]:>6.2f} | {'':>9} |")


def download_rows(size: int, seconds: dict[str, list[float]]) -> list[Row]:
    """The rows of ``python -m bench``: each download in MiB/s; ours / the SDK's best of its
    defaults and ``max_concurrency=4`` (the target), and ours / the SDK with 8 MiB chunks (no
    target: a setting that only sidesteps Azurite's MD5 of ranges ≤ 4 MiB, and the SDK's
    ``readinto`` never fsyncs, where ours flushes the file to disk before renaming it)."""
    label = f"download {size // MIB} MiB"
    ours, sdk, sdk4, sdk8 = (rates(size, seconds, key) for key in (
        "ours_down", "sdk_down", "sdk4_down", "sdk8_down"))
    rows = [Row(f"{label}: ours (download_many, parallel ranges)", ours, "MiB/s"),
            Row(f"{label}: SDK download_blob().readinto", sdk, "MiB/s"),
            Row(f"{label}: SDK download_blob(max_concurrency=4)", sdk4, "MiB/s"),
            Row(f"{label}: SDK max_concurrency=4, 8 MiB chunks", sdk8, "MiB/s")]
    ratio = Row(f"{label}: ours / SDK best (defaults, concurrency 4)", [], "×", "≥ 1.0×")
    if ours and (sdk or sdk4):
        best = max(statistics.median(values) for values in (sdk, sdk4) if values)
        ratio.values = [statistics.median(ours) / best]
        ratio.passed = ratio.values[0] >= 1.0
    tuned = Row(f"{label}: ours / SDK 8 MiB chunks (no fsync)", [], "×")
    if ours and sdk8:
        tuned.values = [statistics.median(ours) / statistics.median(sdk8)]
    return [*rows, ratio, tuned]


def measure_transfer(plan: Plan) -> tuple[list[Row], list[str]]:
    """The ``python -m bench`` step: downloads only, ``plan.runs`` times (BENCH_TRANSFER=0
    skips it; BENCH_TRANSFER_MIB sizes it, 64 MiB with BENCH_QUICK)."""
    from vaultbrowser.emulators.azurite import Azurite

    if os.environ.get("BENCH_TRANSFER", "1") in ("", "0"):
        return [], ["download of one big blob: skipped (BENCH_TRANSFER=0)"]
    default = "64" if plan.quick else "512"
    size = int(os.environ.get("BENCH_TRANSFER_MIB", default)) * MIB
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vaultbrowser-bench-transfer-") as temp:
        workdir = Path(temp)
        source = workdir / "source.bin"
        make_source(source, size)
        with Azurite() as azurite:
            seconds = asyncio.run(measure(azurite.blob_endpoint, azurite.connection_string,
                                          source, workdir, plan.runs, uploads=False))
    took = time.perf_counter() - started
    return download_rows(size, seconds), [
        f"download of one {size // MIB} MiB blob (in-memory Azurite, contenders alternating, "
        f"first download checked by SHA-256): {took:.0f} s"]


def main() -> int:
    from vaultbrowser.emulators.azurite import Azurite

    size = int(os.environ.get("BENCH_TRANSFER_MIB", "512")) * MIB
    runs = max(1, int(os.environ.get("BENCH_RUNS", "3")))
    with tempfile.TemporaryDirectory(prefix="vaultbrowser-bench-transfer-") as temp:
        workdir = Path(temp)
        source = workdir / "source.bin"
        log(f"writing a {size // MIB} MiB source file")
        make_source(source, size)
        with Azurite() as azurite:
            log(f"Azurite on port {azurite.port}; {runs} runs")
            seconds = asyncio.run(measure(azurite.blob_endpoint, azurite.connection_string,
                                          source, workdir, runs))
    print_table(size, runs, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
