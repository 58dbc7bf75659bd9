"""``KeyVaultService``: read access to one vault's secrets, certificates and keys.

Built over the official ``.aio`` clients, which are created on first use (their imports are
heavy and a window may never open the keys tree). Every call returns our own records with the
``ResponseInfo`` of the call that produced them and raises only ``VaultBrowserError``s.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.transport import RecordingTransport, ResponseCapture
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page, Result, SecretValue
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.inputs import validate_item_name, validate_version
from vaultbrowser.keyvault.services.records import (
    CertificateDetails,
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    KeyRotationPolicyRecord,
    SecretRecord,
)
from vaultbrowser.keyvault.services.sdk_records import (
    certificate_record,
    key_record,
    policy_record,
    rotation_policy_record,
    secret_record,
)
from vaultbrowser.keyvault.services.writes import KeyVaultWrites
from vaultbrowser.keyvault.services.x509 import parse_certificate

MAX_KEY_VAULT_PAGE = 25  # the service's upper bound for maxresults


def _page_size(page_size: int) -> int:
    return max(1, min(MAX_KEY_VAULT_PAGE, page_size))


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
        x509 = x509_error = None
        if certificate.cer:
            try:
                x509 = parse_certificate(bytes(certificate.cer))
            except InvalidInput as error:  # still downloadable: the DER is kept as it came
                x509_error = error.message
        props = certificate_record(certificate.properties, self.vault_url, certificate)
        if x509 is not None:
            props = replace(props, subject=x509.subject, issuer=x509.issuer)
        details = CertificateDetails(
            properties=props, x509=x509, policy=policy_record(policy) if policy else None,
            x509_error=x509_error,
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
