"""Issue 18's looks, tried in a window on the Key Vault emulator: columns that step aside in a
narrow pane (and are remembered), back / forward / up and the breadcrumb, the selection's main
actions on the toolbar, the HTTP headers folded away, a vault's contents summarised."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.tree.column_fit import ColumnFit
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.keyvault import run_emulator_in_thread

_PAST = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).timestamp()
_SOON = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).timestamp()
SEED = {"secrets": [
    {"name": "alpha", "value": "a", "tags": {"owner": "ops", "team": "platform"}},
    {"name": "beta", "value": "b", "attributes": {"exp": int(_PAST)}},
    {"name": "gamma", "value": "c", "attributes": {"exp": int(_SOON)}},
    {"name": "delta", "value": "d", "attributes": {"enabled": False}},
]}


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-looks"),
                                seed=SEED) as emulator:
        yield emulator


@pytest.fixture
def window(qloop: Any) -> Iterator[MainWindow]:
    made = MainWindow(ServiceSession(), Settings(), kinds=KINDS,
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


async def open_vault(window: MainWindow, vault: Any) -> Any:
    pane = window.show_pane("Secrets")
    window.add_connection(Connection("keyvault", vault.url, AuthMethod.LOCAL_EMULATOR,
                                     ca_path=str(vault.ca_path)))
    model = pane.model
    await until(lambda: model.rowCount(model.index(0, 0)) >= 4)
    await until(lambda: pane.columns.fitted)
    return pane


def row(pane: Any, name: str) -> Any:
    model = pane.model
    vault = model.index(0, 0)
    return next(model.index(r, 0, vault) for r in range(model.rowCount(vault))
                if model.record_of(model.index(r, 0, vault)).name == name)


def test_columns_step_aside_when_narrow_come_back_when_wide_and_are_remembered(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        window.resize(2400, 900)
        pane = await open_vault(window, vault)
        await asyncio.sleep(0.1)
        assert pane.columns.hidden_titles() == []
        window.resize(1000, 700)
        await until(lambda: len(pane.columns.hidden_titles()) >= 2)
        hidden = pane.columns.hidden_titles()
        # The least important go first; the state of a secret stays in view.
        assert "Tags" in hidden and "Expires" not in hidden and "Enabled" not in hidden
        window.resize(2400, 900)
        await until(lambda: pane.columns.hidden_titles() == [])
        # The user's choice wins, whatever the width, and is remembered by title.
        pane.columns.set_shown("Updated", False)
        assert "Updated" in pane.columns.hidden_titles()
        header = pane.view.horizontalHeader()
        titles = [pane.model.headerData(c, Qt.Orientation.Horizontal)
                  for c in range(pane.model.columnCount())]
        header.resizeSection(titles.index("Expires"), 211)
        saved = pane.columns.state()
        fresh = ColumnFit(pane.view, pane.model)
        pane.columns.set_shown("Updated", True)
        header.resizeSection(titles.index("Expires"), 120)
        fresh.restore(saved)
        assert header.sectionSize(titles.index("Expires")) == 211
        assert "Updated" in fresh.hidden_titles()
        fresh.restore("not json")  # unreadable: ignored
        menu = fresh.build_menu()
        assert [a.text() for a in menu.actions() if a.isCheckable()] == titles[1:]

    qloop.run_until_complete(asyncio.wait_for(body(), 60))


def test_state_is_an_icon_and_a_word_never_colour_alone(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        pane = await open_vault(window, vault)
        model = pane.model
        expires = model.column_titles().index("Expires")
        enabled = model.column_titles().index("Enabled")

        def cell(name: str, column: int, role: Any = Qt.ItemDataRole.DisplayRole) -> Any:
            index = row(pane, name)
            return model.index(index.row(), column, index.parent()).data(role)

        assert cell("beta", expires).endswith("(expired)")
        assert cell("gamma", expires).endswith("(expires soon)")
        assert cell("delta", enabled) == "No"
        assert not cell("alpha", expires).endswith(")")
        icons = {name: cell(name, 0, Qt.ItemDataRole.DecorationRole).cacheKey()
                 for name in ("alpha", "beta", "gamma", "delta")}
        assert len(set(icons.values())) == 4  # each state its own icon
        assert cell("alpha", 0, Qt.ItemDataRole.ForegroundRole) is None
        assert cell("beta", 0, Qt.ItemDataRole.ForegroundRole) is not None

    qloop.run_until_complete(asyncio.wait_for(body(), 60))


def test_back_forward_up_breadcrumb_and_the_selections_actions(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        pane = await open_vault(window, vault)
        toolbar = window.toolbar
        vault_row = pane.model.index(0, 0)
        assert not toolbar.back_action.isEnabled()
        for target in (vault_row, row(pane, "alpha"), row(pane, "gamma")):
            pane.select_source(target)
            await asyncio.sleep(0.05)
        vault_label = vault_row.data()
        assert toolbar.breadcrumb.segments() == [window.tabs.tabText(0), vault_label, "gamma"]
        # The selection's main actions (those with an icon) are on the toolbar.
        shown = [action.text() for action in toolbar.bar.actions()]
        assert "Edit properties…" in shown and "Delete secret…" in shown
        toolbar.back_action.trigger()
        assert pane.model.record_of(pane.selected_source_index()).name == "alpha"
        toolbar.back_action.trigger()
        assert pane.selected_source_index() == vault_row
        assert not toolbar.back_action.isEnabled() and toolbar.forward_action.isEnabled()
        toolbar.forward_action.trigger()
        assert pane.model.record_of(pane.selected_source_index()).name == "alpha"
        assert toolbar.up_action.isEnabled()
        toolbar.up_action.trigger()
        assert pane.selected_source_index() == vault_row
        assert toolbar.breadcrumb.segments() == [window.tabs.tabText(0), vault_label]
        assert not toolbar.up_action.isEnabled()  # a vault has nothing above it
        # Every toolbar action names its shortcut.
        for action in (toolbar.back_action, toolbar.forward_action, toolbar.up_action,
                       window.refresh_action, window.filter_action):
            assert "(" in action.toolTip() and not action.shortcut().isEmpty()

    qloop.run_until_complete(asyncio.wait_for(body(), 60))


def test_headers_fold_away_and_a_vault_summarises_its_contents(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        pane = await open_vault(window, vault)
        detail = window.detail_pane
        shown: list[Any] = []
        window.details_shown.connect(shown.append)
        pane.select_source(row(pane, "alpha"))
        await until(lambda: shown)
        assert "200 OK" in detail.status_line.text()
        assert detail.headers.topLevelItemCount() > 3
        assert detail.http_toggle.isVisible() and not detail.headers.isVisible()
        detail.http_toggle.click()
        assert detail.headers.isVisible()
        detail.http_toggle.click()
        pane.select_source(pane.model.index(0, 0))
        await asyncio.sleep(0.05)
        sections = {section.title: dict(section.rows) for section in detail.details.sections}
        contents = sections["Contents (secrets)"]
        assert contents["Loaded"] == "4 (complete)"
        assert contents["Expired"] == "1" and contents["Expiring within 30 days"] == "1"
        assert contents["Disabled"] == "1"

    qloop.run_until_complete(asyncio.wait_for(body(), 60))


def test_a_column_empty_on_the_first_page_is_sized_when_its_values_arrive(
        qloop: Any, window: MainWindow, vault: Any) -> None:
    async def body() -> None:
        window.resize(2400, 900)
        pane = await open_vault(window, vault)
        model = pane.model
        content_type = model.column_titles().index("Content type")
        header = pane.view.horizontalHeader()
        before = header.sectionSize(content_type)
        alpha = row(pane, "alpha")
        record = model.record_of(alpha)
        from dataclasses import replace

        model.update_record(alpha, replace(record, content_type="application/x-a-long-type"))
        await until(lambda: header.sectionSize(content_type) > before + 40)

    qloop.run_until_complete(asyncio.wait_for(body(), 60))


def test_a_status_row_spans_the_whole_row(qloop: Any, vault: Any) -> None:
    from vaultbrowser.core.models.node_tree import STATUS_ROLE
    from vaultbrowser.core.services.config import PagingSettings

    settings = Settings(paging=PagingSettings(first_page_keyvault=2, next_page_keyvault=2))
    window = MainWindow(ServiceSession(), settings, kinds=KINDS,
                        reporter=ErrorReporter(modal=False))
    window.show()

    async def body() -> None:
        pane = window.show_pane("Secrets")
        window.add_connection(Connection("keyvault", vault.url, AuthMethod.LOCAL_EMULATOR,
                                         ca_path=str(vault.ca_path)))
        flat = pane.proxy
        await until(lambda: any(flat.index(r, 0).data(STATUS_ROLE) is not None
                                and "more" in str(flat.index(r, 0).data())
                                for r in range(flat.rowCount())))
        pane.view.viewport().repaint()
        status = [r for r in range(flat.rowCount()) if flat.index(r, 0).data(STATUS_ROLE)]
        items = [r for r in range(flat.rowCount()) if r not in status]
        assert status and items
        assert all(pane.view.columnSpan(r, 0) == flat.columnCount() for r in status)
        assert all(pane.view.columnSpan(r, 0) == 1 for r in items)

    try:
        qloop.run_until_complete(asyncio.wait_for(body(), 60))
    finally:
        qloop.run_until_complete(window.aclose())
        window.reporter.close_all()
        window.deleteLater()
