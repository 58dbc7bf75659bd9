"""Uploads and downloads of many files: planning, bounded concurrency, progress, conflicts.

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
import contextlib
import errno
import hashlib
import os
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from vaultbrowser.errors import (
    Cancelled,
    Conflict,
    InvalidInput,
    LocalFileError,
    VaultBrowserError,
)
from vaultbrowser.services.records import BlobRecord
from vaultbrowser.services.workers import run_workers

if TYPE_CHECKING:
    from vaultbrowser.services.blob import BlobService

__all__ = [
    "ConflictChoice",
    "ConflictDecision",
    "DownloadItem",
    "TransferProgress",
    "TransferReport",
    "UploadItem",
    "download_many",
    "local_relative_path",
    "numbered_name",
    "plan_download",
    "plan_upload",
    "upload_many",
]

T = TypeVar("T")

TEMP_PREFIX = ".vaultbrowser-"
TEMP_SUFFIX = ".part"
# A local file name's longest segment we write, in UTF-8 bytes: file systems allow 255, and a
# shortened name keeps room for " (12)" when renamed.
MAX_LOCAL_NAME_BYTES = 200
_MAX_RENAME_ATTEMPTS = 10_000
_MAX_ATTEMPTS = 20
_DOUBLE_EXTENSIONS = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
     *(f"lpt{i}" for i in range(1, 10))}
)


class ConflictChoice(StrEnum):
    SKIP = "skip"
    OVERWRITE = "overwrite"
    RENAME = "rename"


@dataclass(frozen=True, slots=True)
class ConflictDecision:
    choice: ConflictChoice
    apply_to_all: bool = False


@dataclass(frozen=True, slots=True)
class UploadItem:
    """A local file and the blob name it is uploaded to."""

    source: Path
    blob_name: str
    size: int


@dataclass(frozen=True, slots=True)
class DownloadItem:
    """A blob and where it goes under the destination folder.

    ``relative_path`` is "/"-separated and safe to join (no "."/".." or empty segments, each
    segment a valid local name); None when the blob's name cannot be mapped to a local path
    (a "." or ".." segment), in which case the download fails with ``InvalidInput``.
    ``folder_marker``: an empty blob whose name ends with "/": it becomes a folder.
    """

    blob_name: str
    relative_path: str | None
    size: int | None = None
    folder_marker: bool = False


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """Where a run stands. ``files_done`` counts finished files (done, skipped or failed);
    ``bytes_total`` drops the size of skipped and failed files; ``current_*`` is the file that
    reported last."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    current_name: str | None
    current_bytes: int
    current_total: int


@dataclass(frozen=True, slots=True)
class TransferReport:
    """The outcome of a run.

    ``done``: what was written: blob names for uploads, local paths for downloads.
    ``skipped``: planned blob names skipped by a decision. ``failed``: (planned blob name,
    typed error). ``renamed``: (planned name, name written) for files written under another
    name. ``cancelled``: the run was cancelled; files not listed were not (fully) written.
    """

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, VaultBrowserError]] = field(default_factory=list)
    cancelled: bool = False
    renamed: list[tuple[str, str]] = field(default_factory=list)


UploadDecide = Callable[[UploadItem, BlobRecord | None], Awaitable[ConflictDecision]]
DownloadDecide = Callable[[DownloadItem, Path], Awaitable[ConflictDecision]]
OnProgress = Callable[[TransferProgress], None]


# --- names ----------------------------------------------------------------------------------


def _split_extension(name: str) -> tuple[str, str]:
    lowered = name.lower()
    for double in _DOUBLE_EXTENSIONS:
        if lowered.endswith(double) and len(name) > len(double):
            return name[: -len(double)], name[-len(double):]
    dot = name.rfind(".")
    if dot <= 0 or dot == len(name) - 1:  # ".bashrc", "name.", no dot
        return name, ""
    return name[:dot], name[dot:]


def numbered_name(name: str, number: int) -> str:
    """``"dir/report.pdf"`` → ``"dir/report (1).pdf"``; the last segment's extension (and a
    ``.tar.gz``-style double one) stays last; a trailing "/" stays trailing."""
    core = name.rstrip("/")
    trailing = name[len(core):]
    head, sep, last = core.rpartition("/")
    stem, extension = _split_extension(last)
    return f"{head}{sep}{stem} ({number}){extension}{trailing}"


def _shorten(segment: str) -> str:
    """A segment too long for a file system: its start, "~", a short hash, its extension."""
    encoded = segment.encode("utf-8")
    if len(encoded) <= MAX_LOCAL_NAME_BYTES:
        return segment
    stem, extension = _split_extension(segment)
    if len(extension.encode("utf-8")) > 20:
        stem, extension = segment, ""
    digest = hashlib.sha256(encoded).hexdigest()[:8]
    room = MAX_LOCAL_NAME_BYTES - len(extension.encode("utf-8")) - len(digest) - 1
    head = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{head}~{digest}{extension}"


