"""Uploads and downloads of many files: bounded concurrency, progress, conflicts.

Qt-free. The rules every run keeps:

- Nothing is overwritten without a decision. An upload is a conditional write (the service
  refuses it when the blob exists); a download never replaces a local file unless the user
  chose to overwrite that file (or all of them).
- A download is written to a temporary file in the destination folder and renamed to its name
  only when complete; a cancelled or failed download leaves neither a partial file nor the
  temporary one.
- Conflicts go through one ``decide`` callback, one question at a time; a decision with
  ``apply_to_all`` answers every later conflict of the run.
- Cancel by cancelling the task that runs ``upload_many``/``download_many``: what is in flight
  stops, and the call returns its ``TransferReport`` with ``cancelled`` set (it consumes that
  cancellation, so the awaiting caller gets the report rather than ``CancelledError``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.transfers.plans import (
    ConflictChoice,
    ConflictDecision,
    DownloadItem,
    TransferProgress,
    TransferReport,
    UploadItem,
    plan_download,
)
from vaultbrowser.blob.services.transfers.ranged_download import (
    DEFAULT_RANGE_CONCURRENCY,
    download_ranges,
)
from vaultbrowser.core.services.errors import (
    Cancelled,
    Conflict,
    InvalidInput,
    LocalFileError,
    VaultBrowserError,
)
from vaultbrowser.core.services.files.local import TempFile, free_local_name, make_dirs
from vaultbrowser.core.services.files.numbered_names import MAX_RENAME_ATTEMPTS, numbered_name
from vaultbrowser.core.services.workers import run_workers

if TYPE_CHECKING:
    from vaultbrowser.blob.services.blob_service import BlobService

__all__ = ["download_many", "upload_many"]

T = TypeVar("T")

_MAX_ATTEMPTS = 20


UploadDecide = Callable[[UploadItem, BlobRecord | None], Awaitable[ConflictDecision]]
DownloadDecide = Callable[[DownloadItem, Path], Awaitable[ConflictDecision]]
OnProgress = Callable[[TransferProgress], None]


# --- the shared machinery of a run ----------------------------------------------------------


class _Decisions:
    """One question at a time; an ``apply_to_all`` answer answers the rest."""

    def __init__(self, decide: Callable[[Any, Any], Awaitable[ConflictDecision]] | None) -> None:
        self._decide = decide
        self._lock = asyncio.Lock()
        self._for_all: ConflictChoice | None = None

    async def choose(self, item: Any, existing: Any) -> ConflictChoice:
        if self._for_all is not None:
            return self._for_all
        async with self._lock:
            if self._for_all is not None:
                return self._for_all
            if self._decide is None:
                return ConflictChoice.SKIP  # nobody to ask: never overwrite
            decision = await self._decide(item, existing)
            if not isinstance(decision, ConflictDecision):
                raise TypeError(f"decide must return a ConflictDecision, not {decision!r}")
            if decision.apply_to_all:
                self._for_all = decision.choice
            return decision.choice


class _Tracker:
    """Turns per-file events into ``TransferProgress`` calls."""

    def __init__(self, sizes: Sequence[int], on_progress: OnProgress | None) -> None:
        self._on_progress = on_progress
        self.files_total = len(sizes)
        self.bytes_total = sum(sizes)
        self.files_done = 0
        self.bytes_done = 0
        self._current: dict[int, int] = {}

    def progress(self, key: int, name: str, current: int, total: int) -> None:
        self.bytes_done += current - self._current.get(key, 0)
        self._current[key] = current
        self._emit(name, current, total)

    def restart(self, key: int) -> None:
        self.bytes_done -= self._current.pop(key, 0)

    def finished(self, key: int, name: str, size: int, *, written: bool) -> None:
        partial = self._current.pop(key, 0)
        if written:
            self.bytes_done += size - partial
        else:
            self.bytes_done -= partial
            self.bytes_total -= size
        self.files_done += 1
        self._emit(name, size if written else 0, size)

    def _emit(self, name: str, current: int, total: int) -> None:
        if self._on_progress is not None:
            self._on_progress(TransferProgress(
                self.files_done, self.files_total, self.bytes_done, self.bytes_total,
                name, current, total,
            ))


async def _run(items: Sequence[T], concurrency: int,
               one: Callable[[int, T], Awaitable[None]], report: TransferReport) -> TransferReport:
    if concurrency < 1:
        raise InvalidInput(f"Concurrency must be at least 1 (got {concurrency}).")
    pending = iter(enumerate(items))

    async def worker() -> None:
        for key, item in pending:
            await one(key, item)

    try:
        await run_workers(worker, min(concurrency, len(items)))
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None:
            task.uncancel()
        return replace(report, cancelled=True)
    return report


# --- uploads --------------------------------------------------------------------------------


async def upload_many(
    service: BlobService,
    container: str,
    items: Sequence[UploadItem],
    *,
    concurrency: int = 4,
    decide: UploadDecide | None = None,
    on_progress: OnProgress | None = None,
) -> TransferReport:
    """Upload ``items`` (``concurrency`` files at a time) without ever replacing a blob
    silently.

    Each file is first written conditionally (``upload_file`` without ``overwrite``). When the
    service says the blob exists, ``decide(item, existing)`` is asked (``existing``: the blob's
    record; None when the service refuses the name but the blob cannot be read: deleted
    meanwhile, or, on Azurite, only uncommitted blocks of an interrupted upload): SKIP leaves
    it, OVERWRITE writes again
    unconditionally, RENAME writes to the first free ``"name (n).ext"`` (conditionally again,
    moving on to the next number if that name is taken meanwhile). Without ``decide`` every
    conflict is skipped. Per-file failures are reported and the others go on.
    """
    report = TransferReport()
    decisions = _Decisions(decide)
    tracker = _Tracker([item.size for item in items], on_progress)
    claimed = {item.blob_name for item in items}

    async def one(key: int, item: UploadItem) -> None:
        name = item.blob_name
        overwrite = renaming = False

        def progress(sent: int, total: int) -> None:
            tracker.progress(key, name, sent, total)

        try:
            for _ in range(_MAX_ATTEMPTS):
                try:
                    await service.uploads.upload_file(container, name, item.source,
                                              overwrite=overwrite, progress=progress)
                    break
                except Conflict as exc:
                    if overwrite or (exc.error_code or "").lower() != "blobalreadyexists":
                        raise
                tracker.restart(key)
                if not renaming:
                    existing = await _existing_blob(service, container, name)
                    choice = await decisions.choose(item, existing)
                    if choice is ConflictChoice.SKIP:
                        report.skipped.append(item.blob_name)
                        tracker.finished(key, name, item.size, written=False)
                        return
                    if choice is ConflictChoice.OVERWRITE:
                        overwrite = True
                        continue
                    renaming = True
                name = await _free_blob_name(service, container, item.blob_name, claimed)
            else:
                raise Conflict(f"{item.blob_name!r} kept conflicting; it was not uploaded.")
        except Cancelled:
            raise
        except VaultBrowserError as exc:
            report.failed.append((item.blob_name, exc))
            tracker.finished(key, name, item.size, written=False)
            return
        report.done.append(name)
        if name != item.blob_name:
            report.renamed.append((item.blob_name, name))
        tracker.finished(key, name, item.size, written=True)

    return await _run(items, concurrency, one, report)


async def _existing_blob(service: BlobService, container: str, name: str) -> BlobRecord | None:
    from vaultbrowser.core.services.errors import NotFound

    try:
        return (await service.get_blob_properties(container, name)).value
    except NotFound:
        return None


async def _free_blob_name(service: BlobService, container: str, name: str,
                          claimed: set[str]) -> str:
    """The first ``numbered_name(name, n)`` that no blob has and this run has not claimed."""
    for number in range(1, MAX_RENAME_ATTEMPTS):
        candidate = numbered_name(name, number)
        if candidate in claimed:
            continue
        if not await service.uploads.blob_exists(container, candidate):
            claimed.add(candidate)
            return candidate
    raise Conflict(f"No free name like {numbered_name(name, 1)!r} was found.")


# --- downloads ------------------------------------------------------------------------------


async def download_many(
    service: BlobService,
    container: str,
    blobs: Sequence[DownloadItem | BlobRecord],
    destination: Path,
    *,
    concurrency: int = 4,
    decide: DownloadDecide | None = None,
    on_progress: OnProgress | None = None,
) -> TransferReport:
    """Download blobs under ``destination`` (``concurrency`` files at a time).

    ``blobs`` are ``plan_download`` items (or records, planned with their full names). Each
    file is written to ``.vaultbrowser-<random>.part`` in its final folder and, once complete
    and flushed to disk, renamed to its name. An existing local file (or one that appears
    meanwhile) is replaced only after ``decide(item, path)`` says OVERWRITE; RENAME writes to
    the first free ``"name (n).ext"``; SKIP leaves it. Without ``decide`` conflicts are
    skipped. Each blob is read by ``ranged_download.download_ranges``: ranged GETs, a few at
    once, written at their offsets into the preallocated temporary file, each conditional on
    the first ETag (a blob changed mid-download fails with ``BlobChangedDuringDownload``
    instead of mixing versions).

    Raises:
        LocalFileError: ``destination`` is not an existing folder (nothing was requested).
    """
    destination = Path(destination)
    if not destination.is_dir():
        raise LocalFileError(f"The download folder {destination} does not exist.")
    items = [item if isinstance(item, DownloadItem) else plan_download([item])[0]
             for item in blobs]
    report = TransferReport()
    decisions = _Decisions(decide)
    tracker = _Tracker([item.size or 0 for item in items], on_progress)
    claimed: set[Path] = set()
    loop = asyncio.get_running_loop()
    # The ranges of every file in flight share these: memory stays within that many ranges.
    slots = asyncio.Semaphore(DEFAULT_RANGE_CONCURRENCY)

    async def resolve(item: DownloadItem, target: Path) -> tuple[Path | None, bool]:
        """Where to write (None: skip) and whether replacing that path was agreed."""
        while os.path.lexists(target) or target in claimed:
            choice = await decisions.choose(item, target)
            if choice is ConflictChoice.SKIP:
                return None, False
            if choice is ConflictChoice.OVERWRITE:
                if target.is_dir() and not target.is_symlink():
                    raise LocalFileError(f"{target} is a folder; it cannot be overwritten "
                                         "by a file.", advice="Choose rename or skip.")
                claimed.add(target)
                return target, True
            target = free_local_name(target, claimed)
        claimed.add(target)
        return target, False

    async def one(key: int, item: DownloadItem) -> None:
        size = item.size or 0
        written_to: Path | None = None
        try:
            if item.relative_path is None:
                raise InvalidInput(
                    f"The blob {item.blob_name!r} has a '.' or '..' path segment: it cannot be "
                    "saved inside the download folder.")
            target = destination.joinpath(*item.relative_path.split("/"))
            if item.folder_marker:
                await loop.run_in_executor(None, make_dirs, target)
                written_to = target
            else:
                await loop.run_in_executor(None, make_dirs, target.parent)
                written_to = await _download_to(service, container, item, target, resolve,
                                                slots,
                                                lambda done, total: tracker.progress(
                                                    key, item.blob_name, done, total or size))
        except Cancelled:
            raise
        except VaultBrowserError as exc:
            report.failed.append((item.blob_name, exc))
            tracker.finished(key, item.blob_name, size, written=False)
            return
        if written_to is None:
            report.skipped.append(item.blob_name)
            tracker.finished(key, item.blob_name, size, written=False)
            return
        report.done.append(str(written_to))
        planned = destination.joinpath(*item.relative_path.split("/"))
        if written_to != planned:
            report.renamed.append((item.blob_name, str(written_to)))
        tracker.finished(key, item.blob_name, size, written=True)

    return await _run(items, concurrency, one, report)


async def _download_to(
    service: BlobService,
    container: str,
    item: DownloadItem,
    target: Path,
    resolve: Callable[[DownloadItem, Path], Awaitable[tuple[Path | None, bool]]],
    slots: asyncio.Semaphore,
    progress: Callable[[int, int | None], None],
) -> Path | None:
    """Download one blob to ``target`` through a temporary file; the path written (None:
    skipped by a decision)."""
    final, replace = await resolve(item, target)
    if final is None:
        return None
    temp = TempFile(final.parent)
    try:
        await temp.open()  # inside: a cancelled open may still have made the file
        await download_ranges(service.client, container, item.blob_name, temp,
                              range_size=service.download_chunk_size, progress=progress,
                              slots=slots)
        await temp.finish()
        for _ in range(_MAX_ATTEMPTS):
            try:
                temp.commit(final, replace=replace)
                return final
            except FileExistsError:
                # A file of that name appeared while we downloaded: ask again.
                final, replace = await resolve(item, final)
                if final is None:
                    return None
        raise LocalFileError(f"{final} kept appearing under another writer; not saved.")
    finally:
        await temp.discard()
