"""What an item row shows without a call: its partition key (nested, hierarchical), its
cells, the columns chosen from a page's common properties, the query text kept in history,
and the item editor's checks."""

from __future__ import annotations

import pytest

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.cosmos.models.query_results import (
    QueryText,
    parse_json_value,
    parse_parameters,
)
from vaultbrowser.cosmos.models.rows import ItemRow, cell_text, common_properties
from vaultbrowser.cosmos.services.records import ContainerRecord, ItemRecord
from vaultbrowser.cosmos.ui.item_dialogs import document_problem


def test_an_item_row_reads_its_partition_key_and_cells() -> None:
    document = {"id": "o-1", "customer": {"id": "c-9"}, "total": 12.5, "lines": [1, 2],
                "_etag": '"0a"', "_ts": 1700000000, "_rid": "x"}
    orders = ContainerRecord("shop", "orders", ("/customer/id",))
    row = ItemRow(orders, ItemRecord.from_wire(document, orders.partition_key_paths))
    assert (row.id, row.partition_key, row.etag) == ("o-1", "c-9", '"0a"')
    assert row.property_text("lines") == "[1,2]" and row.property_text("missing") == ""
    assert "_etag" not in row.user_document() and row.user_document()["total"] == 12.5
    paths = ("/customer/id", "/total")
    hierarchical = ItemRow(ContainerRecord("shop", "orders", paths),
                           ItemRecord.from_wire(document, paths))
    assert hierarchical.partition_key == ["c-9", 12.5] and hierarchical.partition_key_text == (
        '["c-9",12.5]')
    assert cell_text("x" * 500).endswith("…") and len(cell_text("x" * 500)) == 200
    assert cell_text("two\nlines") == "two lines"


def test_columns_are_the_common_properties_after_id_and_the_partition_key() -> None:
    documents = [{"id": str(n), "customerId": "c", "status": "open", "total": n,
                  "_ts": 1, **({"note": "rare"} if n == 0 else {})} for n in range(6)]
    assert common_properties(documents, ("/customerId",), 4) == ("status", "total")
    assert common_properties(documents, ("/customerId",), 1) == ("status",)
    assert common_properties([], ("/customerId",), 4) == ()


def test_parameters_are_typed_json_values_and_named_with_an_at() -> None:
    assert parse_parameters([("@city", '"Oslo"'), ("@min", "42"), ("@tags", "[1, 2]"),
                             ("@word", "plain"), ("", "")]) == (
        ("@city", "Oslo"), ("@min", 42), ("@tags", [1, 2]), ("@word", "plain"))
    with pytest.raises(InvalidInput):
        parse_parameters([("city", "1")])
    with pytest.raises(InvalidInput):
        parse_parameters([("@a", "1"), ("@a", "2")])
    assert parse_json_value(" true ") is True


def test_a_query_round_trips_through_its_history_entry() -> None:
    query = QueryText("SELECT * FROM c WHERE c.city = @city", (("@city", "Oslo"),), "c1", True)
    assert QueryText.from_json(query.to_json()) == query
    assert QueryText.from_json({"nope": 1}) is None
    assert query.label.startswith("SELECT * FROM c WHERE")


def test_the_item_editor_says_what_is_wrong_and_where() -> None:
    assert document_problem('{"id": "a", "pk": "x"}', ("/pk",)) is None
    message, position = document_problem('{"id": "a",\n "pk": }', ("/pk",))  # type: ignore[misc]
    assert "line 2" in message and position == 19
    assert document_problem("[1]", ("/pk",))[0].startswith("An item is a JSON object")  # type: ignore[index]
    assert "id" in document_problem('{"pk": "x"}', ("/pk",))[0]  # type: ignore[index]
    assert "/pk" in document_problem('{"id": "a"}', ("/pk",))[0]  # type: ignore[index]
    assert "may not contain" in document_problem('{"id": "a/b", "pk": 1}', ("/pk",))[0]  # type: ignore[index]
