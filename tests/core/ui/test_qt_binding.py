"""Guards against defects of the Qt binding itself that would crash the app.

PySide6 6.12.0 dropped a reference to None every time a Python model's ``data()`` returned None
to C++ (every view paint and proxy sort does that): None's count reached zero and Python
aborted ("none_dealloc") after a few thousand calls. pyproject.toml caps PySide6 below 6.12;
this test tells whether an upgrade is safe.
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSortFilterProxyModel, Qt


class NoneModel(QAbstractListModel):
    def rowCount(self, parent: Any = None) -> int:
        return 0 if parent is not None and parent.isValid() else 50

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return None


def test_returning_none_from_data_keeps_none_alive(qapp: Any) -> None:
    model = NoneModel()
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    index = model.index(3, 0, QModelIndex())
    before = sys.getrefcount(None)
    for _ in range(200):
        index.data(Qt.ItemDataRole.UserRole)  # Python → C++ → Python data()
        proxy.sort(0)  # C++ calls data() on every row
        proxy.invalidate()
    drift = sys.getrefcount(None) - before
    assert abs(drift) < 100, f"None's reference count drifted by {drift}"
