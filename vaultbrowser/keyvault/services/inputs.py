"""What a Key Vault write takes, checked before any request (Qt-free, SDK-free).

The general input rules of the writes: names and versions, secret values, tags, dates,
``PropertyChanges`` and ``purge_refusal``. The certificate inputs (policies, certificate files,
pending operations, private exports) are in ``keyvault_cert_inputs``. Nothing here imports the
Azure SDK, so dialogs can build and validate inputs before the SDK has loaded. Every check
raises ``InvalidInput`` in our own words; no message ever quotes a secret value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Final

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.records import CertificateRecord, KeyRecord, VaultItemRecord

RSA_SIZES: Final = (2048, 3072, 4096)
EC_CURVES: Final = ("P-256", "P-384", "P-521", "P-256K")
KEY_OPERATIONS: Final = ("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey", "export")
MAX_TAGS: Final = 15
MAX_SECRET_BYTES: Final = 25 * 1024  # the service's limit for a secret value
MAX_NAME: Final = 127

_NAME = re.compile(r"[0-9a-zA-Z-]{1,127}")
_VERSION = re.compile(r"[0-9a-zA-Z]{1,127}")


# --- names --------------------------------------------------------------------------------


def _shown(text: str, limit: int = 60) -> str:
    """A name as messages show it: quoted, cut when long (names are not secret, just long)."""
    return f"“{text if len(text) <= limit else text[:limit] + '…'}”"


MAX_KEY_VAULT_PAGE = 25  # the service's upper bound for maxresults


def clamp_page_size(page_size: int) -> int:
    """A listing's page size within what Key Vault accepts (1..25)."""
    return max(1, min(MAX_KEY_VAULT_PAGE, page_size))


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
