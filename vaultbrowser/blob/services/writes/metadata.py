"""Blob metadata and index tags: replaced whole, after validation (``InvalidInput``).

``BlobMetadataWrites`` is a part of ``BlobService`` (``service.metadata``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.core import MatchConditions

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import (
    check_blob_name,
    validate_container_name,
    validate_metadata,
    validate_tags,
)
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import Result
from vaultbrowser.core.services.translate import translated

__all__ = ["BlobMetadataWrites"]


class BlobMetadataWrites:
    """Metadata and tag writes of ``BlobService``."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

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
        blob = self._account.client.get_blob_client(container, name)
        conditions: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {}
        )
        capture = ResponseCapture()
        async with translated():
            await blob.set_blob_metadata(checked, **conditions, **capture.hooks)
        response = capture.take()
        current = await self._account.get_blob_properties(container, name)
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
        blob = self._account.client.get_blob_client(container, name)
        capture = ResponseCapture()
        async with translated():
            await blob.set_blob_tags(checked, **capture.hooks)
        return Result(dict(checked), capture.take())
