"""What the detail pane shows: ``Details`` (sections of properties plus the response of the call
that produced them), and the helpers every kind's ``describe`` uses. Pure data: the pane renders
it; each kind's models describe their own records (``<kind>/models/details.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.models.connection_root import ConnectionRoot
from vaultbrowser.core.services.records import ResponseInfo

Row = tuple[str, str]


@dataclass(frozen=True, slots=True)
class DetailSection:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Details:
    title: str
    subtitle: str
    sections: tuple[DetailSection, ...]
    response: ResponseInfo | None
    record: Any
    secret_value_available: bool = False  # a secret version whose value can be revealed
    note: str = ""  # e.g. "From the listing: selecting a folder makes no request"


def detail_rows(*pairs: tuple[str, Any]) -> tuple[Row, ...]:
    """Keep rows that have a value; render values as text."""
    out: list[Row] = []
    for label, value in pairs:
        if value is None or value == "" or value == ():
            continue
        if isinstance(value, tuple | list):
            value = ", ".join(str(v) for v in value)
        out.append((label, str(value)))
    return tuple(out)


def time_text(record: Any, field: str) -> str:
    """A time field in full (UTC to the second); for an invalid wire value, what it was."""
    problem = fmt.time_problem(record, field)
    if problem is not None:
        return f"{fmt.INVALID_DATE} (the service sent {problem})"
    return fmt.time_field(record, field, exact=True)


def describe_connection(root: ConnectionRoot, what: str, url_label: str,
                        response: ResponseInfo | None) -> Details:
    """A connection's row: where it points, how it signs in, whether it is read-only."""
    return Details(root.name, what, (DetailSection("Connection", detail_rows(
        (url_label, root.connection.url),
        ("Sign-in", root.connection.auth.label),
        ("Read-only", "Yes" if root.connection.read_only else "No"),
    )),), response, root, note=f"Showing the response of the {what.lower()}'s last listing.")


def describe_unknown(record: Any, response: ResponseInfo | None = None) -> Details:
    """A record no kind describes (never shown in practice): its text."""
    return Details(str(record), "", (), response, record)
