"""Blob Storage writes: containers, uploads, deletes, metadata and tags, URLs and SAS.

``BlobWrites`` is a mixin of ``BlobService`` (it uses the service's ``_client``, ``account_url``
and its read methods). Every method validates its input before any request (``InvalidInput``),
wraps SDK calls in ``translated()`` and captures the response of the call that produced its
``Result``. Nothing here is silent about data: uploads never replace a blob unless asked
(the service itself checks, with ``If-None-Match: *``), deletes address exactly one name each,
and a folder delete is a list of exact names the caller has seen.
"""

from __future__ import annotations

from vaultbrowser.blob.services.containers import ContainerWrites
from vaultbrowser.blob.services.deletes import BlobDeletes
from vaultbrowser.blob.services.metadata import BlobMetadataWrites
from vaultbrowser.blob.services.uploads import BlobUploads
from vaultbrowser.blob.services.urls import BlobUrls

__all__ = ["BlobWrites"]


class BlobWrites(ContainerWrites, BlobUploads, BlobDeletes, BlobMetadataWrites, BlobUrls):
    """Write operations of ``BlobService``, one mixin per responsibility: containers
    (``blob_containers``), uploads (``blob_uploads``, with the upload tuning attributes),
    deletes and undeletes (``blob_deletes``), metadata and tags (``blob_metadata``), URLs and
    SAS (``blob_urls``).
    """
