"""A vault's secrets: listings, reads (never a value in a listing) and writes (create, add a
version, change properties, delete, recover, purge)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page, Result, SecretValue
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.inputs import (
    MAX_KEY_VAULT_PAGE,
    PropertyChanges,
    clamp_page_size,
    validate_item_name,
    validate_secret_value,
    validate_tags,
    validate_version,
    validate_window,
)
from vaultbrowser.keyvault.services.item_steps import ItemSteps, _Responses
from vaultbrowser.keyvault.services.records import (
    SecretRecord,
)
from vaultbrowser.keyvault.services.sdk_records import (
    secret_record,
)


class VaultSecrets:
    """One vault's secrets (a part of ``KeyVaultService``: ``service.secrets``)."""

    noun = "secret"

    def __init__(self, clients: VaultClients) -> None:
        self._clients = clients
        self.vault_url = clients.vault_url
        self._steps = ItemSteps(
            "secret", self.vault_url,
            get=lambda name: self._client.get_secret(name),
            get_deleted=lambda name: self._client.get_deleted_secret(name),
            purge=lambda name, **hooks: self._client.purge_deleted_secret(name, **hooks),
            deleted_record=lambda deleted: secret_record(deleted.properties, self.vault_url,
                                                         deleted),
        )

    @property
    def _client(self) -> Any:
        return self._clients.secret_client

    # --- reads ------------------------------------------------------------------------------

    async def list(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                           continuation: str | None = None) -> Page[SecretRecord]:
        """One page of the vault's secrets (properties only: listings never carry values)."""
        return await fetch_page(
            lambda hooks: self._client.list_properties_of_secrets(
                max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda props: secret_record(props, self.vault_url),
        )

    async def list_versions(self, name: str, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                   continuation: str | None = None) -> Page[SecretRecord]:
        return await fetch_page(
            lambda hooks: self._client.list_properties_of_secret_versions(
                name, max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda props: secret_record(props, self.vault_url),
        )

    async def list_deleted(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                   continuation: str | None = None) -> Page[SecretRecord]:
        return await fetch_page(
            lambda hooks: self._client.list_deleted_secrets(
                max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda deleted: secret_record(deleted.properties, self.vault_url, deleted),
        )

    async def get(self, name: str, version: str | None = None
                                    ) -> Result[SecretRecord]:
        """The full properties of one secret version (latest when ``version`` is None).

        Key Vault has no properties-only read for secrets: the GET returns the value too. It is
        dropped here at once and never reaches a record; use ``get_value`` to show it.
        """
        capture = ResponseCapture()
        async with translated():
            secret = await self._client.get_secret(name, version, **capture.hooks)
        return Result(secret_record(secret.properties, self.vault_url), capture.last)

    async def get_value(self, name: str, version: str | None = None
                               ) -> Result[SecretValue]:
        """The value of one secret version, wrapped so that it never prints.

        Raises:
            InvalidInput: a name or version outside Key Vault's rules (nothing is sent).
        """
        validate_item_name(name)
        validate_version(version)
        capture = ResponseCapture()
        async with translated():
            secret = await self._client.get_secret(name, version, **capture.hooks)
        return Result(SecretValue(secret.value or ""), capture.last)

    async def get_deleted(self, name: str) -> Result[SecretRecord]:
        capture = ResponseCapture()
        async with translated():
            deleted = await self._client.get_deleted_secret(name, **capture.hooks)
        return Result(secret_record(deleted.properties, self.vault_url, deleted), capture.last)

    # --- writes ------------------------------------------------------------------------------

    async def create(self, name: str, value: SecretValue, *,
                            content_type: str | None = None, enabled: bool = True,
                            not_before: datetime | None = None,
                            expires_on: datetime | None = None,
                            tags: Mapping[str, str] | None = None) -> Result[SecretRecord]:
        """Create a new secret (its first version).

        Raises:
            InvalidInput: bad name, value (over 25 KB), dates or tags; nothing was sent.
            Conflict: the name exists, or is soft-deleted (see the module docstring).
            ReadOnlyRefused: a read-only connection.
            VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        options = self._secret_options(value, content_type, enabled, not_before, expires_on, tags)
        await self._steps.require_absent(name)
        return await self._set_secret(name, value, options)

    async def add_version(self, name: str, value: SecretValue, *,
                                 content_type: str | None = None, enabled: bool = True,
                                 not_before: datetime | None = None,
                                 expires_on: datetime | None = None,
                                 tags: Mapping[str, str] | None = None) -> Result[SecretRecord]:
        """Add a version to an existing secret (the new latest value).

        Raises:
            InvalidInput: as for ``create``.
            NotFound: no secret of that name. Conflict: it is soft-deleted.
            VaultBrowserError: any other typed error (a certificate's secret: AccessDenied).
        """
        validate_item_name(name)
        options = self._secret_options(value, content_type, enabled, not_before, expires_on, tags)
        await self._steps.require_active(name)
        return await self._set_secret(name, value, options)

    @staticmethod
    def _secret_options(value: SecretValue, content_type: str | None, enabled: bool,
                        not_before: datetime | None, expires_on: datetime | None,
                        tags: Mapping[str, str] | None) -> dict[str, Any]:
        validate_secret_value(value)
        if content_type is not None and (not isinstance(content_type, str)
                                         or len(content_type) > 255):
            raise InvalidInput("A content type is text of at most 255 characters.")
        if not isinstance(enabled, bool):
            raise InvalidInput("Enabled must be yes or no.")
        validate_window(not_before, expires_on)
        return {"content_type": content_type, "enabled": enabled, "not_before": not_before,
                "expires_on": expires_on, "tags": validate_tags(tags)}

    async def _set_secret(self, name: str, value: SecretValue,
                          options: dict[str, Any]) -> Result[SecretRecord]:
        responses = _Responses()
        async with translated():
            secret = await self._client.set_secret(name, value.reveal(), **options,
                                                         **responses.hooks)
        record = secret_record(secret.properties, self.vault_url)
        return Result(record, responses.of("PUT"))

    async def update_properties(self, name: str, version: str | None,
                                       changes: PropertyChanges) -> Result[SecretRecord]:
        """Change enabled, dates, content type or tags of one version (latest for None).

        Raises:
            InvalidInput: nothing to change, bad values, or removing a date or content type
                (Key Vault cannot); nothing was sent.
            NotFound: no such secret or version. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        validate_version(version)
        keywords = changes.sdk_keywords("secret", allowed=(
            "enabled", "not_before", "expires_on", "content_type", "tags"))
        responses = _Responses()
        async with translated():
            props = await self._client.update_secret_properties(
                name, version, **keywords, **responses.hooks)
        return Result(secret_record(props, self.vault_url), responses.of("PATCH"))

    async def delete(self, name: str) -> Result[SecretRecord]:
        """Delete a secret (every version). With soft delete it is kept, recoverable, until
        its scheduled purge date; the result is the deleted record.

        Raises:
            NotFound: no such secret. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            deleted = await self._client.delete_secret(name, **responses.hooks)
        record = secret_record(deleted.properties, self.vault_url, deleted)
        return Result(record, responses.of("DELETE"))

    async def recover(self, name: str) -> Result[SecretRecord]:
        """Bring a soft-deleted secret back with all its versions.

        Raises:
            NotFound: no deleted secret of that name. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            props = await self._client.recover_deleted_secret(name, **responses.hooks)
        return Result(secret_record(props, self.vault_url), responses.of("POST"))

    async def purge(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a soft-deleted secret for good.

        Raises:
            InvalidInput: ``typed_name`` is not exactly ``name`` (nothing was sent), or the
                vault's recovery level forbids purging (only the deleted secret was read).
            NotFound: no deleted secret of that name. VaultBrowserError: any other typed error.
        """
        return await self._steps.purge(name, typed_name)
