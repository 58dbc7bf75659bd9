"""The item writes in the window against the local server: create (the editor checks the JSON
first), edit conditional on the ETag (a concurrent change offers a choice: keep editing,
overwrite deliberately, reload theirs — never a silent overwrite), delete (confirmed), and all
of them disabled and refused on a read-only connection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox

from tests.cosmos.conftest import SeededContainer, admin_client
from tests.cosmos.ui.cosmos_window import CosmosWindow, section
from vaultbrowser.core.services.errors import NotFound, ReadOnlyRefused
from vaultbrowser.cosmos.models.rows import ItemRow
from vaultbrowser.cosmos.services.items import create_item, read_item
from vaultbrowser.cosmos.ui.item_dialogs import ConflictDialog, ItemEditorDialog
from vaultbrowser.emulators.cosmos_server import CosmosServer


async def server_item(server: CosmosServer, seeded: SeededContainer, item_id: str,
                      key: str) -> dict[str, Any] | None:
    async with admin_client(server) as client:
        proxy = client.get_database_client(seeded.database).get_container_client("items")
        found = [row async for row in proxy.query_items(
            "SELECT * FROM c WHERE c.id = @id AND c.pk = @key",
            parameters=[{"name": "@id", "value": item_id}, {"name": "@key", "value": key}])]
        return found[0] if found else None


def editing(document: dict[str, Any]) -> Callable[[ItemEditorDialog], None]:
    def fill(dialog: ItemEditorDialog) -> None:
        dialog.set_text(json.dumps(document))
        dialog.accept()
    return fill


def test_create_checks_the_json_then_writes_the_item(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(3)
    h = cosmos_window
    problems: list[str] = []

    def bad_then_good(dialog: ItemEditorDialog) -> None:
        assert json.loads(dialog.editor.toPlainText()) == {"id": "", "pk": ""}  # the template
        dialog.set_text('{"id": "new-1", "note": "no key"}')
        dialog.accept()  # refused: no partition key
        problems.append(dialog.problem.text())
        assert dialog.result() != dialog.DialogCode.Accepted
        editing({"id": "new-1", "pk": "p9", "note": "fresh"})(dialog)

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.select(container)
        h.refresh_actions()
        h.dialogs.expect(ItemEditorDialog, bad_then_good)
        await h.trigger(h.actions.create_action)
        assert "/pk" in problems[0]
        stored = await server_item(cosmos_server, seeded, "new-1", "p9")
        assert stored is not None and stored["note"] == "fresh"
        assert h.details[-1].title == "new-1"
        assert section(h.details[-1], "Cosmos DB call")["Status"].startswith("201")
        await h.listed(container)
        assert "new-1" in h.names(container)  # the container listed again
    qloop.run_until_complete(run())
    assert not h.errors


async def _changed_by_someone_else(server: CosmosServer, seeded: SeededContainer,
                                   record: ItemRow, note: str) -> None:
    async with admin_client(server) as client:
        proxy = client.get_database_client(seeded.database).get_container_client("items")
        await proxy.replace_item(record.id, {**record.user_document(), "note": note})


@pytest.mark.parametrize("final", ["overwrite", "reload"])
def test_a_concurrent_change_offers_a_choice_never_a_silent_overwrite(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer], final: str) -> None:
    seeded = seed(3)
    h = cosmos_window
    choices = iter(["keep", final])

    def choose(box: ConflictDialog) -> None:
        button = {"keep": box.keep_button, "overwrite": box.overwrite_button,
                  "reload": box.reload_button}[next(choices)]
        button.click()

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.listed(container)
        item = h.model.index(0, 0, container)
        await h.select(item)
        record = h.model.record_of(item)
        await _changed_by_someone_else(cosmos_server, seeded, record, "theirs")
        mine = {**record.user_document(), "note": "mine"}
        h.refresh_actions()
        h.dialogs.expect(ItemEditorDialog, editing(mine))
        h.dialogs.expect(ConflictDialog, choose)  # keep editing: the same editor again
        h.dialogs.expect(ItemEditorDialog, lambda dialog: (
            dialog.editor.toPlainText() == json.dumps(mine) or pytest.fail("edit lost"),
            dialog.accept()))
        h.dialogs.expect(ConflictDialog, choose)
        await h.trigger(h.actions.edit_action)
        stored = await server_item(cosmos_server, seeded, record.id, record.partition_key)
        assert stored is not None
        shown = h.model.record_of(item)
        if final == "overwrite":
            assert stored["note"] == "mine" and shown.document["note"] == "mine"
        else:
            assert stored["note"] == "theirs" and shown.document["note"] == "theirs"
            assert h.details[-1].record.document["note"] == "theirs"
        assert not h.dialogs.script
    qloop.run_until_complete(run())
    assert not h.errors


def test_delete_asks_first_and_removes_the_item(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(3)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.listed(container)
        item = h.model.index(1, 0, container)
        await h.select(item)
        record = h.model.record_of(item)
        h.refresh_actions()
        # Enter on an item opens its editor (cancelled here: nothing sent)
        before = h.actions.last_task
        h.dialogs.expect(ItemEditorDialog, lambda dialog: dialog.reject())
        h.pane.view.activated.emit(h.pane.proxy.mapFromSource(item))
        assert h.actions.last_task is not before
        await h.actions.last_task
        assert not h.dialogs.script
        h.dialogs.expect(QMessageBox, lambda box: box.reject())  # cancelled: nothing sent
        await h.trigger(h.actions.delete_action)
        assert await server_item(cosmos_server, seeded, record.id, record.partition_key)
        h.dialogs.expect(QMessageBox, lambda box: box.accept())
        await h.trigger(h.actions.delete_action)
        assert await server_item(cosmos_server, seeded, record.id, record.partition_key) is None
        assert record.id not in h.names(container)
    qloop.run_until_complete(run())
    assert not h.errors


def test_a_read_only_connection_offers_no_write_and_its_transport_refuses_them(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(2)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server, read_only=True)
        container = await h.container(root, seeded.database, "items")
        await h.listed(container)
        item = h.model.index(0, 0, container)
        await h.select(item)
        actions = h.actions.actions_for(h.pane.selected_source_index())
        writes = [a for a in actions if a is not None and a is not h.actions.query_action]
        assert writes and all(not a.isEnabled() and "(read-only)" in a.text() for a in writes)
        assert h.actions.query_action.isEnabled()  # queries read
        service = await h.model.record_of(root).service.opened()
        record = h.model.record_of(item)
        with pytest.raises(ReadOnlyRefused):
            await create_item(service, record.container, {"id": "sneaky", "pk": "p0"})
        with pytest.raises(NotFound):
            await read_item(service, record.container, "sneaky", "p0")
        await asyncio.sleep(0)
    qloop.run_until_complete(run())
    assert not h.errors


def test_upload_previews_the_count_then_reports(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer], tmp_path: Any) -> None:
    seeded = seed(2)
    h = cosmos_window
    lines = [{"id": f"up-{n}", "pk": f"p{n % 2}", "n": n} for n in range(30)]
    lines.append({"id": "item-0000", "pk": "p0"})  # exists: reported, not overwritten
    good = tmp_path / "items.jsonl"
    good.write_text("\n".join(json.dumps(line) for line in lines))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"id": "ok", "pk": "p0"}, {"id": "nokey"}]))
    previews: list[str] = []

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.select(container)
        h.refresh_actions()
        h.actions.choose_file = lambda: str(bad)  # refused whole: nothing written
        with pytest.raises(Exception) as refused:
            await h.trigger(h.actions.upload_action)
        assert "partition key" in str(refused.value).lower() or "/pk" in str(refused.value)
        assert await server_item(cosmos_server, seeded, "ok", "p0") is None
        h.actions.choose_file = lambda: str(good)
        h.dialogs.expect(QMessageBox, lambda box: (previews.append(box.text()), box.accept()))
        await h.trigger(h.actions.upload_action)
        assert "Create 31 items from items.jsonl" in previews[0]
        upload = h.actions.last_upload
        assert len(upload.created) == 30 and [f.id for f in upload.failed] == ["item-0000"]
        assert h.window.detail_pane.subtitle.text().startswith("30 of 31 items created, 1 failed")
        assert "item-0000" in h.window.detail_pane.subtitle.text()
        assert await server_item(cosmos_server, seeded, "up-7", "p1") is not None
        await h.listed(container)
        assert len(h.names(container)) == 32
    qloop.run_until_complete(run())
