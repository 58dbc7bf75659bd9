"""What TreeTable repaints, and with which delegate: rows appended below the rows in view repaint
none of them (the scroll bar still grows), any other change repaints as before; Qt's delegate
draws the plain cells, ours the branch column and the current cell (no focus frame)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from tests.core.models.test_flat_tree import Folders
from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.ui.tree.tree_table import BranchDelegate, TreeTable


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


@pytest.fixture
def tree(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> tuple[Folders, FlatTreeModel, TreeTable]:
    """A shown TreeTable, 300 px high (about a dozen rows), no rows yet."""
    source, flat, view = Folders(), FlatTreeModel(), TreeTable()
    flat.setSourceModel(source)
    qtbot.addWidget(view)
    view.setModel(flat)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    return source, flat, view


def settle() -> None:
    for _ in range(3):  # the delayed layout (a zero timer), then the paint it asked for
        QApplication.processEvents()


def paints_while(view: TreeTable, change: Any) -> int:
    settle()
    counter = PaintCounter()
    view.viewport().installEventFilter(counter)
    try:
        change()
        settle()
    finally:
        view.viewport().removeEventFilter(counter)
    return counter.paints


def test_rows_appended_below_the_view_repaint_nothing_but_grow_the_scroll_bar(
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, flat, view = tree
    for number in range(40):
        source.add_root(f"blob-{number:03}")
    settle()
    bottom = view.rowAt(view.viewport().height() - 1)
    assert 0 < bottom < 39  # the view is full, the last rows below it
    scroll_max = view.verticalScrollBar().maximum()

    def append() -> None:
        for number in range(40, 60):
            source.add_root(f"blob-{number:03}")

    assert paints_while(view, append) == 0
    assert flat.rowCount() == 60
    assert view.verticalScrollBar().maximum() == scroll_max + 20
    view.scrollToBottom()
    settle()
    assert view.rowAt(view.viewport().height() - 1) == 59
    assert flat.index(59, 0).data() == "blob-059"


def test_rows_added_in_view_or_removed_repaint_as_before(
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, _flat, view = tree
    assert paints_while(view, lambda: source.add_root("first")) > 0  # the view was not full
    for number in range(40):
        source.add_root(f"blob-{number:03}")
    source.add_root("last")
    assert paints_while(view, lambda: source.remove_root("last")) > 0  # out of sight too
    assert paints_while(view, lambda: source.remove_root("first")) > 0


def test_an_append_below_and_a_change_in_view_before_the_layout_repaint(
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, _flat, view = tree
    for number in range(40):
        source.add_root(f"blob-{number:03}")

    def both() -> None:
        source.add_root("below")
        source.remove_root("blob-000")  # in view

    assert paints_while(view, both) > 0


def test_qts_delegate_draws_plain_cells_ours_the_branch_column_and_the_current_cell(
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, flat, view = tree
    for number in range(5):
        source.add_root(f"blob-{number:03}")

    def delegate(row: int, column: int) -> Any:
        return view.itemDelegateForIndex(flat.index(row, column))

    assert isinstance(delegate(2, 0), BranchDelegate)
    assert not isinstance(delegate(2, 1), BranchDelegate)
    view.setFocus()
    view.setCurrentIndex(flat.index(2, 1))
    assert isinstance(delegate(2, 1), BranchDelegate)  # its focus frame is left out
    assert isinstance(delegate(4, 1), BranchDelegate)  # the whole column: cheap either way
    view.setCurrentIndex(flat.index(3, 0))
    assert not isinstance(delegate(2, 1), BranchDelegate)
    assert isinstance(delegate(3, 0), BranchDelegate)
    view.grab()  # paints both delegates without a fault


def test_a_new_model_starts_with_the_branch_column_only(
        tree: tuple[Folders, FlatTreeModel, TreeTable]) -> None:
    source, flat, view = tree
    source.add_root("blob")
    view.setCurrentIndex(flat.index(0, 1))
    other = FlatTreeModel()
    other.setSourceModel(Folders())
    view.setModel(other)
    other.sourceModel().add_root("again")
    assert not isinstance(view.itemDelegateForIndex(other.index(0, 1)), BranchDelegate)
    view.setCurrentIndex(other.index(0, 1))
    assert isinstance(view.itemDelegateForIndex(other.index(0, 1)), BranchDelegate)
