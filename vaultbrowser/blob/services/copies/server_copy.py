"""One blob copied server-side (Copy Blob from a URL), and a copy checked before a move
deletes its source.

The destination account's service reads the source itself, so the source URL must be
readable by it: a short-lived read-only SAS signed by the source's connection (account key:
one SAS per blob, no request; Entra ID: a user delegation SAS for the container, signed once
per run), or, within one account when the connection cannot sign (a SAS connection), the plain
URL the service authorises as the request. The copy is conditional: on the source's ETag seen
when it started (a source changed meanwhile fails with 412, nothing copied) and on the
destination (absent, or the version seen when overwriting), so nothing is overwritten
silently. A copy the service runs asynchronously (``pending``) is polled until it ends; a
cancel aborts it. The SAS never leaves this module except inside the request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.copies.targets import ConflictPolicy, keep_both_names
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.sas import generate_sas_url
from vaultbrowser.core.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.services.redaction import redact_text
from vaultbrowser.core.services.translate import translated

__all__ = ["CopiedBlob", "ServerCopy", "same_etag"]

SAS_LIFETIME = timedelta(hours=2)  # long enough for a large asynchronous copy to read it
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True, slots=True)
class CopiedBlob:
    """One copy's outcome: the source as it was copied (its ETag, size and MD5), where it
    went, whether it was skipped (the destination existed and the policy said skip)."""

    source: BlobRecord
    destination: str
    skipped: bool = False
    response: ResponseInfo | None = None


class ServerCopy:
    """Copies from ``source``'s account into ``target``'s (the same account or another).

    ``poll_interval`` is the first wait between two looks at a pending copy; it doubles up to
    ``max_poll_interval``.
    """

    def __init__(self, source: BlobAccount, target: BlobAccount, *,
                 poll_interval: float = 0.5, max_poll_interval: float = 8.0) -> None:
        self.source = source
        self.target = target
        self.poll_interval = poll_interval
        self.max_poll_interval = max_poll_interval
        self._container_sas: dict[str, str] = {}

    @property
    def same_account(self) -> bool:
        return self.source.account_url.rstrip("/") == self.target.account_url.rstrip("/")

    # --- lookups ---------------------------------------------------------------------------

    @staticmethod
    async def existing(account: BlobAccount, container: str, name: str) -> BlobRecord | None:
        """The blob's properties, or None when there is no such blob (an expected 404)."""
        try:
            with expecting(404):
                return (await account.get_blob_properties(container, name)).value
        except NotFound as exc:
            if (exc.error_code or "").lower() == "containernotfound":
                raise
            return None

    async def source_url(self, container: str, name: str) -> str:
        """The source's URL as the target service may read it (see the module docstring)."""
        plain = (f"{self.source.account_url}/{quote(container)}/"
                 f"{quote(name, safe='~/')}")
        client = self.source.client
        credential = getattr(client, "credential", None)
        expires = datetime.now(UTC) + SAS_LIFETIME
        try:
            if getattr(credential, "account_key", None):
                signed = await generate_sas_url(client, plain, container, name,
                                                permissions="r", expires_on=expires)
                return signed.value.reveal()
            token = self._container_sas.get(container)
            if token is None:
                signed = await generate_sas_url(
                    client, f"{self.source.account_url}/{quote(container)}", container, None,
                    permissions="r", expires_on=expires)
                token = signed.value.reveal().split("?", 1)[1]
                self._container_sas[container] = token
            return f"{plain}?{token}"
        except InvalidInput:
            if self.same_account:
                return plain  # the service authorises the source as it does the request
            raise InvalidInput(
                "This connection cannot authorise another account to read the source: it "
                "signs in with a SAS, so it cannot sign a read-only SAS for the copy.",
                advice="Connect to the source account with its key or with Entra ID, or "
                       "copy within the same account.") from None

    # --- the copy --------------------------------------------------------------------------

    async def copy_blob(self, source: BlobRecord, container: str, name: str,
                        policy: ConflictPolicy, *,
                        on_progress: Progress | None = None) -> CopiedBlob:
        """Copy the blob ``source`` (a record read from the source: its ETag is the version
        copied) to ``container``/``name`` in the target account, under ``policy``.

        Raises:
            Conflict: the source changed since it was read, or the destination appeared or
                changed meanwhile (412: nothing copied).
            ServiceError: the service ended the copy as failed or aborted (its reason given).
            VaultBrowserError: any other typed error of a request. Cancelling aborts a
                pending copy.
        """
        from azure.core import MatchConditions  # azure-core loads after the first paint

        destination = await self.existing(self.target, container, name)
        if destination is not None:
            if policy is ConflictPolicy.SKIP:
                return CopiedBlob(source, name, skipped=True)
            if policy is ConflictPolicy.KEEP_BOTH:
                for candidate in keep_both_names(name):
                    if await self.existing(self.target, container, candidate) is None:
                        name, destination = candidate, None
                        break
                else:
                    raise InvalidInput(f"No free name for a copy of “{name}”: every "
                                       "numbered name up to 1000 is taken.",
                                       advice="Copy into another folder.")
        conditions: dict[str, Any] = (
            {"match_condition": MatchConditions.IfMissing} if destination is None
            else {"etag": destination.etag, "match_condition": MatchConditions.IfNotModified})
        url = await self.source_url(source.container, source.name)
        blob = self.target.client.get_blob_client(container, name)
        capture = ResponseCapture()
        async with translated():
            started = await blob.start_copy_from_url(
                url, source_etag=source.etag,
                source_match_condition=MatchConditions.IfNotModified,
                **conditions, **capture.hooks)
        response = capture.take()
        await self._until_done(blob, started, source, on_progress)
        return CopiedBlob(source, name, response=response)

    async def _until_done(self, blob: Any, started: dict[str, Any], source: BlobRecord,
                          on_progress: Progress | None) -> None:
        status = str(started.get("copy_status") or "success")
        copy_id = started.get("copy_id")
        progress = started.get("copy_progress")
        description: str | None = None
        delay = self.poll_interval
        try:
            while status == "pending":
                _report(on_progress, progress, source.size)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_poll_interval)
                capture = ResponseCapture()
                async with translated():
                    props = await blob.get_blob_properties(**capture.hooks)
                capture.take()
                copy = props.copy
                if copy_id and copy.id and copy.id != copy_id:
                    raise Conflict("Another copy to the destination started meanwhile; this "
                                   "one is no longer running.",
                                   advice="Check the destination, then copy again.")
                status = str(copy.status or "success")
                progress = copy.progress
                description = copy.status_description
        except asyncio.CancelledError:
            if copy_id:
                with contextlib.suppress(Exception):
                    async with translated():
                        await blob.abort_copy(copy_id)
            raise
        if status in ("failed", "aborted"):
            raise ServiceError(
                f"The service {'stopped' if status == 'aborted' else 'could not finish'} "
                f"the copy of “{source.name}” ({status})"
                + (f": {redact_text(description)}" if description else "."),
                advice="Nothing usable was written at the destination. Copy again; if it "
                       "fails again, check that the source is still readable.")
        _report(on_progress, progress, source.size, finished=True)

    # --- verification ------------------------------------------------------------------------

    async def verify(self, copied: CopiedBlob, container: str) -> BlobRecord:
        """Check a copy before its source may be deleted: the destination's size (and
        Content-MD5 where both have one) equal the source's, and the source's ETag is still
        the one copied. Returns the destination's record.

        Raises:
            Conflict: a difference (named); the source must then be kept.
            NotFound: the destination or the source has gone.
        """
        source = copied.source
        destination = (await self.target.get_blob_properties(
            container, copied.destination)).value
        if destination.size != source.size:
            raise Conflict(
                f"The copy of “{source.name}” has {destination.size} bytes, the source "
                f"{source.size}: the source was kept.", advice="Copy it again.")
        if source.content_md5 and destination.content_md5 and (
                source.content_md5 != destination.content_md5):
            raise Conflict(f"The copy of “{source.name}” has another Content-MD5 than the "
                           "source: the source was kept.", advice="Copy it again.")
        now = (await self.source.get_blob_properties(source.container, source.name)).value
        if not same_etag(now.etag, source.etag):
            raise Conflict(f"“{source.name}” changed while it was copied: the source was kept.",
                           advice="Move it again to copy its new contents.")
        return destination


def same_etag(one: str | None, other: str | None) -> bool:
    """ETags compared as the service means them (listings send them unquoted, HEAD quoted)."""
    return one is not None and other is not None and one.strip('"') == other.strip('"')


def _report(on_progress: Progress | None, progress: Any, size: int | None, *,
            finished: bool = False) -> None:
    if on_progress is None:
        return
    done, total = 0, size
    if isinstance(progress, str) and "/" in progress:
        left, right = progress.split("/", 1)
        if left.strip().isdigit() and right.strip().isdigit():
            done, total = int(left), int(right)
    if finished and total is not None:
        done = total
    on_progress(done, total)
