"""Access tiers in words: the tier column's text, the detail rows, and what choosing a tier costs
(the tier dialog's explanation). Qt-free text; the models and dialogs show it."""

from __future__ import annotations

from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.details import Row, detail_rows

# What each tier means for cost and latency (Azure's published rules, in short).
TIER_CONSEQUENCES = {
    "Hot": ("Hot: highest storage price, lowest read and transaction prices; read at once. "
            "No early-deletion period."),
    "Cool": ("Cool: cheaper storage, dearer reads; read at once. Early deletion: a blob moved "
             "out or deleted before 30 days in Cool is charged for the rest of the 30 days."),
    "Cold": ("Cold: cheaper storage still, dearer reads than Cool; read at once. Early "
             "deletion: 90 days."),
    "Archive": ("Archive: the cheapest storage, but OFFLINE: the blob cannot be read, copied "
                "or previewed until it is rehydrated to an online tier, which takes up to 15 "
                "hours (Standard priority) or about 1 hour for small blobs (High priority, "
                "dearer). Early deletion: 180 days. Changing the tier of an archived blob "
                "away from Archive starts a rehydration."),
}
REHYDRATE_NOTE = ("Rehydrating from Archive: the blob stays Archive (\"rehydrate pending\") "
                  "until it is done. Standard priority: up to 15 hours. High priority: usually "
                  "under 1 hour for blobs under 10 GB, at a higher price.")


def pending_target(record: BlobRecord) -> str | None:
    """The tier a pending rehydration goes to ("Hot" for ``rehydrate-pending-to-hot``)."""
    status = record.archive_status or ""
    prefix = "rehydrate-pending-to-"
    return status[len(prefix):].capitalize() if status.startswith(prefix) else None


def tier_cell(record: BlobRecord) -> str:
    """The tier column: the tier, and a pending rehydration (an inferred tier is in the
    details: most blobs have one, and the column would say so on every row)."""
    tier = record.access_tier or ""
    target = pending_target(record)
    return f"{tier} → {target} (rehydrating)" if target else tier


def tier_rows(record: BlobRecord) -> tuple[Row, ...]:
    """Detail rows about the tier beyond the tier itself."""
    target = pending_target(record)
    return detail_rows(
        ("Tier inferred", "Yes: the account's default tier, never set on the blob"
         if record.access_tier_inferred else None),
        ("Tier changed", fmt.when_exact(record.access_tier_changed_on)
         if record.access_tier_changed_on else None),
        ("Archive status", f"{record.archive_status} (readable once it is {target})"
         if target else record.archive_status),
        ("Rehydrate priority", record.rehydrate_priority),
    )


def consequence(tier: str, *, from_archive: bool) -> str:
    """What choosing ``tier`` means, for the tier dialog."""
    text = TIER_CONSEQUENCES.get(tier, "")
    if from_archive and tier != "Archive":
        text = f"{text}\n\n{REHYDRATE_NOTE}"
    return text
