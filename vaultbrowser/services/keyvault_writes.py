"""Key Vault writes: the ``KeyVaultWrites`` mixin of ``KeyVaultService`` (secrets, certificates,
keys). The records they take and give are in ``keyvault_inputs`` and ``keyvault_cert_inputs``.

Safe by construction:

- Every name, value, date, tag and policy is checked before any request (``InvalidInput``).
- Create never adds a silent new version: it looks the name up first and refuses with
  ``Conflict`` when it exists (``error_code`` "AlreadyExists") or is soft-deleted
  ("ObjectIsDeletedButRecoverable", pointing to Recover/Purge). Adding a version is its own call
  and needs the name to exist. (Key Vault has no conditional create: a create racing with
  another client's is not caught.)
- A purge needs the item's exact name typed, and is refused before the purge request when the
  item's recovery level forbids it (``purge_refusal``).
- Secret values and passwords travel as ``SecretValue`` and appear in no message or repr.
- Everything goes through the service's own pipeline, so a read-only connection refuses every
  write (``ReadOnlyRefused``) before it is sent; the look-ups before a write are GETs.

Every call returns ``Result(value, response)``, the response being the write's own HTTP
exchange (not the SDK's follow-up polls). Errors are our typed errors (``translated``).
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal

from vaultbrowser.errors import AccessDenied, Conflict, InvalidInput, NotFound
from vaultbrowser.services.keyvault_cert_inputs import (
    PEM,
    PKCS12,
    CertificateFile,
    CertificateOperationRecord,
    CertificatePolicyInput,
    PrivateExport,
    holds_private_key,
    inspect_certificate_file,
)
from vaultbrowser.services.keyvault_inputs import (
    EC_CURVES,
    KEY_OPERATIONS,
    RSA_SIZES,
    PropertyChanges,
    check_typed_name,
    purge_refusal,
    validate_item_name,
    validate_secret_value,
    validate_tags,
    validate_version,
    validate_window,
)
from vaultbrowser.services.records import (
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    ResponseInfo,
    Result,
    SecretRecord,
    SecretValue,
    VaultItemRecord,
)
from vaultbrowser.services.translate import translated

__all__ = ["KeyVaultWrites"]

Kind = Literal["secret", "key", "certificate"]
_State = Literal["active", "deleted", "absent"]


class _Responses:
    """Every response of one SDK call, in order. A write's ``Result`` carries the last response
    of the write's own method, not the challenge 401 before it or the polls after it."""

    __slots__ = ("_all",)

    def __init__(self) -> None:
        self._all: list[ResponseInfo] = []

    @property
    def hooks(self) -> dict[str, Callable[[Any], None]]:
        return {"raw_response_hook": self._on_response}

    def _on_response(self, pipeline_response: Any) -> None:
        from vaultbrowser.services.http import info_for

        self._all.append(info_for(pipeline_response.http_response))

    def of(self, method: str) -> ResponseInfo | None:
        for info in reversed(self._all):
            if info.method == method:
                return info
        return self._all[-1] if self._all else None


def _converters() -> Any:
    # keyvault.py imports this module to inherit from it; its record builders load at call time.
    from vaultbrowser.services import keyvault

    return keyvault


def _exists(kind: Kind, name: str) -> Conflict:
    return Conflict(
        f"A {kind} named “{name}” already exists; nothing was changed.",
        advice=(f"Add a new version to the existing {kind}, or choose another name."
                if kind != "key" else "Choose another name, or rotate the existing key."),
        error_code="AlreadyExists",
    )


def _soft_deleted(kind: Kind, name: str, deleted: Any) -> Conflict:
    until = getattr(deleted, "scheduled_purge_date", None)
    kept = f" (kept until {until:%Y-%m-%d})" if isinstance(until, datetime) else ""
    return Conflict(
        f"A deleted {kind} named “{name}” is still in the vault{kept}: its name cannot be reused "
        "while it is. Nothing was changed.",
        advice="Recover it from the vault's Deleted view, or purge it there to reuse the name.",
        error_code="ObjectIsDeletedButRecoverable",
    )


def _missing(kind: Kind, name: str) -> NotFound:
    return NotFound(f"There is no {kind} named “{name}” to add a version to.",
                    advice=f"Create the {kind} first (or refresh: it may have been deleted).")


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


