"""A key's rotation policy in words, for the key's details and the "Rotate now" question, and
the details section that adds it (one GET of the policy; a policy that cannot be read is said,
not raised: the key's own details still show).
"""

from __future__ import annotations

import re
from dataclasses import replace

from vaultbrowser.core.models.details import Details, DetailSection, Row, time_text
from vaultbrowser.core.services.errors import Cancelled, VaultBrowserError
from vaultbrowser.keyvault.services.keys import VaultKeys
from vaultbrowser.keyvault.services.records import KeyRotationPolicyRecord

_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
                       r"(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")


def duration_text(duration: str | None) -> str:
    """An ISO 8601 duration in words ("P90D" → "90 days"); anything else as it is."""
    if not duration:
        return ""
    match = _DURATION.fullmatch(duration.strip().upper())
    if match is None or not any(match.groups()):
        return duration[:40]
    parts = [f"{int(count)} {unit}{'' if int(count) == 1 else 's'}"
             for count, unit in zip(match.groups(), _UNITS, strict=True) if count]
    return " ".join(parts)


def action_texts(policy: KeyRotationPolicyRecord) -> tuple[str, ...]:
    """Each lifetime action in words: "Rotate 90 days after creation", "Notify 30 days
    before expiry"."""
    texts = []
    for action in policy.lifetime_actions:
        if action.time_after_create:
            when = f"{duration_text(action.time_after_create)} after creation"
        elif action.time_before_expiry:
            when = f"{duration_text(action.time_before_expiry)} before expiry"
        else:
            when = "(no trigger)"
        texts.append(f"{action.action} {when}")
    return tuple(texts)


def policy_rows(policy: KeyRotationPolicyRecord) -> tuple[Row, ...]:
    actions = action_texts(policy)
    return (
        ("Automatic rotation", "Yes" if policy.rotates else "No (no Rotate action)"),
        ("Lifetime actions", "; ".join(actions) if actions else "none"),
        ("New versions expire", (f"{duration_text(policy.expires_in)} after creation"
                                 if policy.expires_in else "never (no expiry time set)")),
        *((("Policy updated", time_text(policy, "updated_on")),)
          if policy.updated_on else ()),
    )


def policy_summary(policy: KeyRotationPolicyRecord) -> str:
    """The policy in a few lines (the "Rotate now" question)."""
    return "\n".join(f"• {label}: {value}" for label, value in policy_rows(policy))


async def with_rotation_policy(details: Details, keys: VaultKeys, name: str) -> Details:
    """``details`` plus a "Rotation policy" section (its GET's failure becomes a row)."""
    try:
        policy = await keys.get_rotation_policy(name)
    except Cancelled:
        raise
    except VaultBrowserError as error:
        section = DetailSection("Rotation policy", (("Could not be read",
                                                     f"{error.title}: {error.message}"),))
    else:
        section = DetailSection("Rotation policy", policy_rows(policy.value))
    return replace(details, sections=(*details.sections, section))


def duration_days(duration: str | None) -> int | None:
    """An ISO 8601 duration in whole days, for editing (a month counts 30 days, a year 365);
    None for none or for one with hours, minutes or seconds."""
    if not duration:
        return None
    match = _DURATION.fullmatch(duration.strip().upper())
    if match is None or not any(match.groups()) or any(match.groups()[4:]):
        return None
    years, months, weeks, days = (int(part or 0) for part in match.groups()[:4])
    return years * 365 + months * 30 + weeks * 7 + days
