"""Certificate inputs of Key Vault writes, checked before any request (Qt-free, SDK-free).

The certificate part of ``keyvault.services.inputs``: the policy the create and edit-policy
dialogs gather (``CertificatePolicyInput``), a pending certificate operation and a private-key
export (a file to import is opened by ``file_inspection``). Every check raises ``InvalidInput``
in our own words; no message ever quotes a password or key material.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.keyvault.services.inputs import _NAME, EC_CURVES, RSA_SIZES, _shown
from vaultbrowser.keyvault.services.records import CertificatePolicyRecord

PKCS12: Final = "application/x-pkcs12"
PEM: Final = "application/x-pem-file"
KEY_USAGES: Final = ("digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                     "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly")
LIFETIME_ACTIONS: Final = ("AutoRenew", "EmailContacts")

_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_DNS = re.compile(r"(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
                  r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+")
_SUBJECT = re.compile(r"\s*[A-Za-z][A-Za-z0-9.]*\s*=\s*\S.*")
_LIFETIME_TEXT = re.compile(
    r"(?P<action>\w+)(?: at (?P<percent>\d+)% of lifetime| (?P<days>\d+) days before expiry)?")


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
