"""The window with the Cosmos DB kind, for the UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cosmos.ui.cosmos_window import CosmosWindow
from vaultbrowser.app import KINDS
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.cosmos.kind import KIND as COSMOS

# The registry with Cosmos DB in it (app.KINDS names it; registered here too while that line
# is not in every checkout of the shared tree).
WITH_COSMOS = KINDS if any(kind.name == "cosmos" for kind in KINDS) else (*KINDS, COSMOS)


@pytest.fixture
def cosmos_window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[CosmosWindow]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), kinds=WITH_COSMOS, reporter=reporter)
    window.resize(1280, 800)
    window.show()
    harness = CosmosWindow(window, reporter)
    yield harness
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()
