"""Blob Storage container writes: create, delete (once the user typed the name), metadata.

``ContainerWrites`` is a part of ``BlobService`` (``service.containers``). Every method
validates its input before any request (``InvalidInput``) and wraps SDK calls in
``translated()``.
"""

from __future__ import annotations

from collections.abc import Mapping

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.convert import frozen_map, utc
from vaultbrowser.blob.services.records import ContainerRecord
from vaultbrowser.blob.services.rules import (
    PUBLIC_ACCESS_LEVELS,
    validate_container_name,
    validate_metadata,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import Result
from vaultbrowser.core.services.translate import translated

__all__ = ["ContainerWrites"]


class ContainerWrites:
    """Container writes of ``BlobService``."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

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
            headers = await self._account.client.get_container_client(name).create_container(
                metadata=checked or None, public_access=public_access, **capture.hooks
            )
        record = ContainerRecord(
            account_url=self._account.account_url,
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
            await self._account.client.get_container_client(name).delete_container(**capture.hooks)
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
            await self._account.client.get_container_client(container).set_container_metadata(
                metadata=checked, **capture.hooks
            )
        response = capture.take()
        current = await self._account.get_container_properties(container)
        return Result(current.value, response)
