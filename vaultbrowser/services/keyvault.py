"""``KeyVaultService``: read access to one vault's secrets, certificates and keys.

Built over the official ``.aio`` clients, which are created on first use (their imports are
heavy and a window may never open the keys tree). Every call returns our own records with the
``ResponseInfo`` of the call that produced them and raises only ``VaultBrowserError``s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from vaultbrowser.services.http import RecordingTransport, ResponseCapture
from vaultbrowser.services.keyvault_inputs import validate_item_name, validate_version
from vaultbrowser.services.keyvault_writes import KeyVaultWrites
from vaultbrowser.services.paging import fetch_page
from vaultbrowser.services.records import (
    CertificateDetails,
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    KeyRotationActionRecord,
    KeyRotationPolicyRecord,
    Page,
    Result,
    SecretRecord,
    SecretValue,
)
from vaultbrowser.services.translate import translated
from vaultbrowser.services.x509 import parse_certificate

MAX_KEY_VAULT_PAGE = 25  # the service's upper bound for maxresults


def _tags(tags: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(tags or {}))


def _page_size(page_size: int) -> int:
    return max(1, min(MAX_KEY_VAULT_PAGE, page_size))


def _deleted_fields(item: Any) -> dict[str, Any]:
    return {
        "deleted_on": getattr(item, "deleted_date", None),
        "scheduled_purge_on": getattr(item, "scheduled_purge_date", None),
        "recovery_id": getattr(item, "recovery_id", None),
    }


def _common(props: Any, vault_url: str) -> dict[str, Any]:
    return {
        "vault_url": vault_url,
        "name": props.name,
        "version": props.version,
        "id": props.id,
        "enabled": props.enabled,
        "created_on": props.created_on,
        "updated_on": props.updated_on,
        "not_before": props.not_before,
        "expires_on": props.expires_on,
        "tags": _tags(props.tags),
        "recovery_level": _enum_text(props.recovery_level),
        "recoverable_days": getattr(props, "recoverable_days", None),
        "managed": bool(getattr(props, "managed", False)),
    }


def secret_record(props: Any, vault_url: str, deleted: Any | None = None) -> SecretRecord:
    return SecretRecord(
        **_common(props, vault_url),
        **(_deleted_fields(deleted) if deleted is not None else {}),
        content_type=props.content_type,
        key_id=props.key_id,
    )


def key_record(props: Any, vault_url: str, key: Any | None = None,
               deleted: Any | None = None) -> KeyRecord:
    """``key`` is the JWK when the call returned one (get/create), absent in listings."""
    key_type = key_size = curve = None
    operations: tuple[str, ...] = ()
    if key is not None:
        key_type = str(getattr(key.kty, "value", key.kty)) if key.kty else None
        if key.n:
            key_size = len(key.n) * 8
        if key.crv:
            curve = str(getattr(key.crv, "value", key.crv))
        operations = tuple(str(getattr(op, "value", op)) for op in (key.key_ops or ()))
    return KeyRecord(
        **_common(props, vault_url),
        **(_deleted_fields(deleted) if deleted is not None else {}),
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        key_operations=operations,
        exportable=getattr(props, "exportable", None),
    )


def certificate_record(props: Any, vault_url: str, certificate: Any | None = None,
                       deleted: Any | None = None) -> CertificateRecord:
    thumbprint = props.x509_thumbprint.hex().upper() if props.x509_thumbprint else None
    return CertificateRecord(
        **_common(props, vault_url),
        **(_deleted_fields(deleted) if deleted is not None else {}),
        x509_thumbprint=thumbprint,
        secret_id=getattr(certificate, "secret_id", None),
        key_id=getattr(certificate, "key_id", None),
    )


def _enum_text(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))


def _lifetime_action_text(action: Any) -> str:
    kind = _enum_text(action.action) or "?"
    if action.lifetime_percentage is not None:
        return f"{kind} at {action.lifetime_percentage}% of lifetime"
    if action.days_before_expiry is not None:
        return f"{kind} {action.days_before_expiry} days before expiry"
    return kind


def policy_record(policy: Any) -> CertificatePolicyRecord:
    return CertificatePolicyRecord(
        issuer_name=policy.issuer_name,
        subject=policy.subject,
        dns_names=tuple(policy.san_dns_names or ()),
        emails=tuple(policy.san_emails or ()),
        upns=tuple(policy.san_user_principal_names or ()),
        key_type=_enum_text(policy.key_type),
        key_size=policy.key_size,
        curve=_enum_text(policy.key_curve_name),
        exportable=policy.exportable,
        reuse_key=policy.reuse_key,
        content_type=_enum_text(policy.content_type),
        validity_in_months=policy.validity_in_months,
        enhanced_key_usage=tuple(policy.enhanced_key_usage or ()),
        key_usage=tuple(_enum_text(u) or "" for u in (policy.key_usage or ())),
        certificate_transparency=policy.certificate_transparency,
        certificate_type=policy.certificate_type,
        lifetime_actions=tuple(_lifetime_action_text(a) for a in (policy.lifetime_actions or ())),
        enabled=policy.enabled,
    )


def rotation_policy_record(name: str, policy: Any) -> KeyRotationPolicyRecord:
    actions = tuple(
        KeyRotationActionRecord(
            action=_enum_text(action.action) or "?",
            time_after_create=action.time_after_create,
            time_before_expiry=action.time_before_expiry,
        )
        for action in (policy.lifetime_actions or ())
    )
    return KeyRotationPolicyRecord(
        key_name=name,
        id=policy.id,
        lifetime_actions=actions,
        expires_in=policy.expires_in,
        created_on=policy.created_on,
        updated_on=policy.updated_on,
    )


class KeyVaultService(KeyVaultWrites):
    """One vault: reads here, writes from ``KeyVaultWrites``. Create with the session's
    factory; close with ``close()``.

    ``client_options`` are passed to every SDK client (transport, retry and timeout settings,
    ``connection_verify`` for the local emulator, ``api_version``).
    """

    def __init__(self, vault_url: str, credential: Any, transport: RecordingTransport,
                 **client_options: Any) -> None:
        self.vault_url = vault_url.rstrip("/")
        self._credential = credential
        self._options = {"transport": transport, **client_options}
        self._secrets: Any = None
        self._certificates: Any = None
        self._keys: Any = None

    # --- clients, created on first use ---------------------------------------------------

    @property
    def secret_client(self) -> Any:
        if self._secrets is None:
            from azure.keyvault.secrets.aio import SecretClient

            self._secrets = SecretClient(self.vault_url, self._credential, **self._options)
        return self._secrets

    @property
    def certificate_client(self) -> Any:
        if self._certificates is None:
            from azure.keyvault.certificates.aio import CertificateClient

            self._certificates = CertificateClient(
                self.vault_url, self._credential, **self._options
            )
        return self._certificates

    @property
    def key_client(self) -> Any:
        if self._keys is None:
            from azure.keyvault.keys.aio import KeyClient

            self._keys = KeyClient(self.vault_url, self._credential, **self._options)
        return self._keys

    async def close(self) -> None:
        for client in (self._secrets, self._certificates, self._keys):
            if client is not None:
                await client.close()
        self._secrets = self._certificates = self._keys = None

    # --- secrets ----------------------------------------------------------------------------

    async def list_secrets(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                           continuation: str | None = None) -> Page[SecretRecord]:
        """One page of the vault's secrets (properties only: listings never carry values)."""
        return await fetch_page(
            lambda hooks: self.secret_client.list_properties_of_secrets(
                max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda props: secret_record(props, self.vault_url),
        )

    async def list_secret_versions(self, name: str, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                   continuation: str | None = None) -> Page[SecretRecord]:
        return await fetch_page(
            lambda hooks: self.secret_client.list_properties_of_secret_versions(
                name, max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda props: secret_record(props, self.vault_url),
        )

    async def list_deleted_secrets(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                   continuation: str | None = None) -> Page[SecretRecord]:
        return await fetch_page(
            lambda hooks: self.secret_client.list_deleted_secrets(
                max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda deleted: secret_record(deleted.properties, self.vault_url, deleted),
        )

    async def get_secret_properties(self, name: str, version: str | None = None
                                    ) -> Result[SecretRecord]:
        """The full properties of one secret version (latest when ``version`` is None).

        Key Vault has no properties-only read for secrets: the GET returns the value too. It is
        dropped here at once and never reaches a record; use ``get_secret_value`` to show it.
        """
        capture = ResponseCapture()
        async with translated():
            secret = await self.secret_client.get_secret(name, version, **capture.hooks)
        return Result(secret_record(secret.properties, self.vault_url), capture.last)

    async def get_secret_value(self, name: str, version: str | None = None
                               ) -> Result[SecretValue]:
        """The value of one secret version, wrapped so that it never prints.

        Raises:
            InvalidInput: a name or version outside Key Vault's rules (nothing is sent).
        """
        validate_item_name(name)
        validate_version(version)
        capture = ResponseCapture()
        async with translated():
            secret = await self.secret_client.get_secret(name, version, **capture.hooks)
        return Result(SecretValue(secret.value or ""), capture.last)

    async def get_deleted_secret(self, name: str) -> Result[SecretRecord]:
        capture = ResponseCapture()
        async with translated():
            deleted = await self.secret_client.get_deleted_secret(name, **capture.hooks)
        return Result(secret_record(deleted.properties, self.vault_url, deleted), capture.last)

    # --- certificates -------------------------------------------------------------------

    async def list_certificates(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                continuation: str | None = None) -> Page[CertificateRecord]:
        return await fetch_page(
            lambda hooks: self.certificate_client.list_properties_of_certificates(
                max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda props: certificate_record(props, self.vault_url),
        )

    async def list_certificate_versions(self, name: str, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                        continuation: str | None = None
                                        ) -> Page[CertificateRecord]:
        return await fetch_page(
            lambda hooks: self.certificate_client.list_properties_of_certificate_versions(
                name, max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda props: certificate_record(props, self.vault_url),
        )

    async def list_deleted_certificates(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                        continuation: str | None = None
                                        ) -> Page[CertificateRecord]:
        return await fetch_page(
            lambda hooks: self.certificate_client.list_deleted_certificates(
                max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda deleted: certificate_record(deleted.properties, self.vault_url,
                                               deleted, deleted),
        )

    async def get_certificate(self, name: str, version: str | None = None
                              ) -> Result[CertificateDetails]:
        """A certificate with its X.509 details parsed and its policy.

        The latest version's GET carries the policy; for an older version the policy (which
        belongs to the certificate, not the version) is fetched with a second call. The
        ``Result``'s response is the certificate GET.
        """
        capture = ResponseCapture()
        async with translated():
            client = self.certificate_client
            if version is None:
                certificate = await client.get_certificate(name, **capture.hooks)
            else:
                certificate = await client.get_certificate_version(name, version, **capture.hooks)
            response = capture.take()
            policy = certificate.policy
            if policy is None:
                policy = await client.get_certificate_policy(name)
        x509 = parse_certificate(bytes(certificate.cer)) if certificate.cer else None
        props = certificate_record(certificate.properties, self.vault_url, certificate)
        if x509 is not None:
            props = replace(props, subject=x509.subject, issuer=x509.issuer)
        details = CertificateDetails(
            properties=props, x509=x509, policy=policy_record(policy) if policy else None
        )
        return Result(details, response)

    async def get_certificate_policy(self, name: str) -> Result[CertificatePolicyRecord]:
        capture = ResponseCapture()
        async with translated():
            policy = await self.certificate_client.get_certificate_policy(name, **capture.hooks)
        return Result(policy_record(policy), capture.last)

    # --- keys -------------------------------------------------------------------------------

    async def list_keys(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                        continuation: str | None = None) -> Page[KeyRecord]:
        """One page of keys. Listings carry no key material, so type and size are unknown
        until ``get_key``."""
        return await fetch_page(
            lambda hooks: self.key_client.list_properties_of_keys(
                max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda props: key_record(props, self.vault_url),
        )

    async def list_key_versions(self, name: str, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                continuation: str | None = None) -> Page[KeyRecord]:
        return await fetch_page(
            lambda hooks: self.key_client.list_properties_of_key_versions(
                name, max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda props: key_record(props, self.vault_url),
        )

    async def list_deleted_keys(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                continuation: str | None = None) -> Page[KeyRecord]:
        return await fetch_page(
            lambda hooks: self.key_client.list_deleted_keys(
                max_page_size=_page_size(page_size), **hooks),
            continuation,
            lambda deleted: key_record(deleted.properties, self.vault_url, deleted.key, deleted),
        )

    async def get_key(self, name: str, version: str | None = None) -> Result[KeyRecord]:
        """A key's properties and public parameters (type, size or curve, operations)."""
        capture = ResponseCapture()
        async with translated():
            key = await self.key_client.get_key(name, version, **capture.hooks)
        return Result(key_record(key.properties, self.vault_url, key.key), capture.last)

    async def get_key_rotation_policy(self, name: str) -> Result[KeyRotationPolicyRecord]:
        """The key's rotation policy (the service's default, one Notify action, when none was
        set: see ``KeyRotationPolicyRecord.rotates``).

        Raises:
            NotFound: no such key.
            AccessDenied: the identity may not read rotation policies.
            VaultBrowserError: any other typed error.
        """
        capture = ResponseCapture()
        async with translated():
            policy = await self.key_client.get_key_rotation_policy(name, **capture.hooks)
        return Result(rotation_policy_record(name, policy), capture.last)
