"""The blob search dock in the window, against Azurite: Ctrl+Shift+F over the selection,
type-ahead prefix search (debounced, the previous query cancelled), deep search with progress,
cancel and resume, tag search with its filter checked as typed, and results that behave like
tree rows (details from their own GET, Enter shows them in the tree)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.blob.ui.test_blob_actions import Harness, container_row, harness  # noqa: F401
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.ui.search import blob_search_tool as search_tool
from vaultbrowser.blob.ui.search.blob_search_tool import SHORTCUT, BlobSearchTool
from vaultbrowser.blob.ui.search.search_panel import DEEP, TAGS


def _list_requests(h: Harness, container: str) -> list[str]:
    return [r.url for r in h.window.session.journal.records()
            if f"/{container}?" in r.url and "comp=list" in r.url]


def test_search_dock_prefix_deep_and_tags_results_act_like_tree_rows(
        qloop: Any, harness: Harness,  # noqa: F811 (the imported fixture)
        monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness

    async def body() -> None:
        h.connect()
        blobs = {f"logs/2024/{d:02d}/app-{n}.log": b"x" * (n + 1)
                 for d in range(1, 4) for n in range(3)}
        blobs["data/report.csv"] = b"a,b"
        name, container = h.make_container(blobs)
        container.get_blob_client("logs/2024/02/app-1.log").set_blob_tags({"kind": "hot"})
        h.select(await container_row(h, name))

        tool: BlobSearchTool = h.window.view("blob").search
        assert tool.open_action.shortcut().toString() == SHORTCUT
        assert tool.open_action in h.pane.selection_actions()
        tool.open_action.trigger()
        panel = tool.panel
        assert tool.dock.isVisible() and panel.query_edit.hasFocus()
        assert tool.scope is not None and tool.scope.container == name

        # Prefix, type-ahead: three keys quickly, one request 250 ms after the last.
        before = len(_list_requests(h, name))
        QTest.keyClicks(panel.query_edit, "log")
        await asyncio.sleep(0.05)
        assert len(_list_requests(h, name)) == before  # debounced
        await h.wait_for(lambda: len(_list_requests(h, name)) > before and tool.task is None)
        assert [r.prefix for r in panel.results.records] == ["logs/"]
        assert len(_list_requests(h, name)) == before + 1
        assert "prefix=log&" in _list_requests(h, name)[-1]
        # Activating a folder searches inside it; flat lists every depth.
        panel.view.setFocus()
        panel.view.setCurrentIndex(panel.results.index(0, 0))
        QTest.keyClick(panel.view, Qt.Key.Key_Return)
        await tool.task
        assert tool.scope.folder == "logs/"
        monkeypatch.setattr(search_tool, "FIRST_PAGE", 4)  # first rows at once, more lazily
        panel.flat_check.setChecked(True)
        await tool.task
        assert len(panel.results.records) == 4
        assert panel.more_button.isEnabled() and "more on the server" in (
            panel.status_label.text())
        panel.more_button.click()
        await tool.task
        assert len(panel.results.records) == 9 and not panel.more_button.isEnabled()
        assert panel.status_label.text() == "9 found"

        # Deep: a bad regex is said before any request; a good one streams with progress.
        panel.set_mode(DEEP)
        tool.set_scope(type(tool.scope)(tool.scope.root, name))
        panel.match_combo.setCurrentIndex(2)  # regex
        panel.query_edit.setText("app-(1")
        sent = len(h.window.session.journal.records())
        assert tool.search() is None
        assert "regular expression is not valid" in panel.status_label.text()
        assert len(h.window.session.journal.records()) == sent
        panel.query_edit.setText(r"0[13]/app-1\.log$")
        task = tool.search()
        assert task is not None
        await task
        assert sorted(r.name for r in panel.results.records) == [
            "logs/2024/01/app-1.log", "logs/2024/03/app-1.log"]
        assert panel.status_label.text() == "10 of 10 scanned, 2 matches — done"

        # Cancel and resume: the position is kept, nothing scanned twice.
        panel.match_combo.setCurrentIndex(0)
        panel.query_edit.setText("app")
        tool.search()
        assert tool.deep_search is not None
        tool.deep_search._page_size = 3  # several pages in this small container
        tool.cancel()  # before its first page landed
        assert "cancelled; Resume goes on" in panel.status_label.text()
        assert panel.resume_button.isEnabled()
        await tool.resume()
        assert panel.status_label.text() == "10 of 10 scanned, 9 matches — done"
        assert len(panel.results.records) == 9

        # Tags: checked as typed; then the service's answer.
        panel.set_mode(TAGS)
        panel.query_edit.setFocus()
        QTest.keyClicks(panel.query_edit, "kind = 'hot'")
        assert "double quotes" in panel.status_label.text()
        assert tool.search() is None
        panel.query_edit.clear()
        QTest.keyClicks(panel.query_edit, "\"kind\" = 'hot'")
        assert panel.status_label.text() == "The filter is valid: Enter searches."
        QTest.keyClick(panel.query_edit, Qt.Key.Key_Return)
        await tool.task
        (found,) = panel.results.records
        assert isinstance(found, BlobRecord) and found.name == "logs/2024/02/app-1.log"

        # A result is a row: its details (its own GET), and Enter shows it in the tree.
        h.details.clear()
        panel.view.setCurrentIndex(panel.results.index(0, 0))
        await h.wait_for(lambda: any(getattr(d, "response", None) is not None
                                     for d in h.details))
        assert any("app-1.log" in str(d) for d in h.details)
        tool.show_in_tree_action.trigger()  # the results' context menu (and Enter)

        def selected_in_tree() -> Any:
            return h.model.record_of(h.pane.selected_source_index())

        await h.wait_for(lambda: getattr(selected_in_tree(), "name", None) == found.name)
        assert isinstance(selected_in_tree(), BlobRecord)

        # From the account row (Ctrl+Shift+F or the Search… button): tags across the account.
        h.select(h.account)
        assert tool.open_action not in h.pane.selection_actions()  # containers and folders
        assert tool.open_button.defaultAction() is tool.open_action
        tool.open_action.trigger()
        assert tool.scope.container is None and panel.mode == TAGS
        panel.query_edit.setText(f"\"kind\" = 'hot' AND @container = '{name}'")
        await tool.search()
        sent = [r.url for r in h.window.session.journal.records() if "comp=blobs" in r.url]
        assert sent and "where=" in sent[-1] and f"/{name}?" not in sent[-1]
        # (The results are checked in tests/blob/services/test_blob_search.py on an Azurite of
        # their own: Azurite pages an account-wide tag query wrongly once the account holds
        # more than 5,000 blobs, as the session's Azurite may by now.)
        assert h.errors == []
        h.check_clean()

    qloop.run_until_complete(body())
