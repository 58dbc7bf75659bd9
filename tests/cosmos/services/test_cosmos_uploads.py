"""Uploading a JSON file of items against the local server: checked whole first, written with
bounded concurrency, a report of created and failed, refused whole in read-only mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cosmos.conftest import SeededContainer, cosmos_connection
from vaultbrowser.core.services.errors import Conflict, InvalidInput, ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.cosmos.services.opening import open_service
from vaultbrowser.cosmos.services.records import ContainerRecord
from vaultbrowser.cosmos.services.uploads import ItemUpload, parse_items, read_upload
from vaultbrowser.emulators.cosmos_server import CosmosServer

CONTAINER = ContainerRecord("d", "c", ("/pk",))


def test_an_array_and_json_lines_both_read() -> None:
    items = [{"id": f"u{n}", "pk": "a", "n": n} for n in range(3)]
    assert parse_items(json.dumps(items), CONTAINER) == tuple(items)
    lines = "\ufeff" + "\n".join(json.dumps(item) for item in items) + "\n\n"
    assert parse_items(lines, CONTAINER) == tuple(items)


@pytest.mark.parametrize(("text", "said"), [
    ("", "empty"),
    ("[1, 2", "not valid JSON"),
    ('{"id": "a", "pk": 1}\n{"id": "b"', "Line 2"),
    ('[{"id": "a", "pk": 1}, {"id": "b"}]', "item 2"),
    ('[{"id": "a", "pk": 1}, {"pk": 1}]', "item 2"),
    ('[{"id": "a", "pk": 1}, {"id": "a", "pk": 1}]', "twice"),
    ('[{"id": "a", "pk": 1}, "text"]', "item 2"),
    ('{"items": []}', "item"),
])
def test_an_invalid_file_is_refused_whole(text: str, said: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_items(text, CONTAINER)
    assert said in refused.value.message


def test_upload_writes_every_item_and_reports_the_existing_ones(
        run: Callable[..., Any], cosmos_server: CosmosServer, tmp_path: Path,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(3)  # item-0000..item-0002 exist
    container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))
    items = [{"id": f"item-{n:04d}", "pk": f"p{n % 3}", "n": n} for n in range(40)]
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    told: list[tuple[int, int]] = []

    async def scenario() -> None:
        session = ServiceSession()
        service = await open_service(session, cosmos_connection(cosmos_server))
        try:
            upload = ItemUpload(service, container, await read_upload(path, container),
                                progress=lambda done, total: told.append((done, total)))
            await upload.run(writers=4)
            assert len(upload.created) == 37 and upload.not_attempted == 0
            assert sorted(f.id for f in upload.failed) == ["item-0000", "item-0001",
                                                           "item-0002"]
            assert all(isinstance(f.error, Conflict) for f in upload.failed)
            assert upload.summary() == "37 of 40 items created, 3 failed."
            assert told[-1] == (40, 40)
            page = await service.items(container, page_size=100)
            assert len(page.items) == 40
        finally:
            await session.aclose()

    run(scenario())


def test_upload_on_a_read_only_connection_writes_nothing(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(0)
    container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))
    items = parse_items(json.dumps([{"id": f"x{n}", "pk": "a"} for n in range(20)]), container)

    async def scenario() -> None:
        session = ServiceSession()
        service = await open_service(session, cosmos_connection(cosmos_server, read_only=True))
        try:
            upload = ItemUpload(service, container, items)
            with pytest.raises(ReadOnlyRefused):
                await upload.run()
            assert upload.created == [] and upload.failed == []
            assert (await service.items(container)).items == ()
        finally:
            await session.aclose()

    run(scenario())


def test_a_cancelled_upload_reports_exactly_what_was_written(
        run: Callable[..., Any], cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    import asyncio

    seeded = seed(0)
    container = ContainerRecord(seeded.database, seeded.container, (seeded.key_path,))
    items = parse_items(json.dumps([{"id": f"c{n:03d}", "pk": "a"} for n in range(200)]),
                        container)

    async def scenario() -> None:
        session = ServiceSession()
        service = await open_service(session, cosmos_connection(cosmos_server))
        try:
            task: asyncio.Task[Any] | None = None

            def progress(done: int, _total: int) -> None:
                if done == 10 and task is not None:
                    task.cancel()

            upload = ItemUpload(service, container, items, progress=progress)
            task = asyncio.ensure_future(upload.run(writers=2))
            with pytest.raises(asyncio.CancelledError):
                await task
            page = await service.items(container, page_size=500)
            written = {item.id for item in page.items}
            # what was created is there; what was in flight may or may not be: both said
            assert set(upload.created) <= written <= set(upload.created) | set(
                upload.interrupted)
            assert upload.interrupted and 10 <= len(upload.created) < 200
            assert upload.not_attempted > 0
            assert "interrupted" in upload.summary() and "not attempted" in upload.summary()
        finally:
            await session.aclose()

    run(scenario())
