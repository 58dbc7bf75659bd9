"""Qt model methods never raise: every model's Qt overrides are guarded, and a failing one
answers a placeholder and logs once."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
from collections.abc import Sequence
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

import vaultbrowser
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.model_guard import GUARDED_MARK, PLACEHOLDER, QT_MODEL_METHODS


def _model_classes() -> list[type]:
    found = []
    for info in pkgutil.walk_packages(vaultbrowser.__path__, "vaultbrowser."):
        if ".emulator" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if (issubclass(value, QAbstractItemModel) and value.__module__ == module.__name__):
                found.append(value)
    return found


def test_every_qt_override_of_every_model_is_guarded() -> None:
    classes = _model_classes()
    assert {cls.__name__ for cls in classes} >= {
        "LazyTreeModel", "KeyVaultTreeModel", "BlobTreeModel", "FlatTreeModel",
        "ActivityModel", "ActivityFilterProxy"}
    unguarded = [f"{cls.__qualname__}.{name}" for cls in classes for name in QT_MODEL_METHODS
                 if name in cls.__dict__ and not getattr(cls.__dict__[name], GUARDED_MARK, False)]
    assert unguarded == []


class _Exploding(LazyTreeModel):
    """A tree whose second column cannot be shown (as a hostile value once could not)."""

    def column_titles(self) -> Sequence[str]:
        return ["Name", "Broken"]

    def is_lazy(self, record: Any) -> bool:
        return False

    def display(self, record: Any, column: int) -> Any:
        if column == 1:
            raise OverflowError("date value out of range")
        return record

    def tooltip(self, record: Any, column: int) -> str | None:
        return f"{self.display(record, column)}"

    def headerData(self, section: int, orientation: Any, role: int = 0) -> Any:
        raise RuntimeError("no header")


def test_a_failing_method_answers_a_placeholder_and_logs_once(
        qapp: Any, caplog: pytest.LogCaptureFixture) -> None:
    from vaultbrowser.core.models.model_guard import guard_model_methods

    model = guard_model_methods(_Exploding)()
    model.add_root("row-a")
    model.add_root("row-b")
    caplog.set_level(logging.ERROR, logger="vaultbrowser.core.models.model_guard")
    assert model.index(0, 0).data() == "row-a"
    for row in (0, 1):
        assert model.index(row, 1).data() == PLACEHOLDER
        assert "could not be shown" in model.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
        assert model.index(row, 1).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.headerData(0, Qt.Orientation.Horizontal) is None
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "_Exploding.data raised OverflowError; showing a placeholder instead",
        "_Exploding.headerData raised RuntimeError; showing a placeholder instead",
    ]
    assert model.rowCount(QModelIndex()) == 2  # the model still works
