"""The query editor against the local server: SQL with parameters, partition-key scoping,
results paged lazily ("N loaded · more", Load all), the request charge per page and in total,
the history of recent queries, and a syntax error's place selected in the editor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex

from tests.cosmos.conftest import SeededContainer
from tests.cosmos.ui.cosmos_window import CosmosWindow
from vaultbrowser.cosmos.models.query_results import FIRST_PAGE_RESULTS, QueryText
from vaultbrowser.cosmos.services.failures import QueryProblem, QuerySyntaxError
from vaultbrowser.emulators.cosmos_server import CosmosServer


def _results(h: CosmosWindow) -> list[Any]:
    model = h.query.results
    run = model.index(0, 0, QModelIndex())
    return [model.record_of(model.index(r, 0, run)) for r in range(model.rowCount(run))
            if model.record_of(model.index(r, 0, run)) is not None]


def test_a_query_with_parameters_pages_its_results_and_counts_request_units(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(400)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.select(container)
        h.refresh_actions()
        h.actions.query_action.trigger()
        assert h.query.dock.isVisible() and h.query.run_button.isEnabled()
        assert seeded.database in h.query.target.text()
        h.query.editor.setPlainText("SELECT * FROM c WHERE c.n >= @min AND c.pk = @pk")
        h.query.add_parameter("@min", "100")
        h.query.add_parameter("@pk", '"p1"')
        h.query.run_query()
        model = h.query.results
        await model.wait_idle()
        first = _results(h)
        assert len(first) == FIRST_PAGE_RESULTS
        assert all(r.document["n"] >= 100 and r.document["pk"] == "p1" for r in first)
        status = model.index(model.rowCount(model.index(0, 0)) - 1, 0, model.index(0, 0))
        assert status.data() == f"{FIRST_PAGE_RESULTS} loaded · more available"
        assert "RU this page" in h.query.charge.text()
        model.load_all(model.index(0, 0))
        await model.wait_idle()
        expected = sum(1 for n in range(100, 400) if n % 3 == 1)
        assert len(_results(h)) == expected
        run_record = model.current_run()
        assert run_record is not None and len(run_record.charges) >= 2
        assert f"{run_record.total_charge:,.2f} RU in total" in h.query.charge.text()
        # a result's JSON in the detail pane
        before = len(h.details)
        h.query.results_pane.select_source(model.index(0, 0, model.index(0, 0)))
        await h.wait_for(lambda: len(h.details) > before)
        assert h.view.json_viewer.isVisible()
        # scoped to one partition: the SDK's partition_key= (the server ignores it) with the
        # SQL's own filter
        h.query.scope_check.setChecked(True)
        h.query.scope_value.setText('"p1"')
        h.query.run_query()
        await model.wait_idle()
        assert model.current_run().query.scoped
        assert all(r.document["pk"] == "p1" for r in _results(h))
    qloop.run_until_complete(run())
    assert not h.errors


def test_recent_queries_are_remembered_and_restored(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(5)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.select(container)
        for n in (1, 2):
            h.query.editor.setPlainText(f"SELECT * FROM c WHERE c.n = @n{n}")
            h.query.parameters.setRowCount(0)
            h.query.add_parameter(f"@n{n}", str(n))
            h.query.run_query()
            await h.query.results.wait_idle()
        texts = [h.query.history.itemText(i) for i in range(1, h.query.history.count())]
        assert texts[:2] == ["SELECT * FROM c WHERE c.n = @n2", "SELECT * FROM c WHERE c.n = @n1"]
        h.query.editor.setPlainText("something else")
        h.query.history.activated.emit(2)
        assert h.query.editor.toPlainText() == "SELECT * FROM c WHERE c.n = @n1"
        assert h.query.parameter_rows() == [("@n1", "1")]
        assert QueryText.from_json(QueryText("x", (("@a", 1),)).to_json()) is not None
    qloop.run_until_complete(run())
    assert not h.errors


def test_a_syntax_error_is_selected_where_it_is(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(2)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.select(container)
        h.query.editor.setPlainText("SELECT * FORM c")  # refused by the server's parser
        h.query.run_query()
        await h.query.results.wait_idle()
        assert h.query.last_error is not None
        assert h.errors and h.query.last_error.status == 400  # reported
        assert "FROM" in h.query.last_error.message
        # the real service's message names the place (the local server's does not; the mock
        # transport's tests cover the parsing into problems): the panel selects it
        h.query.editor.setPlainText("SELECT * FROM c WHERE c.n >>> 1")
        error = QuerySyntaxError("Syntax error, incorrect syntax near '>'.",
                                 problems=(QueryProblem(26, 29, "SC1001", "near '>'"),))
        h.query._failed(error)
        cursor = h.query.editor.textCursor()
        assert (cursor.selectionStart(), cursor.selectionEnd()) == (26, 29)
        assert cursor.selectedText() == ">>>"
    qloop.run_until_complete(run())


def test_a_value_query_shows_its_values(
        qloop: Any, cosmos_window: CosmosWindow, cosmos_server: CosmosServer,
        seed: Callable[..., SeededContainer]) -> None:
    seeded = seed(7)
    h = cosmos_window

    async def run() -> None:
        root = await h.connect(cosmos_server)
        container = await h.container(root, seeded.database, "items")
        await h.select(container)
        h.query.editor.setPlainText("SELECT VALUE c.n FROM c")
        h.query.run_query()
        await h.query.results.wait_idle()
        model = h.query.results
        run_index = model.index(0, 0)
        values = sorted(int(model.index(r, 2, run_index).data()) for r in range(7))
        assert values == list(range(7))
    qloop.run_until_complete(run())
    assert not h.errors
