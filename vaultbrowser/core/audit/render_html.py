"""The report as one self-contained HTML page: inline CSS, an inline SVG expiry timeline, no
scripts and no external resources.

Every piece of text from the report (names, tags, metadata, error messages) goes through
``html.escape`` (quotes included): item names can be hostile.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from vaultbrowser.core.audit.findings import expiry_bucket
from vaultbrowser.core.audit.html_cells import (
    date_cell,
    esc,
    flag_cell,
    html_table,
    pairs_cell,
    size_text,
)
from vaultbrowser.core.audit.html_resources import render_resources
from vaultbrowser.core.audit.html_timeline import TIMELINE_CSS, render_timeline
from vaultbrowser.core.audit.model import (
    AuditReport,
    ContainerEntry,
    Finding,
    ItemKind,
    ReportError,
    Severity,
    VaultItemEntry,
)

_CSS = """
:root{--critical:#991b1b;--high:#c2410c;--medium:#a16207;--low:#1d4ed8;--info:#4b5563;
--ok:#15803d;--line:#d8dde6;--muted:#5b6472;--bg:#f6f7f9}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;
color:#1f2530;background:var(--bg);margin:0;padding:24px 32px}
main{max-width:1400px;margin:0 auto}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:19px;margin:32px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:15px;margin:16px 0 4px}
p.desc{margin:0 0 6px;color:var(--muted)}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;
margin:0 0 14px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{border:1px solid var(--line);padding:4px 7px;text-align:left;vertical-align:top}
.inventory table{font-size:12px}.inventory th,.inventory td{padding:3px 5px}
.nowrap{white-space:nowrap}
th{background:#eef1f5;font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
table.stamps{width:auto}table.stamps th{text-align:right;background:#fff;border:none}
table.stamps td{border:none}
.summary{display:flex;gap:12px;flex-wrap:wrap;margin:10px 0}
.tile{flex:1 1 120px;background:#fff;border:1px solid var(--line);border-radius:8px;
padding:10px 14px;border-top:5px solid var(--info)}
.tile b{display:block;font-size:26px;line-height:1.1}
.tile span{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;
font-weight:600;text-transform:uppercase;letter-spacing:.04em;vertical-align:middle}
.sev-critical{--sev:var(--critical)}.sev-high{--sev:var(--high)}
.sev-medium{--sev:var(--medium)}.sev-low{--sev:var(--low)}.sev-info{--sev:var(--info)}
.badge[class*=sev-]{background:var(--sev)}.tile[class*=sev-]{border-top-color:var(--sev)}
section.severity{border-left:5px solid var(--sev);padding-left:14px;margin-top:18px}
section.severity>h2{border:none;margin-top:8px;color:var(--sev)}
.finding{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px 14px 12px;
margin-bottom:12px}
.finding h3 .count{color:var(--muted);font-weight:400}
.errors{border-color:#f0b4b4;background:#fff5f5}
.errors h2{color:var(--critical);border-color:#f0b4b4;margin-top:0}
.exp-expired{color:var(--critical);font-weight:600}.exp-expiring-30{color:var(--high);
font-weight:600}.exp-expiring-60{color:var(--medium)}.exp-expiring-90{color:var(--low)}
.no{color:var(--high)}.yes{color:var(--ok)}.muted{color:var(--muted)}
.tags{font-size:12px;color:var(--muted)}
.timeline{background:#fff;border:1px solid var(--line);border-radius:8px;padding:8px}
.timeline svg{display:block;width:100%;height:auto}
footer{margin-top:32px;color:var(--muted);font-size:12px}
"""

_T = TypeVar("_T", VaultItemEntry, ContainerEntry)
_SEVERITY_LABEL = {s: s.value.capitalize() for s in Severity}


# --- header and summary ---------------------------------------------------------------------


def _header(report: AuditReport) -> str:
    connections = "<br>".join(
        f"{esc(c.name)} <span class='muted'>({esc(c.kind)}, {esc(c.auth)}) {esc(c.url)}</span>"
        for c in report.connections) or '<span class="muted">none</span>'
    rows = [
        ("Generated", esc(report.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"))),
        ("Identity", esc(report.identity) if report.identity
         else '<span class="muted">not recorded</span>'),
        ("Tool", f"vaultbrowser {esc(report.tool_version)}"),
        ("Blob scan", "yes" if report.scan_blobs else "no (blob counts and sizes not collected)"),
        ("Connections", connections),
    ]
    stamps = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (f'<header class="card"><h1>Key Vault and Blob Storage audit</h1>'
            f'<table class="stamps">{stamps}</table></header>')


def _summary(report: AuditReport) -> str:
    counts = report.severity_counts()
    severity_tiles = [
        f'<div class="tile sev-{s.value}"><b>{counts[s]}</b><span>{esc(_SEVERITY_LABEL[s])}'
        f"</span></div>" for s in Severity
    ]
    inventory = [
        ("Secrets", len(report.items_of(ItemKind.SECRET))),
        ("Certificates", len(report.items_of(ItemKind.CERTIFICATE))),
        ("Keys", len(report.items_of(ItemKind.KEY))),
        ("Containers", len(report.containers)),
        *([("Azure resources", len(report.resources))] if report.resources else []),
        ("Errors", len(report.errors)),
    ]
    inventory_tiles = [
        f'<div class="tile{" sev-critical" if label == "Errors" and n else ""}"><b>{n}</b>'
        f"<span>{esc(label)}</span></div>" for label, n in inventory]
    return ('<h2>Summary</h2><p class="desc">Finding items by severity:</p>'
            f'<div class="summary">{"".join(severity_tiles)}</div>'
            '<p class="desc">Inventoried:</p>'
            f'<div class="summary">{"".join(inventory_tiles)}</div>')


def _errors(errors: Sequence[ReportError]) -> str:
    if not errors:
        return ""
    rows = [
        (esc(err.source), esc(err.operation) + (f" <span class='muted'>({esc(err.subject)}"
                                               + (f" and {err.count - 1} more" if err.count > 1
                                                  else "") + ")</span>" if err.subject else ""),
         f"<b>{esc(err.title)}</b><br><span class='muted'>{esc(err.error_type)}</span>",
         esc(err.message),
         esc(" ".join(str(p) for p in (err.status, err.error_code) if p is not None)) or "—",
         f"<code>{esc(err.request_id)}</code>" if err.request_id else "—")
        for err in errors
    ]
    return ('<section class="card errors"><h2>Incomplete: errors while collecting</h2>'
            '<p class="desc">The report covers everything else; these parts could not be '
            "read.</p>"
            + html_table(("Source", "Operation", "Error", "Message", "Status", "Request id"), rows,
                     name_col=None)
            + "</section>")


# --- findings -------------------------------------------------------------------------------


def _finding(finding: Finding) -> str:
    rows = [(esc(s.name), esc(s.kind.value), esc(s.source), esc(s.detail)) for s in finding.items]
    return (f'<div class="finding"><h3>{esc(finding.title)} <span class="count">'
            f"({len(finding.items)})</span></h3><p class=\"desc\">{esc(finding.description)}</p>"
            + html_table(("Name", "Kind", "Source", "Detail"), rows) + "</div>")


def _findings(report: AuditReport) -> str:
    out = ["<h2>Findings</h2>"]
    if not report.findings:
        out.append('<p class="card">No findings.</p>')
    for severity, findings in report.findings_by_severity().items():
        if not findings:
            continue
        out.append(f'<section class="severity sev-{severity.value}"><h2>'
                   f'<span class="badge sev-{severity.value}">{esc(severity.value)}</span> '
                   f"{esc(_SEVERITY_LABEL[severity])} "
                   f'<span class="muted">({sum(len(f.items) for f in findings)})</span></h2>'
                   + "".join(_finding(f) for f in findings) + "</section>")
    return "".join(out)


# --- inventory ------------------------------------------------------------------------------


def _expires(item: VaultItemEntry, now: datetime) -> str:
    bucket = expiry_bucket(item.expires_on, now)
    cell = date_cell(item.expires_on)
    return f'<span class="exp-{bucket}">{cell}</span>' if bucket else cell


def _key_text(item: VaultItemEntry) -> str:
    parts = [p for p in (item.key_type, str(item.key_size) if item.key_size else None,
                         item.curve) if p]
    if not parts:
        return '<span class="muted">—</span>'
    return f'<span class="nowrap">{esc(" ".join(parts))}</span>'


def _versions(item: VaultItemEntry) -> str:
    return str(item.versions) if item.versions is not None else "?"


def _secret_row(i: VaultItemEntry, now: datetime) -> tuple[str, ...]:
    return (esc(i.name), flag_cell(i.enabled), esc(i.content_type or "—"), date_cell(i.created_on),
            date_cell(i.updated_on), date_cell(i.not_before), _expires(i, now), _versions(i),
            flag_cell(i.managed, good=None), pairs_cell(i.tags))


def _certificate_row(i: VaultItemEntry, now: datetime) -> tuple[str, ...]:
    return (esc(i.name), flag_cell(i.enabled), _key_text(i), esc(i.content_type or "—"),
            date_cell(i.created_on), date_cell(i.updated_on), date_cell(i.not_before),
            _expires(i, now),
            _versions(i), flag_cell(i.auto_renew), esc("; ".join(i.lifetime_actions) or "—"),
            pairs_cell(i.tags))


def _key_row(i: VaultItemEntry, now: datetime) -> tuple[str, ...]:
    return (esc(i.name), flag_cell(i.enabled), _key_text(i), date_cell(i.created_on),
            date_cell(i.updated_on), date_cell(i.not_before), _expires(i, now), _versions(i),
            '<span class="muted">n/a (certificate)</span>' if i.managed else flag_cell(i.rotation),
            esc("; ".join(i.lifetime_actions) or "—"), flag_cell(i.managed, good=None),
            pairs_cell(i.tags))


_ITEM_TABLES = (
    (ItemKind.SECRET, "Secrets", _secret_row, ("Name", "Enabled", "Content type", "Created",
                                               "Updated", "Not before", "Expires", "Versions",
                                               "Managed", "Tags"), 7),
    (ItemKind.CERTIFICATE, "Certificates", _certificate_row,
     ("Name", "Enabled", "Key", "Content type", "Created", "Updated", "Not before", "Expires",
      "Versions", "Auto-renew", "Lifetime actions", "Tags"), 8),
    (ItemKind.KEY, "Keys", _key_row,
     ("Name", "Enabled", "Key", "Created", "Updated", "Not before", "Expires", "Versions",
      "Rotation policy", "Lifetime actions", "Managed", "Tags"), 7),
)


def _by_source(entries: Sequence[_T]) -> dict[str, list[_T]]:
    groups: dict[str, list[_T]] = {}
    for entry in entries:
        groups.setdefault(entry.source, []).append(entry)
    return groups


def _inventory(report: AuditReport) -> str:
    """One table per kind and source (vault or account), the source in the heading."""
    now = report.generated_at
    out = ['<section class="inventory"><h2>Inventory</h2>']
    for kind, label, row, headers, versions_col in _ITEM_TABLES:
        items = report.items_of(kind)
        groups = _by_source(items) or {"": []}
        for source, entries in groups.items():
            where = f" <span class='muted'>· {esc(source)}</span>" if source else ""
            out.append(f"<h3>{esc(label)} ({len(entries)}){where}</h3>")
            out.append(html_table(headers, (row(i, now) for i in entries),
                              numeric=(versions_col,)))
    out.append(_containers(report.containers, report.scan_blobs))
    out.append("</section>")
    return "".join(out)


def _containers(containers: Sequence[ContainerEntry], scanned: bool) -> str:
    def count(c: ContainerEntry) -> str:
        if c.blob_count is None:
            return "?" if scanned else '<span class="muted">not scanned</span>'
        return f"{c.blob_count:,}"

    def access(c: ContainerEntry) -> str:
        if not c.public_access:
            return '<span class="yes">private</span>'
        return f'<span class="no">{esc(c.public_access)}</span>'

    out = []
    for source, entries in (_by_source(containers) or {"": []}).items():
        rows = [(esc(c.name), access(c), pairs_cell(c.metadata),
                 flag_cell(c.has_immutability_policy, good=None),
                 flag_cell(c.has_legal_hold, good=None),
                 flag_cell(c.immutable_storage_with_versioning, good=None),
                 date_cell(c.last_modified), count(c),
                 size_text(c.total_size) if scanned else '<span class="muted">—</span>')
                for c in entries]
        where = f" <span class='muted'>· {esc(source)}</span>" if source else ""
        out.append(f"<h3>Containers ({len(rows)}){where}</h3>")
        out.append(html_table(("Name", "Public access", "Metadata", "Immutability policy",
                           "Legal hold", "Version-level WORM", "Last modified", "Blobs",
                           "Size"), rows, numeric=(7, 8)))
    return "".join(out)


def render_html(report: AuditReport) -> str:
    """The report as one self-contained HTML document (UTF-8, no scripts, no external files)."""
    title = f"vaultbrowser audit {report.generated_at.strftime('%Y-%m-%d %H:%M UTC')}"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_CSS}{TIMELINE_CSS}</style></head><body><main>",
        _header(report), _summary(report), _errors(report.errors), render_timeline(report),
        _findings(report), render_resources(report), _inventory(report),
        "<footer>Generated by vaultbrowser ", esc(report.tool_version),
        ". This report lists properties only: it contains no secret values.</footer>",
        "</main></body></html>\n",
    ])
