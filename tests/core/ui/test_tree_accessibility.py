"""TreeTable through Qt's accessibility: a Tree of headers and TreeItems with names, levels and
expanded/collapsed states, a Toggle action, events naming the right item, and no crash when the
interfaces handed out outlive their rows, their model or their view."""

from __future__ import annotations

import asyncio
import gc
import re
from collections.abc import Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface, QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QTableView, QTreeView

from tests.core.models.test_flat_tree import Folders, row_of
from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.ui.tree import tree_accessibility
from vaultbrowser.core.ui.tree.tree_table import TreeTable

NAME = QAccessible.Text.Name
LEVEL = QAccessible.Attribute.Level
STATE_CHANGED = QAccessible.Event.StateChanged
TOP = QModelIndex()
TOGGLE = tree_accessibility.TOGGLE
SET_FOCUS = tree_accessibility.SET_FOCUS


@pytest.fixture
def tree(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> tuple[Folders, FlatTreeModel, TreeTable]:
    """root-a and root-b, collapsed, in a shown TreeTable."""
    source, flat, view = Folders(), FlatTreeModel(), TreeTable()
    flat.setSourceModel(source)
    qtbot.addWidget(view)
    view.setModel(flat)
    view.resize(400, 300)
    view.show()
    source.add_root("root-a")
    source.add_root("root-b")
    return source, flat, view


@pytest.fixture
def active(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[QAccessible.Event, str, Any]]]:
    """Accessibility on, as with a screen reader, and the events we send: (type, the item's
    name, its state). Off again afterwards: other tests must not pay for it."""
    events: list[tuple[QAccessible.Event, str, Any]] = []
    real = tree_accessibility._notify

    def record(event: Any) -> None:
        target = event.accessibleInterface()
        events.append((event.type(), target.text(NAME) if target else "",
                       target.state() if target else None))
        real(event)

    monkeypatch.setattr(tree_accessibility, "_notify", record)
    QAccessible.setActive(True)
    try:
        yield events
    finally:
        QAccessible.setActive(False)


def wait(qloop: asyncio.AbstractEventLoop, source: Folders) -> None:
    qloop.run_until_complete(source.wait_idle())


def interface(view: Any) -> QAccessibleInterface:
    found = QAccessible.queryAccessibleInterface(view)
    assert found is not None
    return found


def item(view: TreeTable, text: str, column: int = 0) -> QAccessibleInterface:
    """The interface of the cell showing ``text`` (or of its row's ``column``)."""
    flat = view.flat_model()
    number = (row_of(flat, text).row() + 1) * flat.columnCount() + column
    found = interface(view).child(number)
    assert found is not None
    return found


def names(tree_interface: QAccessibleInterface) -> list[str]:
    return [tree_interface.child(n).text(NAME) for n in range(tree_interface.childCount())]


def level(part: QAccessibleInterface) -> Any:
    attributes = part.attributesInterface()
    assert attributes is not None and LEVEL in attributes.attributeKeys()
    return attributes.attributeValue(LEVEL)


def test_the_view_is_a_tree_of_headers_then_items(tree: tuple[Folders, FlatTreeModel, TreeTable]
                                                  ) -> None:
    _source, _flat, view = tree
    tree_interface = interface(view)
    assert tree_interface.role() == QAccessible.Role.Tree
    assert tree_interface.text(NAME) == "Name, Length"  # no accessible name: the columns
    view.setAccessibleName("Vault items")
    assert tree_interface.text(NAME) == "Vault items"
    assert tree_interface.childCount() == 6  # (the headers + 2 rows) x 2 columns
    roles = [tree_interface.child(n).role() for n in range(6)]
    assert roles == [QAccessible.Role.ColumnHeader] * 2 + [QAccessible.Role.TreeItem] * 4
    assert names(tree_interface) == ["Name", "Length", "root-a", "6", "root-b", "6"]
    root_a = tree_interface.child(2)
    assert tree_interface.child(2) is root_a  # one interface per cell, and one id
    assert QAccessible.uniqueId(root_a) == QAccessible.uniqueId(tree_interface.child(2))
    assert QAccessible.accessibleInterface(QAccessible.uniqueId(root_a)) is root_a
    assert [tree_interface.indexOfChild(tree_interface.child(n)) for n in range(6)] == [*range(6)]
    assert root_a.parent() is tree_interface and root_a.childCount() == 0
    assert tree_interface.child(6) is None and tree_interface.child(-1) is None
    assert level(root_a) == 1 and level(tree_interface.child(5)) == 1
    rect = root_a.rect()
    assert rect.isValid() and tree_interface.childAt(rect.center().x(), rect.center().y()) is root_a


