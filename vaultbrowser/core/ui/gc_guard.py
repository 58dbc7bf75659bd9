"""Garbage collection on the GUI thread only.

Python's cyclic collector runs on whichever thread happens to allocate when a threshold is
crossed. In vaultbrowser that can be a worker (the demo's Key Vault emulator thread, executor
threads): a Qt object caught in a reference cycle would then be destroyed off the GUI thread,
which crashes Qt later. So while the app runs, automatic collection is off and this timer on the
GUI thread collects whichever generations are due, as often as the thresholds ask.

A full collection scans every tracked object: about 150 ms with 100,000 blobs loaded, a visible
stall each time one would fall due while a listing pages in (issue 5). So every pass collects only
what is not frozen (what the last interval allocated) and then freezes the survivors
(``gc.freeze``): a pass costs what one interval allocated, never the listings already loaded.
Frozen objects are still freed by reference counting, and listing nodes break their own cycles
when removed (``LazyTreeModel._retire``). Cycles that die after being frozen are swept by one
complete collection, only when nothing has been loading for a few seconds and the frozen heap
has doubled since the last complete one.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

_MIN_SWEEP = 200_000  # frozen objects before an idle complete collection is worth it
_IDLE_BEFORE_SWEEP = 3.0  # seconds without loading: the user has stopped waiting on a listing


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, interval_ms: int = 250) -> None:
        super().__init__(parent)
        self._busy: Callable[[], bool] = lambda: True  # no complete sweeps until told
        self._frozen_after_sweep = 0
        self._idle_since: float | None = None
        self._counted_at = float("-inf")  # when the frozen heap was last counted
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
        """Once allocations cross the youngest threshold, collect everything not frozen and
        freeze the survivors; returns the objects found."""
        now = time.monotonic()
        if self._busy():
            self._idle_since = None
        elif self._idle_since is None:
            self._idle_since = now
        threshold = gc.get_threshold()[0]
        if threshold and gc.get_count()[0] > threshold:
            found = gc.collect()  # the frozen heap is not scanned: only the newer objects
            gc.freeze()
            return found
        if self._idle_since is None or now - self._idle_since < _IDLE_BEFORE_SWEEP:
            return 0
        # Counting the frozen heap walks it (30-50 ms with a big listing loaded): only after
        # the idle wait, and at most once per wait, not at every tick of an idle window.
        if now - self._counted_at < _IDLE_BEFORE_SWEEP:
            return 0
        self._counted_at = now
        if gc.get_freeze_count() > max(2 * self._frozen_after_sweep, _MIN_SWEEP):
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
