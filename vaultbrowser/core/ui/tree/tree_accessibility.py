"""Screen readers see a ``TreeTable`` as a tree, as Qt shows them a ``QTreeView``.

Qt sees a ``QTableView``, a Table of Cells: no levels, nothing expanded. ``accessible_as_tree``
installs a factory answering for the decorated class only, and Qt calls factories only when an
assistive technology or a test asks, so with accessibility inactive nothing here runs. As Qt's
``QAccessibleTree`` (itemviews.cpp): the view is a Tree whose children are the column headers,
then the cells (``(row + 1) * columns + column``, headers being row -1); a cell is a TreeItem
with text, states (selected, focused; expandable and expanded or collapsed on a node's whole row,
as TreeTable's keys treat it), a level (depth + 1) and actions Toggle (expand or collapse) and
SetFocus. PySide has no QAccessibleTableInterface, so no table-cell half either (its table would
not be one). Expanding announces a state change; Focus and Selection events name the tree's child
(QTableView's name a child of its table layout, with a corner and row headers: the decorator
routes ``currentChanged`` and ``selectionChanged`` past them). QAbstractItemView announces rows.

Not a crash: PySide keeps every interface its factory returns, Qt deletes the C++ half with the
widget, so the view's interface holds only ``_Parts`` (a child of the view). Parts are made lazily
by ``child(n)``, registered with Qt's cache, one per (row, column) while the row stays. A
Python-made interface dies with its last Python reference, so ``_Parts`` holds each and deletes it
from Qt's cache before letting go. Parts hold ints and a weak reference (no Qt value, no cycle),
freed by reference counting on the GUI thread. No error leaves a method Qt calls (``_guarded``).
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QItemSelection, QModelIndex, QObject, QPoint, QRect, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleActionInterface,
    QAccessibleAttributesInterface,
    QAccessibleEvent,
    QAccessibleInterface,
    QAccessibleStateChangeEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QAccessibleWidget

from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
from vaultbrowser.core.models.model_guard import report_model_fault

C = TypeVar("C", bound=type)
ViewRef = Callable[[], QAbstractItemView | None]
Live = tuple[QAbstractItemView, FlatTreeModel]
_NULL = shiboken6.VoidPtr(0)  # interface_cast's "no": returning None or 0 crashes PySide
_BASES = (QAccessibleInterface, QAccessibleActionInterface, QAccessibleAttributesInterface)
_HALVES = {QAccessible.InterfaceType.ActionInterface: 1,  # _Part's C++ halves, in the order
           QAccessible.InterfaceType.AttributesInterface: 2}  # of _BASES (a test checks)
TOGGLE = QAccessibleActionInterface.toggleAction()
SET_FOCUS = QAccessibleActionInterface.setFocusAction()
_classes: dict[str, type[QAbstractItemView]] = {}  # the decorated classes, by Qt class name
_NONE = type(None)  # calling it answers None
_FALLBACKS: dict[str, Callable[[], Any]] = {  # what each method Qt calls answers when it fails
    "interface_cast": lambda: _NULL, "isValid": bool, "parent": _NONE, "child": _NONE,
    "childCount": int, "indexOfChild": lambda: -1, "focusChild": _NONE, "childAt": _NONE,
    "text": str, "rect": QRect, "state": QAccessible.State, "attributeValue": _NONE,
    "actionNames": list, "doAction": _NONE, "isSelected": bool, "forget": _NONE,
    "_inserting": _NONE, "_removing": _NONE, "_expanded_changed": _NONE}


def _guarded(cls: C) -> C:
    """Class decorator: Qt calls these methods from C++, where an error must not get out
    (PySide would print it and answer garbage): it is logged once and the fallback answers."""
    def guard(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def guarded(self: Any, *args: Any) -> Any:
            try:
                return method(self, *args)
            except Exception as error:
                report_model_fault(self, name, error)
                return _FALLBACKS[name]()
        return guarded

    for name in _FALLBACKS.keys() & vars(cls).keys():
        setattr(cls, name, guard(name, vars(cls)[name]))
    return cls


def _notify(event: QAccessibleEvent) -> None:
    QAccessible.updateAccessibility(event)  # in one place, for tests to watch


def _live(view_ref: ViewRef) -> Live | None:
    """The view and its tree, or None once the view is going (its wrapper is invalid then)."""
    view = view_ref()
    model = view.model() if view is not None and shiboken6.isValid(view) else None
    return (view, model) if view is not None and isinstance(model, FlatTreeModel) else None


def _number(model: FlatTreeModel, row: int, column: int) -> int:
    return (row + 1) * model.columnCount() + column


@_guarded
class _Part(*_BASES):  # type: ignore[misc]
    """A column header (row -1) or a cell. ``_Parts`` moves ``row`` as rows come and go."""

    def __init__(self, view_ref: ViewRef, row: int, column: int) -> None:
        for base in _BASES:  # each C++ half is made only by its own __init__
            base.__init__(self)
        self.view_ref, self.row, self.column = view_ref, row, column

    def _at(self) -> tuple[QAbstractItemView, FlatTreeModel, QModelIndex] | None:
        """The view, its tree and the cell's index (a header's: row 0's), while they exist."""
        live = _live(self.view_ref)
        if live is None or not 0 <= self.column < live[1].columnCount():
            return None
        index = live[1].index(max(self.row, 0), self.column)
        return (*live, index) if index.isValid() or self.row < 0 else None

    def interface_cast(self, kind: QAccessible.InterfaceType) -> shiboken6.VoidPtr:
        half = _HALVES.get(kind) if self.row >= 0 else None
        return _NULL if half is None else shiboken6.VoidPtr(shiboken6.getCppPointer(self)[half])

    def isValid(self) -> bool:
        return self._at() is not None

    def object(self) -> None:
        return None  # no QObject of its own, so Qt's cache does not file it under the view

    def parent(self) -> QAccessibleInterface | None:
        view = self.view_ref()
        valid = view is not None and shiboken6.isValid(view)
        return QAccessible.queryAccessibleInterface(view) if valid else None

    def child(self, _number: int) -> None:
        return None

    def childCount(self) -> int:
        return 0

    def indexOfChild(self, _child: QAccessibleInterface) -> int:
        return -1

    def role(self) -> QAccessible.Role:
        return QAccessible.Role.ColumnHeader if self.row < 0 else QAccessible.Role.TreeItem

    def setText(self, _kind: QAccessible.Text, _text: str) -> None:
        pass  # read-only

    def text(self, kind: QAccessible.Text) -> str:
        at = self._at()  # the name only: our models give no accessible text or description
        if at is None or kind != QAccessible.Text.Name:
            return ""
        value = (at[1].headerData(self.column, Qt.Orientation.Horizontal) if self.row < 0
                 else at[2].data())
        return "" if value is None else str(value)

    def rect(self) -> QRect:
        at = self._at()
        if at is None:
            return QRect()
        view, index = at[0], at[2]
        if self.row >= 0:
            return view.visualRect(index).translated(view.viewport().mapToGlobal(QPoint(0, 0)))
        header = view.horizontalHeader()  # type: ignore[attr-defined]
        left = header.viewport().mapToGlobal(QPoint(header.sectionViewportPosition(self.column), 0))
        return QRect(left.x(), left.y(), header.sectionSize(self.column), header.height())

    def state(self) -> QAccessible.State:
        state, at = QAccessible.State(), self._at()
        if at is None or self.row < 0:  # a header shows with the view's header
            state.invisible = at is None or not at[0].horizontalHeader().isVisible()  # type: ignore[attr-defined]
            return state
        view, model, index = at
        state.invisible = not view.viewport().rect().intersects(view.visualRect(index))
        state.selected = self.isSelected()
        state.focused = view.hasFocus() and view.currentIndex() == index
        if index.flags() & Qt.ItemFlag.ItemIsSelectable:
            state.selectable = state.focusable = True
            mode = view.selectionMode()
            state.multiSelectable = mode == QAbstractItemView.SelectionMode.MultiSelection
            state.extSelectable = mode == QAbstractItemView.SelectionMode.ExtendedSelection
        if model.has_children(self.row):
            state.expandable = True
            state.expanded = model.is_expanded(self.row)
            state.collapsed = not state.expanded
        return state

    # --- QAccessibleAttributesInterface (Qt 6.8+): the level ----------------------------------

    def attributeKeys(self) -> list[QAccessible.Attribute]:
        return [QAccessible.Attribute.Level]

    def attributeValue(self, key: QAccessible.Attribute) -> int | None:
        at = self._at()
        if at is None or self.row < 0 or key != QAccessible.Attribute.Level:
            return None
        return at[1].depth(self.row) + 1

    # --- QAccessibleActionInterface -------------------------------------------------------------

    def actionNames(self) -> list[str]:
        at = self._at()
        if at is None or self.row < 0:
            return []
        return [TOGGLE, SET_FOCUS] if at[1].has_children(self.row) else [SET_FOCUS]

    def doAction(self, name: str) -> None:
        at = self._at()
        if at is None or self.row < 0:
            return
        view, model, index = at
        if name == TOGGLE and model.has_children(self.row):
            model.set_expanded(index, not model.is_expanded(self.row))  # as TreeTable's keys do
        elif name == SET_FOCUS:
            view.setCurrentIndex(index)

    def keyBindingsForAction(self, _name: str) -> list[str]:
        return []

    def isSelected(self) -> bool:
        at = self._at()
        selection = at[0].selectionModel() if at is not None and self.row >= 0 else None
        return selection is not None and selection.isSelected(at[2])  # type: ignore[index]


