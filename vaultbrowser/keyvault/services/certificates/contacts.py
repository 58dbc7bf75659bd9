"""A vault's certificate contacts (``service.certificates.contacts``): who Key Vault emails about
certificates near expiry (a policy's EmailContacts action). One list per vault: get, replace,
delete all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vaultbrowser.core.services.errors import NotFound
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.records import Result
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    ContactInput,
    ContactRecord,
    validate_contacts,
)
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.item_steps import _Responses
from vaultbrowser.keyvault.services.sdk_records import WireFields


def contact_records(contacts: Any) -> tuple[ContactRecord, ...]:
    """The SDK's ``CertificateContact`` list as our records (one without an email is kept
    with an empty one: the service requires it, but the list is what the vault holds)."""
    if not isinstance(contacts, list | tuple):
        return ()
    out = []
    for contact in contacts:
        fields = WireFields(contact)
        out.append(ContactRecord(fields.text("email") or "", fields.text("name"),
                                 fields.text("phone")))
    return tuple(out)


class CertificateContacts:
    """One vault's certificate contacts (a part of ``service.certificates``)."""

    def __init__(self, clients: VaultClients) -> None:
        self._clients = clients

    @property
    def _client(self) -> Any:
        return self._clients.certificate_client

    async def get(self) -> Result[tuple[ContactRecord, ...]]:
        """The vault's contacts; none set is an empty tuple (the service answers that with
        404 ContactsNotFound, recorded as an expected answer, not a failure).

        Raises:
            VaultBrowserError: any other typed error (AccessDenied without managecontacts).
        """
        responses = _Responses()
        try:
            with expecting(404):
                async with translated():
                    contacts = await self._client.get_contacts(**responses.hooks)
        except NotFound:
            return Result((), responses.of("GET"))
        return Result(contact_records(contacts), responses.of("GET"))

    async def set(self, contacts: Sequence[ContactInput]) -> Result[tuple[ContactRecord, ...]]:
        """Replace the vault's contacts with ``contacts`` (at least one).

        Raises:
            InvalidInput: none given, a bad email or phone, an email twice (nothing sent).
            VaultBrowserError: any other typed error.
        """
        from azure.keyvault.certificates import CertificateContact

        checked = validate_contacts(tuple(contacts))
        responses = _Responses()
        async with translated():
            saved = await self._client.set_contacts(
                [CertificateContact(email=c.email, name=c.name, phone=c.phone)
                 for c in checked], **responses.hooks)
        return Result(contact_records(saved), responses.of("PUT"))

    async def delete(self) -> Result[tuple[ContactRecord, ...]]:
        """Delete every contact; the result holds those deleted.

        Raises:
            NotFound: the vault has no contacts. VaultBrowserError: any other typed error.
        """
        responses = _Responses()
        async with translated():
            deleted = await self._client.delete_contacts(**responses.hooks)
        return Result(contact_records(deleted), responses.of("DELETE"))
