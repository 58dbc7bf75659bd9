"""The report as one self-contained HTML page: inline CSS, an inline SVG expiry timeline, no
scripts and no external resources.

Every piece of text from the report (names, tags, metadata, error messages) goes through
``html.escape`` (quotes included): item names can be hostile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from html import escape
from typing import TypeVar

from vaultbrowser.core.audit.findings import expiry_bucket
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


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _date(value: datetime | None) -> str:
    if value is None:
        return '<span class="muted">—</span>'
    return (f'<span title="{_e(value.isoformat())}" style="white-space:nowrap">'
            f'{_e(value.strftime("%Y-%m-%d"))}</span>')


def _flag(value: bool | None, *, good: bool | None = True) -> str:
    """yes/no, coloured green when it is ``good`` and orange when not (``good=None``: plain)."""
    if value is None:
        return '<span class="muted">unknown</span>'
    if good is None:
        return "yes" if value else "no"
    css = "yes" if value == good else "no"
    return f'<span class="{css}">{"yes" if value else "no"}</span>'


def _pairs(mapping: Mapping[str, str]) -> str:
    if not mapping:
        return '<span class="muted">—</span>'
    return '<span class="tags">' + ", ".join(
        f"{_e(key)}={_e(value)}" for key, value in sorted(mapping.items())) + "</span>"


def _size(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return str(value)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], *,
           numeric: Iterable[int] = (), name_col: int | None = 0) -> str:
    """An HTML table; cells are already-escaped HTML."""
    numeric = set(numeric)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            css = ' class="num"' if index in numeric else (
                ' class="name"' if index == name_col else "")
            cells.append(f"<td{css}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">none</td></tr>')
    return (f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


# --- header and summary ---------------------------------------------------------------------


def _header(report: AuditReport) -> str:
    connections = "<br>".join(
        f"{_e(c.name)} <span class='muted'>({_e(c.kind)}, {_e(c.auth)}) {_e(c.url)}</span>"
        for c in report.connections) or '<span class="muted">none</span>'
    rows = [
        ("Generated", _e(report.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"))),
        ("Identity", _e(report.identity) if report.identity
         else '<span class="muted">not recorded</span>'),
        ("Tool", f"vaultbrowser {_e(report.tool_version)}"),
        ("Blob scan", "yes" if report.scan_blobs else "no (blob counts and sizes not collected)"),
        ("Connections", connections),
    ]
    stamps = "".join(f"<tr><th>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (f'<header class="card"><h1>Key Vault and Blob Storage audit</h1>'
            f'<table class="stamps">{stamps}</table></header>')


def _summary(report: AuditReport) -> str:
    counts = report.severity_counts()
    severity_tiles = [
        f'<div class="tile sev-{s.value}"><b>{counts[s]}</b><span>{_e(_SEVERITY_LABEL[s])}'
        f"</span></div>" for s in Severity
    ]
    inventory = [
        ("Secrets", len(report.items_of(ItemKind.SECRET))),
        ("Certificates", len(report.items_of(ItemKind.CERTIFICATE))),
        ("Keys", len(report.items_of(ItemKind.KEY))),
        ("Containers", len(report.containers)),
        ("Errors", len(report.errors)),
    ]
    inventory_tiles = [
        f'<div class="tile{" sev-critical" if label == "Errors" and n else ""}"><b>{n}</b>'
        f"<span>{_e(label)}</span></div>" for label, n in inventory]
    return ('<h2>Summary</h2><p class="desc">Finding items by severity:</p>'
            f'<div class="summary">{"".join(severity_tiles)}</div>'
            '<p class="desc">Inventoried:</p>'
            f'<div class="summary">{"".join(inventory_tiles)}</div>')


def _errors(errors: Sequence[ReportError]) -> str:
    if not errors:
        return ""
    rows = [
        (_e(err.source), _e(err.operation) + (f" <span class='muted'>({_e(err.subject)}"
                                               + (f" and {err.count - 1} more" if err.count > 1
                                                  else "") + ")</span>" if err.subject else ""),
         f"<b>{_e(err.title)}</b><br><span class='muted'>{_e(err.error_type)}</span>",
         _e(err.message),
         _e(" ".join(str(p) for p in (err.status, err.error_code) if p is not None)) or "—",
         f"<code>{_e(err.request_id)}</code>" if err.request_id else "—")
        for err in errors
    ]
    return ('<section class="card errors"><h2>Incomplete: errors while collecting</h2>'
            '<p class="desc">The report covers everything else; these parts could not be '
            "read.</p>"
            + _table(("Source", "Operation", "Error", "Message", "Status", "Request id"), rows,
                     name_col=None)
            + "</section>")


# --- expiry timeline ------------------------------------------------------------------------

_PAST_DAYS, _FUTURE_DAYS, _MAX_ROWS = 30, 90, 80
_BUCKET_COLOR = {"expired": "#991b1b", "expiring-30": "#c2410c", "expiring-60": "#a16207",
                 "expiring-90": "#1d4ed8"}


def _timeline(report: AuditReport) -> str:
    now = report.generated_at
    horizon = now + timedelta(days=_FUTURE_DAYS)
    dated = sorted((i for i in report.items if i.expires_on is not None and not i.managed
                    and i.expires_on <= horizon), key=lambda i: (i.expires_on or now, i.name))
    intro = (f'<h2>Expiry timeline</h2><p class="desc">Everything that expired or expires '
             f"within {_FUTURE_DAYS} days, by date; earlier expiries sit at the left edge "
             "(◀). Certificate-backed keys and secrets follow their certificate and are not "
             "drawn.</p>")
    if not dated:
        return intro + '<p class="card muted">Nothing expires within 90 days.</p>'
    shown = dated[:_MAX_ROWS]
    label_w, chart_w, right_w, row_h, top = 290, 700, 190, 18, 44
    width, height = label_w + chart_w + right_w, top + row_h * len(shown) + 12
    span = float(_PAST_DAYS + _FUTURE_DAYS)

    def x_of(when: datetime) -> float:
        days = (when - now).total_seconds() / 86_400
        return label_w + chart_w * (max(-_PAST_DAYS, days) + _PAST_DAYS) / span

    bottom = height - 12
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="Expiry timeline" font-family="system-ui,sans-serif" '
             f'font-size="12">']
    bands = [(-_PAST_DAYS, 0, "#fde2e2", "expired"), (0, 30, "#ffedd5", "≤ 30 days"),
             (30, 60, "#fef3c7", "31–60"), (60, 90, "#dbeafe", "61–90")]
    for start, end, fill, label in bands:
        x0 = label_w + chart_w * (start + _PAST_DAYS) / span
        x1 = label_w + chart_w * (end + _PAST_DAYS) / span
        parts.append(f'<rect x="{x0:.1f}" y="{top - 6}" width="{x1 - x0:.1f}" '
                     f'height="{bottom - top + 6}" fill="{fill}"/>')
        parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="14" text-anchor="middle" '
                     f'fill="#374151" font-weight="600">{_e(label)}</text>')
    for offset in (0, 30, 60, 90):
        x = label_w + chart_w * (offset + _PAST_DAYS) / span
        when = now + timedelta(days=offset)
        text = "today " + when.strftime("%m-%d") if offset == 0 else when.strftime("%Y-%m-%d")
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" '
                     f'stroke="{"#111827" if offset == 0 else "#9ca3af"}" '
                     f'stroke-width="{2 if offset == 0 else 1}"/>')
        parts.append(f'<text x="{x:.1f}" y="30" text-anchor="middle" fill="#4b5563">'
                     f"{_e(text)}</text>")
    for row, item in enumerate(shown):
        assert item.expires_on is not None
        y = top + row * row_h + row_h / 2
        bucket = expiry_bucket(item.expires_on, now) or "expiring-90"
        color = _BUCKET_COLOR[bucket]
        name = item.name if len(item.name) <= 34 else item.name[:33] + "…"
        x = x_of(item.expires_on)
        days = (item.expires_on - now).total_seconds() / 86_400
        whole = int(abs(days))  # whole days, as the findings count them
        when_text = f"{whole} d ago" if days <= 0 else f"in {whole} d"
        clipped = days < -_PAST_DAYS
        if row % 2:
            parts.append(f'<rect x="0" y="{y - row_h / 2:.1f}" width="{label_w - 8}" '
                         f'height="{row_h}" fill="#f3f4f6"/>')
        parts.append(f'<line x1="{label_w}" y1="{y:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                     f'stroke="{color}" stroke-opacity="0.25"/>')
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 4:.1f}" text-anchor="end" fill="#1f2530">'
            f'<tspan fill="#6b7280">{_e(item.kind.value)} · </tspan>{_e(name)}</text>')
        shape = (f'<path d="M{x + 6:.1f},{y - 6:.1f} L{x:.1f},{y:.1f} L{x + 6:.1f},{y + 6:.1f} Z"'
                 if clipped else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5"')
        parts.append(f'{shape} fill="{color}"><title>{_e(item.source)} · {_e(item.kind.value)} '
                     f'{_e(item.name)}: {_e(item.expires_on.isoformat())}</title>'
                     f'{"</path>" if clipped else "</circle>"}')
        parts.append(f'<text x="{label_w + chart_w + 8}" y="{y + 4:.1f}" fill="{color}">'
                     f'{_e(item.expires_on.strftime("%Y-%m-%d"))} ({_e(when_text)})</text>')
    parts.append("</svg>")
    more = (f'<p class="desc">Showing the first {_MAX_ROWS} of {len(dated)}.</p>'
            if len(dated) > _MAX_ROWS else "")
    return intro + f'<div class="timeline">{"".join(parts)}</div>' + more


# --- findings -------------------------------------------------------------------------------


def _finding(finding: Finding) -> str:
    rows = [(_e(s.name), _e(s.kind.value), _e(s.source), _e(s.detail)) for s in finding.items]
    return (f'<div class="finding"><h3>{_e(finding.title)} <span class="count">'
            f"({len(finding.items)})</span></h3><p class=\"desc\">{_e(finding.description)}</p>"
            + _table(("Name", "Kind", "Source", "Detail"), rows) + "</div>")


def _findings(report: AuditReport) -> str:
    out = ["<h2>Findings</h2>"]
    if not report.findings:
        out.append('<p class="card">No findings.</p>')
    for severity, findings in report.findings_by_severity().items():
        if not findings:
            continue
        out.append(f'<section class="severity sev-{severity.value}"><h2>'
                   f'<span class="badge sev-{severity.value}">{_e(severity.value)}</span> '
                   f"{_e(_SEVERITY_LABEL[severity])} "
                   f'<span class="muted">({sum(len(f.items) for f in findings)})</span></h2>'
                   + "".join(_finding(f) for f in findings) + "</section>")
    return "".join(out)


# --- inventory ------------------------------------------------------------------------------


def _expires(item: VaultItemEntry, now: datetime) -> str:
    bucket = expiry_bucket(item.expires_on, now)
    cell = _date(item.expires_on)
    return f'<span class="exp-{bucket}">{cell}</span>' if bucket else cell


def _key_text(item: VaultItemEntry) -> str:
    parts = [p for p in (item.key_type, str(item.key_size) if item.key_size else None,
                         item.curve) if p]
    if not parts:
        return '<span class="muted">—</span>'
    return f'<span class="nowrap">{_e(" ".join(parts))}</span>'


def _versions(item: VaultItemEntry) -> str:
    return str(item.versions) if item.versions is not None else "?"


def _secret_row(i: VaultItemEntry, now: datetime) -> tuple[str, ...]:
    return (_e(i.name), _flag(i.enabled), _e(i.content_type or "—"), _date(i.created_on),
            _date(i.updated_on), _date(i.not_before), _expires(i, now), _versions(i),
            _flag(i.managed, good=None), _pairs(i.tags))


def _certificate_row(i: VaultItemEntry, now: datetime) -> tuple[str, ...]:
    return (_e(i.name), _flag(i.enabled), _key_text(i), _e(i.content_type or "—"),
            _date(i.created_on), _date(i.updated_on), _date(i.not_before), _expires(i, now),
            _versions(i), _flag(i.auto_renew), _e("; ".join(i.lifetime_actions) or "—"),
            _pairs(i.tags))


def _key_row(i: VaultItemEntry, now: datetime) -> tuple[str, ...]:
    return (_e(i.name), _flag(i.enabled), _key_text(i), _date(i.created_on),
            _date(i.updated_on), _date(i.not_before), _expires(i, now), _versions(i),
            '<span class="muted">n/a (certificate)</span>' if i.managed else _flag(i.rotation),
            _e("; ".join(i.lifetime_actions) or "—"), _flag(i.managed, good=None),
            _pairs(i.tags))


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
            where = f" <span class='muted'>· {_e(source)}</span>" if source else ""
            out.append(f"<h3>{_e(label)} ({len(entries)}){where}</h3>")
            out.append(_table(headers, (row(i, now) for i in entries),
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
        return f'<span class="no">{_e(c.public_access)}</span>'

    out = []
    for source, entries in (_by_source(containers) or {"": []}).items():
        rows = [(_e(c.name), access(c), _pairs(c.metadata),
                 _flag(c.has_immutability_policy, good=None),
                 _flag(c.has_legal_hold, good=None),
                 _flag(c.immutable_storage_with_versioning, good=None),
                 _date(c.last_modified), count(c),
                 _size(c.total_size) if scanned else '<span class="muted">—</span>')
                for c in entries]
        where = f" <span class='muted'>· {_e(source)}</span>" if source else ""
        out.append(f"<h3>Containers ({len(rows)}){where}</h3>")
        out.append(_table(("Name", "Public access", "Metadata", "Immutability policy",
                           "Legal hold", "Version-level WORM", "Last modified", "Blobs",
                           "Size"), rows, numeric=(7, 8)))
    return "".join(out)


def render_html(report: AuditReport) -> str:
    """The report as one self-contained HTML document (UTF-8, no scripts, no external files)."""
    title = f"vaultbrowser audit {report.generated_at.strftime('%Y-%m-%d %H:%M UTC')}"
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        _header(report), _summary(report), _errors(report.errors), _timeline(report),
        _findings(report), _inventory(report),
        "<footer>Generated by vaultbrowser ", _e(report.tool_version),
        ". This report lists properties only: it contains no secret values.</footer>",
        "</main></body></html>\n",
    ])
