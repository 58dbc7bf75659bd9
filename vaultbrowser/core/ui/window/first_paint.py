"""When a window's first paint pass is done: the cold-start mark of the benchmark (bench/
cold_start.py) and of ``--smoke-test`` (which the installers' checks time from outside)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class FirstPaintWatch(QObject):
    """Notes ``at`` (perf_counter) and ``epoch`` (time.time) once ``widget`` and its children
    have painted for the first time and the pass is flushed; then calls ``on_painted``."""

    def __init__(self, widget: QWidget,
                 on_painted: Callable[[float, float], None] | None = None) -> None:
        super().__init__(widget)
        self.at: float | None = None
        self.epoch: float | None = None
        self._on_painted = on_painted
        self._pending = False
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None and not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._painted)  # after this pass: the children paint too
        return False

    def _painted(self) -> None:
        self.at, self.epoch = time.perf_counter(), time.time()
        if self._on_painted is not None:
            self._on_painted(self.at, self.epoch)
