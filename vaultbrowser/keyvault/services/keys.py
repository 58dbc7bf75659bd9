"""A vault's keys: listings, reads (public parameters, rotation policy) and writes (create an RSA or
EC key, change properties, delete, recover, purge)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page, Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.inputs import (
    EC_CURVES,
    KEY_OPERATIONS,
    MAX_KEY_VAULT_PAGE,
    RSA_SIZES,
    PropertyChanges,
    clamp_page_size,
    validate_item_name,
    validate_tags,
    validate_version,
    validate_window,
)
from vaultbrowser.keyvault.services.item_steps import ItemSteps, _Responses
from vaultbrowser.keyvault.services.key_rotation_policy import RotationPolicyInput
from vaultbrowser.keyvault.services.records import (
    KeyRecord,
    KeyRotationPolicyRecord,
)
from vaultbrowser.keyvault.services.sdk_records import (
    key_record,
    rotation_policy_record,
)


def _key_options(key_type: str, size: int | None, curve: str | None,
                 key_operations: Any) -> dict[str, Any]:
    if key_type == "RSA":
        if curve is not None:
            raise InvalidInput("A curve applies to EC keys only.")
        if size is not None and size not in RSA_SIZES:
            raise InvalidInput("An RSA key is 2048, 3072 or 4096 bits.")
        options: dict[str, Any] = {"size": size or 2048}
    elif key_type == "EC":
        if size is not None:
            raise InvalidInput("An EC key's size follows from its curve: choose the curve.")
        if curve is not None and curve not in EC_CURVES:
            raise InvalidInput(f"The curve is one of {', '.join(EC_CURVES)}.")
        options = {"curve": curve or "P-256"}
    else:
        raise InvalidInput("The key type is RSA or EC.")
    if key_operations is not None:
        operations = [key_operations] if isinstance(key_operations, str) else list(key_operations)
        unknown = [op for op in operations if op not in KEY_OPERATIONS]
        if unknown:
            raise InvalidInput(f"Unknown key operation {unknown[0]!r}; use "
                               f"{', '.join(KEY_OPERATIONS)}.")
        if key_type == "EC" and set(operations) - {"sign", "verify", "export"}:
            raise InvalidInput("An EC key can only sign and verify.")
        options["key_operations"] = operations
    return options


class VaultKeys:
    """One vault's keys (a part of ``KeyVaultService``: ``service.keys``)."""

    noun = "key"

    def __init__(self, clients: VaultClients) -> None:
        self._clients = clients
        self.vault_url = clients.vault_url
        self._steps = ItemSteps(
            "key", self.vault_url,
            get=lambda name: self._client.get_key(name),
            get_deleted=lambda name: self._client.get_deleted_key(name),
            purge=lambda name, **hooks: self._client.purge_deleted_key(name, **hooks),
            deleted_record=lambda deleted: key_record(deleted.properties, self.vault_url,
                                                      deleted.key, deleted),
        )

    @property
    def _client(self) -> Any:
        return self._clients.key_client

    # --- reads ------------------------------------------------------------------------------

    async def list(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                        continuation: str | None = None) -> Page[KeyRecord]:
        """One page of keys. Listings carry no key material, so type and size are unknown
        until ``get``."""
        return await fetch_page(
            lambda hooks: self._client.list_properties_of_keys(
                max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda props: key_record(props, self.vault_url),
        )

    async def list_versions(self, name: str, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                continuation: str | None = None) -> Page[KeyRecord]:
        return await fetch_page(
            lambda hooks: self._client.list_properties_of_key_versions(
                name, max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda props: key_record(props, self.vault_url),
        )

    async def list_deleted(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                continuation: str | None = None) -> Page[KeyRecord]:
        return await fetch_page(
            lambda hooks: self._client.list_deleted_keys(
                max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda deleted: key_record(deleted.properties, self.vault_url, deleted.key, deleted),
        )

    async def get(self, name: str, version: str | None = None) -> Result[KeyRecord]:
        """A key's properties and public parameters (type, size or curve, operations)."""
        capture = ResponseCapture()
        async with translated():
            key = await self._client.get_key(name, version, **capture.hooks)
        return Result(key_record(key.properties, self.vault_url, key.key), capture.last)

    async def get_rotation_policy(self, name: str) -> Result[KeyRotationPolicyRecord]:
        """The key's rotation policy (the service's default, one Notify action, when none was
        set: see ``KeyRotationPolicyRecord.rotates``).

        Raises:
            NotFound: no such key.
            AccessDenied: the identity may not read rotation policies.
            VaultBrowserError: any other typed error.
        """
        capture = ResponseCapture()
        async with translated():
            policy = await self._client.get_key_rotation_policy(name, **capture.hooks)
        return Result(rotation_policy_record(name, policy), capture.last)

    async def get_public_jwk(self, name: str, version: str | None = None
                             ) -> Result[dict[str, Any]]:
        """The key version's public JWK members only (``kty``, ``kid``, ``crv``, ``n``, ``e``,
        ``x``, ``y``; values as the SDK gives them): private members never leave here.
        ``key_export.public_key_from_jwk`` checks them."""
        validate_item_name(name)
        validate_version(version)
        capture = ResponseCapture()
        async with translated():
            key = await self._client.get_key(name, version, **capture.hooks)
        members = {member: getattr(key.key, member, None) for member in
                   ("kty", "kid", "crv", "n", "e", "x", "y")}
        return Result({k: v for k, v in members.items() if v is not None}, capture.last)

    # --- writes ------------------------------------------------------------------------------

    async def create(self, name: str, *, key_type: Literal["RSA", "EC"],
                         size: int | None = None, curve: str | None = None,
                         enabled: bool = True, not_before: datetime | None = None,
                         expires_on: datetime | None = None,
                         tags: Mapping[str, str] | None = None,
                         key_operations: list[str] | None = None) -> Result[KeyRecord]:
        """Create a new RSA (2048/3072/4096, default 2048) or EC (P-256 default, P-384, P-521,
        P-256K) key.

        Raises:
            InvalidInput: bad name, type, size, curve, operations, dates or tags.
            Conflict: the name exists or is soft-deleted. VaultBrowserError: other.
        """
        validate_item_name(name)
        options = _key_options(key_type, size, curve, key_operations)
        if not isinstance(enabled, bool):
            raise InvalidInput("Enabled must be yes or no.")
        validate_window(not_before, expires_on)
        options.update(enabled=enabled, not_before=not_before, expires_on=expires_on,
                       tags=validate_tags(tags))
        await self._steps.require_absent(name)
        responses = _Responses()
        async with translated():
            key = await self._client.create_key(name, key_type, **options, **responses.hooks)
        record = key_record(key.properties, self.vault_url, key.key)
        return Result(record, responses.of("POST"))

    async def update_properties(self, name: str, version: str | None,
                                    changes: PropertyChanges) -> Result[KeyRecord]:
        """Enable/disable, change dates or tags of one key version (latest for None).

        Raises:
            InvalidInput: nothing to change, a content type, removing a date, bad values.
            NotFound: no such key or version. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        validate_version(version)
        keywords = changes.sdk_keywords("key", allowed=(
            "enabled", "not_before", "expires_on", "tags"))
        responses = _Responses()
        async with translated():
            key = await self._client.update_key_properties(name, version, **keywords,
                                                              **responses.hooks)
        record = key_record(key.properties, self.vault_url, key.key)
        return Result(record, responses.of("PATCH"))

    async def delete(self, name: str) -> Result[KeyRecord]:
        """Delete a key (every version); soft delete keeps it recoverable.

        Raises:
            NotFound: no such key. VaultBrowserError: any other typed error (a certificate's
                key: AccessDenied).
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            deleted = await self._client.delete_key(name, **responses.hooks)
        record = key_record(deleted.properties, self.vault_url, deleted.key,
                                          deleted)
        return Result(record, responses.of("DELETE"))

    async def recover(self, name: str) -> Result[KeyRecord]:
        """Bring a soft-deleted key back.

        Raises:
            NotFound: no deleted key of that name. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            key = await self._client.recover_deleted_key(name, **responses.hooks)
        return Result(key_record(key.properties, self.vault_url, key.key),
                      responses.of("POST"))

    async def rotate(self, name: str) -> Result[KeyRecord]:
        """Rotate now: a new version (same type and size, the rotation policy's expiry)
        becomes current; older versions stay.

        Raises:
            InvalidInput: bad name. NotFound: no such key. ReadOnlyRefused: a read-only
                connection (the transport). VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            key = await self._client.rotate_key(name, **responses.hooks)
        return Result(key_record(key.properties, self.vault_url, key.key),
                      responses.of("POST"))

    async def set_rotation_policy(self, name: str, policy: RotationPolicyInput
                                  ) -> Result[KeyRotationPolicyRecord]:
        """Replace the key's rotation policy (one PUT). The SDK's call takes no response
        hooks, so the result carries no response (show the key again to see one).

        Raises:
            InvalidInput: bad name or policy, before any request. NotFound, AccessDenied,
                ReadOnlyRefused, VaultBrowserError: the PUT's typed error.
        """
        from azure.keyvault.keys import KeyRotationPolicy  # not before the first paint

        validate_item_name(name)
        actions, expires_in = policy.validated()
        async with translated():
            saved = await self._client.update_key_rotation_policy(
                name, KeyRotationPolicy(), lifetime_actions=actions, expires_in=expires_in)
        return Result(rotation_policy_record(name, saved), None)

    async def purge(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a soft-deleted key for good.

        Raises:
            InvalidInput: typed name mismatch or purge protection (as for secrets).
            NotFound: no deleted key of that name. VaultBrowserError: other.
        """
        return await self._steps.purge(name, typed_name)
