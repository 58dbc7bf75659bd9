"""Bugs a new user saw (issue 18): the selected item asked for twice when a node expands, a
failed item showing the previous item's "200 OK", a "more" row brought into view by resizing
that never loaded."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import PagingSettings, Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.keyvault import run_emulator_in_thread

SEED = {"secrets": [{"name": f"bug-{i:03d}", "value": f"v{i}"} for i in range(60)]
        + [{"name": "bug-000", "value": "second version"}]}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-bugs"),
                                seed=SEED) as emulator:
        yield emulator


@pytest.fixture
def window(qloop: Any) -> Iterator[MainWindow]:
    settings = Settings(paging=PagingSettings(first_page_keyvault=10, next_page_keyvault=10))
    made = MainWindow(ServiceSession(), settings, kinds=KINDS,
                      reporter=ErrorReporter(modal=False))
    made.show()
    yield made
    qloop.run_until_complete(made.aclose())
    made.reporter.close_all()
    made.deleteLater()


async def until(condition: Any, timeout: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def gets_of(vault: Any, name: str) -> int:
    return sum(1 for entry in vault.request_log if entry.method == "GET"
               and entry.path.rstrip("/") == f"/secrets/{name}")


def test_expanding_a_node_does_not_ask_for_the_selected_item_again(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        pane = window.show_pane("Secrets")
        window.add_connection(Connection("keyvault", vault.url, AuthMethod.LOCAL_EMULATOR,
                                         ca_path=str(vault.ca_path)))
        model = pane.model
        root = model.index(0, 0)
        await until(lambda: model.rowCount(root) > 5)
        selected = model.index(5, 0, root)
        name = selected.data()
        shown: list[Any] = []
        window.details_shown.connect(shown.append)
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(selected))
        await until(lambda: shown)
        first = model.index(0, 0, root)  # bug-000 has versions: rows go in above
        pane.view.expand(pane.proxy.mapFromSource(first))
        await until(lambda: model.rowCount(first) >= 2)
        await model.wait_idle()
        await asyncio.sleep(0.3)
        assert gets_of(vault, name) == 1
        assert pane.model.record_of(pane.selected_source_index()).name == name

    qloop.run_until_complete(asyncio.wait_for(body(), 60))


def test_a_failed_item_never_shows_the_previous_items_response(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        pane = window.show_pane("Secrets")
        window.add_connection(Connection("keyvault", vault.url, AuthMethod.LOCAL_EMULATOR,
                                         ca_path=str(vault.ca_path)))
        model = pane.model
        root = model.index(0, 0)
        await until(lambda: model.rowCount(root) > 5)
        shown: list[Any] = []
        window.details_shown.connect(shown.append)
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(model.index(3, 0, root)))
        await until(lambda: shown)
        assert "200 OK" in window.detail_pane.status_line.text()
        vault.faults.forbid(path_prefix=f"/secrets/{model.index(4, 0, root).data()}")
        try:
            pane.view.setCurrentIndex(pane.proxy.mapFromSource(model.index(4, 0, root)))
            await until(lambda: "403" in window.detail_pane.status_line.text())
        finally:
            vault.faults.clear()
        text = window.detail_pane.status_line.text()
        assert "200 OK" not in text and "ForbiddenByRbac" in text
        assert window.detail_pane.properties.topLevelItemCount() == 0

    qloop.run_until_complete(asyncio.wait_for(body(), 60))


def test_a_more_row_brought_into_view_by_resizing_loads(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        window.resize(1280, 420)
        pane = window.show_pane("Secrets")
        window.add_connection(Connection("keyvault", vault.url, AuthMethod.LOCAL_EMULATOR,
                                         ca_path=str(vault.ca_path)))
        model = pane.model
        root = model.index(0, 0)
        await until(lambda: model.rowCount(root) >= 10)
        await model.wait_idle()
        await asyncio.sleep(0.3)
        before = model.rowCount(root)
        assert before < 60  # the "more" row is below the fold
        window.resize(1280, 2000)
        await until(lambda: model.rowCount(root) > before)

    qloop.run_until_complete(asyncio.wait_for(body(), 60))
