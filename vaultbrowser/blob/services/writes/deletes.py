"""Blob deletes: exactly one name per request, multi-blob deletes, soft delete and undelete.

``BlobDeletes`` is a part of ``BlobService`` (``service.deletes``). A name ending in "/"
is one blob, never a folder; a folder delete is a list of exact names the caller has seen
(``list_folder_contents``), each delete conditional on the listed ETag.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.convert import blob_record
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import (
    MAX_PAGE_SIZE,
    check_blob_name,
    check_page_size,
    validate_container_name,
)
from vaultbrowser.core.services.errors import (
    Cancelled,
    Conflict,
    InvalidInput,
    ServiceError,
    VaultBrowserError,
)
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page, Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.core.services.workers import run_workers

__all__ = ["BlobDeletes", "DeleteReport"]


@dataclass(frozen=True, slots=True)
class DeleteReport:
    """What a multi-blob delete did: ``deleted`` names, ``failed`` (name, typed error) pairs,
    and whether it was cancelled (names neither deleted nor failed were not attempted)."""

    deleted: tuple[str, ...]
    failed: tuple[tuple[str, VaultBrowserError], ...]
    cancelled: bool = False


class BlobDeletes:
    """Deletes and undeletes of ``BlobService``."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

    delete_concurrency: int = 8

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
        from azure.core import MatchConditions  # azure-core loads after the first paint

        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        blob = self._account.client.get_blob_client(container, name)
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

    async def list_folder_contents(self, container: str, prefix: str, *,
                                   page_size: int = MAX_PAGE_SIZE) -> list[BlobRecord]:
        """Every blob whose name starts with ``prefix`` (a folder: it ends with "/"), at any
        depth, all pages (of ``page_size``), in name order: exactly what a folder delete will
        remove.

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
        blobs: list[BlobRecord] = []
        token: str | None = None
        while True:
            page = await self._account.list_blobs_flat(container, prefix, page_size=page_size,
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
        check_page_size(page_size)
        validate_container_name(container, allow_special=True)
        container_client = self._account.client.get_container_client(container)

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
        blob = self._account.client.get_blob_client(container, name)
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


def _consume_cancellation() -> bool:
    """The current task was cancelled and we return a report instead: say it was handled."""
    task = asyncio.current_task()
    if task is not None:
        task.uncancel()
    return True
