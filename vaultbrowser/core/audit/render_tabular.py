"""The report as CSV (one file, a ``section`` column) and as JSON.

CSV sections: ``report`` (the stamps), ``finding`` (one row per finding item), ``error``,
``secret``, ``certificate``, ``key``, ``container``, and ``resource`` (what Azure discovery
found; only then are the ``RESOURCE_COLUMNS`` added). Text cells that a spreadsheet would
evaluate (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with
``'`` so a hostile name or tag cannot become a formula.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from vaultbrowser.core.audit.model import (
    REPORT_SCHEMA,
    AuditReport,
    AzureResourceEntry,
    ContainerEntry,
    ItemKind,
    VaultItemEntry,
)

CSV_COLUMNS = (
    "section", "severity", "finding", "source", "kind", "name", "detail", "enabled",
    "content_type", "created", "updated", "not_before", "expires", "tags", "versions",
    "managed", "key_type", "key_size", "curve", "auto_renew", "rotation_policy", "lifetime_actions",
    "recovery_level", "public_access", "metadata", "immutability_policy", "legal_hold",
    "version_level_immutability", "blob_count", "total_size", "error_type", "status",
    "error_code", "request_id",
)
# Appended to CSV_COLUMNS when the report has discovered resources.
RESOURCE_COLUMNS = (
    "type", "tenant", "tenant_id", "subscription", "subscription_id", "resource_group",
    "location", "endpoint", "resource_id", "public_network", "firewall_default", "rbac",
    "soft_delete", "soft_delete_days", "purge_protection", "shared_key_access",
    "public_blob_access", "minimum_tls", "hierarchical_namespace", "audited",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _when(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


def _pairs(mapping: Mapping[str, str]) -> str:
    return "; ".join(f"{key}={value}" for key, value in sorted(mapping.items()))


def _flag(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _item_row(item: VaultItemEntry) -> dict[str, Any]:
    return {
        "section": str(item.kind), "source": item.source, "kind": str(item.kind),
        "name": item.name, "enabled": _flag(item.enabled), "content_type": item.content_type,
        "created": _when(item.created_on), "updated": _when(item.updated_on),
        "not_before": _when(item.not_before), "expires": _when(item.expires_on),
        "tags": _pairs(item.tags), "versions": item.versions, "managed": _flag(item.managed),
        "key_type": item.key_type, "key_size": item.key_size, "curve": item.curve,
        "auto_renew": _flag(item.auto_renew), "rotation_policy": _flag(item.rotation),
        "lifetime_actions": "; ".join(item.lifetime_actions),
        "recovery_level": item.recovery_level,
    }


def _container_row(container: ContainerEntry) -> dict[str, Any]:
    return {
        "section": "container", "source": container.source, "kind": "container",
        "name": container.name, "updated": _when(container.last_modified),
        "public_access": container.public_access or "private",
        "metadata": _pairs(container.metadata),
        "immutability_policy": _flag(container.has_immutability_policy),
        "legal_hold": _flag(container.has_legal_hold),
        "version_level_immutability": _flag(container.immutable_storage_with_versioning),
        "blob_count": container.blob_count, "total_size": container.total_size,
    }


def _resource_row(resource: AzureResourceEntry) -> dict[str, Any]:
    return {
        "section": "resource", "source": resource.source,
        "kind": "vault" if resource.is_vault else "account" if resource.is_account else "",
        "type": resource.type_label, "name": resource.name, "detail": "; ".join(resource.notes),
        "tags": _pairs(resource.tags), "tenant": resource.tenant,
        "tenant_id": resource.tenant_id, "subscription": resource.subscription,
        "subscription_id": resource.subscription_id,
        "resource_group": resource.resource_group, "location": resource.location,
        "endpoint": resource.endpoint, "resource_id": resource.resource_id,
        "public_network": resource.public_network,
        "firewall_default": resource.firewall_default, "rbac": _flag(resource.rbac),
        "soft_delete": _flag(resource.soft_delete),
        "soft_delete_days": resource.soft_delete_days,
        "purge_protection": _flag(resource.purge_protection),
        "shared_key_access": _flag(resource.shared_key_access),
        "public_blob_access": _flag(resource.public_blob_access),
        "minimum_tls": resource.minimum_tls,
        "hierarchical_namespace": _flag(resource.hierarchical_namespace),
        "audited": _flag(resource.audited),
    }


def render_csv(report: AuditReport) -> str:
    """The whole report as one CSV (RFC 4180, ``\\r\\n`` rows, header first)."""
    rows: list[dict[str, Any]] = [{
        "section": "report", "name": f"vaultbrowser {report.tool_version}",
        "created": _when(report.generated_at),
        "detail": (f"identity: {report.identity or 'not recorded'}; connections: "
                   + ", ".join(f"{c.name} <{c.url}>" for c in report.connections)),
    }]
    for finding in report.findings:
        for subject in finding.items:
            rows.append({
                "section": "finding", "severity": str(finding.severity),
                "finding": finding.title, "source": subject.source, "kind": str(subject.kind),
                "name": subject.name, "detail": subject.detail,
                "expires": _when(subject.when) if finding.code.startswith("expi") else "",
            })
    for error in report.errors:
        rows.append({
            "section": "error", "source": error.source, "name": error.subject,
            "finding": error.title,
            "detail": f"{error.operation}: {error.message}"
                      + (f" ({error.count} calls)" if error.count > 1 else ""),
            "error_type": error.error_type, "status": error.status,
            "error_code": error.error_code, "request_id": error.request_id,
        })
    for kind in (ItemKind.SECRET, ItemKind.CERTIFICATE, ItemKind.KEY):
        rows.extend(_item_row(item) for item in report.items_of(kind))
    rows.extend(_container_row(container) for container in report.containers)
    rows.extend(_resource_row(resource) for resource in report.resources)
    columns = CSV_COLUMNS + (RESOURCE_COLUMNS if report.resources else ())
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _cell(row.get(column)) for column in columns})
    return out.getvalue()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _resources_json(report: AuditReport) -> tuple[dict[str, Any], dict[str, Any]]:
    """(summary counts, document part) of the discovered resources."""
    by_resource = report.findings_by_resource()
    by_subscription: dict[str, int] = {}
    for resource in report.resources:
        where = f"{resource.tenant} / {resource.subscription}"
        by_subscription[where] = by_subscription.get(where, 0) + by_resource[resource.source]
    summary = {
        "resources": len(report.resources),
        "tenants": len({r.tenant_id for r in report.resources}),
        "subscriptions": len({r.subscription_id for r in report.resources}),
        "finding_items_by_subscription": by_subscription,
    }
    return summary, {"resources": [
        {**_jsonable(resource), "finding_items": by_resource[resource.source]}
        for resource in report.resources]}


def render_json(report: AuditReport) -> str:
    """The whole report as a JSON document (``schema`` names its version). ``resources``
    (and their counts in ``summary``) appear when the audit discovered resources."""
    document = {
        "schema": REPORT_SCHEMA,
        "generated_at": _jsonable(report.generated_at),
        "identity": report.identity,
        "tool_version": report.tool_version,
        "scan_blobs": report.scan_blobs,
        "connections": _jsonable(report.connections),
        "summary": {
            "findings_by_severity": {str(s): n for s, n in report.severity_counts().items()},
            "secrets": len(report.items_of(ItemKind.SECRET)),
            "certificates": len(report.items_of(ItemKind.CERTIFICATE)),
            "keys": len(report.items_of(ItemKind.KEY)),
            "containers": len(report.containers),
            "errors": len(report.errors),
        },
        "findings": _jsonable(report.findings),
        "errors": _jsonable(report.errors),
        "inventory": {
            "secrets": _jsonable(report.items_of(ItemKind.SECRET)),
            "certificates": _jsonable(report.items_of(ItemKind.CERTIFICATE)),
            "keys": _jsonable(report.items_of(ItemKind.KEY)),
            "containers": _jsonable(report.containers),
        },
    }
    if report.resources:
        summary, part = _resources_json(report)
        document["summary"].update(summary)
        document.update(part)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
