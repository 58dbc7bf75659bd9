"""Issuing a certificate from a policy: the create request and its pending operation (read,
cancel, delete, wait). ``service.certificates.issuance``."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable, Mapping
from typing import Any

from vaultbrowser.core.services.errors import AccessDenied, Conflict, InvalidInput
from vaultbrowser.core.services.records import Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.certificates.inputs import (
    CertificateOperationRecord,
    CertificatePolicyInput,
)
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.inputs import (
    validate_item_name,
    validate_tags,
)
from vaultbrowser.keyvault.services.item_steps import ItemSteps, _Responses


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


class CertificateIssuance:
    """Create certificates from a policy and follow their pending operations."""

    def __init__(self, clients: VaultClients, steps: ItemSteps) -> None:
        self._clients = clients
        self._steps = steps

    @property
    def _client(self) -> Any:
        return self._clients.certificate_client

    async def create(self, name: str, policy: CertificatePolicyInput, *,
                                 enabled: bool = True, tags: Mapping[str, str] | None = None
                                 ) -> Result[CertificateOperationRecord]:
        """Start creating a certificate; returns its pending operation without waiting
        (follow it with ``get_operation`` or ``wait_operation``).

        The SDK's ``create`` only returns once the operation is done, so the
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
        await self._steps.require_absent(name)
        from azure.core.rest import HttpRequest

        request = HttpRequest("POST", f"/certificates/{name}/create", json=body)
        responses = _Responses()
        async with translated():
            response = await self._client.send_request(request, **responses.hooks)
            response.raise_for_status()
            payload = response.json()
        return Result(_operation_from_wire(name, payload), responses.of("POST"))

    async def get_operation(self, name: str) -> Result[CertificateOperationRecord]:
        """The certificate's pending operation.

        Raises:
            NotFound: none (never created, or completed and deleted). VaultBrowserError: other.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            operation = await self._client.get_certificate_operation(
                name, **responses.hooks)
        return Result(_operation_from_sdk(name, operation), responses.of("GET"))

    async def cancel_operation(self, name: str
                                           ) -> Result[CertificateOperationRecord]:
        """Ask the issuer to stop. The answer says ``cancellation_requested``; the status turns
        "cancelled" on a later read (``wait_operation`` shows it).

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
                operation = await self._client.cancel_certificate_operation(
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

    async def delete_operation(self, name: str
                                           ) -> Result[CertificateOperationRecord]:
        """Remove the pending operation (the certificate's unissued version stays, disabled).

        Raises:
            NotFound: no pending operation. VaultBrowserError: any other typed error.
        """
        validate_item_name(name)
        responses = _Responses()
        async with translated():
            operation = await self._client.delete_certificate_operation(
                name, **responses.hooks)
        return Result(_operation_from_sdk(name, operation), responses.of("DELETE"))

    async def wait_operation(
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
            result = await self.get_operation(name)
            if on_update is not None:
                on_update(result.value)
            if not result.value.in_progress:
                return result
            await asyncio.sleep(interval)
