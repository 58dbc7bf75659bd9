"""Blob Storage writes: containers, uploads, deletes, metadata and tags, URLs and SAS.

``BlobWrites`` is a mixin of ``BlobService`` (it uses the service's ``_client``, ``account_url``
and its read methods). Every method validates its input before any request (``InvalidInput``),
wraps SDK calls in ``translated()`` and captures the response of the call that produced its
``Result``. Nothing here is silent about data: uploads never replace a blob unless asked
(the service itself checks, with ``If-None-Match: *``), deletes address exactly one name each,
and a folder delete is a list of exact names the caller has seen.
"""

from __future__ import annotations

import asyncio
import base64
import os
import stat
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import quote

from azure.core import MatchConditions
from azure.storage.blob import BlobBlock, ContentSettings

from vaultbrowser.errors import (
    Cancelled,
    Conflict,
    InvalidInput,
    LocalFileError,
    NotFound,
    ServiceError,
    VaultBrowserError,
)
from vaultbrowser.services.blob_convert import blob_record, frozen_map, utc
from vaultbrowser.services.blob_rules import (
    MAX_BLOB_NAME_LENGTH,
    PUBLIC_ACCESS_LEVELS,
    check_blob_name,
    guess_content_type,
    validate_container_name,
    validate_metadata,
    validate_tags,
)
from vaultbrowser.services.http import ResponseCapture
from vaultbrowser.services.paging import fetch_page
from vaultbrowser.services.records import (
    BlobRecord,
    ContainerRecord,
    Page,
    Result,
    SecretValue,
)
from vaultbrowser.services.translate import translated
from vaultbrowser.services.workers import run_workers

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobServiceClient

__all__ = [
    "MAX_BLOB_NAME_LENGTH",
    "BlobWrites",
    "DeleteReport",
    "check_blob_name",
    "guess_content_type",
    "run_workers",
    "validate_container_name",
    "validate_metadata",
    "validate_tags",
]


Progress = Callable[[int, int], None]


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeleteReport:
    """What a multi-blob delete did: ``deleted`` names, ``failed`` (name, typed error) pairs,
    and whether it was cancelled (names neither deleted nor failed were not attempted)."""

    deleted: tuple[str, ...]
    failed: tuple[tuple[str, VaultBrowserError], ...]
    cancelled: bool = False


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


# --- the mixin -------------------------------------------------------------------------------


