"""What a Key Vault write takes and gives back, checked before any request (Qt-free, SDK-free).

The records and checks of ``keyvault_writes`` (which re-exports every public name here): names,
property changes, certificate policies, certificate files, pending certificate operations and
private exports. Nothing here imports the Azure SDK, so dialogs can build and validate inputs
before the SDK has loaded. Every check raises ``InvalidInput`` in our own words; no message
ever quotes a secret value, a password or key material.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Final

from vaultbrowser.errors import InvalidInput
from vaultbrowser.services.records import (
    CertificatePolicyRecord,
    CertificateRecord,
    KeyRecord,
    SecretValue,
    VaultItemRecord,
)

PKCS12: Final = "application/x-pkcs12"
PEM: Final = "application/x-pem-file"
RSA_SIZES: Final = (2048, 3072, 4096)
EC_CURVES: Final = ("P-256", "P-384", "P-521", "P-256K")
KEY_OPERATIONS: Final = ("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "export")
KEY_USAGES: Final = ("digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                     "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly")
LIFETIME_ACTIONS: Final = ("AutoRenew", "EmailContacts")
MAX_TAGS: Final = 15
MAX_SECRET_BYTES: Final = 25 * 1024  # the service's limit for a secret value
MAX_NAME: Final = 127

_NAME = re.compile(r"[0-9a-zA-Z-]{1,127}")
_VERSION = re.compile(r"[0-9a-zA-Z]{1,127}")
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_DNS = re.compile(r"(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
                  r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")
_SUBJECT = re.compile(r"\s*[A-Za-z][A-Za-z0-9.]*\s*=\s*\S.*")
_LIFETIME_TEXT = re.compile(
    r"(?P<action>\w+)(?: at (?P<percent>\d+)% of lifetime| (?P<days>\d+) days before expiry)?")


# --- names --------------------------------------------------------------------------------


def _shown(text: str, limit: int = 60) -> str:
    """A name as messages show it: quoted, cut when long (names are not secret, just long)."""
    return f"“{text if len(text) <= limit else text[:limit] + '…'}”"


def validate_item_name(name: str, what: str = "name") -> str:
    """Check a secret, key or certificate name: 1–127 characters of ``[0-9a-zA-Z-]``.

    Returns the name unchanged.

    Raises:
        InvalidInput: the name is empty, too long or has another character; the message says
            which (so "a b", "x%2F", "../x", "x/", "é" or 1,000 characters never reach the wire).
    """
    if not isinstance(name, str) or not name:
        raise InvalidInput(f"A {what} is required.")
    if _NAME.fullmatch(name):
        return name
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The {what} {_shown(name)} has {len(name):,} characters; Key Vault "
                           f"allows at most {MAX_NAME}.")
    bad = sorted({ch for ch in name if not re.fullmatch(r"[0-9a-zA-Z-]", ch)})
    listed = ", ".join(repr(ch) for ch in bad[:5]) + (" …" if len(bad) > 5 else "")
    raise InvalidInput(
        f"The {what} {_shown(name)} contains characters Key Vault does not allow ({listed}).",
        advice="Use only letters a–z and A–Z, digits 0–9 and hyphens (-), at most 127.",
    )


def validate_version(version: str | None) -> str | None:
    """None (the latest) or a version id; anything that could change the URL is refused."""
    if version is None:
        return None
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise InvalidInput(f"{_shown(str(version))} is not a Key Vault version id.")
    return version


def check_typed_name(name: str, typed_name: str, kind: str) -> None:
    """The confirmation of a purge: the user typed the item's exact name."""
    if typed_name != name:
        raise InvalidInput(
            f"Type the {kind}'s exact name ({_shown(name)}) to purge it: a purge cannot be undone.",
            advice="The typed name must match exactly, including letter case.",
        )


# --- values, dates, tags ------------------------------------------------------------------


def validate_secret_value(value: SecretValue) -> str:
    """The revealed value of a ``SecretValue``, checked against the service's size limit."""
    if not isinstance(value, SecretValue):
        raise InvalidInput("A secret value must be given as a SecretValue.")
    text = value.reveal()
    size = len(text.encode("utf-8"))
    if size > MAX_SECRET_BYTES:
        raise InvalidInput(f"The value is {size:,} bytes; Key Vault stores at most 25 KB "
                           f"({MAX_SECRET_BYTES:,} bytes) in a secret.")
    return text


