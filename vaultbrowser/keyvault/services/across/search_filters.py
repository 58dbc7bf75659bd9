"""What a search across vaults looks for, checked before any request (Qt-free).

``VaultQuery`` holds the user's filters; ``VaultQuery.compile()`` checks them all (a bad regex,
glob, thumbprint or date range is a ``QueryError`` naming the field, before anything is sent)
and gives a ``CompiledQuery``: which kinds can match at all, the test a listed record must pass,
and — only for a certificate subject or issuer filter, which listings do not carry — the test of
the certificate's full record after its GET.

Matching rules (all filters given must hold):

- name: substring (default), glob (``*`` ``?`` ``[set]`` over the whole name) or regex (searched
  anywhere); case-insensitive unless asked otherwise;
- tag: the key compares whole and case-insensitively, the value as a case-insensitive
  substring; a value alone matches any tag holding it;
- content type: a case-insensitive substring of a secret's content type (listings of keys and
  certificates carry none, so only secrets are searched);
- enabled: yes / no / any; expiry: inclusive range, an item without expiry never matches one;
- certificate subject / issuer: case-insensitive substrings of the RFC 4514 text
  ("CN=web.contoso.com, O=Contoso"); thumbprint: the SHA-1, hex in any case, colons or spaces
  allowed. These search certificates only.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.name_match import NameMatch, name_test
from vaultbrowser.keyvault.services.records import (
    CertificateRecord,
    SecretRecord,
    VaultItemRecord,
)


class QueryError(InvalidInput):
    """A filter that cannot be searched for; ``field`` names it (``"name"``, ``"thumbprint"``,
    ``"expiry"``…) so a dialog can put the cursor there. Nothing was sent."""

    def __init__(self, message: str, *, field: str, advice: str | None = None) -> None:
        super().__init__(message, advice=advice)
        self.field = field


class ItemKind(enum.Enum):
    """The kinds of vault item a search can list, in the order each vault is searched."""

    SECRETS = "secrets"
    CERTIFICATES = "certificates"
    KEYS = "keys"

    @property
    def noun(self) -> str:
        return self.value[:-1]


ALL_KINDS = frozenset(ItemKind)
_HEX = re.compile(r"[0-9A-F]*")


@dataclass(frozen=True, slots=True)
class VaultQuery:
    """The filters of one search (see the module docstring). Empty text means "any"."""

    name: str = ""
    match: NameMatch = NameMatch.SUBSTRING
    case_sensitive: bool = False
    tag_key: str = ""
    tag_value: str = ""
    content_type: str = ""
    enabled: bool | None = None  # None: any
    expires_from: datetime | None = None
    expires_to: datetime | None = None
    subject: str = ""
    issuer: str = ""
    thumbprint: str = ""
    kinds: frozenset[ItemKind] = field(default=ALL_KINDS)

    def compile(self) -> CompiledQuery:
        """The checked query.

        Raises:
            QueryError: a bad regex or glob, a thumbprint that is no SHA-1, a naive date or an
                empty expiry range, no kind chosen, or kinds the filters rule out entirely.
        """
        try:
            matches_name = name_test(self.name, self.match, self.case_sensitive)
        except InvalidInput as exc:
            raise QueryError(exc.message, field="name", advice=exc.advice) from None
        thumbprint = _thumbprint(self.thumbprint)
        for moment in (self.expires_from, self.expires_to):
            if moment is not None and moment.tzinfo is None:
                raise QueryError("An expiry bound needs a time zone.", field="expiry")
        if (self.expires_from is not None and self.expires_to is not None
                and self.expires_from > self.expires_to):
            raise QueryError("The expiry range is empty: its start is after its end.",
                             field="expiry", advice="Swap the two dates.")
        if not self.kinds:
            raise QueryError("Choose at least one of secrets, certificates and keys.",
                             field="kinds")
        kinds = set(self.kinds)
        if self.content_type.strip():
            kinds &= {ItemKind.SECRETS}
        if self.subject.strip() or self.issuer.strip() or thumbprint:
            kinds &= {ItemKind.CERTIFICATES}
        if not kinds:
            raise QueryError(
                "No kind of item can match these filters together: a content type is only in "
                "secrets' listings, a subject, issuer or thumbprint only certificates have.",
                field="kinds", advice="Clear one of the filters, or tick the kind they need.")
        tests: list[Callable[[VaultItemRecord], bool]] = []
        if matches_name is not None:
            tests.append(lambda record: matches_name(record.name))
        if self.tag_key.strip() or self.tag_value:
            tests.append(_tag_test(self.tag_key.strip(), self.tag_value))
        if self.content_type.strip():
            wanted_type = self.content_type.strip().casefold()
            tests.append(lambda record: isinstance(record, SecretRecord) and wanted_type in (
                record.content_type or "").casefold())
        if self.enabled is not None:
            enabled = self.enabled
            tests.append(lambda record: record.enabled is enabled)
        if self.expires_from is not None or self.expires_to is not None:
            tests.append(_expiry_test(self.expires_from, self.expires_to))
        if thumbprint:
            tests.append(lambda record: isinstance(record, CertificateRecord) and (
                record.x509_thumbprint or "").upper() == thumbprint)
        subject, issuer = self.subject.strip().casefold(), self.issuer.strip().casefold()
        details_test = None
        if subject or issuer:
            def details_test(record: VaultItemRecord) -> bool:
                return (isinstance(record, CertificateRecord)
                        and subject in (record.subject or "").casefold()
                        and issuer in (record.issuer or "").casefold())
        return CompiledQuery(
            kinds=tuple(kind for kind in ItemKind if kind in kinds),
            listing_test=lambda record: all(test(record) for test in tests),
            details_test=details_test,
        )


@dataclass(frozen=True, slots=True)
class CompiledQuery:
    """``kinds``: what to list, in order; ``listing_test``: a listed record's filters;
    ``details_test``: set when a certificate must be read (GET) before it can match."""

    kinds: tuple[ItemKind, ...]
    listing_test: Callable[[VaultItemRecord], bool]
    details_test: Callable[[VaultItemRecord], bool] | None = None


# --- presets ---------------------------------------------------------------------------------


def expired(now: datetime | None = None) -> tuple[None, datetime]:
    """The expiry range of what has expired by now."""
    return None, now or datetime.now(UTC)


def expiring_within(days: int, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The expiry range of what expires in the next ``days`` days (not what already has).

    Raises:
        QueryError: ``days`` is not a positive number of days.
    """
    if not isinstance(days, int) or days < 1 or days > 36_500:
        raise QueryError("“Within N days” takes a whole number of days from 1 to 36,500.",
                         field="expiry")
    start = now or datetime.now(UTC)
    return start, start + timedelta(days=days)


