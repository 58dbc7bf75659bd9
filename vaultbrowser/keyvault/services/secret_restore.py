"""Restore an older version of a secret as the current one: a NEW version with the old value,
content type and tags (Key Vault keeps every version; nothing is overwritten).

Dates: the old expiry is kept only when it is still in the future (a past one would make the
restored value expire at once); otherwise the new version has none. The activation date is not
carried over: the restored value is active at once. The new version is enabled. The
confirmation (``SecretRestore.text``) says all this, with both versions' dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from vaultbrowser.core.services.errors import AccessDenied, InvalidInput
from vaultbrowser.core.services.records import Result
from vaultbrowser.keyvault.services.inputs import validate_item_name, validate_version
from vaultbrowser.keyvault.services.records import SecretRecord
from vaultbrowser.keyvault.services.secrets import VaultSecrets


def _disabled(name: str, version: str) -> InvalidInput:
    return InvalidInput(f"Version {version} of “{name}” is disabled: its value cannot be read.",
                        advice="Enable that version first (Edit properties…).")


def _when(value: datetime | None) -> str:
    return f"{value.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if value is not None else "—"


@dataclass(frozen=True, slots=True)
class SecretRestore:
    """A restore, checked and ready to confirm: the old version, the current one, and the
    expiry the new version will get."""

    old: SecretRecord
    current: SecretRecord
    expires_on: datetime | None

    @property
    def name(self) -> str:
        return self.old.name

    @property
    def expiry_note(self) -> str:
        old = self.old.expires_on
        if old is None:
            return "The new version has no expiry (the old version had none)."
        if self.expires_on is not None:
            return f"The new version keeps the old version's expiry, {_when(old)}."
        return (f"The old version's expiry ({_when(old)}) has passed: the new version has no "
                "expiry.")

    @property
    def text(self) -> str:
        """The confirmation: both versions' dates and what the new version gets (no value)."""
        old, current = self.old, self.current
        return (
            f"Restore version {old.version} of “{old.name}” as its current version?\n\n"
            f"Old version {old.version}: created {_when(old.created_on)}, updated "
            f"{_when(old.updated_on)}, expires {_when(old.expires_on)}.\n"
            f"Current version {current.version}: created {_when(current.created_on)}, "
            f"updated {_when(current.updated_on)}, expires {_when(current.expires_on)}.\n\n"
            "A new version is added with the old version's value, content type and tags; the "
            "current version stays in the history. "
            f"{self.expiry_note} The new version is enabled and active at once (no "
            "activation date).")


async def prepare_restore(secrets: VaultSecrets, name: str, version: str) -> SecretRestore:
    """Read both versions' properties (no value) and check the restore can be done.

    Raises:
        InvalidInput: no version given, the version is already the current one, it is
            disabled (its value cannot be read), or the secret belongs to a certificate;
            nothing was written.
        NotFound: no such secret or version. VaultBrowserError: any other typed error.
    """
    validate_item_name(name)
    if not version:
        raise InvalidInput("Choose the version to restore.")
    validate_version(version)
    try:
        old = (await secrets.get(name, version)).value
    except AccessDenied as exc:  # a disabled version answers its GET with 403 SecretDisabled
        if not (exc.error_code or "").lower().endswith("disabled"):
            raise
        raise _disabled(name, version) from None
    current = (await secrets.get(name)).value
    if old.managed or old.key_id:
        raise InvalidInput(f"“{name}” belongs to a certificate: its versions follow the "
                           "certificate's.", advice="Work with the certificate instead.")
    if current.version == old.version:
        raise InvalidInput(f"Version {version} is already the current version of “{name}”.",
                           advice="Choose an older version.")
    if old.enabled is False:
        raise _disabled(name, version)
    expires = old.expires_on
    if expires is not None and expires <= datetime.now(UTC):
        expires = None
    return SecretRestore(old, current, expires)


async def restore_version(secrets: VaultSecrets, restore: SecretRestore) -> Result[SecretRecord]:
    """Add a new version with the old version's value (read once, in memory), content type and
    tags, and the expiry ``restore`` chose.

    Raises:
        NotFound: the secret or version is gone. Conflict: the secret was deleted.
        ReadOnlyRefused: a read-only connection (nothing was sent).
        VaultBrowserError: any other typed error.
    """
    old = restore.old
    assert old.version is not None
    value = (await secrets.get_value(old.name, old.version)).value
    try:
        return await secrets.add_version(
            old.name, value, content_type=old.content_type, enabled=True,
            expires_on=restore.expires_on, tags=dict(old.tags) or None)
    finally:
        del value