PartMap = dict[tuple[int, int], tuple[int, _Part]]  # (row, column) → (accessible id, part)


def _drop(parts: PartMap, keys: list[tuple[int, int]]) -> None:
    """Delete parts from Qt's cache, then let Python free them. At exit Qt's cache deletes
    them itself and may reuse an id: only an id still naming our part is deleted."""
    for key in keys:
        number, part = parts.pop(key)
        if shiboken6.isValid(part) and QAccessible.accessibleInterface(number) is part:
            QAccessible.deleteAccessibleInterface(number)


@_guarded
class _Parts(QObject):
    """The parts handed to Qt. A child of the view: it, its model connections and the parts
    go with the view. Rows follow inserts and removals; any other change of shape forgets them
    all, as Qt's tables do on a reset. Both happen on the model's "about to" signals, before the
    view announces the change and an assistive technology asks again."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view_ref: ViewRef = weakref.ref(view)
        self._parts: PartMap = {}
        self._model: FlatTreeModel | None = None
        parts = self._parts  # not self: the callback must not keep this wrapper alive
        self.destroyed.connect(lambda: _drop(parts, list(parts)))

    def forget(self, *_args: Any) -> None:
        _drop(self._parts, list(self._parts))

    def live(self) -> Live | None:
        """The view and its tree; a new model (``setModel``) forgets every part."""
        live = _live(self.view_ref)
        model = live[1] if live is not None else None
        if model is not self._model:
            if self._model is not None and shiboken6.isValid(self._model):
                for signal, slot in self._wiring(self._model):
                    signal.disconnect(slot)
            self.forget()
            self._model = model
            for signal, slot in self._wiring(model) if model is not None else ():
                signal.connect(slot)
        return live

    def _wiring(self, model: FlatTreeModel) -> list[tuple[Any, Callable[..., None]]]:
        reshaped = (model.modelAboutToBeReset, model.layoutAboutToBeChanged,
                    model.rowsAboutToBeMoved, model.columnsAboutToBeInserted,
                    model.columnsAboutToBeRemoved, model.columnsAboutToBeMoved)
        return [(model.rowsAboutToBeInserted, self._inserting),
                (model.rowsAboutToBeRemoved, self._removing),
                (model.expanded_changed, self._expanded_changed),
                *((signal, self.forget) for signal in reshaped)]

    def child(self, number: int) -> _Part | None:
        live = self.live()
        columns = live[1].columnCount() if live is not None else 0
        if live is None or columns <= 0 or not 0 <= number < (live[1].rowCount() + 1) * columns:
            return None
        row, column = divmod(number, columns)
        key = (row - 1, column)
        if key not in self._parts:  # made on demand: a million rows cost nothing until read
            part = _Part(self.view_ref, row - 1, column)
            self._parts[key] = (QAccessible.registerAccessibleInterface(part), part)
        return self._parts[key][1]

    def _inserting(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._shift(first, last - first + 1)

    def _removing(self, _parent: QModelIndex, first: int, last: int) -> None:
        _drop(self._parts, [key for key in self._parts if first <= key[0] <= last])
        self._shift(last + 1, first - last - 1)

    def _shift(self, first: int, by: int) -> None:
        moved = [(key, self._parts.pop(key)) for key in list(self._parts) if key[0] >= first]
        for (row, column), (number, part) in moved:
            part.row = row + by
            self._parts[(row + by, column)] = (number, part)

    def _expanded_changed(self, index: QModelIndex, _expanded: bool) -> None:
        live = self.live() if QAccessible.isActive() else None
        part = self.child(_number(live[1], index.row(), 0)) if live is not None else None
        if part is not None:
            changed = QAccessible.State()
            changed.expanded = changed.collapsed = True
            _notify(QAccessibleStateChangeEvent(part, changed))


@_guarded
class _TreeAccessible(QAccessibleWidget):
    """The view's interface: role Tree, whose children are ``_Parts``'s headers and cells."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view, QAccessible.Role.Tree)
        self._parts = _Parts(view)

    def _child_at(self, index: QModelIndex) -> QAccessibleInterface | None:
        live = self._parts.live()
        return self._parts.child(_number(live[1], index.row(), index.column())) \
            if live is not None and index.isValid() else None

    def childCount(self) -> int:
        live = self._parts.live()
        return 0 if live is None else (live[1].rowCount() + 1) * live[1].columnCount()

    def child(self, number: int) -> QAccessibleInterface | None:
        return self._parts.child(number)

    def indexOfChild(self, child: QAccessibleInterface) -> int:
        live = self._parts.live()
        if live is None or not isinstance(child, _Part) or not shiboken6.isValid(child) \
                or child.view_ref is not self._parts.view_ref:
            return -1
        return _number(live[1], child.row, child.column)

    def focusChild(self) -> QAccessibleInterface | None:
        live = self._parts.live()
        return self._child_at(live[0].currentIndex()) if live is not None else None

    def childAt(self, x: int, y: int) -> QAccessibleInterface | None:
        live = self._parts.live()
        view = live[0] if live is not None else None
        return self._child_at(view.indexAt(view.viewport().mapFromGlobal(QPoint(x, y)))) \
            if view is not None else None

    def text(self, kind: QAccessible.Text) -> str:
        text = super().text(kind)  # the accessible name, or its buddy label's text
        live = self._parts.live()
        if text or kind != QAccessible.Text.Name or live is None:
            return text
        model, across = live[1], Qt.Orientation.Horizontal  # else the titles: what it lists
        titles = [model.headerData(c, across) for c in range(model.columnCount())]
        return ", ".join(str(title) for title in titles if title) or "Tree"