class KeyVaultWrites:
    """Write operations of one vault; mixed into ``KeyVaultService`` (which provides the
    clients and ``vault_url``). See the module docstring for the guarantees."""

    vault_url: str
    secret_client: Any
    certificate_client: Any
    key_client: Any

    # --- shared steps ---------------------------------------------------------------------

    def _sdk_calls(self, kind: Kind) -> tuple[Any, Any, Any]:
        """(get, get_deleted, purge) of one kind's client."""
        if kind == "secret":
            client = self.secret_client
            return client.get_secret, client.get_deleted_secret, client.purge_deleted_secret
        if kind == "key":
            client = self.key_client
            return client.get_key, client.get_deleted_key, client.purge_deleted_key
        client = self.certificate_client
        return (client.get_certificate, client.get_deleted_certificate,
                client.purge_deleted_certificate)

    async def _state(self, kind: Kind, name: str) -> tuple[_State, Any]:
        """Whether ``name`` is in use: ("active", None), ("deleted", the deleted item) or
        ("absent", None). Two GETs at most; nothing is changed.

        Raises:
            AccessDenied: the identity may not read the item (a write is then not attempted:
                without the look-up it could silently add a version).
            VaultBrowserError: any other typed error of the look-up.
        """
        get, get_deleted, _ = self._sdk_calls(kind)
        try:
            async with translated():
                await get(name)
            return "active", None
        except NotFound:
            pass
        except AccessDenied as exc:
            # A disabled secret answers its GET with 403 SecretDisabled: it exists.
            if (exc.error_code or "").lower().endswith("disabled"):
                return "active", None
            raise
        try:
            async with translated():
                deleted = await get_deleted(name)
        except NotFound:
            return "absent", None
        except AccessDenied:
            # May not read deleted items: the service itself refuses a soft-deleted name (409).
            return "absent", None
        return "deleted", deleted

    async def _require_absent(self, kind: Kind, name: str) -> None:
        state, deleted = await self._state(kind, name)
        if state == "active":
            raise _exists(kind, name)
        if state == "deleted":
            raise _soft_deleted(kind, name, deleted)

    async def _require_active(self, kind: Kind, name: str) -> None:
        state, deleted = await self._state(kind, name)
        if state == "deleted":
            raise _soft_deleted(kind, name, deleted)
        if state == "absent":
            raise _missing(kind, name)

    async def _deleted_record(self, kind: Kind, name: str) -> VaultItemRecord:
        convert = _converters()
        _, get_deleted, _ = self._sdk_calls(kind)
        async with translated():
            deleted = await get_deleted(name)
        if kind == "secret":
            return convert.secret_record(deleted.properties, self.vault_url, deleted)
        if kind == "key":
            return convert.key_record(deleted.properties, self.vault_url, deleted.key, deleted)
        return convert.certificate_record(deleted.properties, self.vault_url, deleted, deleted)

    async def _purge(self, kind: Kind, name: str, typed_name: str) -> Result[None]:
        validate_item_name(name)
        check_typed_name(name, typed_name, kind)
        refusal = purge_refusal(await self._deleted_record(kind, name))
        if refusal is not None:
            raise InvalidInput(refusal, advice="Recover it if it is still needed; otherwise "
                                               "leave it: the vault will purge it.")
        _, _, purge = self._sdk_calls(kind)
        responses = _Responses()
        async with translated():
            await purge(name, **responses.hooks)
        return Result(None, responses.of("DELETE"))

    # --- secrets --------------------------------------------------------------------------

    async def create_secret(self, name: str, value: SecretValue, *,
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
        await self._require_absent("secret", name)
        return await self._set_secret(name, value, options)

    async def add_secret_version(self, name: str, value: SecretValue, *,
                                 content_type: str | None = None, enabled: bool = True,
                                 not_before: datetime | None = None,
                                 expires_on: datetime | None = None,
                                 tags: Mapping[str, str] | None = None) -> Result[SecretRecord]:
        """Add a version to an existing secret (the new latest value).

        Raises:
            InvalidInput: as for ``create_secret``.
            NotFound: no secret of that name. Conflict: it is soft-deleted.
            VaultBrowserError: any other typed error (a certificate's secret: AccessDenied).
        """
        validate_item_name(name)
        options = self._secret_options(value, content_type, enabled, not_before, expires_on, tags)
        await self._require_active("secret", name)
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
            secret = await self.secret_client.set_secret(name, value.reveal(), **options,
                                                         **responses.hooks)
        record = _converters().secret_record(secret.properties, self.vault_url)
        return Result(record, responses.of("PUT"))

    async def update_secret_properties(self, name: str, version: str | None,
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
            props = await self.secret_client.update_secret_properties(
                name, version, **keywords, **responses.hooks)
        return Result(_converters().secret_record(props, self.vault_url), responses.of("PATCH"))

    async def delete_secret(self, name: str) -> Result[SecretRecord]:
        """Delete a secret (every version). With soft delete it is kept, recoverable, until
        its scheduled purge date; the result is the deleted record.

        Raises:
            NotFound: no such secret. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            deleted = await self.secret_client.delete_secret(name, **responses.hooks)
        record = _converters().secret_record(deleted.properties, self.vault_url, deleted)
        return Result(record, responses.of("DELETE"))

    async def recover_deleted_secret(self, name: str) -> Result[SecretRecord]:
        """Bring a soft-deleted secret back with all its versions.

        Raises:
            NotFound: no deleted secret of that name. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            props = await self.secret_client.recover_deleted_secret(name, **responses.hooks)
        return Result(_converters().secret_record(props, self.vault_url), responses.of("POST"))

    async def purge_deleted_secret(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a soft-deleted secret for good.

        Raises:
            InvalidInput: ``typed_name`` is not exactly ``name`` (nothing was sent), or the
                vault's recovery level forbids purging (only the deleted secret was read).
            NotFound: no deleted secret of that name. VaultBrowserError: any other typed error.
        """
        return await self._purge("secret", name, typed_name)

    # --- certificates ---------------------------------------------------------------------

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
        record = _converters().certificate_record(certificate.properties, self.vault_url,
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
        return Result(_converters().policy_record(updated), responses.of("PATCH"))

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
        record = _converters().certificate_record(certificate.properties, self.vault_url,
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
        record = _converters().certificate_record(deleted.properties, self.vault_url, deleted,
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
        record = _converters().certificate_record(certificate.properties, self.vault_url,
                                                  certificate)
        return Result(record, responses.of("POST"))

    async def purge_deleted_certificate(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a soft-deleted certificate (and its key and secret) for good.

        Raises:
            InvalidInput: typed name mismatch or purge protection (as for secrets).
            NotFound: no deleted certificate of that name. VaultBrowserError: other.
        """
        return await self._purge("certificate", name, typed_name)

    # --- keys -----------------------------------------------------------------------------

    async def create_key(self, name: str, *, key_type: Literal["RSA", "EC"],
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
        await self._require_absent("key", name)
        responses = _Responses()
        async with translated():
            key = await self.key_client.create_key(name, key_type, **options, **responses.hooks)
        record = _converters().key_record(key.properties, self.vault_url, key.key)
        return Result(record, responses.of("POST"))

    async def update_key_properties(self, name: str, version: str | None,
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
            key = await self.key_client.update_key_properties(name, version, **keywords,
                                                              **responses.hooks)
        record = _converters().key_record(key.properties, self.vault_url, key.key)
        return Result(record, responses.of("PATCH"))

    async def delete_key(self, name: str) -> Result[KeyRecord]:
        """Delete a key (every version); soft delete keeps it recoverable.

        Raises:
            NotFound: no such key. VaultBrowserError: any other typed error (a certificate's
                key: AccessDenied).
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            deleted = await self.key_client.delete_key(name, **responses.hooks)
        record = _converters().key_record(deleted.properties, self.vault_url, deleted.key,
                                          deleted)
        return Result(record, responses.of("DELETE"))

    async def recover_deleted_key(self, name: str) -> Result[KeyRecord]:
        """Bring a soft-deleted key back.

        Raises:
            NotFound: no deleted key of that name. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            key = await self.key_client.recover_deleted_key(name, **responses.hooks)
        return Result(_converters().key_record(key.properties, self.vault_url, key.key),
                      responses.of("POST"))

    async def purge_deleted_key(self, name: str, *, typed_name: str) -> Result[None]:
        """Delete a soft-deleted key for good.

        Raises:
            InvalidInput: typed name mismatch or purge protection (as for secrets).
            NotFound: no deleted key of that name. VaultBrowserError: other.
        """
        return await self._purge("key", name, typed_name)


def _not_exportable(name: str) -> InvalidInput:
    return InvalidInput(
        f"The private key of “{name}” is not exportable: its policy keeps the key in Key Vault.",
        advice="Download the public certificate (.cer or .pem) instead.",
    )
