"""Certificate issuers and contacts: our records of them and what a write takes, checked before
any request (Qt-free, SDK-free, so dialogs validate with the same rules).

An issuer's password (the CA account's password or API key) is write-only on the service: it
is sent as a ``SecretValue`` and never comes back, so no record holds one. Every check raises
``InvalidInput`` in our own words; no message quotes a password.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import EMPTY_MAPPING, SecretValue
from vaultbrowser.keyvault.services.inputs import _shown, validate_item_name

# The public CAs Key Vault works with; the service takes other provider names too (its tests
# use "Test"; Microsoft-internal ones such as "OneCertV2-PublicCA"), so these are suggestions.
KNOWN_PROVIDERS: Final = ("DigiCert", "GlobalSign")
# Issuer names a certificate policy uses for no issuer object: self-signed, and a CSR merged
# by hand. An issuer object of either name would be shadowed by them.
RESERVED_ISSUER_NAMES: Final = ("Self", "Unknown")
MAX_TEXT: Final = 256  # names, account and organisation ids: far above any CA's own limits
MAX_PASSWORD: Final = 1024
MAX_CONTACTS: Final = 64

_PROVIDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_EMAIL = re.compile(r"[^@\s\"<>(),;:\[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"\+?[0-9 ().\-/]{3,32}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminContactRecord:
    """One organisation administrator the CA may contact about the issuer's certificates."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None

    @property
    def text(self) -> str:
        """"First Last <email>, phone" as the detail pane shows it."""
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        email = f"<{self.email}>" if self.email else ""
        head = " ".join(part for part in (name, email) if part) or "(no name)"
        return f"{head}, {self.phone}" if self.phone else head


@dataclass(frozen=True, slots=True)
class IssuerRecord:
    """A certificate issuer of a vault. ``listed`` records come from the listing, which
    carries the name and provider only; a GET fills the rest. No record holds a password:
    ``password_returned`` says only whether the service (unexpectedly) sent one."""

    vault_url: str
    name: str
    id: str
    provider: str | None = None
    account_id: str | None = None
    organization_id: str | None = None
    admin_contacts: tuple[AdminContactRecord, ...] = ()
    enabled: bool | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    password_returned: bool = False
    listed: bool = False
    invalid_dates: Mapping[str, str] = field(default=EMPTY_MAPPING)


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """A vault's certificate contact: who is emailed about expiring certificates."""

    email: str
    name: str | None = None
    phone: str | None = None


# --- checks -----------------------------------------------------------------------------


