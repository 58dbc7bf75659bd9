"""The item JSON viewer: a collapsible tree (types, folded below the second level), the
indented text, and a big document's tree bounded (the rest counted, complete in the text)."""

from __future__ import annotations

import json
from typing import Any

from vaultbrowser.cosmos.ui.json_viewer import MAX_TREE_NODES, JsonViewer, json_type


def test_a_document_as_a_tree_and_as_text(qapp: Any) -> None:
    viewer = JsonViewer()
    document = {"id": "a", "n": 1.5, "ok": True, "none": None,
                "address": {"city": "Oslo", "geo": {"lat": 59.9}}, "tags": ["x", "y"]}
    viewer.show_document(document)
    tree = viewer.tree
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i)
            for i in range(tree.topLevelItemCount())}
    assert [rows["id"].text(1), rows["id"].text(2)] == ['"a"', "string"]
    assert (rows["n"].text(2), rows["ok"].text(2), rows["none"].text(2)) == (
        "number", "boolean", "null")
    address = rows["address"]
    assert address.text(2) == "object {2}" and address.isExpanded()
    geo = address.child(1)
    assert geo.text(0) == "geo" and not geo.isExpanded()  # folded below the second level
    assert rows["tags"].child(1).text(0) == "[1]" and json_type([1]) == "array [1]"
    assert json.loads(viewer.text.toPlainText()) == document
    viewer.mode_button.setChecked(True)
    assert viewer.stack.currentWidget() is viewer.text and viewer.mode_button.text() == "Tree"
    viewer.clear()
    assert viewer.document is None and viewer.isHidden()


def test_a_big_document_s_tree_is_bounded(qapp: Any) -> None:
    viewer = JsonViewer()
    document = {"id": "big", "values": list(range(MAX_TREE_NODES + 500))}
    viewer.show_document(document)
    values = viewer.tree.topLevelItem(1)
    assert values.childCount() == MAX_TREE_NODES - 2  # id and values count too
    assert "more in Text" in viewer.info.text()
    assert json.loads(viewer.text.toPlainText()) == document