def validate_tags(tags: Mapping[str, str] | None) -> dict[str, str] | None:
    """A plain dict of at most 15 string tags (None stays None: "no tags given")."""
    if tags is None:
        return None
    if not isinstance(tags, Mapping):
        raise InvalidInput("Tags must be name → value pairs.")
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"{len(tags)} tags given; Key Vault allows at most {MAX_TAGS} per item.")
    out: dict[str, str] = {}
    for key, value in tags.items():
        if not isinstance(key, str) or not key.strip():
            raise InvalidInput("A tag needs a name.")
        if not isinstance(value, str):
            raise InvalidInput(f"The tag {_shown(key)} needs a text value.")
        if len(key) > 512 or len(value) > 256:
            raise InvalidInput(f"The tag {_shown(key)} is too long: names hold at most 512 "
                               "characters, values 256.")
        out[key] = value
    return out


def validate_date(value: datetime | None, label: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise InvalidInput(f"The {label} must be a date and time.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(f"The {label} has no time zone; give it one (UTC or local).")
    return value


def validate_window(not_before: datetime | None, expires_on: datetime | None) -> None:
    validate_date(not_before, "activation date")
    validate_date(expires_on, "expiry date")
    if not_before is not None and expires_on is not None and expires_on <= not_before:
        raise InvalidInput("The expiry date must be after the activation date.")


# --- property changes ---------------------------------------------------------------------


class _Unchanged:
    """The one "leave as it is" value of ``PropertyChanges`` fields."""

    _instance: _Unchanged | None = None
    __slots__ = ()

    def __new__(cls) -> _Unchanged:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNCHANGED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


@dataclass(frozen=True, slots=True)
class PropertyChanges:
    """What to change on one version of an item; every field left ``UNCHANGED`` is not sent.

    ``tags`` replaces all tags (``{}`` removes them). Key Vault cannot remove a date or a
    content type once set: ``None`` for those is refused (``InvalidInput``) instead of being
    silently ignored by the service. ``content_type`` applies to secrets only; certificates
    take ``enabled`` and ``tags`` only (their dates come from the X.509 certificate).
    """

    enabled: bool | _Unchanged = UNCHANGED
    not_before: datetime | _Unchanged | None = UNCHANGED
    expires_on: datetime | _Unchanged | None = UNCHANGED
    content_type: str | _Unchanged | None = UNCHANGED
    tags: Mapping[str, str] | _Unchanged = UNCHANGED

    def changed(self) -> dict[str, Any]:
        """The fields given, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not UNCHANGED}

    @property
    def is_empty(self) -> bool:
        return not self.changed()

    def sdk_keywords(self, kind: str, *, allowed: tuple[str, ...]) -> dict[str, Any]:
        """The checked changes as SDK keyword arguments.

        Raises:
            InvalidInput: nothing to change, a field ``kind`` does not have, a date or content
                type set to None (cannot be removed), a bad date window or bad tags.
        """
        changes = self.changed()
        if not changes:
            raise InvalidInput("There is nothing to change.")
        for name in changes:
            if name not in allowed:
                label = name.replace("_", " ")
                raise InvalidInput(f"A {kind}'s {label} cannot be changed here.",
                                   advice=_NOT_EDITABLE.get((kind, name), ""))
        out: dict[str, Any] = {}
        if "enabled" in changes:
            if not isinstance(changes["enabled"], bool):
                raise InvalidInput("Enabled must be yes or no.")
            out["enabled"] = changes["enabled"]
        for name, label in (("not_before", "activation date"), ("expires_on", "expiry date")):
            if name in changes:
                if changes[name] is None:
                    raise InvalidInput(
                        f"Key Vault cannot remove a {kind}'s {label} once it is set.",
                        advice=f"Set another {label}, or add a new version without one.")
                out[name] = validate_date(changes[name], label)
        validate_window(out.get("not_before"), out.get("expires_on"))
        if "content_type" in changes:
            content_type = changes["content_type"]
            if content_type is None:
                raise InvalidInput("Key Vault cannot remove a content type once it is set.",
                                   advice="Set another content type.")
            if not isinstance(content_type, str) or len(content_type) > 255:
                raise InvalidInput("A content type is text of at most 255 characters.")
            out["content_type"] = content_type
        if "tags" in changes:
            out["tags"] = validate_tags(changes["tags"])
        return out


_NOT_EDITABLE = {
    ("certificate", "not_before"): "A certificate's dates come from its X.509 validity.",
    ("certificate", "expires_on"): "A certificate's dates come from its X.509 validity.",
    ("certificate", "content_type"): "The content type belongs to the certificate's policy.",
    ("key", "content_type"): "Keys have no content type.",
}


# --- purge --------------------------------------------------------------------------------


def purge_refusal(record: VaultItemRecord) -> str | None:
    """Why the record's recovery level makes a purge impossible, or None when it allows one.

    Purge protection shows in the level: one with ``ProtectedSubscription``, or ``Recoverable``
    without ``Purgeable`` (``Recoverable``, ``CustomizedRecoverable``). Those items can only be
    recovered until Key Vault purges them itself at the end of the retention period.
    """
    level = record.recovery_level or ""
    protected = "ProtectedSubscription" in level or (
        "Recoverable" in level and "Purgeable" not in level)
    if not protected:
        return None
    kind = ("key" if isinstance(record, KeyRecord) else
            "certificate" if isinstance(record, CertificateRecord) else "secret")
    when = (f" on {record.scheduled_purge_on:%Y-%m-%d}" if record.scheduled_purge_on
            else f" {record.recoverable_days} days after deletion" if record.recoverable_days
            else " at the end of the retention period")
    return (f"This vault has purge protection (recovery level {level}): the deleted {kind} "
            f"{_shown(record.name)} cannot be purged. Key Vault purges it itself{when}; until "
            "then it can only be recovered.")


# --- certificate policies -----------------------------------------------------------------


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@dataclass(frozen=True, slots=True)
class CertificatePolicyInput:
    """A certificate policy as the create and edit-policy dialogs gather it.

    Empty ``enhanced_key_usage``/``key_usage`` and a None ``lifetime_action`` leave the
    service's defaults (server and client authentication; AutoRenew at 80 % for "Self",
    EmailContacts for issuers). ``key_size`` applies to RSA (default 2048), ``curve`` to EC
    (default P-256). Sequences may be given as lists; they are kept as tuples.
    """

    issuer_name: str = "Self"
    subject: str = ""
    dns_names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    upns: tuple[str, ...] = ()
    key_type: str = "RSA"
    key_size: int | None = None
    curve: str | None = None
    exportable: bool = True
    reuse_key: bool = False
    content_type: str = PKCS12
    validity_in_months: int = 12
    enhanced_key_usage: tuple[str, ...] = ()
    key_usage: tuple[str, ...] = ()
    lifetime_action: str | None = None
    lifetime_percentage: int | None = None
    days_before_expiry: int | None = None
    certificate_type: str | None = None
    certificate_transparency: bool | None = None

    def __post_init__(self) -> None:
        for name in ("dns_names", "emails", "upns", "enhanced_key_usage", "key_usage"):
            object.__setattr__(self, name, _tuple(getattr(self, name)))

    @property
    def is_rsa(self) -> bool:
        return self.key_type == "RSA"

    def validate(self) -> CertificatePolicyInput:
        """Check every field the way the service would, before any request. Returns self.

        Raises:
            InvalidInput: the first problem found, in words a dialog can show.
        """
        if not isinstance(self.issuer_name, str) or not _NAME.fullmatch(self.issuer_name):
            raise InvalidInput("The issuer is \"Self\", \"Unknown\" or the name of an issuer "
                               "configured in the vault.")
        if not self.subject and not (self.dns_names or self.emails or self.upns):
            raise InvalidInput("A certificate needs a subject (such as CN=www.example.com) or at "
                               "least one subject alternative name.")
        if self.subject and (not _SUBJECT.fullmatch(self.subject) or "\n" in self.subject):
            raise InvalidInput(f"The subject {_shown(self.subject)} is not a distinguished name.",
                               advice="Write it as CN=name, optionally with O=…, OU=…, C=….")
        for dns in self.dns_names:
            if not isinstance(dns, str) or len(dns) > 253 or not _DNS.fullmatch(dns):
                raise InvalidInput(f"{_shown(str(dns))} is not a DNS name.")
        for label, values in (("e-mail address", self.emails), ("user principal name", self.upns)):
            for value in values:
                if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
                    raise InvalidInput(f"{_shown(str(value))} is not an {label}."
                                       if label[0] in "aeiou" else
                                       f"{_shown(str(value))} is not a {label}.")
        self._validate_key()
        if self.content_type not in (PKCS12, PEM):
            raise InvalidInput(f"The content type is {PKCS12} (PFX) or {PEM} (PEM).")
        months = self.validity_in_months
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 1200:
            raise InvalidInput("The validity is a whole number of months from 1 to 1200.")
        for oid in self.enhanced_key_usage:
            if not isinstance(oid, str) or not _OID.fullmatch(oid):
                raise InvalidInput(f"{_shown(str(oid))} is not an extended key usage OID "
                                   "(such as 1.3.6.1.5.5.7.3.1).")
        for usage in self.key_usage:
            if usage not in KEY_USAGES:
                raise InvalidInput(f"{_shown(str(usage))} is not a key usage; use "
                                   f"{', '.join(KEY_USAGES)}.")
        self._validate_lifetime()
        return self

    def _validate_key(self) -> None:
        if self.key_type not in ("RSA", "EC"):
            raise InvalidInput("The key type is RSA or EC.")
        if self.is_rsa:
            if self.curve is not None:
                raise InvalidInput("A curve applies to EC keys only.")
            if self.key_size is not None and self.key_size not in RSA_SIZES:
                raise InvalidInput("An RSA key is 2048, 3072 or 4096 bits.")
        else:
            if self.key_size is not None:
                raise InvalidInput("An EC key's size follows from its curve: choose the curve.")
            if self.curve is not None and self.curve not in EC_CURVES:
                raise InvalidInput(f"The curve is one of {', '.join(EC_CURVES)}.")
        if not isinstance(self.exportable, bool) or not isinstance(self.reuse_key, bool):
            raise InvalidInput("Exportable and reuse key are yes or no.")

    def _validate_lifetime(self) -> None:
        percentage, days = self.lifetime_percentage, self.days_before_expiry
        if self.lifetime_action is None:
            if percentage is not None or days is not None:
                raise InvalidInput("Choose a lifetime action for the trigger.")
            return
        if self.lifetime_action not in LIFETIME_ACTIONS:
            raise InvalidInput("The lifetime action is AutoRenew or EmailContacts.")
        if self.lifetime_action == "AutoRenew" and self.issuer_name.lower() == "unknown":
            raise InvalidInput("A certificate from an unknown issuer cannot renew itself.",
                               advice="Use EmailContacts, and renew it by a new merge.")
        if (percentage is None) == (days is None):
            raise InvalidInput("Trigger the lifetime action either at a percentage of the "
                               "lifetime or a number of days before expiry (one of the two).")
        if percentage is not None and not (isinstance(percentage, int) and 1 <= percentage <= 99):
            raise InvalidInput("The lifetime percentage is a whole number from 1 to 99.")
        if days is not None and not (
                isinstance(days, int) and 1 <= days < self.validity_in_months * 28):
            raise InvalidInput("The days before expiry must be at least 1 and shorter than the "
                               "validity.")

    def to_wire(self) -> dict[str, Any]:
        """The policy in the REST API's JSON form (``CertificatePolicy`` of the 7.x API)."""
        key_props: dict[str, Any] = {"exportable": self.exportable, "kty": self.key_type,
                                     "reuse_key": self.reuse_key}
        if self.is_rsa:
            key_props["key_size"] = self.key_size or 2048
        else:
            key_props["crv"] = self.curve or "P-256"
        x509: dict[str, Any] = {"validity_months": self.validity_in_months}
        if self.subject:
            x509["subject"] = self.subject
        sans = {name: list(values) for name, values in (
            ("dns_names", self.dns_names), ("emails", self.emails), ("upns", self.upns)) if values}
        if sans:
            x509["sans"] = sans
        if self.enhanced_key_usage:
            x509["ekus"] = list(self.enhanced_key_usage)
        if self.key_usage:
            x509["key_usage"] = list(self.key_usage)
        issuer: dict[str, Any] = {"name": self.issuer_name}
        if self.certificate_type:
            issuer["cty"] = self.certificate_type
        if self.certificate_transparency is not None:
            issuer["cert_transparency"] = self.certificate_transparency
        policy: dict[str, Any] = {
            "key_props": key_props,
            "secret_props": {"contentType": self.content_type},
            "x509_props": x509,
            "issuer": issuer,
        }
        if self.lifetime_action:
            trigger = ({"lifetime_percentage": self.lifetime_percentage}
                       if self.lifetime_percentage is not None
                       else {"days_before_expiry": self.days_before_expiry})
            policy["lifetime_actions"] = [
                {"trigger": trigger, "action": {"action_type": self.lifetime_action}}]
        return policy

    def to_sdk(self) -> Any:
        """The policy as the SDK's ``CertificatePolicy`` (imports the SDK)."""
        from azure.keyvault.certificates import (
            CertificateContentType,
            CertificatePolicy,
            CertificatePolicyAction,
            KeyCurveName,
            KeyType,
            KeyUsageType,
            LifetimeAction,
        )

        actions = None
        if self.lifetime_action:
            actions = [LifetimeAction(CertificatePolicyAction(self.lifetime_action),
                                      lifetime_percentage=self.lifetime_percentage,
                                      days_before_expiry=self.days_before_expiry)]
        # key_type is always set: the SDK drops the key properties (exportable=False too)
        # when none of type, size, curve, exportable=True or reuse_key=True is given.
        return CertificatePolicy(
            self.issuer_name,
            subject=self.subject or None,
            san_dns_names=list(self.dns_names) or None,
            san_emails=list(self.emails) or None,
            san_user_principal_names=list(self.upns) or None,
            exportable=self.exportable,
            key_type=KeyType(self.key_type),
            key_size=(self.key_size or 2048) if self.is_rsa else None,
            reuse_key=self.reuse_key,
            key_curve_name=None if self.is_rsa else KeyCurveName(self.curve or "P-256"),
            enhanced_key_usage=list(self.enhanced_key_usage) or None,
            key_usage=[KeyUsageType(u) for u in self.key_usage] or None,
            content_type=CertificateContentType(self.content_type),
            validity_in_months=self.validity_in_months,
            lifetime_actions=actions,
            certificate_type=self.certificate_type,
            certificate_transparency=self.certificate_transparency,
        )

    @classmethod
    def from_record(cls, record: CertificatePolicyRecord) -> CertificatePolicyInput:
        """The editable form of a certificate's current policy (the first lifetime action)."""
        action = percentage = days = None
        if record.lifetime_actions:
            found = _LIFETIME_TEXT.fullmatch(record.lifetime_actions[0])
            if found:
                action = found["action"]
                percentage = int(found["percent"]) if found["percent"] else None
                days = int(found["days"]) if found["days"] else None
        key_type = (record.key_type or "RSA").removesuffix("-HSM")
        return cls(
            issuer_name=record.issuer_name or "Self",
            subject=record.subject or "",
            dns_names=record.dns_names, emails=record.emails, upns=record.upns,
            key_type=key_type,
            key_size=record.key_size if key_type == "RSA" else None,
            curve=record.curve if key_type == "EC" else None,
            exportable=record.exportable if record.exportable is not None else True,
            reuse_key=bool(record.reuse_key),
            content_type=record.content_type or PKCS12,
            validity_in_months=record.validity_in_months or 12,
            enhanced_key_usage=record.enhanced_key_usage,
            key_usage=record.key_usage,
            lifetime_action=action, lifetime_percentage=percentage, days_before_expiry=days,
            certificate_type=record.certificate_type,
            certificate_transparency=record.certificate_transparency,
        )


# --- pending operations and exports -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CertificateOperationRecord:
    """A certificate's pending operation (create or renew), as the service reports it.

    ``status`` is "inProgress", "completed", "cancelled" or "failed"; ``request_id`` is the
    operation's own id (not an HTTP request id). ``csr`` is the DER of the signing request a
    non-integrated issuer needs ("Unknown" issuer).
    """

    name: str
    status: str
    status_details: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    cancellation_requested: bool = False
    target: str | None = None
    request_id: str | None = None
    issuer_name: str | None = None
    csr: bytes | None = field(default=None, repr=False)

    @property
    def in_progress(self) -> bool:
        return self.status.lower() == "inprogress"

    @property
    def completed(self) -> bool:
        return self.status.lower() == "completed"


class PrivateExport:
    """A certificate with its private key as downloaded (PFX or PEM bytes).

    It never prints its bytes and cannot be pickled; write ``data`` to a file named with
    ``suffix`` (".pfx" or ".pem").
    """

    __slots__ = ("content_type", "data", "suffix")

    def __init__(self, data: bytes, suffix: str, content_type: str) -> None:
        self.data = data
        self.suffix = suffix
        self.content_type = content_type

    def __repr__(self) -> str:
        return f"PrivateExport({self.suffix}, <{len(self.data)} bytes hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, PrivateExport) and other.data == self.data
                and other.suffix == self.suffix)

    def __hash__(self) -> int:
        return hash(("PrivateExport", self.data, self.suffix))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("PrivateExport cannot be pickled")


