"""The response limits hold for Cosmos calls too (the session's transport), against the server:
a page past its item or byte cap and an answer past the body cap are typed errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.cosmos.conftest import SeededContainer, cosmos_connection
from vaultbrowser.core.services.config import LimitSettings
from vaultbrowser.core.services.errors import LimitExceeded
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.cosmos.services.records import ContainerRecord
from vaultbrowser.emulators.cosmos_server import CosmosServer


@pytest.mark.parametrize("limits", [LimitSettings(max_page_items=5),
                                    LimitSettings(max_page_bytes=2_000)])
def test_a_page_past_its_limit_is_a_typed_error(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer], limits: LimitSettings) -> None:
    seeded = seed(30)
    container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))

    async def scenario() -> None:
        session = ServiceSession(limits=limits)
        try:
            service = await open_service(session, cosmos_connection(cosmos_server))
            assert len((await service.items(container, page_size=3)).items) == 3
            with pytest.raises(LimitExceeded):
                await service.items(container, page_size=30)
        finally:
            await session.aclose()

    run(scenario())


def test_an_answer_past_the_body_limit_is_a_typed_error(
        run: Callable[..., Any], cosmos_server: CosmosServer) -> None:
    async def scenario() -> None:
        session = ServiceSession(limits=LimitSettings(max_body_bytes=20))
        try:
            with pytest.raises(LimitExceeded):  # the account read at opening is larger
                await open_service(session, cosmos_connection(cosmos_server))
        finally:
            await session.aclose()

    run(scenario())
