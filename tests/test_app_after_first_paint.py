"""``app._after_first_paint``: the start-up work (the SDK's import, the connections, the demo)
begins once the window has painted, or after a second when it never paints; cancelled before
(the window closed), the work never runs."""

from __future__ import annotations

import asyncio
import time

import pytest

from vaultbrowser.app import _after_first_paint


async def _note(ran: list[float]) -> None:
    ran.append(time.perf_counter())


def test_the_work_starts_when_the_window_has_painted() -> None:
    async def scenario() -> tuple[list[float], float]:
        painted, ran = asyncio.Event(), []
        task = asyncio.create_task(_after_first_paint(painted, _note(ran)))
        await asyncio.sleep(0.2)
        assert ran == []  # not before the paint
        painted.set()
        at = time.perf_counter()
        await task
        return ran, at

    ran, painted_at = asyncio.run(scenario())
    assert len(ran) == 1 and ran[0] - painted_at < 0.1


def test_without_a_paint_the_work_starts_after_a_second() -> None:
    async def scenario() -> tuple[list[float], float]:
        ran: list[float] = []
        started = time.perf_counter()
        await _after_first_paint(asyncio.Event(), _note(ran))
        return ran, started

    ran, started = asyncio.run(scenario())
    assert len(ran) == 1 and 0.9 < ran[0] - started < 3


def test_cancelled_before_the_paint_the_work_never_runs() -> None:
    async def scenario() -> list[float]:
        ran: list[float] = []
        work = _note(ran)
        task = asyncio.create_task(_after_first_paint(asyncio.Event(), work))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert work.cr_frame is None  # closed, not left to warn "never awaited"
        return ran

    assert asyncio.run(scenario()) == []
