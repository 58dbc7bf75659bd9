"""``ShownRows`` without Qt: a tree's expanded rows, depth first, and where each sits."""

from __future__ import annotations

from typing import Any

from vaultbrowser.core.models.flat.child_order import ChildOrder
from vaultbrowser.core.models.flat.shown_rows import ShownRows
from vaultbrowser.core.models.tree_node import Node, StatusMarker


class StatusRows:
    """A node's status row owner, one per node (what ``LazyTreeModel.owner_at`` keeps)."""

    def __init__(self) -> None:
        self.markers: dict[int, StatusMarker] = {}

    def owner_at(self, node: Node, row: int) -> Any:
        if row < len(node.children):
            return node.children[row]
        return self.markers.setdefault(id(node), StatusMarker(node))


def tree() -> tuple[Node, dict[str, Node]]:
    """root → a (a1, a2 + its status row), b (b1)."""
    root = Node(record="root")
    nodes: dict[str, Node] = {}
    for name, parent in (("a", root), ("b", root), ("a1", "a"), ("a2", "a"), ("b1", "b")):
        above = parent if isinstance(parent, Node) else nodes[parent]
        nodes[name] = Node(record=name, parent=above)
        above.children.append(nodes[name])
    nodes["a"].status_shown = True  # "2 loaded · more available"
    return root, nodes


def shown_rows() -> tuple[ShownRows, dict[str, Node], StatusRows]:
    root, nodes = tree()
    status = StatusRows()
    order = ChildOrder(lambda: status)  # type: ignore[arg-type, return-value]
    rows = ShownRows(lambda: root, lambda: order,
                     lambda node: status.owner_at(node, len(node.children)))
    rows.reset(rows.subtree(root))
    return rows, nodes, status


def names(rows: ShownRows) -> list[str]:
    return [owner.record if type(owner) is Node else f"<{owner.node.record} status>"
            for owner in rows.rows]


def test_only_expanded_nodes_show_their_children_depth_first() -> None:
    rows, nodes, _status = shown_rows()
    assert names(rows) == ["a", "b"]
    rows.expanded.add(nodes["a"])
    below = rows.subtree(nodes["a"])
    rows.insert(rows.row(nodes["a"]) + 1, below)
    assert names(rows) == ["a", "a1", "a2", "<a status>", "b"]
    assert [rows.depth(r) for r in range(len(rows.rows))] == [0, 1, 1, 1, 0]
    assert [rows.parent_row(r) for r in range(len(rows.rows))] == [-1, 0, 0, 0, -1]
    assert rows.is_expanded(0) and not rows.is_expanded(4)
    assert rows.subtree_end(nodes["a"]) == 4 and rows.subtree_end(nodes["b"]) == 5
    assert rows.is_open(nodes["a"]) and not rows.is_open(nodes["b"])
    assert rows.end_below(nodes["a"], 1) == 4


def test_rows_move_and_are_found_again() -> None:
    rows, nodes, status = shown_rows()
    rows.expanded.update((nodes["a"], nodes["b"]))
    rows.reset(rows.subtree(nodes["a"].parent))  # type: ignore[arg-type]
    assert names(rows) == ["a", "a1", "a2", "<a status>", "b", "b1"]
    rows.remove(1, 4)  # a collapsed
    assert names(rows) == ["a", "b", "b1"]
    assert rows.row(nodes["b1"]) == 2 and rows.row(nodes["a1"]) == -1
    assert rows.row(status.owner_at(nodes["a"], 2)) == -1
    rows.replace(0, 3, [nodes["b"], nodes["b1"], nodes["a"]])  # a new order, whole
    assert rows.row(nodes["a"]) == 2 and rows.parent_row(1) == 0
