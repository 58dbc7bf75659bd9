"""The tier in words: a pending rehydration in the tier column and the details, what a tier
costs in the tier dialog."""

from __future__ import annotations

from datetime import UTC, datetime

from vaultbrowser.blob.models.details import describe
from vaultbrowser.blob.models.tier_text import consequence, pending_target, tier_cell
from vaultbrowser.blob.services.records import BlobRecord

PENDING = BlobRecord("c", "a.csv", access_tier="Archive",
                     archive_status="rehydrate-pending-to-cold", rehydrate_priority="High",
                     access_tier_changed_on=datetime(2024, 3, 4, 10, tzinfo=UTC))


def test_pending_rehydration_shows_in_the_row_and_the_details() -> None:
    assert pending_target(PENDING) == "Cold"
    assert tier_cell(PENDING) == "Archive → Cold (rehydrating)"
    rows = dict(describe(PENDING).sections[0].rows)
    assert rows["Access tier"] == "Archive"
    assert rows["Archive status"].startswith("rehydrate-pending-to-cold")
    assert rows["Rehydrate priority"] == "High"
    assert "2024-03-04" in rows["Tier changed"]


def test_inferred_tier_is_said_in_the_details_only() -> None:
    inferred = BlobRecord("c", "b.txt", access_tier="Hot", access_tier_inferred=True)
    assert tier_cell(inferred) == "Hot"
    assert "default tier" in dict(describe(inferred).sections[0].rows)["Tier inferred"]


def test_consequences_name_early_deletion_and_rehydration() -> None:
    assert "30 days" in consequence("Cool", from_archive=False)
    assert "90 days" in consequence("Cold", from_archive=False)
    assert "180 days" in consequence("Archive", from_archive=False)
    assert "15 hours" in consequence("Hot", from_archive=True)
    assert "15 hours" not in consequence("Hot", from_archive=False)


def test_the_audit_trail_names_history_and_tier_requests() -> None:
    from vaultbrowser.blob.services.operation_names import blob_operation_name

    def named(method: str, url: str) -> str | None:
        return blob_operation_name(method, url, {})

    blob = "https://acct.blob.core.windows.net/c/a.txt"
    assert named("PUT", blob + "?comp=tier") == "set blob tier"
    assert named("PUT", blob + "?comp=snapshot") == "create blob snapshot"
    assert named("POST", "https://acct.blob.core.windows.net/c?restype=container"
                         "&comp=batch") == "blob batch"
    assert named("DELETE", blob + "?snapshot=2024-03-01T09%3A00%3A00.1234567Z"
                 ) == "delete blob snapshot"
    assert named("DELETE", blob + "?versionid=2024-03-01T08%3A59%3A00.1111111Z"
                 ) == "delete blob version"
    assert named("DELETE", blob) == "delete blob"
