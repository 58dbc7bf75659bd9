"""Key Vault SDK objects → our frozen records: the one place each record type is made.

The SDK's models are lazy and lenient: a property is deserialized when it is first read, may
raise while doing so, and hands through JSON of the wrong type (an ``attributes`` that is a
number, a thumbprint that is ``true``). Every field is therefore read through ``WireFields``:
a value of the expected type, or the field's empty value; never an exception, never a value of
another type further up. Times go through ``wire_time.TimeReader`` (invalid ones are noted in
``invalid_dates``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar

from vaultbrowser.core.services.wire_time import TimeReader
from vaultbrowser.keyvault.services.records import (
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    KeyRotationActionRecord,
    KeyRotationPolicyRecord,
    SecretRecord,
)

T = TypeVar("T")

_TIME_FIELDS = ("created_on", "updated_on", "not_before", "expires_on")
# Our field name, the SDK's attribute of a deleted item.
_DELETED_TIME_FIELDS = (("deleted_on", "deleted_date"),
                        ("scheduled_purge_on", "scheduled_purge_date"))
_NO_TAGS: Mapping[str, str] = MappingProxyType({})


class WireFields:
    """Typed reads of one SDK object's properties (see the module docstring)."""

    __slots__ = ("_source",)

    def __init__(self, source: Any) -> None:
        self._source = source

    def _get(self, name: str) -> Any:
        try:
            return getattr(self._source, name, None)
        except Exception:  # a lazy SDK property that cannot deserialize its wire value
            return None

    def text(self, name: str) -> str | None:
        value = self._get(name)
        return value if isinstance(value, str) else None

    def enum_text(self, name: str) -> str | None:
        return enum_text(self._get(name))

    def flag(self, name: str) -> bool | None:
        value = self._get(name)
        return value if isinstance(value, bool) else None

    def number(self, name: str) -> int | None:
        value = self._get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def raw_bytes(self, name: str) -> bytes | None:
        value = self._get(name)
        return bytes(value) if isinstance(value, bytes | bytearray) else None

    def texts(self, name: str, convert: Callable[[Any], str | None] | None = None
              ) -> tuple[str, ...]:
        """A list of strings (or of enums, through ``convert``); other items are dropped."""
        value = self._get(name)
        if not isinstance(value, list | tuple):
            return ()
        items = (convert(item) if convert else item for item in value)
        return tuple(item for item in items if isinstance(item, str))

    def items(self, name: str) -> tuple[Any, ...]:
        value = self._get(name)
        return tuple(value) if isinstance(value, list | tuple) else ()

    def tags(self, name: str = "tags") -> Mapping[str, str]:
        """Tags as a read-only text → text mapping (any other shape gives none)."""
        value = self._get(name)
        if not isinstance(value, Mapping) or not value:
            return _NO_TAGS
        return MappingProxyType({str(key): item if isinstance(item, str) else str(item)
                                 for key, item in value.items()})


def enum_text(value: Any) -> str | None:
    """An SDK enum (or plain string) as its wire text; anything else is None."""
    text = getattr(value, "value", value)
    return text if isinstance(text, str) and text else None


def _common(props: Any, vault_url: str, deleted: Any | None = None) -> dict[str, Any]:
    """The fields every item record shares."""
    fields = WireFields(props)
    times = TimeReader()
    common: dict[str, Any] = {name: times.attribute(props, name) for name in _TIME_FIELDS}
    if deleted is not None:
        common.update((name, times.attribute(deleted, attribute, name))
                      for name, attribute in _DELETED_TIME_FIELDS)
        common["recovery_id"] = WireFields(deleted).text("recovery_id")
    common.update(
        vault_url=vault_url,
        name=fields.text("name") or "",
        version=fields.text("version"),
        id=fields.text("id") or "",
        enabled=fields.flag("enabled"),
        tags=fields.tags(),
        recovery_level=fields.enum_text("recovery_level"),
        recoverable_days=fields.number("recoverable_days"),
        managed=fields.flag("managed") is True,
        invalid_dates=times.invalid,
    )
    return common


