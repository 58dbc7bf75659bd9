"""The base of ``BlobService``'s write mixins: what each may use of the service it is mixed
into (declared for type checkers only; at run time it adds nothing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azure.storage.blob.aio import BlobServiceClient

    from vaultbrowser.core.services.records import BlobRecord, ContainerRecord, Page, Result

__all__ = ["BlobServiceMixin"]


class BlobServiceMixin:
    """A part of ``BlobService``: it uses the service's ``_client``, ``account_url`` and read
    methods."""

    if TYPE_CHECKING:  # provided by BlobService
        _client: BlobServiceClient
        account_url: str

        async def get_blob_properties(self, container: str, name: str, *,
                                      snapshot: str | None = None,
                                      version_id: str | None = None) -> Result[BlobRecord]: ...

        async def get_container_properties(self, container: str) -> Result[ContainerRecord]: ...

        async def list_blobs_flat(self, container: str, prefix: str = "", *, page_size: int,
                                  continuation: str | None = None) -> Page[BlobRecord]: ...
