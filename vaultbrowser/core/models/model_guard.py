"""Qt model methods never raise: ``guard_model_methods`` wraps a model class's Qt overrides.

An exception escaping a Python override called from C++ (``data`` during a view's size hint,
``rowCount`` during a relayout) is at best printed and turned into a default value, at worst
fatal for the process. Hostile data finds such paths (a date that local time cannot hold, a
name Qt cannot lay out), so every Qt-facing method of our models is wrapped: a failure is
logged once per (class, method, exception type) and the call answers a placeholder, so the
row still renders ("⚠ cannot show") and the tree keeps working.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex, Qt

_log = logging.getLogger(__name__)

PLACEHOLDER = "⚠ cannot show"
GUARDED_MARK = "__vaultbrowser_guarded__"

# The Qt virtuals our models override, and what each answers when it fails.
_INVALID = object()  # a fresh invalid QModelIndex per call (indexes are value objects)
_FALLBACKS: dict[str, Any] = {
    "rowCount": 0,
    "columnCount": 0,
    "hasChildren": False,
    "canFetchMore": False,
    "fetchMore": None,
    "index": _INVALID,
    "parent": _INVALID,
    "sibling": _INVALID,
    "buddy": _INVALID,
    "mapToSource": _INVALID,
    "mapFromSource": _INVALID,
    "flags": Qt.ItemFlag.NoItemFlags,
    "headerData": None,
    "setData": False,
    "sort": None,
    "filterAcceptsRow": True,
    "lessThan": False,
    "mimeData": None,
    "mimeTypes": [],
    "supportedDropActions": Qt.DropAction.IgnoreAction,
    "roleNames": {},
}
QT_MODEL_METHODS = frozenset({*_FALLBACKS, "data"})

_reported: set[tuple[str, str, str]] = set()

M = TypeVar("M", bound=type)


def report_model_fault(model: object, method: str, error: BaseException) -> None:
    """Log a model method's failure, once per (class, method, exception type)."""
    key = (type(model).__qualname__, method, type(error).__qualname__)
    if key in _reported:
        return
    _reported.add(key)
    _log.error("%s.%s raised %s; showing a placeholder instead", key[0], method, key[2],
               exc_info=error)


def _data_fallback(args: tuple[Any, ...]) -> Any:
    role = args[1] if len(args) > 1 else Qt.ItemDataRole.DisplayRole
    if role == Qt.ItemDataRole.DisplayRole:
        return PLACEHOLDER
    if role == Qt.ItemDataRole.ToolTipRole:
        return "This value could not be shown (the error is in the log)."
    return None


def _guard(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    fallback = _FALLBACKS.get(name)

    @functools.wraps(method)
    def guarded(self: Any, *args: Any) -> Any:
        try:
            return method(self, *args)
        except Exception as error:
            report_model_fault(self, name, error)
            if name == "data":
                return _data_fallback(args)
            return QModelIndex() if fallback is _INVALID else fallback

    setattr(guarded, GUARDED_MARK, True)
    return guarded


def guard_model_methods(cls: M) -> M:
    """Class decorator: wrap each Qt model method ``cls`` itself defines (see module doc)."""
    for name in QT_MODEL_METHODS:
        method = cls.__dict__.get(name)
        if method is not None and callable(method) and not getattr(method, GUARDED_MARK, False):
            setattr(cls, name, _guard(name, method))
    return cls