def _factory(key: str, candidate: QObject) -> QAccessibleInterface | None:
    try:  # Qt asks with each class name up the hierarchy; PySide keeps what we return
        view_class = _classes.get(key)
        return _TreeAccessible(candidate) if view_class is not None and isinstance(
            candidate, view_class) else None
    except Exception as error:  # one left set would surface in some unrelated Python call
        report_model_fault(candidate, "accessibility factory", error)
        return None


def _announce(view: QAbstractItemView, kind: QAccessible.Event, index: QModelIndex) -> None:
    try:
        model = view.model()
        if isinstance(model, FlatTreeModel) and index.isValid():
            event = QAccessibleEvent(view, kind)
            event.setChild(_number(model, index.row(), index.column()))
            _notify(event)
    except Exception as error:  # an announcement must not break a selection
        report_model_fault(view, "accessibility event", error)


def _current_changed(view: QAbstractItemView, current: QModelIndex,
                     previous: QModelIndex) -> None:
    QAbstractItemView.currentChanged(view, current, previous)  # QTableView's only announces
    if QAccessible.isActive() and view.hasFocus():  # as QTreeView
        _announce(view, QAccessible.Event.Focus, current)


def _selection_changed(view: QAbstractItemView, selected: QItemSelection,
                       deselected: QItemSelection) -> None:
    QAbstractItemView.selectionChanged(view, selected, deselected)  # QTableView's only announces
    if QAccessible.isActive():  # the first index of each, as Qt's views do
        if not selected.isEmpty():
            _announce(view, QAccessible.Event.SelectionAdd, selected.first().topLeft())
        if not deselected.isEmpty():
            _announce(view, QAccessible.Event.SelectionRemove, deselected.first().topLeft())


def accessible_as_tree(view_class: C) -> C:
    """Class decorator: Qt's accessibility shows ``view_class``, a ``QTableView`` over a
    ``FlatTreeModel``, as a tree. It takes ``currentChanged`` and ``selectionChanged`` over so
    that Focus and Selection events name the tree's child (see the module's docstring)."""
    for name, method in (("currentChanged", _current_changed),
                         ("selectionChanged", _selection_changed)):
        if name in vars(view_class):
            raise TypeError(f"{view_class.__name__}.{name} would be replaced")
        setattr(view_class, name, method)
    if not _classes:
        QAccessible.installFactory(_factory)
    _classes[view_class.__name__] = view_class  # a Python class's Qt class name is its name
    return view_class
