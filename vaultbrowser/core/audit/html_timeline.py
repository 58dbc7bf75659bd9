"""The HTML report's expiry timeline: the window's picture (Tools ▸ Expiry timeline…) for 30,
90 and 365 days, as three inline SVGs behind CSS-only tabs (radio buttons and labels: the
report has no scripts), each with its counts per bucket and the list of its items.

The geometry is the window's (``expiry_axis.py``): a zone for what expired, today, the horizon;
one lane per vault; a circle per secret, a square per certificate, a diamond per key, hollow
when disabled; marks too close together are stacked, and more become one badge with a count.
Certificate-backed keys and secrets follow their certificate and are not drawn. Every text is
escaped; names and vaults can be hostile.
"""

from __future__ import annotations

from datetime import datetime

from vaultbrowser.core.audit.expiry_axis import (
    DEFAULT_RANGE,
    RANGES,
    Bucket,
    ExpiryAxis,
    bucket_counts,
    bucket_of,
    days_until,
    group_marks,
    within,
)
from vaultbrowser.core.audit.html_cells import esc, html_table
from vaultbrowser.core.audit.model import AuditReport, ItemKind, VaultItemEntry

_KINDS = (ItemKind.SECRET, ItemKind.CERTIFICATE, ItemKind.KEY)
_COLOUR = {"expired": "#b91c1c", "30": "#c2410c", "90": "#1d4ed8", "365": "#15803d"}
_MAX_ROWS = 200  # rows of each range's list (the findings list every item)
_WIDTH, _LABEL_W, _PAD, _TOP, _LANE, _MARK = 1000, 200, 8, 34, 40, 10

TIMELINE_CSS = """
.xt>input{position:absolute;opacity:0;width:1px;height:1px}
.xt>label{display:inline-block;padding:4px 16px;margin-right:2px;border:1px solid var(--line);
border-bottom:none;border-radius:6px 6px 0 0;background:#eef0f3;color:var(--muted);cursor:pointer}
#xt-30:checked+label,#xt-90:checked+label,#xt-365:checked+label{background:#fff;
color:inherit;font-weight:600}
.xt>input:focus-visible+label{outline:2px solid var(--info)}
.xt-panel{display:none;background:#fff;border:1px solid var(--line);border-radius:0 8px 8px 8px;
padding:8px 12px}
#xt-30:checked~.xt-p30,#xt-90:checked~.xt-p90,#xt-365:checked~.xt-p365{display:block}
.xt-panel svg{display:block;width:100%;height:auto}
.xt-counts{margin:4px 0 8px}.xt-counts span{display:inline-block;margin-right:18px}
.xt-counts i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
@media print{.xt>label{display:none}.xt-panel{display:block;margin-bottom:12px}}
"""


def _dated(report: AuditReport) -> list[VaultItemEntry]:
    return sorted((i for i in report.items if i.kind in _KINDS and i.expires_on is not None
                   and not i.managed), key=lambda i: (i.expires_on, i.source, i.name))


def render_timeline(report: AuditReport) -> str:
    now = report.generated_at
    dated = _dated(report)
    intro = ('<h2>Expiry timeline</h2><p class="desc">What expired, and what expires within 30, '
             "90 or 365 days, by vault (the same picture as the window's Tools ▸ Expiry "
             "timeline…): circles are secrets, squares certificates, diamonds keys; hollow marks "
             "are disabled; a number stands for marks too close to tell apart (hover for "
             "names). Certificate-backed keys and secrets follow their certificate and are not "
             "drawn.</p>")
    tabs, panels = [], []
    for days in RANGES:
        checked = " checked" if days == DEFAULT_RANGE else ""
        tabs.append(f'<input type="radio" name="xt-range" id="xt-{days}"{checked}>'
                    f'<label for="xt-{days}">{days} days</label>')
        panels.append(f'<div class="xt-panel xt-p{days}">{_panel(dated, now, days)}</div>')
    return intro + '<div class="xt">' + "".join(tabs) + "".join(panels) + "</div>"


