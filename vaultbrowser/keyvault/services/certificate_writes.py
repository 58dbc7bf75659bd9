"""Certificate writes: the ``CertificateWrites`` mixin of ``KeyVaultWrites`` (create and its
pending operation, import, download with or without the private key, policy and properties,
delete, recover, purge)."""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Callable, Mapping
from typing import Any, Literal

from vaultbrowser.core.services.errors import AccessDenied, Conflict, InvalidInput
from vaultbrowser.core.services.records import Result, SecretValue
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.certificate_inputs import (
    PEM,
    PKCS12,
    CertificateFile,
    CertificateOperationRecord,
    CertificatePolicyInput,
    PrivateExport,
    holds_private_key,
    inspect_certificate_file,
)
from vaultbrowser.keyvault.services.inputs import (
    PropertyChanges,
    validate_item_name,
    validate_tags,
    validate_version,
)
from vaultbrowser.keyvault.services.records import CertificatePolicyRecord, CertificateRecord
from vaultbrowser.keyvault.services.sdk_records import certificate_record, policy_record
from vaultbrowser.keyvault.services.write_steps import WriteSteps, _Responses


def _operation_from_sdk(name: str, operation: Any) -> CertificateOperationRecord:
    error = getattr(operation, "error", None)
    return CertificateOperationRecord(
        name=name,
        status=str(operation.status or ""),
        status_details=operation.status_details,
        error_code=getattr(error, "code", None),
        error_message=getattr(error, "message", None),
        cancellation_requested=bool(operation.cancellation_requested),
        target=operation.target,
        request_id=operation.request_id,
        issuer_name=operation.issuer_name,
        csr=bytes(operation.csr) if operation.csr else None,
    )


def _operation_from_wire(name: str, body: Mapping[str, Any]) -> CertificateOperationRecord:
    error = body.get("error") or {}
    csr = body.get("csr")
    return CertificateOperationRecord(
        name=name,
        status=str(body.get("status") or ""),
        status_details=body.get("status_details"),
        error_code=error.get("code"),
        error_message=error.get("message"),
        cancellation_requested=bool(body.get("cancellation_requested")),
        target=body.get("target"),
        request_id=body.get("request_id"),
        issuer_name=(body.get("issuer") or {}).get("name"),
        csr=base64.b64decode(csr) if csr else None,
    )


def _not_exportable(name: str) -> InvalidInput:
    return InvalidInput(
        f"The private key of “{name}” is not exportable: its policy keeps the key in Key Vault.",
        advice="Download the public certificate (.cer or .pem) instead.",
    )