# --- certificate files --------------------------------------------------------------------

_PEM_KEY = re.compile(rb"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.+?-----END \1PRIVATE KEY-----",
                      re.DOTALL)


@dataclass(frozen=True, slots=True)
class CertificateFile:
    """A certificate file checked for import: its format and what to send."""

    is_pem: bool
    payload: bytes  # the file (PFX as DER) exactly as the SDK sends it
    send_password: bool  # False when the key turned out not to be encrypted


def inspect_certificate_file(data: bytes, password: SecretValue | None) -> CertificateFile:
    """Tell PFX from PEM and open it locally, so a bad file or password fails before a request.

    Raises:
        InvalidInput: not a certificate file, the password is wrong or missing, no private key,
            a key that does not belong to the certificate, or a key type Key Vault lacks. The
            message never contains the password.
    """
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("The certificate file is empty.")
    if password is not None and not isinstance(password, SecretValue):
        raise InvalidInput("A certificate password must be given as a SecretValue.")
    secret = password.reveal().encode() if password is not None and len(password) else None
    data = bytes(data)
    if b"-----BEGIN" in data:
        return _inspect_pem(data, secret)
    return _inspect_pfx(_pfx_bytes(data), secret)


def _pfx_bytes(data: bytes) -> bytes:
    """DER PFX bytes; a base64 text export of one is decoded."""
    if data[:1] == b"\x30":
        return data
    try:
        decoded = base64.b64decode(b"".join(data.split()), validate=True)
    except (ValueError, binascii.Error):
        return data
    return decoded if decoded[:1] == b"\x30" else data