def test_states_and_levels_follow_the_keyboard_and_expand(
        qloop: asyncio.AbstractEventLoop, qtbot: Any,
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, flat, view = tree
    root_a = item(view, "root-a")
    state = root_a.state()
    assert state.expandable and state.collapsed and not state.expanded
    assert state.selectable and not state.selected
    view.setCurrentIndex(row_of(flat, "root-a"))
    QTest.keyClick(view, Qt.Key.Key_Right)  # expands, as QTreeView
    wait(qloop, source)
    state = root_a.state()
    assert state.expandable and state.expanded and not state.collapsed and state.selected
    assert item(view, "root-a", column=1).state().expanded  # the node is the whole row
    assert level(item(view, "delta/")) == 2 and level(item(view, "delta/", column=1)) == 2
    assert level(item(view, "root-b")) == 1
    alpha = item(view, "alpha").state()  # a leaf
    assert not alpha.expandable and not alpha.expanded and not alpha.collapsed
    view.expand(row_of(flat, "delta/"))
    wait(qloop, source)
    assert item(view, "delta/").state().expanded and level(item(view, "d3")) == 3
    view.collapse(row_of(flat, "root-a"))
    assert root_a.state().collapsed and item(view, "root-b") is interface(view).child(4)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    assert root_a.state().focused and not item(view, "root-b").state().focused
    assert interface(view).focusChild() is root_a


def test_the_toggle_action_expands_and_collapses(
        qloop: asyncio.AbstractEventLoop, tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, flat, view = tree
    expanded: list[Any] = []
    view.expanded.connect(lambda index: expanded.append(index.data()))
    root_a = item(view, "root-a")
    actions = root_a.actionInterface()
    assert actions is not None and actions.actionNames() == [TOGGLE, SET_FOCUS]
    actions.doAction(TOGGLE)
    wait(qloop, source)
    assert view.isExpanded(row_of(flat, "root-a")) and expanded == ["root-a"]
    assert root_a.state().expanded
    assert names(interface(view))[4:6] == ["delta/", "6"]
    leaf = item(view, "alpha").actionInterface()
    assert leaf is not None and leaf.actionNames() == [SET_FOCUS]
    leaf.doAction(TOGGLE)  # nothing to expand
    leaf.doAction(SET_FOCUS)
    assert view.currentIndex().data() == "alpha"
    item(view, "root-a", column=1).actionInterface().doAction(TOGGLE)  # any cell of the row
    assert not view.isExpanded(row_of(flat, "root-a")) and root_a.state().collapsed


def test_expanding_and_moving_announce_the_right_item(
        qloop: asyncio.AbstractEventLoop, qtbot: Any,
        tree: tuple[Folders, FlatTreeModel, TreeTable],
        active: list[tuple[QAccessible.Event, str, Any]]) -> None:
    source, flat, view = tree
    interface(view)  # a screen reader has looked at the view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    view.setCurrentIndex(row_of(flat, "root-a"))
    assert (QAccessible.Event.Focus, "root-a") in [(kind, name) for kind, name, _ in active]
    assert (QAccessible.Event.SelectionAdd, "root-a") in [(kind, name) for kind, name, _ in active]
    active.clear()
    QTest.keyClick(view, Qt.Key.Key_Down)
    announced = [(kind, name) for kind, name, _ in active]
    assert sorted(announced, key=repr) == sorted([  # QTableView's would name other cells
        (QAccessible.Event.Focus, "root-b"), (QAccessible.Event.SelectionAdd, "root-b"),
        (QAccessible.Event.SelectionRemove, "root-a")], key=repr)
    active.clear()
    QTest.keyClick(view, Qt.Key.Key_Right)
    wait(qloop, source)
    assert [(kind, name) for kind, name, _ in active] == [(STATE_CHANGED, "root-b")]
    assert active[0][2].expanded
    active.clear()
    QTest.keyClick(view, Qt.Key.Key_Left)
    assert [(kind, name) for kind, name, _ in active] == [(STATE_CHANGED, "root-b")]
    assert active[0][2].collapsed
    source.cancel_all()  # a reset, announced by Qt, with interfaces handed out: no crash
    assert names(interface(view)) == ["Name", "Length", "root-a", "6", "root-b", "6"]


def test_interfaces_handed_out_survive_removals_resets_and_the_view(
        qloop: asyncio.AbstractEventLoop, qtbot: Any,
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, flat, view = tree
    view.expand(row_of(flat, "root-a"))
    wait(qloop, source)
    tree_interface = interface(view)
    handed_out = [tree_interface.child(n) for n in range(tree_interface.childCount())]
    alpha, root_b = item(view, "alpha"), item(view, "root-b")
    delta = item(view, "delta/")
    source.remove_record(source.find_child(source.index(0, 0), lambda r: r == "delta/"))
    assert not shiboken6.isValid(delta)  # its row went: deleted from Qt's cache
    assert item(view, "alpha") is alpha and item(view, "root-b") is root_b  # the rest follow
    assert alpha.text(NAME) == "alpha" and tree_interface.indexOfChild(alpha) == 4
    view.collapse(row_of(flat, "root-a"))
    assert not shiboken6.isValid(alpha) and root_b.text(NAME) == "root-b"
    source.cancel_all()  # a reset forgets every item
    gc.collect()
    assert not any(shiboken6.isValid(part) for part in handed_out[2:])
    del tree_interface
    assert names(interface(view)) == ["Name", "Length", "root-a", "6", "root-b", "6"]
    view.setModel(FlatTreeModel())  # another model: the items of the old one go
    assert interface(view).childCount() == 0
    doomed = TreeTable()  # a second view over the same model, deleted while in use
    doomed.setModel(flat)
    doomed.show()
    kept = [interface(doomed).child(n) for n in range(6)]
    number = QAccessible.uniqueId(kept[2])
    doomed.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    del doomed
    gc.collect()
    assert not any(shiboken6.isValid(part) for part in kept)  # gone with the view
    assert all(part.text(NAME) == "" and not part.isValid() for part in kept)
    assert QAccessible.accessibleInterface(number) is None
    source.add_root("root-c")  # the model lives on without it
    view.setModel(flat)
    assert names(interface(view))[2:] == ["root-a", "6", "root-b", "6", "root-c", "6"]


def test_a_million_rows_cost_nothing_until_read(monkeypatch: pytest.MonkeyPatch,
                                                qtbot: Any) -> None:
    class MillionRows(FlatTreeModel):
        def rowCount(self, parent: Any = TOP) -> int:
            return 0 if parent.isValid() else 1_000_000

        def columnCount(self, parent: Any = TOP) -> int:
            return 0 if parent.isValid() else 3

    made: list[Any] = []
    real_part = tree_accessibility._Part

    class CountedPart(real_part):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any) -> None:
            made.append(args[1:])
            super().__init__(*args)

    monkeypatch.setattr(tree_accessibility, "_Part", CountedPart)
    view = TreeTable()  # not shown: it would paint rows that are not there
    qtbot.addWidget(view)
    view.setModel(MillionRows())
    tree_interface = interface(view)
    assert tree_interface.childCount() == 1_000_001 * 3
    assert made == []
    last = tree_interface.child(1_000_001 * 3 - 1)
    assert last is not None and made == [(999_999, 2)]
    assert tree_interface.indexOfChild(last) == 1_000_001 * 3 - 1


def test_the_cpp_halves_are_where_interface_cast_points(
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    """interface_cast hands Qt a C++ pointer; the wrong half would crash a screen reader."""
    part = item(tree[2], "root-a")
    halves = dict(re.findall(r"PySide6\.QtGui\.(\w+)/(0x[0-9a-f]+)", shiboken6.dump(part)))
    pointers = shiboken6.getCppPointer(part)
    assert list(halves) == [base.__name__ for base in tree_accessibility._BASES]
    for kind, half in tree_accessibility._HALVES.items():
        cast = part.interface_cast(kind)
        assert int(cast) == pointers[half] == int(halves[list(halves)[half]], 16)
    assert list(halves)[tree_accessibility._HALVES[
        QAccessible.InterfaceType.ActionInterface]] == "QAccessibleActionInterface"
    assert int(part.interface_cast(QAccessible.InterfaceType.TextInterface)) == 0
    header = interface(tree[2]).child(0)
    assert header.actionInterface() is None and header.attributesInterface() is None


def test_other_widgets_keep_qts_interfaces(qtbot: Any) -> None:
    standard = QStandardItemModel(2, 2)
    for widget, role in ((QTreeView(), QAccessible.Role.Tree),
                         (QTableView(), QAccessible.Role.Table),
                         (QPushButton("Go"), QAccessible.Role.Button)):
        qtbot.addWidget(widget)
        if isinstance(widget, QTreeView | QTableView):
            widget.setModel(standard)
        found = interface(widget)
        assert found.role() == role
        assert not isinstance(found, tree_accessibility._TreeAccessible)
    plain = QTableView()  # a plain table over a flat tree stays a table
    qtbot.addWidget(plain)
    plain.setModel(FlatTreeModel())
    assert interface(plain).role() == QAccessible.Role.Table


def test_nothing_runs_while_accessibility_is_inactive(
        qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch,
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    made: list[Any] = []
    sent: list[Any] = []
    monkeypatch.setattr(tree_accessibility, "_TreeAccessible", lambda view: made.append(view))
    monkeypatch.setattr(tree_accessibility, "_notify", sent.append)
    source, flat, view = tree
    assert not QAccessible.isActive()
    view.setFocus()
    view.setCurrentIndex(row_of(flat, "root-a"))
    QTest.keyClick(view, Qt.Key.Key_Right)
    wait(qloop, source)
    QTest.keyClick(view, Qt.Key.Key_Down)
    source.cancel_all()
    assert made == [] and sent == []
