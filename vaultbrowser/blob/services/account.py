"""What the parts of a ``BlobService`` share: the SDK client, the account's URL and the reads.

``BlobService`` *has* its writes (containers, uploads, deletes, metadata, URLs): each part gets
the service as a ``BlobAccount`` and uses only what this protocol names, so no part imports
the service module (and the service imports every part).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobServiceClient

    from vaultbrowser.blob.services.records import BlobRecord, ContainerRecord
    from vaultbrowser.core.services.records import Page, Result

__all__ = ["BlobAccount"]


class BlobAccount(Protocol):
    """One storage account's Blob service, as its parts see it."""

    @property
    def client(self) -> BlobServiceClient: ...

    @property
    def account_url(self) -> str: ...

    async def get_blob_properties(self, container: str, name: str, *,
                                  snapshot: str | None = None,
                                  version_id: str | None = None) -> Result[BlobRecord]: ...

    async def get_container_properties(self, container: str) -> Result[ContainerRecord]: ...

    async def list_blobs_flat(self, container: str, prefix: str = "", *, page_size: int,
                              continuation: str | None = None) -> Page[BlobRecord]: ...
