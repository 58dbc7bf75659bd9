"""The shared steps of the Key Vault writes: the ``WriteSteps`` base of the secret, certificate
and key write mixins (the name look-ups before a create or a new version, the purge) and the
helpers they all use (``_Responses``, the Conflict/NotFound of a look-up)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from vaultbrowser.core.services.errors import AccessDenied, Conflict, InvalidInput, NotFound
from vaultbrowser.core.services.records import ResponseInfo, Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.inputs import (
    check_typed_name,
    purge_refusal,
    validate_item_name,
)
from vaultbrowser.keyvault.services.records import VaultItemRecord
from vaultbrowser.keyvault.services.sdk_records import certificate_record, key_record, secret_record

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
        from vaultbrowser.core.services.http.transport import info_for

        self._all.append(info_for(pipeline_response.http_response))

    def of(self, method: str) -> ResponseInfo | None:
        for info in reversed(self._all):
            if info.method == method:
                return info
        return self._all[-1] if self._all else None


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


class WriteSteps:
    """What the writes of every kind share; ``KeyVaultService`` provides the clients and
    ``vault_url``."""

    vault_url: str
    secret_client: Any
    certificate_client: Any
    key_client: Any

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
        _, get_deleted, _ = self._sdk_calls(kind)
        async with translated():
            deleted = await get_deleted(name)
        if kind == "secret":
            return secret_record(deleted.properties, self.vault_url, deleted)
        if kind == "key":
            return key_record(deleted.properties, self.vault_url, deleted.key, deleted)
        return certificate_record(deleted.properties, self.vault_url, deleted, deleted)

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
