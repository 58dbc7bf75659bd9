"""``python -m bench.transfer``: one big blob up and down against Azurite, ours next to the SDK.

Uploads a local file of BENCH_TRANSFER_MIB MiB (default 512) and downloads it again, each way
BENCH_RUNS times (default 3), alternating the order of the contenders per run:

- ours: ``BlobService.upload_file`` (conditional block upload) and ``transfers.download_many``
  (ranged GETs into a temporary file, fsync, rename), through a service built by
  ``ServiceSession`` exactly as the app builds it (recording transport, network settings);
- the SDK: ``upload_blob`` of the open file and ``download_blob().readinto`` a file, with the
  SDK's defaults, on a plain client; the upload also with ``max_concurrency=4`` (ours stages
  ``upload_concurrency`` blocks at a time, so that row shows what concurrency alone buys).

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
                  runs: int) -> dict[str, list[float]]:
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
    seconds: dict[str, list[float]] = {key: [] for key in
                                       ("ours_up", "sdk_up", "sdk4_up", "ours_down", "sdk_down")}
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

        async def sdk_down(name: str) -> None:
            downloader = await container.download_blob(name)
            with open(workdir / "sdk-out.bin", "wb") as file:
                await downloader.readinto(file)

        for run in range(runs):
            uploads: list[tuple[str, Callable[[], Awaitable[object]]]] = [
                ("ours_up", lambda r=run: ours_up(f"ours-{r}")),
                ("sdk_up", lambda r=run: sdk_up(f"sdk-{r}", 1)),
                ("sdk4_up", lambda r=run: sdk_up(f"sdk4-{r}", 4)),
            ]
            for key, action in uploads if run % 2 == 0 else reversed(uploads):
                seconds[key].append(await timed(action))
                log(f"run {run + 1}/{runs} {key}: {size / MIB / seconds[key][-1]:.0f} MiB/s")
            for name in (f"sdk-{run}", f"sdk4-{run}") + ((f"ours-{run}",) if run else ()):
                await container.delete_blob(name)
            downloads: list[tuple[str, Callable[[], Awaitable[object]]]] = [
                ("ours_down", lambda: ours_down("ours-0")),
                ("sdk_down", lambda: sdk_down("ours-0")),
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
        await session.aclose()
    return seconds


def print_table(size: int, runs: int, seconds: dict[str, list[float]]) -> None:
    mib = size / MIB

    def rate(key: str) -> tuple[float, float, float]:
        rates = [mib / s for s in seconds[key]]
        return statistics.median(rates), min(rates), max(rates)

    labels = {
        "ours_up": "upload: ours (BlobService.upload_file)",
        "sdk_up": "upload: SDK upload_blob (defaults)",
        "sdk4_up": "upload: SDK upload_blob (max_concurrency=4)",
        "ours_down": "download: ours (transfers.download_many)",
        "sdk_down": "download: SDK download_blob().readinto (defaults)",
    }
    print(f"\nOne {mib:.0f} MiB blob against Azurite (in memory), median of {runs} runs\n")
    print(f"| {'path':<52} | {'MiB/s':>6} | {'min–max':>9} |")
    print(f"|{'-' * 54}|{'-' * 8}|{'-' * 11}|")
    for key, label in labels.items():
        median, low, high = rate(key)
        print(f"| {label:<52} | {median:>6.0f} | {low:>4.0f}–{high:<4.0f} |")
    for ours, sdk in (("ours_up", "sdk_up"), ("ours_up", "sdk4_up"), ("ours_down", "sdk_down")):
        print(f"| {'ratio ' + ours + ' / ' + sdk:<52} | {rate(ours)[0] / rate(sdk)[0]:>6.2f} |"
              f" {'':>9} |")


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