class BlobWrites:
    """Write operations of ``BlobService``.

    Upload tuning (class attributes; assign on an instance to change one service):
    ``single_put_limit`` (files up to this size go in one conditional Put Blob),
    ``upload_block_size`` (bytes per Put Block above it) and ``upload_concurrency`` (blocks in
    flight per file). Each block in flight is held in memory once.
    """

    single_put_limit: int = 8 * 1024 * 1024
    upload_block_size: int = 8 * 1024 * 1024
    upload_concurrency: int = 4
    delete_concurrency: int = 8

    if TYPE_CHECKING:  # provided by BlobService
        _client: BlobServiceClient
        account_url: str

        async def get_blob_properties(self, container: str, name: str, *,
                                      snapshot: str | None = None,
                                      version_id: str | None = None) -> Result[BlobRecord]: ...

        async def get_container_properties(self, container: str) -> Result[ContainerRecord]: ...

        async def list_blobs_flat(self, container: str, prefix: str = "", *, page_size: int,
                                  continuation: str | None = None) -> Page[BlobRecord]: ...

    # --- containers -------------------------------------------------------------------------

    async def create_container(
        self,
        name: str,
        *,
        public_access: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Result[ContainerRecord]:
        """Create a container; never touches an existing one.

        Raises:
            InvalidInput: the name, ``public_access`` (None, "blob", "container") or metadata
                is not valid; nothing was sent.
            Conflict: a container with this name exists (``ContainerAlreadyExists``) or is
                being deleted (``ContainerBeingDeleted``).
            VaultBrowserError: any other typed error (e.g. ``PublicAccessNotPermitted``).
        """
        validate_container_name(name)
        if public_access not in PUBLIC_ACCESS_LEVELS:
            raise InvalidInput(f"Public access must be private, 'blob' or 'container' "
                               f"(got {public_access!r}).")
        checked = validate_metadata(metadata or {})
        capture = ResponseCapture()
        async with translated():
            headers = await self._client.get_container_client(name).create_container(
                metadata=checked or None, public_access=public_access, **capture.hooks
            )
        record = ContainerRecord(
            account_url=self.account_url,
            name=name,
            last_modified=utc(headers.get("last_modified")),
            etag=headers.get("etag"),
            public_access=public_access,
            metadata=frozen_map(checked),
        )
        return Result(record, capture.take())

    async def delete_container(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a container and every blob in it, once the user has typed its name.

        Raises:
            InvalidInput: ``typed_name`` is not exactly ``name`` (nothing was sent), or the
                name is not a valid container name.
            NotFound: no such container.
            VaultBrowserError: any other typed error (e.g. a lease: ``LeaseIdMissing``).
        """
        validate_container_name(name, allow_special=True)
        if typed_name != name:
            raise InvalidInput(
                f"To delete the container, type its name exactly: {name}.",
                advice="Deleting a container deletes every blob in it; the name you type "
                       "confirms which one.")
        capture = ResponseCapture()
        async with translated():
            await self._client.get_container_client(name).delete_container(**capture.hooks)
        return Result(None, capture.take())

    async def set_container_metadata(
        self, container: str, metadata: Mapping[str, str]
    ) -> Result[ContainerRecord]:
        """Replace the container's metadata; the Result holds the container as it is now.

        Raises:
            InvalidInput: invalid metadata or container name (nothing sent).
            NotFound: no such container.
        """
        validate_container_name(container, allow_special=True)
        checked = validate_metadata(metadata)
        capture = ResponseCapture()
        async with translated():
            await self._client.get_container_client(container).set_container_metadata(
                metadata=checked, **capture.hooks
            )
        response = capture.take()
        current = await self.get_container_properties(container)
        return Result(current.value, response)

    # --- upload -----------------------------------------------------------------------------

    async def blob_exists(self, container: str, name: str) -> bool:
        """Whether a blob of that name exists now (one HEAD). Informational only: never a
        guard against overwriting (the conditional upload is)."""
        check_blob_name(name)
        blob = self._client.get_blob_client(container, name)
        try:
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
        blob = self._client.get_blob_client(container, name)
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
        blob = self._client.get_blob_client(container, name)
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

    # --- delete -----------------------------------------------------------------------------

    async def delete_blob(
        self,
        container: str,
        name: str,
        *,
        include_snapshots: bool = False,
        etag: str | None = None,
    ) -> Result[None]:
        """Delete exactly the blob named ``name`` (a name ending in "/" is one blob too, never
        a folder). With ``etag``, only if it is still that version (``If-Match``).

        Raises:
            InvalidInput: a bad name (nothing sent).
            NotFound: no such blob or container.
            Conflict: the blob has snapshots and ``include_snapshots`` is false
                (``SnapshotsPresent``), or it changed since ``etag`` (``ConditionNotMet``).
            VaultBrowserError: any other typed error.
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        blob = self._client.get_blob_client(container, name)
        conditions: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {}
        )
        capture = ResponseCapture()
        try:
            async with translated():
                await blob.delete_blob(
                    delete_snapshots="include" if include_snapshots else None,
                    **conditions, **capture.hooks,
                )
        except Conflict as exc:
            if (exc.error_code or "").lower() == "snapshotspresent":
                exc.advice = "The blob has snapshots: delete it together with its snapshots."
            raise
        return Result(None, capture.take())

    async def list_folder_contents(self, container: str, prefix: str) -> list[BlobRecord]:
        """Every blob whose name starts with ``prefix`` (a folder: it ends with "/"), at any
        depth, all pages, in name order: exactly what a folder delete will remove.

        A blob named exactly ``prefix`` (a folder marker such as ``master/``) is included;
        ``master`` and ``master-2/…`` are not.

        Raises:
            InvalidInput: ``prefix`` is empty or does not end with "/".
            NotFound: no such container.
            ServiceError: the service listed a name outside the prefix (never trusted).
        """
        if not prefix or not prefix.endswith("/"):
            raise InvalidInput(
                f"A folder prefix must end with '/' (got {prefix!r}).",
                advice="Select a folder; to empty a whole container, delete the container.")
        from vaultbrowser.services.blob_listing import MAX_PAGE_SIZE

        blobs: list[BlobRecord] = []
        token: str | None = None
        while True:
            page = await self.list_blobs_flat(container, prefix, page_size=MAX_PAGE_SIZE,
                                              continuation=token)
            blobs.extend(page.items)
            token = page.next_token
            if not token:
                break
        stray = [blob.name for blob in blobs if not blob.name.startswith(prefix)]
        if stray:
            raise ServiceError(
                f"The listing of {prefix!r} returned {len(stray)} blob(s) outside it (e.g. "
                f"{stray[0]!r}); nothing will be deleted from it.")
        return blobs

    async def delete_blobs(
        self,
        container: str,
        names: Iterable[str | BlobRecord],
        *,
        include_snapshots: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> DeleteReport:
        """Delete exactly these blobs, one Delete Blob per name (``delete_concurrency`` at a
        time); a failure is reported for its name and the others go on.

        Pass the ``BlobRecord``s of ``list_folder_contents`` to delete what the user was
        shown: each delete is then conditional on the listed ETag, and a blob changed since
        the listing is reported as a ``Conflict`` instead of being deleted. Names that cannot
        be addressed fail with ``InvalidInput`` without a request. ``on_progress(done, total)``
        runs after each name. Cancelling the task stops starting new deletes and returns the
        report so far with ``cancelled`` set (the task's cancellation is consumed).
        """
        validate_container_name(container, allow_special=True)
        targets = [(item, None) if isinstance(item, str) else (item.name, item.etag)
                   for item in names]
        total = len(targets)
        deleted: list[str] = []
        failed: list[tuple[str, VaultBrowserError]] = []
        pending = iter(targets)

        async def work() -> None:
            for name, etag in pending:
                try:
                    await self.delete_blob(container, name, include_snapshots=include_snapshots,
                                           etag=etag)
                except Cancelled:
                    raise
                except VaultBrowserError as exc:
                    failed.append((name, exc))
                else:
                    deleted.append(name)
                if on_progress is not None:
                    on_progress(len(deleted) + len(failed), total)

        cancelled = False
        try:
            await run_workers(work, min(self.delete_concurrency, total))
        except asyncio.CancelledError:
            cancelled = _consume_cancellation()
        return DeleteReport(tuple(deleted), tuple(failed), cancelled)

    # --- soft delete ------------------------------------------------------------------------

    async def list_deleted_blobs(
        self,
        container: str,
        prefix: str | None = None,
        *,
        page_size: int,
        continuation: str | None = None,
    ) -> Page[BlobRecord]:
        """One page of soft-deleted blobs (``include=deleted``), records with ``deleted`` set.

        Only deleted blobs are returned, so a page may hold fewer than ``page_size`` items
        (even none) while ``next_token`` still says more follow.

        Raises:
            InvalidInput: ``page_size`` outside 1..5000.
            NotFound: no such container.
        """
        from vaultbrowser.services.blob import _check_page_size

        _check_page_size(page_size)
        validate_container_name(container, allow_special=True)
        container_client = self._client.get_container_client(container)

        def make_pager(hooks: dict[str, Any]) -> Any:
            return container_client.list_blobs(
                name_starts_with=prefix or None, include=["deleted", "metadata"],
                results_per_page=page_size, **hooks,
            )

        page = await fetch_page(make_pager, continuation,
                                lambda item: blob_record(item, container))
        return Page(tuple(item for item in page.items if item.deleted), page.next_token,
                    page.response)

    async def undelete_blob(self, container: str, name: str) -> Result[None]:
        """Restore a soft-deleted blob (and its soft-deleted snapshots).

        Raises:
            InvalidInput: a bad name (nothing sent).
            NotFound: nothing to restore.
            ServiceError: the service does not implement undelete (Azurite: HTTP 501).
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        blob = self._client.get_blob_client(container, name)
        capture = ResponseCapture()
        try:
            async with translated():
                await blob.undelete_blob(**capture.hooks)
        except VaultBrowserError as exc:
            if exc.status == 501:
                raise ServiceError(
                    "This storage service does not support undeleting blobs.",
                    advice="Soft delete needs Azure Storage with blob soft delete enabled "
                           "(the Azurite emulator does not implement it).",
                    status=exc.status, error_code=exc.error_code, request_id=exc.request_id,
                    service_message=exc.service_message, method=exc.method, url=exc.url,
                ) from exc
            raise
        return Result(None, capture.take())

    # --- metadata and tags ------------------------------------------------------------------

    async def set_blob_metadata(
        self,
        container: str,
        name: str,
        metadata: Mapping[str, str],
        *,
        etag: str | None = None,
    ) -> Result[BlobRecord]:
        """Replace the blob's metadata (``etag``: only if unchanged). The Result holds the blob
        as it is now (a second request) and the Set Blob Metadata response.

        Raises:
            InvalidInput: invalid metadata or name (nothing sent).
            NotFound: no such blob.
            Conflict: the blob changed since ``etag``.
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        checked = validate_metadata(metadata)
        blob = self._client.get_blob_client(container, name)
        conditions: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {}
        )
        capture = ResponseCapture()
        async with translated():
            await blob.set_blob_metadata(checked, **conditions, **capture.hooks)
        response = capture.take()
        current = await self.get_blob_properties(container, name)
        return Result(current.value, response)

    async def set_blob_tags(
        self, container: str, name: str, tags: Mapping[str, str]
    ) -> Result[dict[str, str]]:
        """Replace the blob's index tags (an empty mapping removes them all).

        Raises:
            InvalidInput: invalid tags or name (nothing sent).
            NotFound: no such blob.
            AccessDenied: the credential may not write tags.
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        checked = validate_tags(tags)
        blob = self._client.get_blob_client(container, name)
        capture = ResponseCapture()
        async with translated():
            await blob.set_blob_tags(checked, **capture.hooks)
        return Result(dict(checked), capture.take())

    # --- URLs -------------------------------------------------------------------------------

    def blob_url(self, container: str, name: str) -> str:
        """The blob's URL, quoted as the SDK addresses it, without any credential."""
        return f"{self.account_url}/{quote(container)}/{quote(name, safe='~/')}"

    async def generate_sas_url(
        self,
        container: str,
        name: str | None,
        *,
        permissions: str,
        expires_on: datetime,
        starts_on: datetime | None = None,
    ) -> Result[SecretValue]:
        """A SAS URL for a blob (``name``) or the container (``name`` None); see ``sas``.

        Raises:
            InvalidInput: bad names, permissions or times, or a connection that can sign
                neither with an account key nor with Entra ID (e.g. a SAS connection).
            VaultBrowserError: the typed error of the user delegation key request.
        """
        from vaultbrowser.services.sas import generate_sas_url

        validate_container_name(container, allow_special=True)
        if name is not None:
            check_blob_name(name)
        url = (self.blob_url(container, name) if name is not None
               else f"{self.account_url}/{quote(container)}")
        return await generate_sas_url(
            self._client, url, container, name, permissions=permissions,
            expires_on=expires_on, starts_on=starts_on,
        )


def _write_conditions(overwrite: bool) -> dict[str, Any]:
    """``If-None-Match: *`` unless the caller agreed to replace an existing blob."""
    return {} if overwrite else {"match_condition": MatchConditions.IfMissing}


def _blob_exists_error(container: str, name: str) -> Conflict:
    return Conflict(
        f"A blob named {name!r} already exists in {container}.",
        error_code="BlobAlreadyExists",
        advice="Choose to overwrite, skip or rename.",
    )


def _consume_cancellation() -> bool:
    """The current task was cancelled and we return a report instead: say it was handled."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
    return True

