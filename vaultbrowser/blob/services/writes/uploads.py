"""Blob uploads: one conditional Put Blob, or blocks and one conditional Put Block List.

``BlobUploads`` is a part of ``BlobService`` (``service.uploads``). An upload never
replaces a blob unless asked: the service itself checks, with ``If-None-Match: *``. The local
file is read at offsets in worker threads; its errors are ``LocalFileError``.
"""

from __future__ import annotations

import asyncio
import base64
import os
import stat
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, ContentSettings

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.convert import utc
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import (
    check_blob_name,
    guess_content_type,
    validate_container_name,
)
from vaultbrowser.core.services.errors import Conflict, LocalFileError, NotFound
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.records import Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.core.services.workers import run_workers

__all__ = ["BlobUploads", "Progress"]


Progress = Callable[[int, int], None]


class _SourceFile:
    """A local file read at offsets from worker threads (positional reads need no shared seek)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._lock = threading.Lock()
        try:
            info = os.fstat(self._file.fileno())
        except OSError:
            self._file.close()
            raise
        if not stat.S_ISREG(info.st_mode):
            self._file.close()
            raise IsADirectoryError(f"{path} is not a regular file")
        self.size = info.st_size

    def read(self, offset: int, length: int) -> bytes:
        if hasattr(os, "pread"):
            data = os.pread(self._file.fileno(), length, offset)
            # pread may return less than asked on some file systems: finish the range.
            while 0 < len(data) < length:
                more = os.pread(self._file.fileno(), length - len(data), offset + len(data))
                if not more:
                    break
                data += more
        else:  # pragma: no cover - Windows
            with self._lock:
                self._file.seek(offset)
                data = self._file.read(length)
        if len(data) != length:
            raise OSError(f"{self.path} changed while it was being uploaded (it is shorter)")
        return data

    def close(self) -> None:
        self._file.close()


def _local_error(exc: OSError, path: Path, doing: str) -> LocalFileError:
    reason = exc.strerror or str(exc)
    return LocalFileError(f"Could not {doing} {path}: {reason}.")


def _content_md5(value: Any) -> str | None:
    if isinstance(value, bytes | bytearray) and value:
        return base64.b64encode(bytes(value)).decode("ascii")
    return str(value) if value else None


class BlobUploads:
    """Uploads of ``BlobService``.

    Upload tuning (class attributes; assign on an instance to change one service):
    ``single_put_limit`` (files up to this size go in one conditional Put Blob),
    ``upload_block_size`` (bytes per Put Block above it) and ``upload_concurrency`` (blocks in
    flight per file). Each block in flight is held in memory once.
    """

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

    single_put_limit: int = 8 * 1024 * 1024
    upload_block_size: int = 8 * 1024 * 1024
    upload_concurrency: int = 4

    async def blob_exists(self, container: str, name: str) -> bool:
        """Whether a blob of that name exists now (one HEAD). Informational only: never a
        guard against overwriting (the conditional upload is)."""
        check_blob_name(name)
        blob = self._account.client.get_blob_client(container, name)
        try:
            with expecting(404):  # "does it exist?": a 404 is an answer, not a failure
                async with translated():
                    await blob.get_blob_properties()
        except NotFound as exc:
            if (exc.error_code or "").lower() == "containernotfound":
                raise
            return False
        return True

    async def upload_file(
        self,
        container: str,
        blob_name: str,
        source: Path,
        *,
        overwrite: bool = False,
        content_type: str | None = None,
        progress: Progress | None = None,
    ) -> Result[BlobRecord]:
        """Upload a local file as a block blob.

        Without ``overwrite`` the write is conditional (``If-None-Match: *``): the service
        refuses it when the blob exists, so an existing blob is never replaced, even by a blob
        created a moment before. Files up to ``single_put_limit`` go in one Put Blob; larger
        ones in blocks of ``upload_block_size`` (``upload_concurrency`` at a time, read from
        disk in worker threads) committed by one conditional Put Block List. Before staging a
        large file a HEAD checks whether the blob exists, only to spare a long upload that
        would then be refused; the conditional commit is what decides. Blocks staged by a
        refused, failed or cancelled upload stay uncommitted (invisible; the service discards
        them within a week). ``progress(sent, total)`` runs on the loop after each block.
        ``content_type`` defaults to a guess from the blob name.

        Raises:
            InvalidInput: a bad container or blob name (nothing sent).
            LocalFileError: the source cannot be read (or shrank while being read).
            Conflict: the blob exists (``error_code`` "BlobAlreadyExists") and ``overwrite`` is
                false; nothing was changed.
            VaultBrowserError: any other typed error.
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(blob_name)
        source = Path(source)
        content_settings = ContentSettings(content_type=content_type
                                           or guess_content_type(blob_name))
        loop = asyncio.get_running_loop()
        try:
            file = await loop.run_in_executor(None, _SourceFile, source)
        except OSError as exc:
            raise _local_error(exc, source, "read") from exc
        try:
            if file.size <= self.single_put_limit:
                headers, response = await self._put_whole(
                    container, blob_name, file, content_settings, overwrite)
            else:
                headers, response = await self._put_blocks(
                    container, blob_name, file, content_settings, overwrite, progress)
        finally:
            file.close()
        if progress is not None and file.size <= self.single_put_limit:
            progress(file.size, file.size)
        record = BlobRecord(
            container=container,
            name=blob_name,
            size=file.size,
            content_type=content_settings.content_type,
            blob_type="BlockBlob",
            last_modified=utc(headers.get("last_modified")),
            etag=headers.get("etag"),
            content_md5=_content_md5(headers.get("content_md5")),
            version_id=headers.get("version_id"),
            server_encrypted=headers.get("request_server_encrypted"),
        )
        return Result(record, response)

    async def _put_whole(self, container: str, name: str, file: _SourceFile,
                         content_settings: ContentSettings,
                         overwrite: bool) -> tuple[dict[str, Any], Any]:
        loop = asyncio.get_running_loop()
        try:
            data = await loop.run_in_executor(None, file.read, 0, file.size)
        except OSError as exc:
            raise _local_error(exc, file.path, "read") from exc
        blob = self._account.client.get_blob_client(container, name)
        conditions = _write_conditions(overwrite)
        capture = ResponseCapture()
        async with translated():
            headers = await blob.upload_blob(
                data, blob_type="BlockBlob", length=len(data), overwrite=overwrite,
                content_settings=content_settings, max_concurrency=1,
                **conditions, **capture.hooks,
            )
        return headers, capture.take()

    async def _put_blocks(self, container: str, name: str, file: _SourceFile,
                          content_settings: ContentSettings, overwrite: bool,
                          progress: Progress | None) -> tuple[dict[str, Any], Any]:
        if not overwrite and await self.blob_exists(container, name):
            raise _blob_exists_error(container, name)
        blob = self._account.client.get_blob_client(container, name)
        loop = asyncio.get_running_loop()
        size, block_size = file.size, self.upload_block_size
        count = -(-size // block_size)
        # Block ids unique to this upload: two uploads of one name never mix their blocks.
        run_id = uuid.uuid4().hex
        block_ids = [base64.b64encode(f"{run_id}-{index:08d}".encode()).decode("ascii")
                     for index in range(count)]
        pending = iter(range(count))
        sent = 0

        async def stage() -> None:
            nonlocal sent
            for index in pending:
                offset = index * block_size
                length = min(block_size, size - offset)
                try:
                    data = await loop.run_in_executor(None, file.read, offset, length)
                except OSError as exc:
                    raise _local_error(exc, file.path, "read") from exc
                async with translated():
                    await blob.stage_block(block_ids[index], data, length=length)
                sent += length
                if progress is not None:
                    progress(sent, size)

        await run_workers(stage, min(self.upload_concurrency, count))
        capture = ResponseCapture()
        async with translated():
            headers = await blob.commit_block_list(
                [BlobBlock(block_id=block_id) for block_id in block_ids],
                content_settings=content_settings, **_write_conditions(overwrite),
                **capture.hooks,
            )
        return headers, capture.take()


def _write_conditions(overwrite: bool) -> dict[str, Any]:
    """``If-None-Match: *`` unless the caller agreed to replace an existing blob."""
    return {} if overwrite else {"match_condition": MatchConditions.IfMissing}


def _blob_exists_error(container: str, name: str) -> Conflict:
    return Conflict(
        f"A blob named {name!r} already exists in {container}.",
        error_code="BlobAlreadyExists",
        advice="Choose to overwrite, skip or rename.",
    )
