"""What the detail pane shows for a certificate issuer and for a vault's certificate contacts.

An issuer's password is write-only on the service: the pane says that the vault does not return
it (so whether one is stored cannot be known), never a value (no record holds one).
"""

from __future__ import annotations

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.details import Details, DetailSection, detail_rows, time_text
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    ContactRecord,
    IssuerRecord,
)

PASSWORD_TEXT = "not returned by the service (write-only; kept unless you type a new one)"


def describe_issuer(record: IssuerRecord, response: ResponseInfo | None) -> Details:
    """An issuer: provider, account, organisation, administrators, enabled, dates."""
    if record.listed:
        rows = detail_rows(("Name", record.name), ("Provider", record.provider),
                           ("Identifier", record.id))
        return Details(record.name, "Certificate issuer", (DetailSection("Issuer", rows),),
                       response, record, note="From the listing: select it to read the rest")
    password = ("returned by the service (not shown)" if record.password_returned
                else PASSWORD_TEXT)
    issuer = detail_rows(
        ("Name", record.name),
        ("Provider", record.provider),
        ("Enabled", fmt.yes_no(record.enabled)),
        ("Identifier", record.id),
        ("Created", time_text(record, "created_on")),
        ("Updated", time_text(record, "updated_on")),
    )
    credentials = detail_rows(
        ("Account id", record.account_id or "none"),
        ("Password", password),  # unknowable either way: the service never sends it
    )
    organisation = detail_rows(("Organisation id", record.organization_id or "none"))
    admins = tuple((f"Administrator {number}", admin.text)
                   for number, admin in enumerate(record.admin_contacts, start=1))
    sections = [DetailSection("Issuer", issuer), DetailSection("Credentials", credentials),
                DetailSection("Organisation", organisation + (
                    admins or (("Administrators", "none"),)))]
    return Details(record.name, "Certificate issuer", tuple(sections), response, record)


def describe_contacts(vault_name: str, contacts: tuple[ContactRecord, ...],
                      response: ResponseInfo | None) -> Details:
    """A vault's certificate contacts (or that it has none)."""
    rows = tuple((contact.email, ", ".join(part for part in (contact.name, contact.phone)
                                           if part) or "—") for contact in contacts)
    section = DetailSection("Contacts", rows or (("Contacts", "none set"),))
    return Details(f"Certificate contacts of {vault_name}",
                   "Emailed about certificates near expiry (a policy's EmailContacts action)",
                   (section,), response, contacts)
