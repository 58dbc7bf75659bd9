"""Local files a download writes safely: temporary files and renames that never clobber.

Qt-free and SDK-free. A download is written to ``TempFile`` (created exclusively in the final
folder, named ``TEMP_PREFIX…TEMP_SUFFIX``) and given its name only when complete and flushed;
without an agreed replace, ``rename_no_clobber`` never replaces an existing file, and
``free_local_name`` finds the first free ``"name (n).ext"``. Failures are ``LocalFileError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from vaultbrowser.core.services.errors import LocalFileError
from vaultbrowser.core.services.files.numbered_names import MAX_RENAME_ATTEMPTS, numbered_name

__all__ = [
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "TempFile",
    "free_local_name",
    "make_dirs",
    "rename_no_clobber",
]

T = TypeVar("T")

TEMP_PREFIX = ".vaultbrowser-"
TEMP_SUFFIX = ".part"


def make_dirs(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LocalFileError(f"Could not create the folder {path}: {exc.strerror or exc}.",
                             advice="A file may have the name of a folder to create; check "
                                    "the path and its permissions.") from exc


def free_local_name(path: Path, claimed: set[Path]) -> Path:
    for number in range(1, MAX_RENAME_ATTEMPTS):
        candidate = path.with_name(numbered_name(path.name, number))
        if candidate not in claimed and not os.path.lexists(candidate):
            return candidate
    raise LocalFileError(f"No free name like {numbered_name(path.name, 1)!r} was found.")


class TempFile:
    """The temporary file one download writes: created exclusively in the final folder,
    written from a worker thread one chunk at a time, renamed into place only when complete,
    and removed in every other case."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self.path: Path | None = None
        self._file: BinaryIO | None = None
        self._pending: asyncio.Future[Any] | None = None
        self._running: set[asyncio.Future[Any]] = set()  # writes at offsets run side by side
        self._creating: asyncio.Future[Any] | None = None
        self._loop = asyncio.get_running_loop()

    async def _in_thread(self, doing: str, function: Callable[..., T], *args: Any) -> T:
        # Shielded: a cancelled download stops waiting, but the thread's write or fsync runs
        # to its end, and ``discard`` waits for it before closing and removing the file.
        future = self._loop.run_in_executor(None, function, *args)
        future.add_done_callback(_retrieve)
        self._pending = future
        self._running.add(future)
        future.add_done_callback(self._running.discard)
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

    async def write_at(self, offset: int, data: bytes) -> None:
        """Write ``data`` at ``offset`` (ranges land in any order; the file grows to hold them,
        a gap reading as zeros until filled). No truncate to the final size first: measured
        on ext4, writes into the holes of a pre-sized file cost 2-3× the system CPU."""
        assert self._file is not None
        await self._in_thread(f"write {self.path}", _write_at, self._file, offset, data)

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
                rename_no_clobber(self.path, final)
        except FileExistsError:
            raise
        except OSError as exc:
            raise LocalFileError(f"Could not save {final}: {exc.strerror or exc}.") from exc
        self.path = None

    async def discard(self) -> None:
        """Close and remove the temporary file if it is still there (cancel, failure, skip)."""
        pending = self._pending
        try:
            running = [f for f in (pending, *self._running) if f is not None and not f.done()]
            if running:
                # A write or fsync still runs in its thread: let it end before closing.
                await asyncio.wait(running)
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


_SEEK_LOCK = threading.Lock()  # where there is no pwrite (Windows): seek and write as one


def _write_at(file: BinaryIO, offset: int, data: bytes) -> None:
    if not hasattr(os, "pwrite"):  # pragma: no cover - Windows
        with _SEEK_LOCK:
            file.seek(offset)
            file.write(data)
        return
    start, view = offset, memoryview(data)
    while view:
        written = os.pwrite(file.fileno(), view, offset)
        view, offset = view[written:], offset + written
    if hasattr(os, "posix_fadvise"):
        # Start writing these pages to disk now (Linux: DONTNEED starts their writeback), so
        # that ``finish``'s fsync has little left to wait for: ~20% off a 512 MiB download.
        os.posix_fadvise(file.fileno(), start, len(data), os.POSIX_FADV_DONTNEED)


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Mark a thread's outcome as seen (its error is raised to the awaiting download, if any)."""
    if not future.cancelled():
        future.exception()


def rename_no_clobber(source: Path, target: Path) -> None:
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
