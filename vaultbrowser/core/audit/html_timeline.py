"""The HTML report's expiry timeline: an inline SVG of everything that expired or expires
within 90 days (no scripts, every text escaped)."""

from __future__ import annotations

from datetime import datetime, timedelta

from vaultbrowser.core.audit.findings import expiry_bucket
from vaultbrowser.core.audit.html_cells import esc
from vaultbrowser.core.audit.model import AuditReport

_PAST_DAYS, _FUTURE_DAYS, _MAX_ROWS = 30, 90, 80
_BUCKET_COLOR = {"expired": "#991b1b", "expiring-30": "#c2410c", "expiring-60": "#a16207",
                 "expiring-90": "#1d4ed8"}


def render_timeline(report: AuditReport) -> str:
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
                     f'fill="#374151" font-weight="600">{esc(label)}</text>')
    for offset in (0, 30, 60, 90):
        x = label_w + chart_w * (offset + _PAST_DAYS) / span
        when = now + timedelta(days=offset)
        text = "today " + when.strftime("%m-%d") if offset == 0 else when.strftime("%Y-%m-%d")
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" '
                     f'stroke="{"#111827" if offset == 0 else "#9ca3af"}" '
                     f'stroke-width="{2 if offset == 0 else 1}"/>')
        parts.append(f'<text x="{x:.1f}" y="30" text-anchor="middle" fill="#4b5563">'
                     f"{esc(text)}</text>")
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
            f'<tspan fill="#6b7280">{esc(item.kind.value)} · </tspan>{esc(name)}</text>')
        shape = (f'<path d="M{x + 6:.1f},{y - 6:.1f} L{x:.1f},{y:.1f} L{x + 6:.1f},{y + 6:.1f} Z"'
                 if clipped else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5"')
        parts.append(f'{shape} fill="{color}"><title>{esc(item.source)} · {esc(item.kind.value)} '
                     f'{esc(item.name)}: {esc(item.expires_on.isoformat())}</title>'
                     f'{"</path>" if clipped else "</circle>"}')
        parts.append(f'<text x="{label_w + chart_w + 8}" y="{y + 4:.1f}" fill="{color}">'
                     f'{esc(item.expires_on.strftime("%Y-%m-%d"))} ({esc(when_text)})</text>')
    parts.append("</svg>")
    more = (f'<p class="desc">Showing the first {_MAX_ROWS} of {len(dated)}.</p>'
            if len(dated) > _MAX_ROWS else "")
    return intro + f'<div class="timeline">{"".join(parts)}</div>' + more
