"""The query editor's results: one run of a query as a lazy node whose children are what it
returned (items; values and projections without an id as ``ValueRow``s), paged through its
continuation ("N loaded · more", Load all with cancel), with the request charge (RU) of each
page and in total; and the query text kept in the history of recent queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QIcon

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import guard_model_methods
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import Page
from vaultbrowser.cosmos.models.rows import ContainerRow, CosmosRoot, ItemRow, cell_text
from vaultbrowser.cosmos.services.queries import ItemQuery
from vaultbrowser.cosmos.services.records import CallFacts, ItemRecord

FIRST_PAGE_RESULTS = 50
NEXT_PAGE_RESULTS = 500
LOAD_ALL_PAGE_RESULTS = 1_000
HISTORY_LENGTH = 20


@dataclass(frozen=True)
class QueryText:
    """What the user typed: the SQL, its parameters (name → a JSON value) and an optional
    partition key value (JSON) that scopes the query to one partition."""

    sql: str
    parameters: tuple[tuple[str, Any], ...] = ()
    partition_key: Any = None
    scoped: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"sql": self.sql, "parameters": [list(pair) for pair in self.parameters],
                "partition_key": self.partition_key, "scoped": self.scoped}

    @classmethod
    def from_json(cls, data: Any) -> QueryText | None:
        if not isinstance(data, dict) or not isinstance(data.get("sql"), str):
            return None
        parameters = tuple((str(pair[0]), pair[1]) for pair in data.get("parameters") or ()
                           if isinstance(pair, list) and len(pair) == 2)
        return cls(data["sql"], parameters, data.get("partition_key"),
                   bool(data.get("scoped")))

    @property
    def label(self) -> str:
        return " ".join(self.sql.split())[:120]

    def item_query(self) -> ItemQuery:
        """The service's query, checked (``ItemQuery.of``: every @parameter given a value).

        Raises:
            InvalidInput: see ``ItemQuery.of``.
        """
        query = ItemQuery.of(self.sql, dict(self.parameters))
        return query.in_partition(self.partition_key) if self.scoped else query


def parse_parameters(rows: Sequence[tuple[str, str]]) -> tuple[tuple[str, Any], ...]:
    """Name/value rows as the query's parameters: each name starts with "@", each value is
    JSON (a bare word is taken as a string).

    Raises:
        InvalidInput: a name without "@", or a name given twice.
    """
    out: list[tuple[str, Any]] = []
    for name, text in rows:
        name = name.strip()
        if not name and not text.strip():
            continue
        if not name.startswith("@") or len(name) < 2:
            raise InvalidInput(f"The parameter name {name[:40]!r} does not start with @.",
                               advice="Name parameters as the query uses them: @name.")
        if any(name == seen for seen, _ in out):
            raise InvalidInput(f"The parameter {name[:40]} is given twice.")
        out.append((name, parse_json_value(text)))
    return tuple(out)


def parse_json_value(text: str) -> Any:
    """A typed value: JSON when it parses ("42", "true", '"x"', "[1]"), else the text."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        return stripped


@dataclass(frozen=True, eq=False)
class QueryRun:
    """One run of a query against one container (the results tree's top row)."""

    root: CosmosRoot
    container: ContainerRow
    query: QueryText
    item_query: ItemQuery
    charges: list[float] = field(default_factory=list)  # RU of each page, in order

    @property
    def total_charge(self) -> float:
        return sum(self.charges)


def charge_of(page: Page[Any]) -> float:
    """The page's request charge (x-ms-request-charge; 0 when the service sent none)."""
    if page.response is None:
        return 0.0
    return CallFacts.of(page.response).request_charge or 0.0


@dataclass(frozen=True, slots=True)
class ValueRow:
    """A result that is no document: a value (``SELECT VALUE …``) or an object without id."""

    value: Any

    @property
    def display_name(self) -> str:
        return cell_text(self.value, 80)


@guard_model_methods
class QueryResultsModel(LazyTreeModel):
    """The results of the query runs (the newest one is the only top row)."""

    charged = Signal()  # a page's request charge was added to its run

    def column_titles(self) -> Sequence[str]:
        return ("id", "Partition key", "Result")

    def column_priority(self, column: int) -> int:
        # The result itself before the partition key when the pane is narrow
        return (0, 2, 1)[column] if 0 <= column < 3 else column

    def is_lazy(self, record: Any) -> bool:
        return isinstance(record, QueryRun)

    def page_size(self, node: Node, first: bool) -> int:
        if first:
            return FIRST_PAGE_RESULTS
        load_all = node.listing is not None and node.listing.load_all
        return LOAD_ALL_PAGE_RESULTS if load_all else NEXT_PAGE_RESULTS

    def noun(self, node: Node) -> str:
        return "results"

    async def fetch_page(self, node: Node, continuation: str | None, page_size: int
                         ) -> Page[Any]:
        run = node.record
        assert isinstance(run, QueryRun)
        from vaultbrowser.cosmos.services.query_values import query_page

        service = await run.root.service.opened()
        page = await query_page(service, run.container.record, run.item_query, continuation,
                                page_size)
        run.charges.append(charge_of(page))
        self.charged.emit()
        items = tuple(ItemRow(run.container.record, value) if isinstance(value, ItemRecord)
                      else ValueRow(value) for value in page.items)
        return Page(items, page.next_token, page.response)

    def display(self, record: Any, column: int) -> Any:
        if isinstance(record, ValueRow):
            return cell_text(record.value, 300) if column == 2 else ""
        if isinstance(record, ItemRow):
            if column == 0:
                return record.id
            if column == 1:
                return record.partition_key_text
            return cell_text(record.user_document(), 300)
        if isinstance(record, QueryRun):
            return record.query.label if column == 0 else (
                record.container.display_name if column == 1 else "")
        return ""

    def decoration(self, record: Any, column: int) -> QIcon | None:
        if column == 0 and isinstance(record, QueryRun):
            return icon(Icon.SEARCH)
        if column == 0 and isinstance(record, ItemRow):
            return icon(Icon.BLOB)
        return None

    def current_run(self) -> QueryRun | None:
        roots = self.root_nodes()
        return roots[-1].record if roots else None

    def start(self, run: QueryRun) -> QModelIndex:
        """Forget the previous run; list ``run``'s first page; its row."""
        for node in self.root_nodes():
            self.remove_root(node.record)
        index = self.add_root(run)
        self.fetchMore(index)
        return index