# --- the tests -------------------------------------------------------------------------------


def _thumbprint(text: str) -> str:
    """The SHA-1 thumbprint as the listing carries it (40 upper-case hex digits), or ""."""
    cleaned = re.sub(r"[\s:]", "", text).upper()
    if not cleaned:
        return ""
    if not _HEX.fullmatch(cleaned):
        raise QueryError("A thumbprint is hexadecimal digits (0-9, A-F), optionally with "
                         "colons.", field="thumbprint")
    if len(cleaned) == 64:
        raise QueryError("That is a SHA-256 thumbprint; Key Vault lists certificates by their "
                         "SHA-1 thumbprint (40 hex digits).", field="thumbprint",
                         advice="Copy the SHA-1 thumbprint (the portal's “Thumbprint”).")
    if len(cleaned) != 40:
        raise QueryError(f"A SHA-1 thumbprint has 40 hex digits ({len(cleaned)} given).",
                         field="thumbprint")
    return cleaned


def _tag_test(key: str, value: str) -> Callable[[VaultItemRecord], bool]:
    wanted_key, wanted_value = key.casefold(), value.casefold()

    def test(record: VaultItemRecord) -> bool:
        return any((not wanted_key or tag.casefold() == wanted_key)
                   and wanted_value in text.casefold() for tag, text in record.tags.items())

    return test


def _expiry_test(start: datetime | None, end: datetime | None
                 ) -> Callable[[VaultItemRecord], bool]:
    def test(record: VaultItemRecord) -> bool:
        moment = record.expires_on
        return moment is not None and (start is None or moment >= start) and (
            end is None or moment <= end)

    return test