def secret_record(props: Any, vault_url: str, deleted: Any | None = None) -> SecretRecord:
    fields = WireFields(props)
    return SecretRecord(**_common(props, vault_url, deleted),
                        content_type=fields.text("content_type"), key_id=fields.text("key_id"))


def key_record(props: Any, vault_url: str, key: Any | None = None,
               deleted: Any | None = None) -> KeyRecord:
    """``key`` is the JWK when the call returned one (get/create), absent in listings."""
    key_type = key_size = curve = None
    operations: tuple[str, ...] = ()
    if key is not None:
        jwk = WireFields(key)
        key_type = jwk.enum_text("kty")
        modulus = jwk.raw_bytes("n")
        key_size = len(modulus) * 8 if modulus else None
        curve = jwk.enum_text("crv")
        operations = jwk.texts("key_ops", enum_text)
    return KeyRecord(
        **_common(props, vault_url, deleted),
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        key_operations=operations,
        exportable=WireFields(props).flag("exportable"),
    )


def certificate_record(props: Any, vault_url: str, certificate: Any | None = None,
                       deleted: Any | None = None) -> CertificateRecord:
    thumbprint = WireFields(props).raw_bytes("x509_thumbprint")
    outer = WireFields(certificate)
    return CertificateRecord(
        **_common(props, vault_url, deleted),
        x509_thumbprint=thumbprint.hex().upper() if thumbprint else None,
        secret_id=outer.text("secret_id"),
        key_id=outer.text("key_id"),
    )


def _lifetime_action_text(action: Any) -> str:
    fields = WireFields(action)
    kind = fields.enum_text("action") or "?"
    percentage, days = fields.number("lifetime_percentage"), fields.number("days_before_expiry")
    if percentage is not None:
        return f"{kind} at {percentage}% of lifetime"
    if days is not None:
        return f"{kind} {days} days before expiry"
    return kind


def policy_record(policy: Any) -> CertificatePolicyRecord:
    fields = WireFields(policy)
    return CertificatePolicyRecord(
        issuer_name=fields.text("issuer_name"),
        subject=fields.text("subject"),
        dns_names=fields.texts("san_dns_names"),
        emails=fields.texts("san_emails"),
        upns=fields.texts("san_user_principal_names"),
        key_type=fields.enum_text("key_type"),
        key_size=fields.number("key_size"),
        curve=fields.enum_text("key_curve_name"),
        exportable=fields.flag("exportable"),
        reuse_key=fields.flag("reuse_key"),
        content_type=fields.enum_text("content_type"),
        validity_in_months=fields.number("validity_in_months"),
        enhanced_key_usage=fields.texts("enhanced_key_usage"),
        key_usage=fields.texts("key_usage", enum_text),
        certificate_transparency=fields.flag("certificate_transparency"),
        certificate_type=fields.text("certificate_type"),
        lifetime_actions=tuple(_lifetime_action_text(a) for a in fields.items("lifetime_actions")),
        enabled=fields.flag("enabled"),
    )


def rotation_policy_record(name: str, policy: Any) -> KeyRotationPolicyRecord:
    fields = WireFields(policy)
    times = TimeReader()
    actions = tuple(
        KeyRotationActionRecord(
            action=WireFields(action).enum_text("action") or "?",
            time_after_create=WireFields(action).text("time_after_create"),
            time_before_expiry=WireFields(action).text("time_before_expiry"),
        )
        for action in fields.items("lifetime_actions")
    )
    return KeyRotationPolicyRecord(
        key_name=name,
        id=fields.text("id"),
        lifetime_actions=actions,
        expires_in=fields.text("expires_in"),
        created_on=times.attribute(policy, "created_on"),
        updated_on=times.attribute(policy, "updated_on"),
        invalid_dates=times.invalid,
    )
