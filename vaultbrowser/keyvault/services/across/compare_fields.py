"""What "different" means for each kind: the fields compared, and the strategy objects that tell
the comparison which part of a vault to list and which GET (if any) fills what listings lack.

Listings give enabled, dates, tags, a secret's content type and a certificate's thumbprint; a
key's type, size and curve need the key's GET, a certificate's policy its policy GET.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from vaultbrowser.core.audit.diff_report import FieldDifference
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.keyvault.services.records import (
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    SecretRecord,
    VaultItemRecord,
)

if TYPE_CHECKING:  # the services open a vault later, off the first paint's path
    from vaultbrowser.keyvault.services.vault_service import KeyVaultService

NOTHING = "—"
NO_TAG = "(no tag)"


def field_text(value: Any) -> str:
    """A field's value as the comparison shows it (the same text for equal values)."""
    if value is None or value == () or value == "":
        return NOTHING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def differences(pairs: Iterable[tuple[str, Any, Any]]) -> list[FieldDifference]:
    """``(field, a, b)`` triples → the fields whose texts differ."""
    found = []
    for name, a, b in pairs:
        a_text, b_text = field_text(a), field_text(b)
        if a_text != b_text:
            found.append(FieldDifference(name, a_text, b_text))
    return found


def tag_differences(a: Mapping[str, str], b: Mapping[str, str]) -> list[FieldDifference]:
    """Tags added, removed or changed (tag values are not secret: they show in listings)."""
    return [FieldDifference(f"tag “{key}”", a.get(key, NO_TAG), b.get(key, NO_TAG))
            for key in sorted(set(a) | set(b)) if a.get(key) != b.get(key)]


def _common(a: VaultItemRecord, b: VaultItemRecord) -> list[FieldDifference]:
    return differences((("enabled", a.enabled, b.enabled),
                        ("not before", a.not_before, b.not_before),
                        ("expires", a.expires_on, b.expires_on)))


def secret_differences(a: SecretRecord, b: SecretRecord) -> list[FieldDifference]:
    return (_common(a, b) + differences((("content type", a.content_type, b.content_type),))
            + tag_differences(a.tags, b.tags))


def certificate_differences(a: CertificateRecord, b: CertificateRecord
                            ) -> list[FieldDifference]:
    return (_common(a, b) + differences((("thumbprint", a.x509_thumbprint, b.x509_thumbprint),))
            + tag_differences(a.tags, b.tags))


def key_differences(a: KeyRecord, b: KeyRecord) -> list[FieldDifference]:
    return _common(a, b) + tag_differences(a.tags, b.tags)


def key_detail_differences(a: KeyRecord, b: KeyRecord) -> list[FieldDifference]:
    return differences((("key type", a.key_type, b.key_type),
                        ("key size", a.key_size, b.key_size),
                        ("curve", a.curve, b.curve),
                        ("key operations", tuple(sorted(a.key_operations)),
                         tuple(sorted(b.key_operations)))))


def policy_differences(a: CertificatePolicyRecord, b: CertificatePolicyRecord
                       ) -> list[FieldDifference]:
    return differences((
        ("policy issuer", a.issuer_name, b.issuer_name),
        ("policy subject", a.subject, b.subject),
        ("policy DNS names", tuple(sorted(a.dns_names)), tuple(sorted(b.dns_names))),
        ("policy emails", tuple(sorted(a.emails)), tuple(sorted(b.emails))),
        ("policy UPNs", tuple(sorted(a.upns)), tuple(sorted(b.upns))),
        ("policy key type", a.key_type, b.key_type),
        ("policy key size", a.key_size, b.key_size),
        ("policy curve", a.curve, b.curve),
        ("policy exportable", a.exportable, b.exportable),
        ("policy reuse key", a.reuse_key, b.reuse_key),
        ("policy content type", a.content_type, b.content_type),
        ("policy validity (months)", a.validity_in_months, b.validity_in_months),
        ("policy key usages", tuple(sorted(a.key_usage)), tuple(sorted(b.key_usage))),
        ("policy enhanced key usages", tuple(sorted(a.enhanced_key_usage)),
         tuple(sorted(b.enhanced_key_usage))),
        ("policy lifetime actions", tuple(sorted(a.lifetime_actions)),
         tuple(sorted(b.lifetime_actions))),
    ))


@dataclass(frozen=True)
class KindComparison:
    """How one kind is compared: the vault's part to list (``part(service)``), the fields of
    two listed records, and — when listings lack fields — the GET per common name
    (``details(part, name)``) and the fields of its two results."""

    kind: ItemKind
    title: str  # "Secrets"
    part: Callable[[KeyVaultService], Any]
    fields: Callable[[Any, Any], list[FieldDifference]]
    details: Callable[[Any, str], Awaitable[Any]] | None = None
    detail_fields: Callable[[Any, Any], list[FieldDifference]] | None = None
    what_details: str = ""  # "key", "policy": said when the GET fails


async def _key_details(part: Any, name: str) -> KeyRecord:
    return (await part.get(name)).value


async def _policy_details(part: Any, name: str) -> CertificatePolicyRecord:
    return (await part.get_policy(name)).value


SECRETS = KindComparison(ItemKind.SECRET, "Secrets", lambda service: service.secrets,
                         secret_differences)
CERTIFICATES = KindComparison(ItemKind.CERTIFICATE, "Certificates",
                              lambda service: service.certificates, certificate_differences,
                              _policy_details, policy_differences, "policy")
KEYS = KindComparison(ItemKind.KEY, "Keys", lambda service: service.keys, key_differences,
                      _key_details, key_detail_differences, "key")
KIND_COMPARISONS = (SECRETS, CERTIFICATES, KEYS)
