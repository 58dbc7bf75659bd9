"""The window with the Redis kind, for the UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.kind_window import shown_window
from tests.redis.ui.redis_window import RedisWindow


@pytest.fixture
def redis_window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[RedisWindow]:
    with shown_window(qloop) as (window, reporter):
        yield RedisWindow(window, reporter)
