"""The preview's Qt models: a JSON tree (big arrays and objects in groups of 1,000) and a
CSV/TSV table, checked by Qt's model tester."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from vaultbrowser.blob.models.preview_models import GROUP, JsonTreeModel, TableRowsModel


def test_json_tree_shows_members_and_summaries(qtmodeltester: Any) -> None:
    model = JsonTreeModel({"name": "x", "items": [1, {"deep": True}], "empty": {}})
    qtmodeltester.check(model)
    rows = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    assert rows == {"name": '"x"', "items": "[…] 2 items", "empty": "{…} 0 keys"}
    items = model.index(1, 0)
    assert model.rowCount(items) == 2 and not model.hasChildren(model.index(2, 0))
    deep = model.index(1, 0, items)
    assert (deep.data(), model.index(0, 0, deep).data()) == ("[1]", "deep")
    assert model.parent(model.index(0, 0, deep)) == deep
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Value"


def test_big_arrays_and_objects_come_in_groups(qtmodeltester: Any) -> None:
    model = JsonTreeModel([{"i": i} for i in range(2 * GROUP + 5)])
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "[0] … [999]", "[1000] … [1999]", "[2000] … [2004]"]
    last = model.index(2, 0)
    assert model.rowCount(last) == 5 and model.index(0, 0, last).data() == "[2000]"
    assert model.index(0, 1, last).data() == "{…} 1 keys"
    objects = JsonTreeModel({f"k{i}": i for i in range(GROUP + 1)})
    group = objects.index(1, 0)
    assert (group.data(), objects.index(0, 0, group).data()) == ("k1000 … k1000", "k1000")
    qtmodeltester.check(JsonTreeModel([[1, 2]] * 30))


def test_a_long_string_is_cut_in_the_tree() -> None:
    model = JsonTreeModel({"s": "x" * 1000})
    assert len(model.index(0, 1).data()) < 400


def test_table_rows_take_the_first_row_as_header(qtmodeltester: Any) -> None:
    model = TableRowsModel([["id", "name"], ["1", "alpha"], ["2", "beta", "extra"]])
    qtmodeltester.check(model)
    assert (model.rowCount(), model.columnCount()) == (2, 3)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "name"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "(3)"
    assert model.headerData(0, Qt.Orientation.Vertical) == 2  # the line in the file
    assert model.index(0, 2).data() == "" and model.index(1, 2).data() == "extra"
    assert TableRowsModel([]).rowCount(QModelIndex()) == 0
