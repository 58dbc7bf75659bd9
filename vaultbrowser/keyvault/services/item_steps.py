"""The shared steps of the Key Vault writes: ``ItemSteps``, which each item kind's part of the
service *has* (the name look-ups before a create or a new version, the purge), and the helpers
they all use (``_Responses``, the Conflict/NotFound of a look-up)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Literal

from vaultbrowser.core.services.errors import AccessDenied, Conflict, InvalidInput, NotFound
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.records import ResponseInfo, Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.inputs import (
    check_typed_name,
    purge_refusal,
    validate_item_name,
)
from vaultbrowser.keyvault.services.records import VaultItemRecord

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
        from vaultbrowser.core.services.http.capture import info_for

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


class ItemSteps:
    """What every item kind's writes share (the name look-ups before a create or a new
    version, the purge), over the SDK calls its owner hands in: no kind → method table."""

    def __init__(self, noun: Kind, vault_url: str, *,
                 get: Callable[[str], Awaitable[Any]],
                 get_deleted: Callable[[str], Awaitable[Any]],
                 purge: Callable[..., Awaitable[Any]],
                 deleted_record: Callable[[Any], VaultItemRecord]) -> None:
        self.noun = noun
        self.vault_url = vault_url
        self._get, self._get_deleted, self._purge = get, get_deleted, purge
        self._record_of_deleted = deleted_record

    async def state(self, name: str) -> tuple[_State, Any]:
        """Whether ``name`` is in use: ("active", None), ("deleted", the deleted item) or
        ("absent", None). Two GETs at most; nothing is changed.

        Raises:
            AccessDenied: the identity may not read the item (a write is then not attempted:
                without the look-up it could silently add a version).
            VaultBrowserError: any other typed error of the look-up.
        """
        try:
            with expecting(404):  # "does it exist?": a 404 is an answer, not a failure
                async with translated():
                    await self._get(name)
            return "active", None
        except NotFound:
            pass
        except AccessDenied as exc:
            # A disabled secret answers its GET with 403 SecretDisabled: it exists.
            if (exc.error_code or "").lower().endswith("disabled"):
                return "active", None
            raise
        try:
            with expecting(404):
                async with translated():
                    deleted = await self._get_deleted(name)
        except NotFound:
            return "absent", None
        except AccessDenied:
            # May not read deleted items: the service itself refuses a soft-deleted name (409).
            return "absent", None
        return "deleted", deleted

    async def require_absent(self, name: str) -> None:
        state, deleted = await self.state(name)
        if state == "active":
            raise _exists(self.noun, name)
        if state == "deleted":
            raise _soft_deleted(self.noun, name, deleted)

    async def require_active(self, name: str) -> None:
        state, deleted = await self.state(name)
        if state == "deleted":
            raise _soft_deleted(self.noun, name, deleted)
        if state == "absent":
            raise _missing(self.noun, name)

    async def deleted_record(self, name: str) -> VaultItemRecord:
        async with translated():
            deleted = await self._get_deleted(name)
        return self._record_of_deleted(deleted)

    async def purge(self, name: str, typed_name: str) -> Result[None]:
        validate_item_name(name)
        check_typed_name(name, typed_name, self.noun)
        refusal = purge_refusal(await self.deleted_record(name))
        if refusal is not None:
            raise InvalidInput(refusal, advice="Recover it if it is still needed; otherwise "
                                               "leave it: the vault will purge it.")
        responses = _Responses()
        async with translated():
            await self._purge(name, **responses.hooks)
        return Result(None, responses.of("DELETE"))
