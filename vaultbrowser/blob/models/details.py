"""What the detail pane shows for Blob Storage rows: accounts, containers, virtual folders and
blobs. ``load_details`` makes the selection's own GET so the pane shows the status line and
headers of exactly that call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from vaultbrowser.blob.models.blob_tree import AccountRoot
from vaultbrowser.blob.models.tier_text import tier_rows
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.details import (
    Details,
    DetailSection,
    Row,
    describe_connection,
    describe_unknown,
    detail_rows,
    time_text,
)
from vaultbrowser.core.services.records import ResponseInfo


def describe(record: Any, response: ResponseInfo | None = None) -> Details:
    """Details from a Blob Storage record alone (no request)."""
    if isinstance(record, AccountRoot):
        return describe_connection(record, "Storage account", "Blob endpoint", response)
    if isinstance(record, ContainerRecord):
        rows = detail_rows(
            ("Name", record.name),
            ("Public access", record.public_access or "private"),
            ("Last modified", time_text(record, "last_modified")),
            ("ETag", record.etag),
            ("Lease", " / ".join(v for v in (record.lease_state, record.lease_status) if v)),
            ("Immutability policy", "Yes" if record.has_immutability_policy else None),
            ("Legal hold", "Yes" if record.has_legal_hold else None),
        )
        sections = [DetailSection("Properties", rows)]
        if record.metadata:
            sections.append(DetailSection("Metadata", tuple(sorted(record.metadata.items()))))
        return Details(record.name, "Container", tuple(sections), response, record)
    if isinstance(record, BlobPrefixRecord):
        folder = detail_rows(("Container", record.container),
                       ("Prefix", fmt.visible_name(record.prefix)),
                       ("Invisible characters", fmt.invisible_characters(record.prefix)))
        return Details(fmt.visible_name(record.display_name), "Virtual folder",
                       (DetailSection("Folder", folder),), response, record,
                       note="A virtual folder is a name prefix: selecting it makes no request.")
    if isinstance(record, BlobRecord):
        rows = detail_rows(
            ("Name", fmt.visible_name(record.name)),
            ("Invisible characters", fmt.invisible_characters(record.name)),
            ("Container", record.container),
            ("Size", f"{fmt.size(record.size)} ({record.size:,} bytes)"
             if record.size is not None else None),
            ("Content type", record.content_type),
            ("Content encoding", record.content_encoding),
            ("Content language", record.content_language),
            ("Content disposition", record.content_disposition),
            ("Cache control", record.cache_control),
            ("Content MD5", record.content_md5),
            ("Blob type", record.blob_type),
            ("Access tier", record.access_tier),
            *tier_rows(record),  # inferred, changed, archive status, rehydrate priority
            ("Created", time_text(record, "created_on")),
            ("Last modified", time_text(record, "last_modified")),
            ("ETag", record.etag),
            ("Lease state", record.lease_state),
            ("Server encrypted", fmt.yes_no(record.server_encrypted)),
            ("Snapshot", record.snapshot),
            ("Version id", record.version_id),
            ("Deleted", time_text(record, "deleted_on") if record.deleted else None),
            ("Days left to undelete", record.remaining_retention_days),
        )
        sections = [DetailSection("Properties", rows)]
        if record.metadata:
            sections.append(DetailSection("Metadata", tuple(sorted(record.metadata.items()))))
        if record.tags:
            sections.append(DetailSection("Index tags", tuple(sorted(record.tags.items()))))
        return Details(fmt.visible_name(record.display_name), "Blob", tuple(sections), response,
                       record)
    return describe_unknown(record, response)


async def load_details(record: Any, owner: AccountRoot) -> Details:
    """Make the selection's GET and describe the result.

    ``owner`` is the account the record belongs to; account rows and virtual folders make no
    request.

    Raises:
        VaultBrowserError: the typed error of the GET.
    """
    if isinstance(record, BlobRecord) and record.deleted:
        # A soft-deleted blob ("Show deleted"): its GET would answer 404.
        base = describe(record)
        return replace(base, subtitle="Deleted blob",
                       note="from the container's deleted listing (no request)")
    if isinstance(record, ContainerRecord) and isinstance(owner, AccountRoot):
        container = await owner.service.get_container_properties(record.name)
        return describe(container.value, container.response)
    if isinstance(record, BlobRecord) and isinstance(owner, AccountRoot):
        blob = await owner.service.get_blob_properties(record.container, record.name,
                                                       snapshot=record.snapshot,
                                                       version_id=record.version_id)
        return describe(blob.value, blob.response)
    return describe(record)


def contents_rows(records: Sequence[Any]) -> tuple[Row, ...]:
    """What an account's, container's or folder's loaded rows add up to."""
    containers = [r for r in records if isinstance(r, ContainerRecord)]
    if containers:
        public = sum(bool(r.public_access) for r in containers)
        return (("Containers", f"{len(containers):,}"), ("With public access", f"{public:,}"))
    blobs = [r for r in records if isinstance(r, BlobRecord) and not r.deleted]
    folders = sum(isinstance(r, BlobPrefixRecord) for r in records)
    if not blobs and not folders:
        return ()
    newest = max((r.last_modified for r in blobs if r.last_modified), default=None)
    return detail_rows(("Folders", f"{folders:,}"), ("Blobs", f"{len(blobs):,}"),
                       ("Size of these blobs", fmt.size(sum(r.size or 0 for r in blobs))),
                       ("Newest change", fmt.when(newest) if newest else None))