def _panel(dated: list[VaultItemEntry], now: datetime, days: int) -> str:
    shown = [i for i in dated if i.expires_on is not None and within(i.expires_on, now, days)]
    counts = "".join(
        f'<span class="xt-count xt-{bucket.key}"><i style="background:{_COLOUR[bucket.key]}">'
        f"</i>{esc(bucket.label)}: <b>{count}</b></span>"
        for bucket, count in bucket_counts((i.expires_on for i in dated if i.expires_on),
                                           now, days))
    head = f'<p class="xt-counts">{counts}</p>'
    if not shown:
        return head + (f'<p class="muted">Nothing expired or expires within {days} days.</p>')
    return head + _svg(shown, now, days) + _table(shown, now)


def _when(item: VaultItemEntry, now: datetime) -> str:
    assert item.expires_on is not None
    delta = days_until(item.expires_on, now)
    whole = int(abs(delta))
    return (f"expired {whole} d ago" if delta <= 0 else f"in {whole} d")


def _table(shown: list[VaultItemEntry], now: datetime) -> str:
    rows = []
    for item in shown[:_MAX_ROWS]:
        assert item.expires_on is not None
        bucket = bucket_of(item.expires_on, now)
        state = ", ".join(word for word, on in (("expired", item.expires_on <= now),
                                                ("disabled", item.enabled is False)) if on)
        css = ' class="exp-expired"' if bucket and bucket.days == 0 else ""
        rows.append((esc(item.expires_on.strftime("%Y-%m-%d %H:%M")),
                     f"<span{css}>{esc(_when(item, now))}</span>",
                     esc(item.kind.value), esc(item.name), esc(item.source), esc(state)))
    more = (f'<p class="desc">Showing the first {_MAX_ROWS} of {len(shown)}; the findings '
            "list every one.</p>" if len(shown) > _MAX_ROWS else "")
    return html_table(("Expires (UTC)", "When", "Kind", "Name", "Vault", "State"), rows,
                      name_col=3) + more


