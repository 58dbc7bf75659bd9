"""Saving an edited blob back: one Put Blob, conditional on the ETag the editor read.

``BlobTextSaves`` is a part of ``BlobService`` (``service.text_saves``). The save keeps what
the blob was besides its bytes (content type, encoding, language, disposition, cache control,
metadata, index tags, an explicitly set tier); a blob changed by someone else since it was read
is never overwritten: the service answers 412 and the caller gets ``BlobChangedOnServer``.
"""

from __future__ import annotations

from typing import Any

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import check_blob_name, validate_container_name
from vaultbrowser.core.services.errors import Conflict, InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import Result
from vaultbrowser.core.services.translate import translated

__all__ = ["MAX_TEXT_SAVE_BYTES", "BlobChangedOnServer", "BlobTextSaves"]

MAX_TEXT_SAVE_BYTES = 64 * 1024 * 1024  # one Put Blob; an editor never holds more
_SETTABLE_TIERS = {"hot": "Hot", "cool": "Cool", "cold": "Cold"}  # StandardBlobTier's values


class BlobChangedOnServer(Conflict):
    """A conditional save found the blob changed since it was read (HTTP 412)."""

    title = "Changed on the server"
    default_advice = ("Compare your version with the one on the server, then overwrite it "
                      "with yours, take theirs, or cancel.")


class BlobTextSaves:
    """The conditional save of an edited blob."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

    async def save_text(
        self, container: str, name: str, data: bytes, *, etag: str, like: BlobRecord
    ) -> Result[BlobRecord]:
        """Replace the blob with ``data`` if it is still the version ``etag``; keep ``like``'s
        content settings, metadata, tags and explicit tier. The Result holds the blob as it is
        now (a second request) and the Put Blob response.

        Raises:
            InvalidInput: no ETag, an invalid name, or more than ``MAX_TEXT_SAVE_BYTES``
                (nothing sent).
            BlobChangedOnServer: the blob is no longer ``etag`` (412), or it was deleted.
            VaultBrowserError: any other typed error (``ReadOnlyRefused`` in read-only mode).
        """
        from azure.core import MatchConditions  # azure-core loads after the first paint

        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        if not etag:
            raise InvalidInput("A save needs the ETag of the version that was edited: without "
                               "it a concurrent change could be overwritten silently.")
        if len(data) > MAX_TEXT_SAVE_BYTES:
            raise InvalidInput(f"An edited blob is saved in one request of at most "
                               f"{MAX_TEXT_SAVE_BYTES // (1024 * 1024)} MiB.")
        # the SDK loads off the loop's thread, after the first paint (sdk_imports)
        from azure.storage.blob import ContentSettings, StandardBlobTier

        options: dict[str, Any] = {
            "content_settings": ContentSettings(
                content_type=like.content_type, content_encoding=like.content_encoding,
                content_language=like.content_language,
                content_disposition=like.content_disposition,
                cache_control=like.cache_control),
            "metadata": dict(like.metadata),
        }
        if like.tags:
            options["tags"] = dict(like.tags)
        tier = _SETTABLE_TIERS.get((like.access_tier or "").lower())
        if tier is not None and like.access_tier_inferred is False:
            options["standard_blob_tier"] = StandardBlobTier(tier)
        blob = self._account.client.get_blob_client(container, name)
        capture = ResponseCapture()
        try:
            async with translated():
                await blob.upload_blob(
                    data, overwrite=True, etag=etag,
                    match_condition=MatchConditions.IfNotModified, **options, **capture.hooks)
        except Conflict as exc:
            if exc.status == 412:
                raise BlobChangedOnServer(
                    f"“{name}” changed on the server since you opened it: your edit was not "
                    "saved.", status=exc.status, error_code=exc.error_code,
                    request_id=exc.request_id, service_message=exc.service_message) from exc
            raise
        response = capture.take()
        current = await self._account.get_blob_properties(container, name)
        return Result(current.value, response)
