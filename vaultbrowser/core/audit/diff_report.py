"""A comparison of two sides (two vaults, or two sets of vaults): what exists on one side only
and how the items both sides hold differ. The model, its CSV and JSON renderings and the atomic
write.

A diff report never holds a secret value: a value comparison leaves only "same value" or
"different value" (``DiffItem.value``), and nothing here has a field that could carry more.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from vaultbrowser.core.audit.html_cells import esc, html_table
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.audit.render_html import _CSS as _AUDIT_CSS  # the audit report's look
from vaultbrowser.core.audit.render_tabular import _cell, _jsonable
from vaultbrowser.core.audit.trail import write_atomically
from vaultbrowser.core.services.errors import Conflict, InvalidInput, LocalFileError

DIFF_SCHEMA = "vaultbrowser-diff/1"
SAME_VALUE, DIFFERENT_VALUE = "same value", "different value"


class DiffState(StrEnum):
    ONLY_A = "only in A"
    ONLY_B = "only in B"
    DIFFERENT = "different"
    SAME = "same"


@dataclass(frozen=True, slots=True)
class DiffSource:
    """One vault of a side."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class FieldDifference:
    """One field that differs: its name ("enabled", "tag “env”", "policy subject") and what
    each side says, as text ("—" for nothing)."""

    field: str
    a: str
    b: str


@dataclass(frozen=True, slots=True)
class DiffItem:
    """One name of one kind. ``source_a``/``source_b``: the vault (of its side's set) the item
    came from, None when that side has no item of the name. ``value``: "same value",
    "different value" or "" (values not compared). ``notes``: what could not be compared."""

    kind: ItemKind
    name: str
    state: DiffState
    source_a: str | None = None
    source_b: str | None = None
    differences: tuple[FieldDifference, ...] = ()
    value: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiffReport:
    generated_at: datetime
    tool_version: str
    side_a: tuple[DiffSource, ...]
    side_b: tuple[DiffSource, ...]
    kinds: tuple[ItemKind, ...]
    values_compared: bool
    items: tuple[DiffItem, ...]
    errors: tuple[str, ...] = ()
    complete: bool = True  # False: cancelled, the items are those compared until then

    def items_of(self, kind: ItemKind, state: DiffState | None = None) -> list[DiffItem]:
        return [item for item in self.items if item.kind == kind
                and (state is None or item.state == state)]

    def counts(self, kind: ItemKind) -> dict[DiffState, int]:
        counts = dict.fromkeys(DiffState, 0)
        for item in self.items_of(kind):
            counts[item.state] += 1
        return counts


def side_text(sources: Sequence[DiffSource]) -> str:
    return ", ".join(source.name for source in sources)


# --- CSV and JSON -----------------------------------------------------------------------------

CSV_COLUMNS = ("section", "state", "kind", "name", "field", "a", "b", "vault_a", "vault_b",
               "value", "notes")


def render_diff_csv(report: DiffReport) -> str:
    """One CSV: a ``report`` row, one row per difference (``different`` items) or per item
    (the others), ``error`` rows. Cells a spreadsheet would evaluate are made text."""
    rows: list[dict[str, Any]] = [{
        "section": "report", "name": f"vaultbrowser {report.tool_version}",
        "a": side_text(report.side_a), "b": side_text(report.side_b),
        "field": report.generated_at.isoformat(),
        "value": "values compared" if report.values_compared else "values not compared",
        "notes": "" if report.complete else "cancelled: incomplete",
    }]
    for kind in report.kinds:
        for item in report.items_of(kind):
            base = {"section": "item", "state": str(item.state), "kind": str(kind),
                    "name": item.name, "vault_a": item.source_a, "vault_b": item.source_b,
                    "value": item.value, "notes": "; ".join(item.notes)}
            if item.differences:
                rows.extend({**base, "field": d.field, "a": d.a, "b": d.b}
                            for d in item.differences)
            else:
                rows.append(base)
    rows.extend({"section": "error", "notes": error} for error in report.errors)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _cell(row.get(column)) for column in CSV_COLUMNS})
    return out.getvalue()


