"""A vault's certificate issuers (``service.certificates.issuers``): list, get, create, edit,
delete, over the SDK's ``CertificateClient``.

The service never returns an issuer's password, so an edit that types none must not send
credentials that would replace it: it PATCHes only what changed. What a PATCH cannot express
through the SDK (clearing the account id, the organisation id or every administrator) is a
replace (PUT), which needs the password typed again.
"""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.services.errors import Conflict, InvalidInput, NotFound
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.paging import fetch_page
from vaultbrowser.core.services.records import Page, Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.core.services.wire_time import TimeReader
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    AdminContactInput,
    AdminContactRecord,
    IssuerInput,
    IssuerRecord,
    checked_issuer,
    plan_update,
    validate_issuer_name,
)
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.inputs import MAX_KEY_VAULT_PAGE, clamp_page_size
from vaultbrowser.keyvault.services.item_steps import _Responses
from vaultbrowser.keyvault.services.sdk_records import WireFields


def issuer_record(issuer: Any, vault_url: str, *, listed: bool = False) -> IssuerRecord:
    """An SDK ``CertificateIssuer`` (or ``IssuerProperties`` from a listing) as our record;
    a password the SDK object might hold is never copied, only noted."""
    fields = WireFields(issuer)
    times = TimeReader()
    admins = tuple(
        AdminContactRecord(*(WireFields(admin).text(name) for name in
                             ("first_name", "last_name", "email", "phone")))
        for admin in fields.items("admin_contacts"))
    return IssuerRecord(
        vault_url=vault_url, name=fields.text("name") or "", id=fields.text("id") or "",
        provider=fields.text("provider"), account_id=fields.text("account_id"),
        organization_id=fields.text("organization_id"), admin_contacts=admins,
        enabled=fields.flag("enabled"), created_on=times.attribute(issuer, "created_on"),
        updated_on=times.attribute(issuer, "updated_on"),
        password_returned=bool(fields.text("password")), listed=listed,
        invalid_dates=times.invalid)


def _admins(contacts: tuple[AdminContactInput, ...]) -> list[Any] | None:
    from azure.keyvault.certificates import AdministratorContact

    return [AdministratorContact(first_name=c.first_name, last_name=c.last_name,
                                 email=c.email, phone=c.phone) for c in contacts] or None


def _password(issuer: IssuerInput) -> str | None:
    return issuer.password.reveal() if issuer.password is not None else None


class CertificateIssuers:
    """One vault's certificate issuers (a part of ``service.certificates``)."""

    noun = "issuer"

    def __init__(self, clients: VaultClients) -> None:
        self._clients = clients
        self.vault_url = clients.vault_url

    @property
    def _client(self) -> Any:
        return self._clients.certificate_client

    async def list(self, *, page_size: int = MAX_KEY_VAULT_PAGE,
                   continuation: str | None = None) -> Page[IssuerRecord]:
        """One page of issuers (name and provider only: ``listed`` records)."""
        return await fetch_page(
            lambda hooks: self._client.list_properties_of_issuers(
                max_page_size=clamp_page_size(page_size), **hooks),
            continuation, lambda props: issuer_record(props, self.vault_url, listed=True))

    async def get(self, name: str) -> Result[IssuerRecord]:
        """Raises: InvalidInput (bad name, nothing sent), NotFound (no such issuer)."""
        validate_issuer_name(name)
        responses = _Responses()
        async with translated():
            issuer = await self._client.get_issuer(name, **responses.hooks)
        return Result(issuer_record(issuer, self.vault_url), responses.of("GET"))

    async def create(self, name: str, issuer: IssuerInput) -> Result[IssuerRecord]:
        """Create an issuer; an existing one of that name is never replaced.

        Raises:
            InvalidInput: a bad name or field (nothing sent). Conflict: the name is taken.
            VaultBrowserError: any other typed error.
        """
        validate_issuer_name(name, new=True)
        checked = checked_issuer(issuer, new=True)
        await self._require_absent(name)
        return await self._put(name, checked)

    async def update(self, current: IssuerRecord, issuer: IssuerInput
                     ) -> Result[IssuerRecord]:
        """Change ``current`` (a GET's record) to ``issuer``: a PATCH of what changed, keeping
        the stored password when none is typed; a replace (PUT) when the change clears the
        account id, organisation id or every administrator (a PATCH cannot).

        Raises:
            InvalidInput: a bad field, nothing to change, a new account id without its
                password, or a clearing change without the password (nothing sent).
            NotFound: the issuer is gone. VaultBrowserError: any other typed error.
        """
        name = validate_issuer_name(current.name)
        plan = plan_update(current, issuer)
        new = plan.issuer
        if plan.replace:
            return await self._put(name, new)
        changes: dict[str, Any] = {}
        if "provider" in plan.changed:
            changes["provider"] = new.provider
        if "enabled" in plan.changed:
            changes["enabled"] = new.enabled
        if "credentials" in plan.changed:
            changes.update(account_id=new.account_id, password=_password(new))
        if "organization" in plan.changed:
            # Sent together: the SDK sends the organisation details as one object.
            changes.update(organization_id=new.organization_id,
                           admin_contacts=_admins(new.admin_contacts))
        responses = _Responses()
        async with translated():
            updated = await self._client.update_issuer(name, **changes, **responses.hooks)
        return Result(issuer_record(updated, self.vault_url), responses.of("PATCH"))

    async def delete(self, name: str, *, typed_name: str) -> Result[IssuerRecord]:
        """Delete an issuer once its name was typed exactly. Certificates whose policy names
        it keep their versions but cannot renew through it.

        Raises:
            InvalidInput: bad name or typed-name mismatch (nothing sent).
            NotFound: no such issuer. VaultBrowserError: any other typed error.
        """
        validate_issuer_name(name)
        if typed_name != name:
            raise InvalidInput(f"Type the issuer's exact name (“{name}”) to delete it.",
                               advice="The typed name must match exactly, including letter "
                                      "case.")
        responses = _Responses()
        async with translated():
            deleted = await self._client.delete_issuer(name, **responses.hooks)
        return Result(issuer_record(deleted, self.vault_url), responses.of("DELETE"))

    # --- steps ------------------------------------------------------------------------------

    async def _require_absent(self, name: str) -> None:
        try:
            with expecting(404):  # "does it exist?": a 404 is an answer, not a failure
                async with translated():
                    await self._client.get_issuer(name)
        except NotFound:
            return
        raise Conflict(f"An issuer named “{name}” already exists; nothing was changed.",
                       advice="Edit the existing issuer, or choose another name.",
                       error_code="AlreadyExists")

    async def _put(self, name: str, issuer: IssuerInput) -> Result[IssuerRecord]:
        responses = _Responses()
        async with translated():
            created = await self._client.create_issuer(
                name, issuer.provider, enabled=issuer.enabled, account_id=issuer.account_id,
                password=_password(issuer), organization_id=issuer.organization_id,
                admin_contacts=_admins(issuer.admin_contacts), **responses.hooks)
        return Result(issuer_record(created, self.vault_url), responses.of("PUT"))

