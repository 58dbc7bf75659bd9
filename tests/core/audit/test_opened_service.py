"""InventoryCollector.opened_service: the service a kind's audit opens (sync or async) is
closed after the audit, also when the audit fails; one that does not open is a report error
and the audit of that connection goes on without it."""

from __future__ import annotations

import asyncio

import pytest

from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.services.errors import AccessDenied
from vaultbrowser.core.services.session import ServiceSession


class Service:
    closed = False

    async def close(self) -> None:
        self.closed = True


def test_a_service_opened_either_way_is_closed_after_the_block() -> None:
    async def scenario() -> list[Service]:
        collector = InventoryCollector(ServiceSession())
        made: list[Service] = []

        def open_now() -> Service:
            made.append(Service())
            return made[-1]

        async def open_later() -> Service:
            return open_now()

        for opening in (open_now, open_later):
            async with collector.opened_service("one", "open it", opening) as service:
                assert service is made[-1] and not service.closed
        with pytest.raises(RuntimeError, match="the audit failed"):
            async with collector.opened_service("one", "open it", open_now):
                raise RuntimeError("the audit failed")
        assert collector.errors.errors() == ()
        return made

    made = asyncio.run(scenario())
    assert len(made) == 3 and all(service.closed for service in made)


def test_a_service_that_does_not_open_is_a_report_error() -> None:
    async def scenario() -> InventoryCollector:
        collector = InventoryCollector(ServiceSession())

        async def refused() -> Service:
            raise AccessDenied("No access to the vault.")

        async with collector.opened_service("vault-a", "open vault", refused) as service:
            assert service is None
        return collector

    [error] = asyncio.run(scenario()).errors.errors()
    assert (error.source, error.operation) == ("vault-a", "open vault")
