"""``ActivityModel`` over a real ``HttpJournal`` fed with real records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from vaultbrowser.core.models.activity_model import (
    ActivityFilterProxy,
    ActivityModel,
    Column,
)
from vaultbrowser.core.models.node_tree import RECORD_ROLE
from vaultbrowser.core.models.tones import Tone, tone_brush
from vaultbrowser.core.services.http.journal import ExchangeRecord, HttpJournal
from vaultbrowser.core.services.records import ResponseInfo

T0 = datetime(2024, 5, 1, 12, 0, 0, 123_000, tzinfo=UTC)


def exchange(n: int, status: int | None = 200, reason: str = "OK", method: str = "GET",
             path: str = "/secrets") -> ExchangeRecord:
    started = T0 + timedelta(seconds=n)
    url = f"https://demo.vault.azure.net{path}?api-version=7.5&n={n}"
    if status is None:
        return ExchangeRecord(response=None, method=method, url=url, started_at=started,
                              elapsed=0.5, failure="ClientConnectorError: connection refused")
    info = ResponseInfo(method=method, url=url, status=status, reason=reason,
                        headers=(("x-ms-request-id", f"req-{n}"),), request_id=f"req-{n}",
                        elapsed=0.0421, started_at=started)
    return ExchangeRecord(response=info, method=method, url=url, started_at=started,
                          elapsed=0.0421)


def cell(model: Any, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    return model.data(model.index(row, column), role)


def test_rows_follow_the_journal_and_pass_the_model_tester(qtmodeltester: Any) -> None:
    journal = HttpJournal()
    journal.record(exchange(0))
    model = ActivityModel(journal)
    assert model.rowCount() == 1  # what the journal held before the model existed
    qtmodeltester.check(model)
    journal.record(exchange(1, 404, "Not Found"))
    journal.record(exchange(2, None))
    qtmodeltester.check(model)
    assert model.rowCount() == 3 and model.failed_count == 2

    local = T0.astimezone()
    assert cell(model, 0, Column.TIME) == f"{local:%H:%M:%S}.123"
    assert cell(model, 0, Column.METHOD) == "GET"
    assert cell(model, 0, Column.URL).startswith("https://demo.vault.azure.net/secrets?")
    assert cell(model, 0, Column.STATUS) == "200 OK"
    assert cell(model, 0, Column.DURATION) == "42"
    assert cell(model, 0, Column.REQUEST_ID) == "req-0"
    assert cell(model, 2, Column.STATUS) == "ClientConnectorError: connection refused"
    assert cell(model, 2, Column.REQUEST_ID) == ""
    assert cell(model, 1, 0, RECORD_ROLE) is journal.records()[1]
    assert model.headerData(4, Qt.Orientation.Horizontal) == "Duration (ms)"


def test_failed_rows_are_red_and_bold() -> None:
    journal = HttpJournal()
    model = ActivityModel(journal)
    for record in (exchange(0), exchange(1, 403, "Forbidden"), exchange(2, None)):
        journal.record(record)
    assert cell(model, 0, Column.STATUS, Qt.ItemDataRole.ForegroundRole) is None
    assert cell(model, 0, Column.STATUS, Qt.ItemDataRole.FontRole) is None
    for row in (1, 2):
        failed = tone_brush(Tone.ERROR)
        assert cell(model, row, Column.URL, Qt.ItemDataRole.ForegroundRole) == failed
        assert cell(model, row, Column.STATUS, Qt.ItemDataRole.FontRole).bold()


def test_capacity_drops_the_oldest_rows(qtmodeltester: Any) -> None:
    journal = HttpJournal()
    model = ActivityModel(journal, capacity=3)
    qtmodeltester.check(model)
    removed: list[tuple[int, int]] = []
    model.rowsAboutToBeRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    for n in range(5):
        journal.record(exchange(n, None if n == 0 else 200))
    assert model.rowCount() == 3
    assert [r.url for r in model.records()] == [r.url for r in journal.records()[-3:]]
    assert removed == [(0, 0), (0, 0)]
    assert model.failed_count == 0  # the failed one was the oldest and is gone
    qtmodeltester.check(model)


def test_close_stops_listening_and_clear_empties() -> None:
    journal = HttpJournal()
    model = ActivityModel(journal)
    journal.record(exchange(0, 500, "Internal Server Error"))
    model.clear()
    assert model.rowCount() == 0 and model.failed_count == 0
    model.close()
    journal.record(exchange(1))
    assert model.rowCount() == 0


def test_proxy_filters_by_text_and_failed_only(qtmodeltester: Any) -> None:
    journal = HttpJournal()
    model = ActivityModel(journal)
    proxy = ActivityFilterProxy()
    proxy.setSourceModel(model)
    journal.record(exchange(0, path="/secrets"))
    journal.record(exchange(1, 404, "Not Found", path="/keys/signing"))
    journal.record(exchange(2, None, method="PUT", path="/secrets/x"))
    journal.record(exchange(3, 200, path="/certificates"))
    qtmodeltester.check(proxy)

    proxy.setFilterFixedString("SECRETS")
    assert proxy.rowCount() == 2
    proxy.set_failed_only(True)
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data(RECORD_ROLE).method == "PUT"
    proxy.setFilterFixedString("")
    assert proxy.rowCount() == 2  # the 404 and the connection failure
    journal.record(exchange(4, 429, "Too Many Requests"))
    assert proxy.rowCount() == 3  # new rows are filtered as they arrive
    proxy.set_failed_only(False)
    assert proxy.rowCount() == 5
    qtmodeltester.check(proxy)


def test_proxy_sorts_numerically_by_duration_and_status() -> None:
    journal = HttpJournal()
    model = ActivityModel(journal)
    proxy = ActivityFilterProxy()
    proxy.setSourceModel(model)
    for n, status in enumerate((503, 200, 404)):
        journal.record(exchange(n, status, "x"))
    proxy.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    statuses = [proxy.index(row, 0).data(RECORD_ROLE).response.status for row in range(3)]
    assert statuses == [200, 404, 503]
    assert not proxy.index(0, 0, proxy.index(0, 0)).isValid()
    assert proxy.rowCount(QModelIndex()) == 3


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ActivityModel(HttpJournal(), capacity=0)


def test_records_from_another_thread_arrive_on_the_gui_thread(qtbot: Any) -> None:
    import threading

    journal = HttpJournal()
    model = ActivityModel(journal)
    worker = threading.Thread(target=journal.record, args=(exchange(0),))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2000)
