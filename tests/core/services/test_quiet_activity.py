"""The activity record is honest and quiet: a cancelled request is "Cancelled", an existence
check's 404 is an answer, neither is a failure; real failures still are."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.core.rest import HttpRequest

from tests.mock_transport import MockResponse, MockTransport
from vaultbrowser.core.models.activity_model import status_text
from vaultbrowser.core.services.http.journal import HttpJournal, expecting
from vaultbrowser.core.services.http.transport import RecordingTransport


def transport_for(handler: Any) -> tuple[RecordingTransport, HttpJournal]:
    journal = HttpJournal()
    return RecordingTransport(MockTransport(handler), journal=journal, connection="c"), journal


def test_an_existence_check_404_is_expected_and_an_unasked_404_fails(run: Any) -> None:
    transport, journal = transport_for(lambda request: MockResponse(404))
    url = "https://kv1.vault.azure.net/secrets/new-one?api-version=7.5"

    async def look_up() -> None:
        with expecting(404):  # as the services use it: inside the coroutine that asks
            await transport.send(HttpRequest("GET", url))

    run(look_up())
    run(transport.send(HttpRequest("GET", url)))
    checked, unasked = journal.records()
    assert checked.expected and not checked.failed
    assert "expected" in status_text(checked)
    assert not unasked.expected and unasked.failed


def test_a_cancelled_request_is_cancelled_not_failed(run: Any) -> None:
    async def slow(request: Any) -> MockResponse:
        await asyncio.sleep(10)
        return MockResponse(200)

    transport, journal = transport_for(slow)

    async def cancel_it() -> None:
        task = asyncio.ensure_future(transport.send(HttpRequest("GET", "https://x.example/a")))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(cancel_it())
    [record] = journal.records()
    assert record.cancelled and not record.failed and status_text(record) == "Cancelled"


def test_a_refused_or_broken_request_still_fails(run: Any) -> None:
    def broken(request: Any) -> MockResponse:
        raise ConnectionResetError("reset by peer")

    transport, journal = transport_for(broken)
    with pytest.raises(ConnectionResetError):
        run(transport.send(HttpRequest("GET", "https://x.example/a")))
    [record] = journal.records()
    assert record.failed and not record.cancelled and "reset by peer" in status_text(record)