def _shape(item: VaultItemEntry, x: float, y: float, colour: str, title: str) -> str:
    fill, stroke = ("#fff", colour) if item.enabled is False else (colour, "#fff")
    paint = f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if fill == "#fff" else 1}"'
    half = _MARK / 2
    if item.kind is ItemKind.CERTIFICATE:
        return (f'<rect x="{x - half + 0.5:.1f}" y="{y - half + 0.5:.1f}" width="{_MARK - 1}" '
                f'height="{_MARK - 1}" {paint}><title>{title}</title></rect>')
    if item.kind is ItemKind.KEY:
        h = half + 1
        return (f'<path d="M{x:.1f},{y - h:.1f} L{x + h:.1f},{y:.1f} L{x:.1f},{y + h:.1f} '
                f'L{x - h:.1f},{y:.1f} Z" {paint}><title>{title}</title></path>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{half}" {paint}><title>{title}</title></circle>'


def _title(item: VaultItemEntry, now: datetime) -> str:
    assert item.expires_on is not None
    state = " (disabled)" if item.enabled is False else ""
    return (f"{esc(item.name)} · {esc(item.kind.value)} in {esc(item.source)}{state}: "
            f"{esc(item.expires_on.strftime('%Y-%m-%d %H:%M'))} UTC, {esc(_when(item, now))}")


def _colour(bucket: Bucket | None) -> str:
    return _COLOUR[bucket.key if bucket is not None else "expired"]


def _svg(shown: list[VaultItemEntry], now: datetime, days: int) -> str:
    axis = ExpiryAxis(days)
    lanes = list(dict.fromkeys(item.source for item in shown))
    left, right = _LABEL_W, _WIDTH - _PAD
    inset = _MARK / 2 + 4
    bottom = _TOP + _LANE * len(lanes)
    height = bottom + _PAD

    def x_of(fraction: float) -> float:
        return left + inset + fraction * (right - left - 2 * inset)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
             f'role="img" aria-label="Expiry timeline, {days} days" '
             'font-family="system-ui,sans-serif" font-size="12">']
    for bucket, start, end in axis.zones():
        x0 = left if start == 0 else x_of(start)
        x1 = x_of(end) if end < 1 else right
        parts.append(f'<rect x="{x0:.1f}" y="{_TOP}" width="{x1 - x0:.1f}" '
                     f'height="{bottom - _TOP}" fill="{_COLOUR[bucket.key]}" '
                     'fill-opacity="0.08"/>')
        if bucket.days == 0:
            parts.append(f'<text x="{(x0 + x1) / 2:.1f}" y="{_TOP - 10}" text-anchor="middle" '
                         f'fill="{_COLOUR["expired"]}" font-weight="600">Expired</text>')
    last_right = x_of(axis.today) - 1
    for tick in axis.ticks(now):
        x = x_of(tick.fraction)
        today = tick.days == 0
        dashes = "" if today else ' stroke-dasharray="4 3"'
        parts.append(f'<line x1="{x:.1f}" y1="{_TOP - 2}" x2="{x:.1f}" y2="{bottom}" '
                     f'stroke="{"#111827" if today else "#9ca3af"}" '
                     f'stroke-width="{2 if today else 1}"{dashes}/>')
        width = 7 * len(tick.label) + 4
        centre = min(max(x, left + width / 2), right - width / 2)
        if not today and centre - width / 2 < last_right + 6:
            continue
        parts.append(f'<text x="{centre:.1f}" y="{_TOP - 10}" text-anchor="middle" '
                     f'fill="{"#111827" if today else "#4b5563"}">{esc(tick.label)}</text>')
        last_right = centre + width / 2
    capacity = max(1, (_LANE - 6) // (_MARK + 2))
    for row, lane in enumerate(lanes):
        top = _TOP + row * _LANE
        centre_y = top + _LANE / 2
        items = [i for i in shown if i.source == lane]
        name = lane if len(lane) <= 28 else lane[:13] + "…" + lane[-13:]
        parts.append(f'<line x1="0" y1="{top}" x2="{right}" y2="{top}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="4" y="{centre_y - 2:.1f}" fill="#1f2530">{esc(name)}'
                     f"<title>{esc(lane)}</title></text>"
                     f'<text x="4" y="{centre_y + 13:.1f}" fill="#6b7280" font-size="11">'
                     f"{len(items)} item{'s' * (len(items) != 1)}</text>")
        xs = [x_of(axis.fraction(i.expires_on, now)) for i in items if i.expires_on]
        for group in group_marks(xs, _MARK, capacity, lambda n: 7.0 * len(str(n)) + 14):
            members = [items[k] for k in group.members]
            if group.stacked:
                step = _MARK + 2
                for k, item in enumerate(members):
                    y = centre_y + (k - (len(members) - 1) / 2) * step
                    colour = _colour(bucket_of(item.expires_on, now)) if item.expires_on else ""
                    parts.append(_shape(item, group.x, y, colour, _title(item, now)))
                continue
            width = 7.0 * len(str(len(members))) + 14
            first = members[0]
            colour = _colour(bucket_of(first.expires_on, now)) if first.expires_on else ""
            names = "&#10;".join(_title(i, now) for i in members[:12])
            more = f"&#10;… and {len(members) - 12} more" if len(members) > 12 else ""
            parts.append(f'<g><title>{len(members)} items:&#10;{names}{more}</title>'
                         f'<rect x="{group.x - width / 2:.1f}" y="{centre_y - 8:.1f}" '
                         f'width="{width:.1f}" height="16" rx="8" fill="{colour}"/>'
                         f'<text x="{group.x:.1f}" y="{centre_y + 4:.1f}" text-anchor="middle" '
                         f'fill="#fff" font-weight="600">{len(members)}</text></g>')
    parts.append(f'<line x1="0" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#e5e7eb"/>')
    parts.append("</svg>")
    return "".join(parts)
