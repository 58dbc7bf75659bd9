"""A key rotation policy to save (``RotationPolicyInput``), checked before any request.

Key Vault's rules for automatic key rotation, in days: new versions expire at least 28 days
after creation; a rotation happens at least 7 days after creation or at least 7 days before
expiry (one of the two), and "before expiry" needs an expiry time; a notification comes at
least 7 days before expiry; every trigger leaves at least 7 days before the expiry time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK loads off the loop's thread, after the first paint (sdk_imports)
    from azure.keyvault.keys import KeyRotationLifetimeAction

from vaultbrowser.core.services.errors import InvalidInput

MIN_EXPIRY_DAYS = 28
MIN_TRIGGER_DAYS = 7
MAX_DAYS = 36_500


@dataclass(frozen=True, slots=True)
class RotationPolicyInput:
    """What the user asked for, in days (None: no such action / no expiry time)."""

    rotate_after_create_days: int | None = None
    rotate_before_expiry_days: int | None = None
    notify_before_expiry_days: int | None = None
    expires_in_days: int | None = None

    def validated(self) -> tuple[list[KeyRotationLifetimeAction], str | None]:
        """The SDK's lifetime actions and expiry time (ISO 8601).

        Raises:
            InvalidInput: a rule of the module docstring is broken (said in plain words).
        """
        from azure.keyvault.keys import KeyRotationLifetimeAction

        after = _days(self.rotate_after_create_days, "Rotate after creation")
        before = _days(self.rotate_before_expiry_days, "Rotate before expiry")
        notify = _days(self.notify_before_expiry_days, "Notify before expiry")
        expires = _days(self.expires_in_days, "Expiry time")
        if after is not None and before is not None:
            raise InvalidInput("A key rotates either a time after creation or a time before "
                               "expiry, not both.")
        if expires is not None and expires < MIN_EXPIRY_DAYS:
            raise InvalidInput(f"New versions must live at least {MIN_EXPIRY_DAYS} days "
                               f"(the expiry time is {expires}).")
        for label, days in (("Rotate after creation", after),
                            ("Rotate before expiry", before),
                            ("Notify before expiry", notify)):
            if days is None:
                continue
            if days < MIN_TRIGGER_DAYS:
                raise InvalidInput(f"{label}: at least {MIN_TRIGGER_DAYS} days.")
            if expires is not None and days > expires - MIN_TRIGGER_DAYS:
                raise InvalidInput(f"{label} ({days} days) must leave at least "
                                   f"{MIN_TRIGGER_DAYS} days before the expiry time "
                                   f"({expires} days).")
        if before is not None and expires is None:
            raise InvalidInput("Rotating before expiry needs an expiry time for new versions.")
        actions = []
        if after is not None:
            actions.append(KeyRotationLifetimeAction("Rotate", time_after_create=f"P{after}D"))
        if before is not None:
            actions.append(KeyRotationLifetimeAction("Rotate",
                                                     time_before_expiry=f"P{before}D"))
        if notify is not None:
            actions.append(KeyRotationLifetimeAction("Notify",
                                                     time_before_expiry=f"P{notify}D"))
        return actions, (f"P{expires}D" if expires is not None else None)


def _days(value: Any, label: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DAYS:
        raise InvalidInput(f"{label}: a whole number of days from 1 to {MAX_DAYS:,}.")
    return value

