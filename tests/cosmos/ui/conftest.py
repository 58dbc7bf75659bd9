"""The window with the Cosmos DB kind, for the UI tests."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from tests.cosmos.ui.cosmos_window import CosmosWindow
from tests.kind_window import shown_window


@pytest.fixture
def cosmos_window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[CosmosWindow]:
    with shown_window(qloop) as (window, reporter):
        yield CosmosWindow(window, reporter)
