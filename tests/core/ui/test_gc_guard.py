"""Garbage with Qt objects is collected on the GUI thread only while the guard runs."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref
from typing import Any, ClassVar

from PySide6.QtCore import QObject

from vaultbrowser.core.ui.gc_guard import MainThreadGarbageCollector


class Cyclic(QObject):
    destroyed_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        super().__init__()
        self.me = self  # a reference cycle: only the cyclic collector can free it

    def __del__(self) -> None:
        Cyclic.destroyed_on.append(threading.current_thread().name)


def test_cycles_are_collected_on_the_gui_thread(qloop: Any) -> None:
    thresholds = gc.get_threshold()
    gc.enable()  # as in the app before the guard starts (the suite itself keeps it off)
    guard = MainThreadGarbageCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        Cyclic()
        ref = weakref.ref(Cyclic())

        def allocate_a_lot() -> None:  # would trigger automatic collection on this thread
            junk = [[] for _ in range(100_000)]
            del junk

        worker = threading.Thread(target=allocate_a_lot, name="worker")
        worker.start()
        worker.join()
        assert ref() is not None  # the worker did not collect it
        gc.set_threshold(1, 1, 1)  # make every generation due
        qloop.run_until_complete(asyncio.sleep(0.1))
        assert ref() is None
        assert set(Cyclic.destroyed_on) == {threading.main_thread().name}
    finally:
        gc.set_threshold(*thresholds)
        guard.stop()
    assert gc.isenabled()
    gc.disable()


class Holder:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_collections_freeze_survivors_and_an_idle_sweep_frees_frozen_cycles(
        qloop: Any, monkeypatch: Any) -> None:
    from vaultbrowser.core.ui import gc_guard

    thresholds = gc.get_threshold()
    guard = MainThreadGarbageCollector(interval_ms=100_000)  # driven by hand below
    busy = [True]
    guard.set_busy_check(lambda: busy[0])
    try:
        survivor = Holder()
        ref = weakref.ref(survivor)
        garbage = Holder()
        garbage_ref = weakref.ref(garbage)
        del garbage
        gc.set_threshold(1, 1, 1)
        [[] for _ in range(10)]  # past the youngest threshold
        guard.collect_due()
        assert garbage_ref() is None  # young cycles are collected
        assert gc.get_freeze_count() > 0  # and the survivors are frozen
        gc.set_threshold(*thresholds)
        del survivor
        gc.collect()  # frozen: even a full collection leaves it alone
        assert ref() is not None
        monkeypatch.setattr(gc_guard, "_MIN_SWEEP", 0)
        monkeypatch.setattr(gc_guard, "_IDLE_BEFORE_SWEEP", 0.05)
        guard._frozen_after_sweep = 0
        guard.collect_due()  # busy (a listing is loading): no complete collection
        assert ref() is not None
        busy[0] = False
        guard.collect_due()  # idle only since now: not yet
        assert ref() is not None
        time.sleep(0.06)
        guard.collect_due()
        assert ref() is None
    finally:
        gc.set_threshold(*thresholds)
        guard.stop()
    assert gc.get_freeze_count() == 0
