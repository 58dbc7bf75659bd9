"""Certificate files: import a PFX or PEM (certificate and key), download the public certificate
or, when the policy allows, the certificate with its private key. ``service.certificates.files``."""

from __future__ import annotations

import base64
import ssl
from collections.abc import Mapping
from typing import Any, Literal

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import Result, SecretValue
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.certificates.file_inspection import (
    CertificateFile,
    holds_private_key,
    inspect_certificate_file,
)
from vaultbrowser.keyvault.services.certificates.inputs import PEM, PKCS12, PrivateExport
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.inputs import (
    validate_item_name,
    validate_tags,
    validate_version,
)
from vaultbrowser.keyvault.services.item_steps import ItemSteps, _Responses
from vaultbrowser.keyvault.services.records import (
    CertificateRecord,
)
from vaultbrowser.keyvault.services.sdk_records import (
    certificate_record,
)


def _not_exportable(name: str) -> InvalidInput:
    return InvalidInput(
        f"The private key of “{name}” is not exportable: its policy keeps the key in Key Vault.",
        advice="Download the public certificate (.cer or .pem) instead.",
    )


class CertificateFiles:
    """Imports and downloads of one vault's certificates."""

    def __init__(self, clients: VaultClients, steps: ItemSteps) -> None:
        self._clients = clients
        self._steps = steps
        self.vault_url = clients.vault_url

    @property
    def _client(self) -> Any:
        return self._clients.certificate_client

    async def import_file(self, name: str, data: bytes, *,
                                 password: SecretValue | None = None, enabled: bool = True,
                                 tags: Mapping[str, str] | None = None,
                                 new_version: bool = False) -> Result[CertificateRecord]:
        """Import a PFX or PEM file (certificate with its private key), detected from the bytes.

        The file is opened locally first, so a wrong password or a file without a key fails
        before any request. ``new_version=True`` imports a new version of an existing
        certificate (a renewal); otherwise an existing name is refused like a create.

        Raises:
            InvalidInput: bad name or tags, unreadable file, wrong or missing password (never
                quoted), no private key; nothing was sent.
            Conflict: the name exists (without ``new_version``) or is soft-deleted.
            NotFound: ``new_version`` and no such certificate. VaultBrowserError: other.
        """
        validate_item_name(name)
        checked_tags = validate_tags(tags)
        if not isinstance(enabled, bool):
            raise InvalidInput("Enabled must be yes or no.")
        inspected: CertificateFile = inspect_certificate_file(data, password)
        if new_version:
            await self._steps.require_active(name)
        else:
            await self._steps.require_absent(name)
        options: dict[str, Any] = {"enabled": enabled, "tags": checked_tags}
        if inspected.send_password and password is not None:
            options["password"] = password.reveal()
        if inspected.is_pem:
            from azure.keyvault.certificates import CertificateContentType, CertificatePolicy

            # The SDK's documented way to import PEM: a policy naming the content type.
            options["policy"] = CertificatePolicy(content_type=CertificateContentType.pem)
        responses = _Responses()
        async with translated():
            certificate = await self._client.import_certificate(
                name, inspected.payload, **options, **responses.hooks)
        record = certificate_record(certificate.properties, self.vault_url,
                                                  certificate)
        return Result(record, responses.of("POST"))

    async def _certificate_version(self, name: str, version: str | None,
                                   responses: _Responses) -> Any:
        validate_item_name(name)
        validate_version(version)
        async with translated():
            client = self._client
            if version is None:
                return await client.get_certificate(name, **responses.hooks)
            return await client.get_certificate_version(name, version, **responses.hooks)

    async def download(self, name: str, version: str | None = None, *,
                                   fmt: Literal["cer", "pem"] = "cer") -> Result[bytes]:
        """The public certificate: DER (``fmt="cer"``) or PEM text (``fmt="pem"``) bytes.

        Raises:
            InvalidInput: unknown format, or the version is still pending (nothing issued).
            NotFound: no such certificate or version. VaultBrowserError: other.
        """
        if fmt not in ("cer", "pem"):
            raise InvalidInput("Download the certificate as .cer (DER) or .pem.")
        responses = _Responses()
        certificate = await self._certificate_version(name, version, responses)
        if not certificate.cer:
            raise InvalidInput(f"“{name}” has no issued certificate yet: its creation is still "
                               "pending.", advice="Wait for the pending operation to complete.")
        der = bytes(certificate.cer)
        data = der if fmt == "cer" else ssl.DER_cert_to_PEM_cert(der).encode("ascii")
        return Result(data, responses.of("GET"))

    async def download_private(self, name: str, version: str | None = None
                                           ) -> Result[PrivateExport]:
        """The certificate with its private key, through the certificate's secret: PFX bytes
        (``suffix`` ".pfx", no password) or PEM (".pem"), per the policy's content type.

        Raises:
            InvalidInput: the key is not exportable (by policy, or missing from the secret), or
                the version is still pending.
            AccessDenied: the identity may not read secrets, or the certificate is disabled.
            NotFound: no such certificate or version. VaultBrowserError: other.
        """
        certificate = await self._certificate_version(name, version, _Responses())
        policy = certificate.policy
        if policy is None:
            async with translated():
                policy = await self._client.get_certificate_policy(name)
        if policy is not None and policy.exportable is False:
            raise _not_exportable(name)
        if not certificate.cer:
            raise InvalidInput(f"“{name}” has no issued certificate yet: its creation is still "
                               "pending.", advice="Wait for the pending operation to complete.")
        responses = _Responses()
        async with translated():
            secret = await self._clients.secret_client.get_secret(
                name, certificate.properties.version, **responses.hooks)
        content_type = secret.properties.content_type or PKCS12
        text = secret.value or ""
        if content_type == PEM:
            data, suffix = text.encode("utf-8"), ".pem"
        else:
            try:
                data, suffix = base64.b64decode(text), ".pfx"
            except ValueError:
                raise InvalidInput("The certificate's secret is not a PFX.") from None
        if not holds_private_key(data, content_type):
            raise _not_exportable(name)
        return Result(PrivateExport(data, suffix, content_type), responses.of("GET"))
