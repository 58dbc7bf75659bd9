"""FirstPaintWatch: the cold-start mark of the benchmark and of --smoke-test."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from vaultbrowser.core.ui.window.first_paint import FirstPaintWatch


def test_marks_the_first_paint_once_and_calls_back(qtbot: Any) -> None:
    window = QWidget()
    QVBoxLayout(window).addWidget(QLabel("child"))
    qtbot.addWidget(window)
    calls: list[tuple[float, float]] = []
    watch = FirstPaintWatch(window, lambda at, epoch: calls.append((at, epoch)))
    before = time.perf_counter()
    assert watch.at is None and watch.epoch is None  # nothing painted before show
    window.show()
    qtbot.waitUntil(lambda: watch.at is not None, timeout=5000)
    assert watch.at is not None and before < watch.at
    assert calls == [(watch.at, watch.epoch)]
    window.update()
    window.repaint()
    qtbot.wait(50)
    assert len(calls) == 1  # later paints do not move the mark