def _text(value: str | None, what: str, limit: int = MAX_TEXT) -> str | None:
    """A free text field stripped; None when empty. No control characters, bounded."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise InvalidInput(f"The {what} has {len(value):,} characters; at most {limit} are "
                           "allowed.")
    if _CONTROL.search(value):
        raise InvalidInput(f"The {what} {_shown(value)} contains control characters.")
    return value


def validate_email(value: str | None, what: str = "email address") -> str:
    email = _text(value, what)
    if email is None:
        raise InvalidInput(f"An {what} is required.")
    if not _EMAIL.fullmatch(email):
        raise InvalidInput(f"{_shown(email)} is not an email address.",
                           advice="Write it as name@example.com.")
    return email


def validate_phone(value: str | None) -> str | None:
    phone = _text(value, "phone number")
    if phone is not None and not (_PHONE.fullmatch(phone) and re.search(r"\d", phone)):
        raise InvalidInput(f"{_shown(phone)} is not a phone number.",
                           advice="Use digits, spaces, + - ( ) . and / only.")
    return phone


def validate_issuer_name(name: str, *, new: bool = False) -> str:
    """An issuer name follows Key Vault's object names (1–127 letters, digits, hyphens); a
    new one may not be "Self" or "Unknown" (the policy words for no issuer object)."""
    if not name:
        raise InvalidInput("An issuer name is required.")
    validate_item_name(name, "issuer name")
    if new and name.casefold() in {reserved.casefold() for reserved in RESERVED_ISSUER_NAMES}:
        raise InvalidInput(
            f"“{name}” is reserved: a certificate policy's issuer “{name}” means "
            + ("self-signed" if name.casefold() == "self" else "a CSR signed elsewhere and "
               "merged") + ", never an issuer object.", advice="Choose another name.")
    return name


def validate_provider(provider: str | None) -> str:
    text = _text(provider, "provider")
    if text is None:
        raise InvalidInput("A provider is required (for example DigiCert or GlobalSign).")
    if not _PROVIDER.fullmatch(text):
        raise InvalidInput(f"{_shown(text)} is not a provider name.",
                           advice="Use the CA's provider name: DigiCert, GlobalSign, or the "
                                  "name your CA integration gives (letters, digits, . _ -).")
    for known in KNOWN_PROVIDERS:  # the service's spelling, whatever the case typed
        if text.casefold() == known.casefold():
            return known
    return text


# --- inputs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AdminContactInput:
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None

    def validate(self) -> AdminContactInput:
        """Names and phone optional, the email required and valid."""
        return AdminContactInput(
            first_name=_text(self.first_name, "first name"),
            last_name=_text(self.last_name, "last name"),
            email=validate_email(self.email, "administrator's email address"),
            phone=validate_phone(self.phone))

    def as_record(self) -> AdminContactRecord:
        return AdminContactRecord(self.first_name, self.last_name, self.email, self.phone)


@dataclass(frozen=True, slots=True)
class IssuerInput:
    """An issuer as the create and edit dialogs gather it. ``password`` None: none typed (on
    an edit, the stored one is kept). The repr never shows the password (``SecretValue``)."""

    provider: str
    account_id: str | None = None
    password: SecretValue | None = None
    organization_id: str | None = None
    admin_contacts: tuple[AdminContactInput, ...] = ()
    enabled: bool = True

    def validate(self, *, new: bool) -> IssuerInput:
        """The checked, normalised input.

        Raises:
            InvalidInput: a bad field; for a new DigiCert or GlobalSign issuer, a missing
                account id or password (and organisation id for DigiCert), which their
                integrations require.
        """
        provider = validate_provider(self.provider)
        account_id = _text(self.account_id, "account id")
        organization_id = _text(self.organization_id, "organisation id")
        password = self.password
        if password is not None and not isinstance(password, SecretValue):
            raise InvalidInput("The password must be given as a SecretValue.")
        if password is not None and not password.reveal():
            password = None
        if password is not None and (len(password) > MAX_PASSWORD
                                     or _CONTROL.search(password.reveal())):
            raise InvalidInput(f"The password must be at most {MAX_PASSWORD} characters, "
                               "without control characters.")
        if password is not None and account_id is None:
            raise InvalidInput("A password needs the account id it belongs to.",
                               advice="Enter the CA account id too.")
        if len(self.admin_contacts) > MAX_CONTACTS:
            raise InvalidInput(f"At most {MAX_CONTACTS} administrators can be given.")
        admins = tuple(_checked_admin(contact, number)
                       for number, contact in enumerate(self.admin_contacts, start=1))
        if new and provider in KNOWN_PROVIDERS:
            missing = [what for what, value in (("account id", account_id),
                                                ("password", password)) if value is None]
            if provider == "DigiCert" and organization_id is None:
                missing.append("organisation id")
            if missing:
                raise InvalidInput(f"A {provider} issuer needs its {' and '.join(missing)}.",
                                   advice=f"Copy them from your {provider} account.")
        return IssuerInput(provider, account_id, password, organization_id, admins,
                           bool(self.enabled))


def checked_issuer(issuer: IssuerInput, *, new: bool) -> IssuerInput:
    if not isinstance(issuer, IssuerInput):
        raise InvalidInput("An issuer's settings are required.")
    return issuer.validate(new=new)


@dataclass(frozen=True, slots=True)
class IssuerUpdate:
    """What an edit sends: a replace (PUT of everything) or a PATCH of ``changed`` (some of
    "provider", "enabled", "credentials", "organization")."""

    issuer: IssuerInput
    replace: bool
    changed: frozenset[str] = frozenset()


def plan_update(current: IssuerRecord, issuer: IssuerInput) -> IssuerUpdate:
    """How to change ``current`` (a GET's record) into ``issuer``.

    The vault never returns the password, so credentials are sent only when a password is
    typed (an account id alone would pair the new account with the old account's password).
    A PATCH cannot clear the account id, organisation id or administrators (the SDK drops
    empty values), so such an edit is a replace, which needs the password typed again.

    Raises:
        InvalidInput: a bad field, a listing's record, nothing changed, a new account id or a
            clearing change without the password.
    """
    if current.listed:
        raise InvalidInput("Read the issuer (select it) before editing it.")
    new = checked_issuer(issuer, new=False)
    admins = tuple(a.as_record() for a in new.admin_contacts)
    cleared = [what for what, before, after in (
        ("account id", current.account_id, new.account_id),
        ("organisation id", current.organization_id, new.organization_id),
        ("administrators", current.admin_contacts, admins)) if before and not after]
    if cleared:
        if new.password is None:
            raise InvalidInput(
                f"Removing the {' and '.join(cleared)} replaces the whole issuer, and the "
                "vault never returns the stored password.",
                advice="Type the password again to replace the issuer, or keep them.")
        return IssuerUpdate(new, replace=True)
    changed = set()
    if new.provider != current.provider:
        changed.add("provider")
    if new.enabled != (current.enabled is not False):
        changed.add("enabled")
    if new.account_id != current.account_id or new.password is not None:
        if new.password is None:
            raise InvalidInput(
                "A new account id needs its password: the vault never returns the stored "
                "one, and it belongs to the old account.",
                advice="Type the new account's password too.")
        changed.add("credentials")
    if new.organization_id != current.organization_id or admins != current.admin_contacts:
        changed.add("organization")
    if not changed:
        raise InvalidInput("Nothing was changed: no request was sent.",
                           advice="Change a field, or cancel.")
    return IssuerUpdate(new, replace=False, changed=frozenset(changed))


def _checked_admin(contact: AdminContactInput, number: int) -> AdminContactInput:
    try:
        return contact.validate()
    except InvalidInput as error:
        raise InvalidInput(f"Administrator {number}: {error.message}",
                           advice=error.advice) from None


@dataclass(frozen=True, slots=True)
class ContactInput:
    email: str
    name: str | None = None
    phone: str | None = None

    def validate(self) -> ContactInput:
        return ContactInput(validate_email(self.email), _text(self.name, "contact's name"),
                            validate_phone(self.phone))


def validate_contacts(contacts: tuple[ContactInput, ...] | list[ContactInput]
                      ) -> tuple[ContactInput, ...]:
    """At least one contact (no contacts is "delete all contacts"), each valid, no email
    twice (case-insensitive), at most ``MAX_CONTACTS``."""
    if not contacts:
        raise InvalidInput("Give at least one contact.",
                           advice="To remove every contact, use Delete all contacts.")
    if len(contacts) > MAX_CONTACTS:
        raise InvalidInput(f"At most {MAX_CONTACTS} contacts can be given.")
    checked: list[ContactInput] = []
    seen: set[str] = set()
    for number, contact in enumerate(contacts, start=1):
        try:
            valid = contact.validate()
        except InvalidInput as error:
            raise InvalidInput(f"Contact {number}: {error.message}",
                               advice=error.advice) from None
        if valid.email.casefold() in seen:
            raise InvalidInput(f"{_shown(valid.email)} is listed twice.")
        seen.add(valid.email.casefold())
        checked.append(valid)
    return tuple(checked)
