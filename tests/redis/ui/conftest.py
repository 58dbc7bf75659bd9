"""The window with the Redis kind, for the UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.redis.ui.redis_window import RedisWindow
from vaultbrowser.app import KINDS
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.redis.kind import KIND as REDIS

# The registry with Redis in it (app.KINDS names it; registered here too while that line is
# not in every checkout of the shared tree).
WITH_REDIS = KINDS if any(kind.name == "redis" for kind in KINDS) else (*KINDS, REDIS)


@pytest.fixture
def redis_window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[RedisWindow]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), kinds=WITH_REDIS, reporter=reporter)
    window.resize(1280, 800)
    window.show()
    harness = RedisWindow(window, reporter)
    yield harness
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()
