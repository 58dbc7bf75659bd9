"""Blob and container URLs, plain or signed (SAS).

``BlobUrls`` is a part of ``BlobService`` (``service.urls``); signing is ``sas``'s.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.rules import check_blob_name, validate_container_name
from vaultbrowser.core.services.records import Result, SecretValue

__all__ = ["BlobUrls"]


class BlobUrls:
    """URLs of ``BlobService``."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

    def blob_url(self, container: str, name: str) -> str:
        """The blob's URL, quoted as the SDK addresses it, without any credential."""
        return f"{self._account.account_url}/{quote(container)}/{quote(name, safe='~/')}"

    async def generate_sas_url(
        self,
        container: str,
        name: str | None,
        *,
        permissions: str,
        expires_on: datetime,
        starts_on: datetime | None = None,
    ) -> Result[SecretValue]:
        """A SAS URL for a blob (``name``) or the container (``name`` None); see ``sas``.

        Raises:
            InvalidInput: bad names, permissions or times, or a connection that can sign
                neither with an account key nor with Entra ID (e.g. a SAS connection).
            VaultBrowserError: the typed error of the user delegation key request.
        """
        from vaultbrowser.blob.services.sas import generate_sas_url

        validate_container_name(container, allow_special=True)
        if name is not None:
            check_blob_name(name)
        url = (self.blob_url(container, name) if name is not None
               else f"{self._account.account_url}/{quote(container)}")
        return await generate_sas_url(
            self._account.client, url, container, name, permissions=permissions,
            expires_on=expires_on, starts_on=starts_on,
        )
