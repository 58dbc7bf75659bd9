"""A blob's history: its versions (where versioning is on) and snapshots, listed, promoted to
current, and deleted, guarded.

``BlobVersions`` is a part of ``BlobService`` (``service.versions``).

The guards are on *data*, never on a call's success: a version is deleted or promoted only when
the listing this ``BlobHistory`` holds really returned that version id. Emulators that do not
implement versioning (Azurite) accept ``?versionid=`` and ignore it, so a delete "by version id"
there deletes the live blob; with no version ids listed, nothing is ever sent by version id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.convert import blob_record
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import check_blob_name, validate_container_name
from vaultbrowser.core.services.errors import Conflict, InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import ResponseInfo, Result
from vaultbrowser.core.services.translate import translated

__all__ = ["BlobHistory", "BlobVersions"]

# Small pages: the listing is by prefix, and a blob "a" shares it with "a/…", "a.bak"…, which
# come after a's own entries; a page of 5000 neighbours costs seconds to send and parse.
HISTORY_PAGE_SIZE = 250
# Pages of one blob's history at most: a bound, not an expectation.
MAX_HISTORY_PAGES = 200


@dataclass(frozen=True, slots=True)
class BlobHistory:
    """One blob's entries from one listing (``include=snapshots,versions``).

    ``current`` is the live blob (None when only older versions remain); ``snapshots`` and
    ``versions`` are oldest first (sorted here: emulators list them in varying orders);
    ``versions`` holds no current version and is empty when versioning is off or unsupported.
    """

    container: str
    name: str
    current: BlobRecord | None
    snapshots: tuple[BlobRecord, ...]
    versions: tuple[BlobRecord, ...]
    response: ResponseInfo | None = None
    complete: bool = True  # False: MAX_HISTORY_PAGES were read and more entries follow

    @property
    def has_versions(self) -> bool:
        """Whether the listing returned version ids (versioning is on for this blob)."""
        return bool(self.versions) or bool(self.current and self.current.version_id)

    def entries(self) -> tuple[BlobRecord, ...]:
        """Snapshots, then previous versions, each oldest first."""
        return self.snapshots + self.versions

    def listed_snapshot(self, snapshot: str) -> BlobRecord | None:
        return next((s for s in self.snapshots if s.snapshot == snapshot), None)

    def listed_version(self, version_id: str) -> BlobRecord | None:
        return next((v for v in self.versions if v.version_id == version_id), None)


def _history(container: str, name: str, listed: list[BlobRecord],
             response: ResponseInfo | None, complete: bool) -> BlobHistory:
    current: BlobRecord | None = None
    snapshots: list[BlobRecord] = []
    versions: list[BlobRecord] = []
    for record in listed:
        if record.snapshot:
            snapshots.append(record)
        elif record.version_id and not record.is_current_version:
            versions.append(record)  # the service marks only the current one ("true")
        elif not record.deleted:
            current = record
    # Snapshot and version ids are ISO 8601 UTC times of one width: they sort as text.
    snapshots.sort(key=lambda r: r.snapshot or "")
    versions.sort(key=lambda r: r.version_id or "")
    return BlobHistory(container, name, current, tuple(snapshots), tuple(versions), response,
                       complete)


class BlobVersions:
    """Versions and snapshots of ``BlobService``."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

    copy_poll_seconds: float = 1.0
    copy_poll_limit: int = 60

    async def list_history(self, container: str, name: str) -> BlobHistory:
        """The blob's current entry, snapshots and previous versions: List Blobs with the
        blob's name as prefix (``include=snapshots,versions,metadata``), keeping only entries
        with exactly that name. The listing is in name order, so paging (``HISTORY_PAGE_SIZE``
        entries a page) stops at the first longer name; at most ``MAX_HISTORY_PAGES`` pages.

        Raises:
            InvalidInput: a bad name (nothing sent).
            NotFound: no such container.
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        client = self._account.client.get_container_client(container)

        def make_pager(hooks: dict[str, Any]) -> Any:
            return client.list_blobs(name_starts_with=name,
                                     include=["snapshots", "versions", "metadata"],
                                     results_per_page=HISTORY_PAGE_SIZE, **hooks)

        listed: list[BlobRecord] = []
        first: ResponseInfo | None = None
        token: str | None = None
        complete = False
        for _ in range(MAX_HISTORY_PAGES):
            page = await fetch_page(make_pager, token,
                                    lambda item: blob_record(item, container))
            first = first or page.response
            listed.extend(r for r in page.items if r.name == name)
            passed = any(r.name > name for r in page.items)
            token = page.next_token
            if passed or not token:
                complete = True
                break
        return _history(container, name, listed, first, complete)

    async def create_snapshot(self, container: str, name: str) -> Result[BlobRecord]:
        """Take a read-only snapshot of the blob; the Result holds the snapshot's properties
        and the Snapshot Blob response.

        Raises:
            InvalidInput: a bad name (nothing sent).
            NotFound: no such blob.
            Conflict: the blob is archived (``BlobArchived``) or leased.
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        blob = self._account.client.get_blob_client(container, name)
        capture = ResponseCapture()
        async with translated():
            made = await blob.create_snapshot(**capture.hooks)
        response = capture.take()
        snapshot = str(made["snapshot"])
        record = await self._account.get_blob_properties(container, name, snapshot=snapshot)
        return Result(record.value, response)

    async def promote(self, history: BlobHistory, entry: BlobRecord) -> Result[BlobRecord]:
        """Make ``entry`` (a snapshot or previous version of ``history``) the current blob:
        a server-side copy from its URL onto the base blob, conditional on the base's ETag as
        listed (or on there being no base, when only versions remain), so a blob changed since
        the listing is not overwritten. Polls a pending copy for up to ``copy_poll_limit``
        seconds. The Result holds the base blob afterwards and the Copy Blob response.

        Raises:
            InvalidInput: ``entry`` is not a snapshot or version this listing returned
                (nothing sent).
            Conflict: the base blob changed since the listing (``ConditionNotMet``), or the
                entry is archived (``BlobArchived``: rehydrate it first).
            NotFound: the entry is gone.
        """
        from azure.core import MatchConditions  # azure-core loads after the first paint

        container, name = history.container, history.name
        source = self._source_url(history, entry)
        base = self._account.client.get_blob_client(container, name)
        if history.current is not None and history.current.etag:
            condition: dict[str, Any] = {"etag": history.current.etag,
                                         "match_condition": MatchConditions.IfNotModified}
        else:
            condition = {"match_condition": MatchConditions.IfMissing}
        capture = ResponseCapture()
        try:
            async with translated():
                copy = await base.start_copy_from_url(source, **condition, **capture.hooks)
        except Conflict as exc:
            if (exc.error_code or "").lower() in ("conditionnotmet", "blobalreadyexists"):
                exc.advice = ("The blob changed since its history was listed: refresh the "
                              "list and look again before promoting.")
            raise
        response = capture.take()
        status = str(copy.get("copy_status") or "")
        record = await self._account.get_blob_properties(container, name)
        polls = 0
        while status == "pending" and polls < self.copy_poll_limit:
            await asyncio.sleep(self.copy_poll_seconds)
            polls += 1
            record = await self._account.get_blob_properties(container, name)
            status = record.value.copy_status or ""
        return Result(record.value, response)

    async def read_entry_head(self, history: BlobHistory, entry: BlobRecord,
                              length: int) -> Result[bytes]:
        """At most ``length`` first bytes of a listed snapshot or previous version (one GET;
        for a preview). Snapshots and versions never change, so an empty one is read whole
        (a range on it would be unsatisfiable).

        Raises:
            InvalidInput: ``entry`` was not listed, or ``length`` is not positive.
            Conflict: it is archived (``BlobArchived``).
        """
        if length <= 0:
            raise InvalidInput(f"A preview reads a positive number of bytes (asked {length}).")
        client = self._entry_client(history, entry)
        ranged: dict[str, Any] = {"offset": 0, "length": length} if entry.size else {}
        capture = ResponseCapture()
        async with translated():
            downloader = await client.download_blob(max_concurrency=1, decompress=False,
                                                    **ranged, **capture.hooks)
            data = await downloader.readall()
        return Result(bytes(data[:length]), capture.take())

    async def download_entry(self, history: BlobHistory, entry: BlobRecord,
                             write: Callable[[bytes], Any],
                             download: Callable[..., Awaitable[Result[int]]]) -> Result[int]:
        """Stream a listed snapshot's or previous version's bytes to ``write`` through
        ``download`` (the service's ``download_blob``, which reads in bounded ranges).

        Raises:
            InvalidInput: ``entry`` was not listed (nothing sent).
        """
        self._entry_client(history, entry)  # the listing guard
        if entry.snapshot:
            return await download(history.container, history.name, write,
                                  snapshot=entry.snapshot)
        return await download(history.container, history.name, write,
                              version_id=entry.version_id)

    async def delete_snapshot(self, history: BlobHistory, snapshot: str) -> Result[None]:
        """Delete one snapshot of ``history`` (only one this listing returned).

        Raises:
            InvalidInput: ``snapshot`` was not listed (nothing sent).
            NotFound: it is already gone.
        """
        if not snapshot or history.listed_snapshot(snapshot) is None:
            raise InvalidInput(f"{history.name} has no listed snapshot {snapshot!r}.",
                               advice="Refresh its versions and snapshots and choose again.")
        blob = self._account.client.get_blob_client(history.container, history.name,
                                                    snapshot=snapshot)
        capture = ResponseCapture()
        async with translated():
            await blob.delete_blob(**capture.hooks)
        return Result(None, capture.take())

    async def delete_version(self, history: BlobHistory, version_id: str) -> Result[None]:
        """Delete one previous version of ``history``: only a version id this listing returned,
        never the current version (that is deleting the blob).

        Raises:
            InvalidInput: the listing returned no such previous version, or none at all
                (versioning off or unsupported); nothing sent.
            NotFound: it is already gone.
        """
        if not version_id or history.listed_version(version_id) is None:
            raise InvalidInput(
                f"{history.name} has no listed previous version {version_id!r}.",
                advice="Only versions the service listed can be deleted; the current version "
                       "is the blob itself (use Delete). Without versioning there are none.")
        blob = self._account.client.get_blob_client(history.container, history.name)
        capture = ResponseCapture()
        async with translated():
            await blob.delete_blob(version_id=version_id, **capture.hooks)
        return Result(None, capture.take())

    def _entry_client(self, history: BlobHistory, entry: BlobRecord) -> Any:
        """A client addressing ``entry``: only a snapshot or previous version listed in
        ``history``; anything else is ``InvalidInput``."""
        client = self._account.client
        if entry.snapshot and history.listed_snapshot(entry.snapshot) == entry:
            return client.get_blob_client(history.container, history.name,
                                          snapshot=entry.snapshot)
        if entry.version_id and history.listed_version(entry.version_id) == entry:
            return client.get_blob_client(history.container, history.name,
                                          version_id=entry.version_id)
        raise InvalidInput(f"{entry.name} is not a snapshot or previous version listed for "
                           f"{history.name}.",
                           advice="Refresh its versions and snapshots and choose again.")

    def _source_url(self, history: BlobHistory, entry: BlobRecord) -> str:
        """The URL to copy ``entry`` from (with the client's SAS, if it has one). The SDK's
        ``BlobClient.url`` carries a snapshot but drops a version id: that would copy the
        current blob onto itself, so the version id is added here."""
        source = self._entry_client(history, entry)
        url = str(source.url)
        if entry.snapshot:
            return url
        joiner = "&" if "?" in url else "?"
        return f"{url}{joiner}versionid={quote(entry.version_id or '', safe='')}"
