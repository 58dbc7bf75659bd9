"""The HTML report's cells: escaped text, dates, flags, tags, sizes and tables.

Every piece of text goes through ``html.escape`` (quotes included): names can be hostile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def date_cell(value: datetime | None) -> str:
    if value is None:
        return '<span class="muted">—</span>'
    return (f'<span title="{esc(value.isoformat())}" style="white-space:nowrap">'
            f'{esc(value.strftime("%Y-%m-%d"))}</span>')


def flag_cell(value: bool | None, *, good: bool | None = True) -> str:
    """yes/no, coloured green when it is ``good`` and orange when not (``good=None``: plain)."""
    if value is None:
        return '<span class="muted">unknown</span>'
    if good is None:
        return "yes" if value else "no"
    css = "yes" if value == good else "no"
    return f'<span class="{css}">{"yes" if value else "no"}</span>'


def pairs_cell(mapping: Mapping[str, str]) -> str:
    if not mapping:
        return '<span class="muted">—</span>'
    return '<span class="tags">' + ", ".join(
        f"{esc(key)}={esc(value)}" for key, value in sorted(mapping.items())) + "</span>"


def size_text(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return str(value)


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]], *,
           numeric: Iterable[int] = (), name_col: int | None = 0) -> str:
    """An HTML table; cells are already-escaped HTML."""
    numeric = set(numeric)
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
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