def _unusable_password(kind: str) -> InvalidInput:
    return InvalidInput(
        f"The {kind} could not be opened: the password is wrong or missing, or the file is "
        "damaged.", advice="Check the password (it is case-sensitive) and the file.")


def _inspect_pfx(data: bytes, secret: bytes | None) -> CertificateFile:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, leaf, _ = pkcs12.load_key_and_certificates(data, secret)
    except (ValueError, TypeError):
        raise _unusable_password("PFX file") from None
    if key is None:
        raise InvalidInput("The PFX file holds no private key; Key Vault imports a certificate "
                           "together with its key.")
    if leaf is None:
        raise InvalidInput("The PFX file holds no certificate.")
    _check_key_type(key)
    return CertificateFile(is_pem=False, payload=data, send_password=secret is not None)


def _inspect_pem(data: bytes, secret: bytes | None) -> CertificateFile:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificates = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise InvalidInput("The PEM file holds no readable certificate.") from None
    found = _PEM_KEY.search(data)
    if found is None:
        raise InvalidInput("The PEM file holds no private key; Key Vault imports a certificate "
                           "together with its key (key and certificates in one file).")
    send_password = secret is not None
    try:
        key = serialization.load_pem_private_key(found.group(0), secret)
    except TypeError:
        if secret is None:  # the key is encrypted and no password was given
            raise _unusable_password("PEM file's private key") from None
        key = serialization.load_pem_private_key(found.group(0), None)  # not encrypted
        send_password = False
    except ValueError:
        raise _unusable_password("PEM file's private key") from None
    _check_key_type(key)
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    if not any(c.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
               == public for c in certificates):
        raise InvalidInput("The PEM file's private key does not belong to any of its "
                           "certificates.")
    return CertificateFile(is_pem=True, payload=data, send_password=send_password)


def _check_key_type(key: object) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise InvalidInput("Key Vault certificates have RSA or EC keys; this file's key is "
                           f"{type(key).__name__.removeprefix('_')}.")


def holds_private_key(data: bytes, content_type: str) -> bool:
    """Whether a certificate's secret value (PFX bytes or PEM text) carries its private key."""
    if content_type == PEM:
        return _PEM_KEY.search(data) is not None
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, _, _ = pkcs12.load_key_and_certificates(data, None)
    except (ValueError, TypeError):
        return True  # unreadable here (e.g. a protected PFX): let the user have the file
    return key is not None