def render_diff_json(report: DiffReport) -> str:
    document = {
        "schema": DIFF_SCHEMA,
        "generated_at": _jsonable(report.generated_at),
        "tool_version": report.tool_version,
        "side_a": _jsonable(report.side_a),
        "side_b": _jsonable(report.side_b),
        "values_compared": report.values_compared,
        "complete": report.complete,
        "summary": {str(kind): {str(state): n for state, n in report.counts(kind).items()}
                    for kind in report.kinds},
        "items": {str(kind): _jsonable(report.items_of(kind)) for kind in report.kinds},
        "errors": list(report.errors),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- HTML -------------------------------------------------------------------------------------

_DIFF_CSS = """
.state-only{--sev:var(--high)}.state-different{--sev:var(--critical)}.state-same{--sev:var(--ok)}
section.kind{margin-top:22px}
.field{white-space:nowrap;color:var(--muted)}
p.same{font-size:12px;color:var(--muted);background:#fff;border:1px solid var(--line);
border-radius:8px;padding:8px 12px}
"""
_STATE_CSS = {DiffState.ONLY_A: "state-only", DiffState.ONLY_B: "state-only",
              DiffState.DIFFERENT: "state-different", DiffState.SAME: "state-same"}
_KIND_TITLES = {ItemKind.SECRET: "Secrets", ItemKind.CERTIFICATE: "Certificates",
                ItemKind.KEY: "Keys"}


def _html_header(report: DiffReport) -> str:
    def vaults(sources: Sequence[DiffSource]) -> str:
        return "<br>".join(f"{esc(s.name)} <span class='muted'>{esc(s.url)}</span>"
                           for s in sources)

    rows = [
        ("Generated", esc(report.generated_at.strftime("%Y-%m-%d %H:%M:%S UTC"))),
        ("Tool", f"vaultbrowser {esc(report.tool_version)}"),
        ("Side A", vaults(report.side_a)),
        ("Side B", vaults(report.side_b)),
        ("Values", "compared by keyed hash in memory (never shown or written)"
         if report.values_compared else "not compared"),
    ]
    if not report.complete:
        rows.append(("Incomplete", '<span class="no">cancelled: the items compared until '
                                   "then</span>"))
    stamps = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    return (f'<header class="card"><h1>Vault comparison: {esc(side_text(report.side_a))} '
            f"↔ {esc(side_text(report.side_b))}</h1>"
            f'<table class="stamps">{stamps}</table></header>')


def _html_summary(report: DiffReport) -> str:
    out = ["<h2>Summary</h2>"]
    for kind in report.kinds:
        counts = report.counts(kind)
        tiles = "".join(
            f'<div class="tile {_STATE_CSS[state]}"><b>{counts[state]}</b>'
            f"<span>{esc(state.value)}</span></div>" for state in DiffState)
        out.append(f'<p class="desc">{esc(_KIND_TITLES.get(kind, str(kind)))}:</p>'
                   f'<div class="summary">{tiles}</div>')
    return "".join(out)


def _html_kind(report: DiffReport, kind: ItemKind) -> str:
    title = _KIND_TITLES.get(kind, str(kind))
    out = [f'<section class="kind"><h2>{esc(title)}</h2>']
    for state, side in ((DiffState.ONLY_A, "A"), (DiffState.ONLY_B, "B")):
        items = report.items_of(kind, state)
        rows = [(esc(i.name), esc(i.source_a if side == "A" else i.source_b)) for i in items]
        out.append(f"<h3>Only in {side} ({len(items)})</h3>"
                   + html_table(("Name", f"Vault ({side})"), rows))
    different = report.items_of(kind, DiffState.DIFFERENT)
    rows = []
    for item in different:
        notes = f"<br><span class='muted'>{esc('; '.join(item.notes))}</span>" if item.notes else ""
        for index, difference in enumerate(item.differences):
            name = (esc(item.name) + notes if index == 0
                    else f'<span class="muted">{esc(item.name)}</span>')
            rows.append((name, f'<span class="field">{esc(difference.field)}</span>',
                         esc(difference.a), esc(difference.b),
                         esc(f"{item.source_a} / {item.source_b}")))
    out.append(f"<h3>Different ({len(different)})</h3>"
               + html_table(("Name", "Field", "A", "B", "Vaults (A / B)"), rows))
    same = report.items_of(kind, DiffState.SAME)
    names = ", ".join(esc(i.name) + (" <span class='muted'>(same value)</span>"
                                     if i.value == SAME_VALUE else "") for i in same)
    out.append(f"<h3>Same ({len(same)})</h3>"
               + (f'<p class="same">{names}</p>' if same else '<p class="muted">none</p>'))
    notes = [i for i in report.items_of(kind) if i.notes and i.state != DiffState.DIFFERENT]
    if notes:
        out.append("<h3>Not fully compared</h3>" + html_table(
            ("Name", "Note"), [(esc(i.name), esc("; ".join(i.notes))) for i in notes]))
    out.append("</section>")
    return "".join(out)


def render_diff_html(report: DiffReport) -> str:
    """One self-contained HTML page (the audit report's styles; no scripts, no external
    files). Every text goes through ``esc``: names and tags can be hostile."""
    title = f"vaultbrowser comparison {report.generated_at.strftime('%Y-%m-%d %H:%M UTC')}"
    errors = "" if not report.errors else (
        '<section class="card errors"><h2>Incomplete: errors while comparing</h2><ul>'
        + "".join(f"<li>{esc(e)}</li>" for e in report.errors) + "</ul></section>")
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{_AUDIT_CSS}{_DIFF_CSS}</style></head><body><main>",
        _html_header(report), errors, _html_summary(report),
        *(_html_kind(report, kind) for kind in report.kinds),
        "<footer>Generated by vaultbrowser ", esc(report.tool_version),
        ". This comparison lists properties only: it contains no secret values.</footer>",
        "</main></body></html>\n",
    ])


DIFF_FORMATS: dict[str, Callable[[DiffReport], str]] = {
    "html": render_diff_html,
    "csv": render_diff_csv,
    "json": render_diff_json,
}


def write_diff_report(report: DiffReport, path: Path, fmt: str, *,
                      overwrite: bool = False) -> None:
    """Render ``report`` as ``fmt`` and write it to ``path`` atomically (a temporary file
    beside it, renamed over it: never a partial file). An existing file is replaced only with
    ``overwrite`` (the save dialog asked).

    Raises:
        InvalidInput: an unknown format (nothing written).
        Conflict: ``path`` exists and ``overwrite`` is false (nothing written).
        LocalFileError: the file could not be written (nothing left behind).
    """
    renderer = DIFF_FORMATS.get(fmt.lower())
    if renderer is None:
        raise InvalidInput(f"Unknown format {fmt!r}: use one of {', '.join(DIFF_FORMATS)}.")
    path = Path(path)
    if path.exists() and not overwrite:
        raise Conflict(f"{path.name} already exists; nothing was written.",
                       advice="Choose another name, or confirm replacing it.")
    text = renderer(report)
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise LocalFileError(f"Could not write {path}: {exc.strerror or exc}") from None