def _escape(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def _local_segment(segment: str) -> str:
    """One blob name segment as a local file name for this OS (never "/" inside)."""
    if os.name == "nt":  # pragma: no cover - Windows
        segment = "".join(_escape(ch) if ch in '<>:"\\|?*' or ord(ch) < 32 else ch
                          for ch in segment)
        if segment and segment[-1] in ". ":
            segment = segment[:-1] + _escape(segment[-1])
        if segment.split(".", 1)[0].lower() in _WINDOWS_RESERVED:
            segment = "_" + segment
    else:
        segment = segment.replace("\x00", "%00")
    return _shorten(segment)


def local_relative_path(name: str) -> str | None:
    """The "/"-separated local path for a blob name (or the part of it below a folder).

    Empty segments are dropped ("a//b" → "a/b"); a name ending in "/" keeps that slash as
    "%2F" in its last segment (``master/`` → ``master%2F``: a file cannot be named with a
    slash, and ``master`` may be needed as the folder of ``master/x``); long segments are
    shortened (see ``MAX_LOCAL_NAME_BYTES``); characters this OS forbids are %-escaped.
    Returns None for a name with a "." or ".." segment, which could leave the destination.
    """
    trailing = name.endswith("/")
    parts = [part for part in name.split("/") if part]
    if not parts or any(part in (".", "..") for part in parts):
        return None
    if trailing:
        parts[-1] += "%2F"
    return "/".join(_local_segment(part) for part in parts)


# --- planning -------------------------------------------------------------------------------


def plan_upload(paths: Sequence[Path], prefix: str = "") -> list[UploadItem]:
    """Files to upload: a file goes to ``prefix + its name``; a folder is walked (sorted,
    symlinked folders not followed) and each file goes to ``prefix + folder name + "/" +
    its path below the folder`` with "/" separators. Empty folders are not recorded.

    Blocking (it walks the disk): run it in an executor for big trees.

    Raises:
        InvalidInput: ``prefix`` does not end with "/" (unless empty), or a path is neither a
            file nor a folder.
        LocalFileError: a folder cannot be walked or a file cannot be examined.
    """
    if prefix and not prefix.endswith("/"):
        raise InvalidInput(f"The destination folder must end with '/' (got {prefix!r}).")
    items: list[UploadItem] = []
    for given in paths:
        path = Path(given)
        try:
            resolved_name = path.resolve().name
            if path.is_dir():
                items.extend(_walk(path, prefix + resolved_name + "/"))
            elif path.is_file():
                items.append(UploadItem(path, prefix + resolved_name, path.stat().st_size))
            else:
                raise InvalidInput(f"{path} is neither a file nor a folder.")
        except OSError as exc:
            raise LocalFileError(f"Could not read {path}: {exc.strerror or exc}.") from exc
    return items


def _walk(folder: Path, prefix: str) -> list[UploadItem]:
    def fail(exc: OSError) -> None:
        raise exc

    items: list[UploadItem] = []
    for root, dirs, files in os.walk(folder, onerror=fail):
        dirs.sort()
        base = Path(root)
        for file_name in sorted(files):
            path = base / file_name
            if not path.is_file():  # sockets, FIFOs, broken links
                continue
            relative = path.relative_to(folder).as_posix()
            items.append(UploadItem(path, prefix + relative, path.stat().st_size))
    return items


def plan_download(blobs: Iterable[BlobRecord], strip_prefix: str = "") -> list[DownloadItem]:
    """Where each blob goes: its name, less ``strip_prefix`` (the folder the selection sits
    in, e.g. "a/" when downloading folder "a/b/" so it lands as "b/…"), mapped to a local
    path by ``local_relative_path``."""
    items: list[DownloadItem] = []
    for blob in blobs:
        name = blob.name
        below = name[len(strip_prefix):] if strip_prefix and name.startswith(strip_prefix) \
            else name
        marker = name.endswith("/") and not blob.size
        items.append(DownloadItem(
            blob_name=name,
            # A folder marker becomes the folder itself.
            relative_path=local_relative_path(below.rstrip("/") if marker else below),
            size=blob.size,
            folder_marker=marker,
        ))
    return items


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
                    await service.upload_file(container, name, item.source,
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
    from vaultbrowser.errors import NotFound

    try:
        return (await service.get_blob_properties(container, name)).value
    except NotFound:
        return None


async def _free_blob_name(service: BlobService, container: str, name: str,
                          claimed: set[str]) -> str:
    """The first ``numbered_name(name, n)`` that no blob has and this run has not claimed."""
    for number in range(1, _MAX_RENAME_ATTEMPTS):
        candidate = numbered_name(name, number)
        if candidate in claimed:
            continue
        if not await service.blob_exists(container, candidate):
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
    skipped. The blob is read with ``service.download_blob`` (ranged GETs conditional on the
    first ETag: a blob changed mid-download fails instead of mixing versions).

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
            target = _free_local_name(target, claimed)
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
                await loop.run_in_executor(None, _make_dirs, target)
                written_to = target
            else:
                await loop.run_in_executor(None, _make_dirs, target.parent)
                written_to = await _download_to(service, container, item, target, resolve,
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
    progress: Callable[[int, int | None], None],
) -> Path | None:
    """Download one blob to ``target`` through a temporary file; the path written (None:
    skipped by a decision)."""
    final, replace = await resolve(item, target)
    if final is None:
        return None
    temp = _TempFile(final.parent)
    try:
        await temp.open()  # inside: a cancelled open may still have made the file
        await service.download_blob(container, item.blob_name, temp.write, progress=progress)
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


def _make_dirs(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalFileError(f"Could not create the folder {path}: {exc.strerror or exc}.",
                             advice="A file may have the name of a folder to create; check "
                                    "the path and its permissions.") from exc


def _free_local_name(path: Path, claimed: set[Path]) -> Path:
    for number in range(1, _MAX_RENAME_ATTEMPTS):
        candidate = path.with_name(numbered_name(path.name, number))
        if candidate not in claimed and not os.path.lexists(candidate):
            return candidate
    raise LocalFileError(f"No free name like {numbered_name(path.name, 1)!r} was found.")


class _TempFile:
    """The temporary file one download writes: created exclusively in the final folder,
    written from a worker thread one chunk at a time, renamed into place only when complete,
    and removed in every other case."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._pending: asyncio.Future[Any] | None = None
        self._creating: asyncio.Future[Any] | None = None
        self._loop = asyncio.get_running_loop()

    async def _in_thread(self, doing: str, function: Callable[..., T], *args: Any) -> T:
        # Shielded: a cancelled download stops waiting, but the thread's write or fsync runs
        # to its end, and ``discard`` waits for it before closing and removing the file.
        future = self._loop.run_in_executor(None, function, *args)
        future.add_done_callback(_retrieve)
        self._pending = future
        try:
            return await asyncio.shield(future)
        except OSError as exc:
            raise LocalFileError(f"Could not {doing}: {exc.strerror or exc}.") from exc

    async def open(self) -> None:
        folder = self._folder

        def create() -> tuple[Path, BinaryIO]:
            for _ in range(100):
                path = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}"
                try:
                    return path, open(path, "xb")
                except FileExistsError:
                    continue
            raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))

        future = self._loop.run_in_executor(None, create)
        future.add_done_callback(_retrieve)
        self._pending = self._creating = future
        try:
            await asyncio.shield(future)  # as _in_thread, but the file is adopted in any case
        except OSError as exc:
            raise LocalFileError(f"Could not create a file in {folder}: "
                                 f"{exc.strerror or exc}.") from exc
        finally:
            self._adopt_created()

    def _adopt_created(self) -> None:
        """Take the file ``open``'s thread made, once: also when the download was cancelled
        while the thread ran (``open``'s await then never returns it), so that ``discard``
        removes it."""
        future, self._creating = self._creating, None
        if future is None:
            return
        if not future.done():
            self._creating = future  # discard waits for it, then adopts it
        elif not future.cancelled() and future.exception() is None:
            self.path, self._file = future.result()

    async def write(self, data: bytes) -> None:
        assert self._file is not None
        await self._in_thread(f"write {self.path}", self._file.write, data)

    async def finish(self) -> None:
        """Flush to disk and close: after a crash the renamed file is whole, or absent."""
        file = self._file
        assert file is not None

        def flush() -> None:
            file.flush()
            os.fsync(file.fileno())
            file.close()

        await self._in_thread(f"write {self.path}", flush)
        self._file = None

    def commit(self, final: Path, *, replace: bool) -> None:
        """Give the finished file its name. Without ``replace`` this never replaces anything:
        ``FileExistsError`` when ``final`` exists. Runs on the loop (metadata operations only)
        so that a cancellation cannot interleave with it."""
        assert self.path is not None and self._file is None
        try:
            if replace:
                os.replace(self.path, final)
            else:
                _rename_no_clobber(self.path, final)
        except FileExistsError:
            raise
        except OSError as exc:
            raise LocalFileError(f"Could not save {final}: {exc.strerror or exc}.") from exc
        self.path = None

    async def discard(self) -> None:
        """Close and remove the temporary file if it is still there (cancel, failure, skip)."""
        pending = self._pending
        try:
            if pending is not None and not pending.done():
                # A write or fsync still runs in its thread: let it end before closing.
                await asyncio.wait([pending])
        finally:
            self._adopt_created()
            file, self._file = self._file, None
            path, self.path = self.path, None
            if file is not None:
                with contextlib.suppress(OSError):
                    file.close()
            if path is not None:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    raise LocalFileError(f"Could not remove the temporary file {path}: "
                                         f"{exc.strerror or exc}.") from exc


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a thread's outcome as seen (its error is raised to the awaiting download, if any)."""
    if not future.cancelled():
        future.exception()


def _rename_no_clobber(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` unless ``target`` exists (``FileExistsError``).

    POSIX: a hard link is created atomically only if the name is free, then the temporary name
    goes. Windows' rename refuses an existing target by itself. File systems without hard
    links fall back to check-then-rename (a tiny window in which a new file could be
    replaced).
    """
    if os.name == "nt":  # pragma: no cover - Windows
        os.rename(source, target)
        return
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                             errno.EMLINK, errno.ENOSYS):
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "File exists", str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)
