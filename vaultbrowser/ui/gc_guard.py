"""Garbage collection on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a threshold is
crossed. In vaultbrowser that can be a worker (the demo's Key Vault emulator thread, executor
threads): a Qt object caught in a reference cycle would then be destroyed off the GUI thread,
which crashes Qt later. So while the app runs, automatic collection is off and this timer on the
GUI thread collects whichever generations are due, as often as the thresholds ask.

A full collection scans every tracked object: about 150 ms with 100,000 blobs loaded, a visible
stall each time one falls due while a listing pages in (issue 5). So the survivors of each full
collection are frozen (``gc.freeze``): the next one scans only what is newer. Listing nodes
break their own cycles when removed (``LazyTreeModel._retire``), so frozen garbage is freed by
reference counting. Other frozen cycles are swept by one complete collection, only when nothing
is loading and the frozen heap has doubled since the last complete one.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

_MIN_SWEEP = 200_000  # frozen objects before an idle complete collection is worth it


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._busy: Callable[[], bool] = lambda: True  # no complete sweeps until told
        self._frozen_after_sweep = 0
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def set_busy_check(self, busy: Callable[[], bool]) -> None:
        """``busy()`` says whether a complete collection would interrupt work (a listing)."""
        self._busy = busy

    def collect_due(self) -> int:
        """Collect the oldest generation whose threshold is crossed; returns objects found."""
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            if thresholds[generation] and counts[generation] > thresholds[generation]:
                found = gc.collect(generation)
                if generation == 2:
                    gc.freeze()  # survivors: the next full collection scans only newer ones
                return found
        frozen = gc.get_freeze_count()
        if frozen > max(2 * self._frozen_after_sweep, _MIN_SWEEP) and not self._busy():
            return self.sweep()
        return 0

    def sweep(self) -> int:
        """One complete collection of everything, frozen included; survivors frozen again."""
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        self._frozen_after_sweep = gc.get_freeze_count()
        return found

    def freeze_startup_heap(self) -> None:
        """Move everything alive now (modules, Qt wrappers, the window) out of the collector's
        reach: later full collections then scan only what listings created, which shortens the
        pauses they cause while large listings page in."""
        gc.collect()
        gc.freeze()
        self._frozen_after_sweep = gc.get_freeze_count()

    def stop(self) -> None:
        """Collect everything on this thread, then hand collection back to Python."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()
