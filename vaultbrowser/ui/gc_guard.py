"""Garbage collection on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a threshold is
crossed. In vaultbrowser that can be a worker (the demo's Key Vault emulator thread, executor
threads): a Qt object caught in a reference cycle would then be destroyed off the GUI thread,
which crashes Qt later. So while the app runs, automatic collection is off and this timer on the
GUI thread collects whichever generations are due, as often as the thresholds ask.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the oldest generation whose threshold is crossed; returns objects found."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                return gc.collect(generation)
        return 0

    def freeze_startup_heap(self) -> None:
        """Move everything alive now (modules, Qt wrappers, the window) out of the collector's
        reach: later full collections then scan only what listings created, which shortens the
        pauses they cause while large listings page in."""
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        """Collect everything on this thread, then hand collection back to Python."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()
