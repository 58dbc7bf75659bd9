"""Qt models of a blob preview: a JSON document as a collapsible tree (nodes made as they are
expanded, so a document of a few MB costs nothing until opened) and CSV/TSV rows as a table
(the first row as the header)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, QObject, Qt

from vaultbrowser.core.models.model_guard import guard_model_methods

__all__ = ["JsonTreeModel", "TableRowsModel"]

_DISPLAY = Qt.ItemDataRole.DisplayRole
_VALUE_CHARS = 300  # a long string's first characters (the text view holds the rest)
# A view lays out every child of an expanded node: bigger arrays and objects are shown in
# groups of this many ("[0…999]"), as debuggers do (45,000 rows expanded at once: 8.5 s).
GROUP = 1000


class _JsonNode:
    """A member of the document, or (``group``: where it starts, and the members' keys or
    None for array items, and values) a group of a big array's or object's members."""

    __slots__ = ("_children", "group", "key", "parent", "row", "value")

    def __init__(self, key: str, value: Any, parent: _JsonNode | None, row: int,
                 group: tuple[int, list[Any], list[Any]] | None = None) -> None:
        self.key, self.value, self.parent, self.row = key, value, parent, row
        self.group = group
        self._children: list[_JsonNode] | None = None

    def _members(self) -> tuple[int, list[Any] | None, list[Any]]:
        """(first index, keys — None for an array —, values) of the members shown here."""
        if self.group is not None:
            return self.group
        if isinstance(self.value, dict):
            return 0, [str(key) for key in self.value], list(self.value.values())
        if isinstance(self.value, list):
            return 0, None, self.value
        return 0, [], []

    @property
    def children(self) -> list[_JsonNode]:
        if self._children is None:
            first, keys, values = self._members()

            def key(i: int) -> str:
                return keys[i] if keys is not None else f"[{first + i}]"

            if len(values) > GROUP and self.group is None:
                self._children = []
                for row, start in enumerate(range(0, len(values), GROUP)):
                    end = min(start + GROUP, len(values))
                    group = (first + start, keys[start:end] if keys is not None else None,
                             values[start:end])
                    self._children.append(_JsonNode(f"{key(start)} … {key(end - 1)}", None,
                                                    self, row, group))
            else:
                self._children = [_JsonNode(key(i), value, self, i)
                                  for i, value in enumerate(values)]
        return self._children

    def count(self) -> int:
        if self.group is not None:
            return len(self.group[2])
        if isinstance(self.value, dict | list):
            members = len(self.value)
            return members if members <= GROUP else -(-members // GROUP)  # groups, rounded up
        return 0

    def summary(self) -> str:
        if self.group is not None:
            return f"{len(self.group[2]):,} members"
        value = self.value
        if isinstance(value, dict):
            return f"{{…}} {len(value):,} keys"
        if isinstance(value, list):
            return f"[…] {len(value):,} items"
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= _VALUE_CHARS else text[:_VALUE_CHARS] + "…"


@guard_model_methods
class JsonTreeModel(QAbstractItemModel):
    """Key and value of every member of a parsed JSON value (the root's members at the top)."""

    def __init__(self, value: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root = _JsonNode("", value, None, 0)

    def _node(self, index: QModelIndex) -> _JsonNode:
        return index.internalPointer() if index.isValid() else self._root  # type: ignore[no-any-return]

    def index(self, row: int, column: int, parent: QModelIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        children = self._node(parent).children
        if not (0 <= row < len(children) and 0 <= column < 2):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: QModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        node = self._node(index).parent
        if node is None or node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.column() > 0:
            return 0
        return self._node(parent).count()

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 2

    def hasChildren(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role not in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return None
        node = self._node(index)
        return node.key if index.column() == 0 else node.summary()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return ("Key", "Value")[section] if 0 <= section < 2 else None
        return None


@guard_model_methods
class TableRowsModel(QAbstractTableModel):
    """Rows of a CSV/TSV preview; the first row names the columns."""

    def __init__(self, rows: list[list[str]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._header = rows[0] if rows else []
        self._rows = rows[1:]
        self._columns = max((len(row) for row in rows), default=0)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._columns

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid() or role != _DISPLAY:
            return None
        row = self._rows[index.row()]
        return row[index.column()] if index.column() < len(row) else ""

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = _DISPLAY) -> Any:
        if role != _DISPLAY:
            return None
        if orientation == Qt.Orientation.Vertical:
            return section + 2  # the line in the file (the header is line 1)
        return self._header[section] if section < len(self._header) else f"({section + 1})"