class CertificateWrites(WriteSteps):
    """The certificate writes of one vault; see ``keyvault_writes`` for the guarantees."""

    async def create_certificate(self, name: str, policy: CertificatePolicyInput, *,
                                 enabled: bool = True, tags: Mapping[str, str] | None = None
                                 ) -> Result[CertificateOperationRecord]:
        """Start creating a certificate; returns its pending operation without waiting
        (follow it with ``get_certificate_operation`` or ``wait_certificate_operation``).

        The SDK's ``create_certificate`` only returns once the operation is done, so the
        create request goes through the client's ``send_request`` (same pipeline).

        Raises:
            InvalidInput: bad name, policy or tags; nothing was sent.
            Conflict: the name exists (a renewal is not a create) or is soft-deleted.
            VaultBrowserError: any other typed error (e.g. an unknown issuer: ServiceError).
        """
        validate_item_name(name)
        if not isinstance(policy, CertificatePolicyInput):
            raise InvalidInput("A certificate policy is required.")
        policy.validate()
        if not isinstance(enabled, bool):
            raise InvalidInput("Enabled must be yes or no.")
        body: dict[str, Any] = {"policy": policy.to_wire(), "attributes": {"enabled": enabled}}
        checked_tags = validate_tags(tags)
        if checked_tags is not None:
            body["tags"] = checked_tags
        await self._require_absent("certificate", name)
        from azure.core.rest import HttpRequest

        request = HttpRequest("POST", f"/certificates/{name}/create", json=body)
        responses = _Responses()
        async with translated():
            response = await self.certificate_client.send_request(request, **responses.hooks)
            response.raise_for_status()
            payload = response.json()
        return Result(_operation_from_wire(name, payload), responses.of("POST"))

    async def get_certificate_operation(self, name: str) -> Result[CertificateOperationRecord]:
        """The certificate's pending operation.

        Raises:
            NotFound: none (never created, or completed and deleted). VaultBrowserError: other.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            operation = await self.certificate_client.get_certificate_operation(
                name, **responses.hooks)
        return Result(_operation_from_sdk(name, operation), responses.of("GET"))

    async def cancel_certificate_operation(self, name: str
                                           ) -> Result[CertificateOperationRecord]:
        """Ask the issuer to stop. The answer says ``cancellation_requested``; the status turns
        "cancelled" on a later read (``wait_certificate_operation`` shows it).

        Raises:
            NotFound: no pending operation.
            Conflict: it is no longer in progress (the service answers 403 "Pending status
                must be in progress to allow update": a state, not a permission).
            VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        try:
            async with translated():
                operation = await self.certificate_client.cancel_certificate_operation(
                    name, **responses.hooks)
        except AccessDenied as exc:
            if "must be in progress" not in (exc.service_message or ""):
                raise
            raise Conflict(
                f"The pending operation of “{name}” has already finished; it cannot be "
                "cancelled.", advice="Refresh to see how it ended.", status=exc.status,
                error_code=exc.error_code, request_id=exc.request_id,
                service_message=exc.service_message, method=exc.method, url=exc.url) from exc
        return Result(_operation_from_sdk(name, operation), responses.of("PATCH"))

    async def delete_certificate_operation(self, name: str
                                           ) -> Result[CertificateOperationRecord]:
        """Remove the pending operation (the certificate's unissued version stays, disabled).

        Raises:
            NotFound: no pending operation. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            operation = await self.certificate_client.delete_certificate_operation(
                name, **responses.hooks)
        return Result(_operation_from_sdk(name, operation), responses.of("DELETE"))

    async def wait_certificate_operation(
        self, name: str, *, interval: float = 1.0,
        on_update: Callable[[CertificateOperationRecord], None] | None = None,
    ) -> Result[CertificateOperationRecord]:
        """Poll the pending operation until it is no longer in progress; ``on_update`` gets
        every state read. Cancel the task running it to stop waiting (the operation goes on).
        An "Unknown" issuer's operation stays in progress until a merge: do not wait for it.

        Raises:
            NotFound: no pending operation. VaultBrowserError: any other typed error.
        """
        if interval <= 0:
            raise InvalidInput("The polling interval must be positive.")
        while True:
            result = await self.get_certificate_operation(name)
            if on_update is not None:
                on_update(result.value)
            if not result.value.in_progress:
                return result
            await asyncio.sleep(interval)

    async def import_certificate(self, name: str, data: bytes, *,
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
            await self._require_active("certificate", name)
        else:
            await self._require_absent("certificate", name)
        options: dict[str, Any] = {"enabled": enabled, "tags": checked_tags}
        if inspected.send_password and password is not None:
            options["password"] = password.reveal()
        if inspected.is_pem:
            from azure.keyvault.certificates import CertificateContentType, CertificatePolicy

            # The SDK's documented way to import PEM: a policy naming the content type.
            options["policy"] = CertificatePolicy(content_type=CertificateContentType.pem)
        responses = _Responses()
        async with translated():
            certificate = await self.certificate_client.import_certificate(
                name, inspected.payload, **options, **responses.hooks)
        record = certificate_record(certificate.properties, self.vault_url,
                                                  certificate)
        return Result(record, responses.of("POST"))

    async def _certificate_version(self, name: str, version: str | None,
                                   responses: _Responses) -> Any:
        validate_item_name(name)
        validate_version(version)
        async with translated():
            client = self.certificate_client
            if version is None:
                return await client.get_certificate(name, **responses.hooks)
            return await client.get_certificate_version(name, version, **responses.hooks)

    async def download_certificate(self, name: str, version: str | None = None, *,
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

    async def download_certificate_private(self, name: str, version: str | None = None
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
                policy = await self.certificate_client.get_certificate_policy(name)
        if policy is not None and policy.exportable is False:
            raise _not_exportable(name)
        if not certificate.cer:
            raise InvalidInput(f"“{name}” has no issued certificate yet: its creation is still "
                               "pending.", advice="Wait for the pending operation to complete.")
        responses = _Responses()
        async with translated():
            secret = await self.secret_client.get_secret(
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

    async def update_certificate_policy(self, name: str, policy: CertificatePolicyInput
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
            updated = await self.certificate_client.update_certificate_policy(
                name, sdk_policy, **responses.hooks)
        return Result(policy_record(updated), responses.of("PATCH"))

    async def update_certificate_properties(self, name: str, version: str | None,
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
            certificate = await self.certificate_client.update_certificate_properties(
                name, version, **keywords, **responses.hooks)
        record = certificate_record(certificate.properties, self.vault_url,
                                                  certificate)
        return Result(record, responses.of("PATCH"))

    async def delete_certificate(self, name: str) -> Result[CertificateRecord]:
        """Delete a certificate with its key and secret (soft delete when the vault has it).

        Raises:
            NotFound: no such certificate. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            deleted = await self.certificate_client.delete_certificate(name, **responses.hooks)
        record = certificate_record(deleted.properties, self.vault_url, deleted,
                                                  deleted)
        return Result(record, responses.of("DELETE"))

    async def recover_deleted_certificate(self, name: str) -> Result[CertificateRecord]:
        """Bring a soft-deleted certificate back (with its key and secret).

        Raises:
            NotFound: no deleted certificate of that name. VaultBrowserError: other.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            certificate = await self.certificate_client.recover_deleted_certificate(
                name, **responses.hooks)
        record = certificate_record(certificate.properties, self.vault_url,
                                                  certificate)
        return Result(record, responses.of("POST"))

    async def purge_deleted_certificate(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a soft-deleted certificate (and its key and secret) for good.

        Raises:
            InvalidInput: typed name mismatch or purge protection (as for secrets).
            NotFound: no deleted certificate of that name. VaultBrowserError: other.
        """
        return await self._purge("certificate", name, typed_name)
