"""A tree may hold a million rows: a ``Node`` carries no per-instance ``__dict__``, and can still
be held weakly (the child-order caches do)."""

from __future__ import annotations

import weakref

import pytest

from vaultbrowser.core.models.tree_node import Node


def test_a_node_has_slots_and_weak_references() -> None:
    parent = Node("parent", lazy=True)
    node = Node("record", parent=parent)
    assert not hasattr(node, "__dict__")
    assert weakref.ref(node)() is node
    assert parent.listing is not None and node.listing is None and node.children == []
    with pytest.raises(AttributeError):
        node.undeclared = 1  # type: ignore[attr-defined]
