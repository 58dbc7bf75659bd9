"""A vault's certificates: listings, reads (X.509 parsed, policy), policy and properties, delete,
recover, purge. Issuing from a policy (``issuance``) and files (``files``: import, download) are
its parts."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page, Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.certificates.contacts import CertificateContacts
from vaultbrowser.keyvault.services.certificates.files import CertificateFiles
from vaultbrowser.keyvault.services.certificates.inputs import (
    CertificatePolicyInput,
)
from vaultbrowser.keyvault.services.certificates.issuance import CertificateIssuance
from vaultbrowser.keyvault.services.certificates.issuers import CertificateIssuers
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.inputs import (
    MAX_KEY_VAULT_PAGE,
    PropertyChanges,
    clamp_page_size,
    validate_item_name,
    validate_version,
)
from vaultbrowser.keyvault.services.item_steps import ItemSteps, _Responses
from vaultbrowser.keyvault.services.records import (
    CertificateDetails,
    CertificatePolicyRecord,
    CertificateRecord,
)
from vaultbrowser.keyvault.services.sdk_records import (
    certificate_record,
    policy_record,
)


class VaultCertificates:
    """One vault's certificates (a part of ``KeyVaultService``: ``service.certificates``)."""

    noun = "certificate"

    def __init__(self, clients: VaultClients) -> None:
        self._clients = clients
        self.vault_url = clients.vault_url
        self._steps = steps = ItemSteps(
            "certificate", self.vault_url,
            get=lambda name: self._client.get_certificate(name),
            get_deleted=lambda name: self._client.get_deleted_certificate(name),
            purge=lambda name, **hooks: self._client.purge_deleted_certificate(name, **hooks),
            deleted_record=lambda deleted: certificate_record(deleted.properties,
                                                              self.vault_url, deleted, deleted),
        )

        self.issuance = CertificateIssuance(clients, steps)
        self.files = CertificateFiles(clients, steps)
        self.issuers = CertificateIssuers(clients)  # the vault's CA settings
        self.contacts = CertificateContacts(clients)

    @property
    def _client(self) -> Any:
        return self._clients.certificate_client

    # --- reads ------------------------------------------------------------------------------

    async def list(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                continuation: str | None = None) -> Page[CertificateRecord]:
        return await fetch_page(
            lambda hooks: self._client.list_properties_of_certificates(
                max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda props: certificate_record(props, self.vault_url),
        )

    async def list_versions(self, name: str, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                        continuation: str | None = None
                                        ) -> Page[CertificateRecord]:
        return await fetch_page(
            lambda hooks: self._client.list_properties_of_certificate_versions(
                name, max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda props: certificate_record(props, self.vault_url),
        )

    async def list_deleted(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                                        continuation: str | None = None
                                        ) -> Page[CertificateRecord]:
        return await fetch_page(
            lambda hooks: self._client.list_deleted_certificates(
                max_page_size=clamp_page_size(page_size), **hooks),
            continuation,
            lambda deleted: certificate_record(deleted.properties, self.vault_url,
                                               deleted, deleted),
        )

    async def get(self, name: str, version: str | None = None
                              ) -> Result[CertificateDetails]:
        """A certificate with its X.509 details parsed and its policy.

        The latest version's GET carries the policy; for an older version the policy (which
        belongs to the certificate, not the version) is fetched with a second call. The
        ``Result``'s response is the certificate GET.
        """
        capture = ResponseCapture()
        async with translated():
            client = self._client
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
            # cryptography (~90 ms to import) is not needed for the first paint: the window
            # imports this module; the kind's SDK_MODULES load the parser in the background.
            from vaultbrowser.keyvault.services.certificates.x509 import parse_certificate

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

    async def get_policy(self, name: str) -> Result[CertificatePolicyRecord]:
        capture = ResponseCapture()
        async with translated():
            policy = await self._client.get_certificate_policy(name, **capture.hooks)
        return Result(policy_record(policy), capture.last)

    # --- writes ------------------------------------------------------------------------------

    async def update_policy(self, name: str, policy: CertificatePolicyInput
                                        ) -> Result[CertificatePolicyRecord]:
        """Replace the certificate's policy (it applies to the next version).

        Raises:
            InvalidInput: bad name or policy; nothing was sent.
            NotFound: no such certificate. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        if not isinstance(policy, CertificatePolicyInput):
            raise InvalidInput("A certificate policy is required.")
        sdk_policy = policy.validate().to_sdk()
        responses = _Responses()
        async with translated():
            updated = await self._client.update_certificate_policy(
                name, sdk_policy, **responses.hooks)
        return Result(policy_record(updated), responses.of("PATCH"))

    async def update_properties(self, name: str, version: str | None,
                                            changes: PropertyChanges
                                            ) -> Result[CertificateRecord]:
        """Enable/disable or retag one version (latest for None).

        Raises:
            InvalidInput: nothing to change, or dates/content type (not editable here).
            NotFound: no such certificate or version. VaultBrowserError: other.
        """
        validate_item_name(name)
        validate_version(version)
        keywords = changes.sdk_keywords("certificate", allowed=("enabled", "tags"))
        responses = _Responses()
        async with translated():
            certificate = await self._client.update_certificate_properties(
                name, version, **keywords, **responses.hooks)
        record = certificate_record(certificate.properties, self.vault_url,
                                                  certificate)
        return Result(record, responses.of("PATCH"))

    async def delete(self, name: str) -> Result[CertificateRecord]:
        """Delete a certificate with its key and secret (soft delete when the vault has it).

        Raises:
            NotFound: no such certificate. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            deleted = await self._client.delete_certificate(name, **responses.hooks)
        record = certificate_record(deleted.properties, self.vault_url, deleted,
                                                  deleted)
        return Result(record, responses.of("DELETE"))

    async def recover(self, name: str) -> Result[CertificateRecord]:
        """Bring a soft-deleted certificate back (with its key and secret).

        Raises:
            NotFound: no deleted certificate of that name. VaultBrowserError: other.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            certificate = await self._client.recover_deleted_certificate(
                name, **responses.hooks)
        record = certificate_record(certificate.properties, self.vault_url,
                                                  certificate)
        return Result(record, responses.of("POST"))

    async def purge(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a soft-deleted certificate (and its key and secret) for good.

        Raises:
            InvalidInput: typed name mismatch or purge protection (as for secrets).
            NotFound: no deleted certificate of that name. VaultBrowserError: other.
        """
        return await self._steps.purge(name, typed_name)
