"""Ranged reads for the blob preview: a blob's first bytes (or the next ones), never the whole
blob by accident.

``BlobPreviews`` is a part of ``BlobService`` (``service.previews``). A read asks for one range
of at most ``length`` bytes; the blob's properties (ETag, full size, content settings, metadata)
come from the same GET, so an edit can be saved conditionally on exactly what was shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.convert import blob_record, total_size
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import check_addressable_name
from vaultbrowser.core.services.errors import Conflict, InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.records import Result
from vaultbrowser.core.services.translate import translated

__all__ = ["BlobArchived", "BlobHead", "BlobPreviews"]



class BlobArchived(Conflict):
    """The blob is in the Archive tier: its bytes cannot be read until it is rehydrated."""

    title = "Blob archived"
    default_advice = ("Change its access tier to Hot, Cool or Cold (rehydration from Archive "
                      "takes up to 15 hours), then preview it again.")


@dataclass(frozen=True, slots=True)
class BlobHead:
    """Bytes ``offset`` … ``offset + len(data)`` of a blob, and the blob as that GET saw it.

    ``record.size`` is the blob's full size; ``record.etag`` the ETag the bytes belong to.
    """

    record: BlobRecord
    data: bytes
    offset: int = 0

    @property
    def end(self) -> int:
        return self.offset + len(self.data)

    @property
    def complete(self) -> bool:
        """Whether the read reached the blob's end."""
        return self.record.size is not None and self.end >= self.record.size


class BlobPreviews:
    """Ranged reads of ``BlobService`` for previews (GETs only)."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

    async def read_head(
        self,
        container: str,
        name: str,
        length: int,
        *,
        offset: int = 0,
        etag: str | None = None,
    ) -> Result[BlobHead]:
        """Read at most ``length`` bytes from ``offset`` (one ranged GET).

        ``etag``: read only if the blob is still that version (a "load more" continues what
        was shown). An empty blob is answered by a HEAD: a range on it is unsatisfiable (416)
        and a GET without one could fetch a blob that grew meanwhile in full.

        Raises:
            InvalidInput: ``length`` not positive or ``offset`` negative (nothing sent).
            BlobArchived: the blob is archived (409 ``BlobArchived``).
            NotFound: no such container or blob.
            Conflict: the blob changed since ``etag`` (412).
            VaultBrowserError: any other typed error.
        """
        from azure.core import MatchConditions  # azure-core loads after the first paint
        from azure.core.exceptions import HttpResponseError

        check_addressable_name(name)
        if length <= 0 or offset < 0:
            raise InvalidInput(f"A preview reads a positive number of bytes from offset 0 or "
                               f"later (asked: {length} bytes from {offset}).")
        blob = self._account.client.get_blob_client(container, name)
        conditions: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {})
        capture = ResponseCapture()
        opened: list[Any] = []
        inner = capture.hooks["raw_response_hook"]

        def hook(pipeline_response: Any) -> None:
            opened.append(pipeline_response.http_response)
            inner(pipeline_response)

        try:
            async with translated():
                try:
                    with expecting(416):  # an empty blob's answer, not a failure
                        downloader = await blob.download_blob(
                            offset=offset, length=length, max_concurrency=1,
                            decompress=False, raw_response_hook=hook, **conditions)
                except HttpResponseError as exc:
                    if exc.status_code != 416:
                        raise
                    downloader = None
                if downloader is not None:
                    data = await downloader.readall()
        except Conflict as exc:
            if (exc.error_code or "") == "BlobArchived":
                raise BlobArchived(
                    f"“{name}” is in the Archive tier: it must be rehydrated before it can be "
                    "previewed.", status=exc.status, error_code=exc.error_code,
                    request_id=exc.request_id, service_message=exc.service_message) from exc
            raise
        except BaseException:
            _close(opened)  # cancelled or failed mid-body: release the connection at once
            raise
        if downloader is None:
            # 416: the range starts at or after the end (an empty blob, or one that shrank).
            current = await self._account.get_blob_properties(container, name)
            if etag and current.value.etag != etag:
                raise Conflict(f"“{name}” changed on the server since it was shown.",
                               status=412, error_code="ConditionNotMet")
            return Result(BlobHead(current.value, b"", offset), current.response)
        response = capture.take()
        record = blob_record(downloader.properties, container)
        total = total_size(response)
        record = replace(record, name=record.name or name,
                         size=total if total is not None else record.size)
        return Result(BlobHead(record, bytes(data), offset), response)


def _close(responses: list[Any]) -> None:
    for response in responses:
        close = getattr(getattr(response, "internal_response", None), "close", None)
        if callable(close):
            close()

