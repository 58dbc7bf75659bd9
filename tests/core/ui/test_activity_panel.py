"""``ActivityPanel`` over a real ``HttpJournal`` (offscreen)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from vaultbrowser.core.models.activity_model import ActivityModel
from vaultbrowser.core.services.http.journal import ExchangeRecord, HttpJournal
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.ui.activity_panel import ActivityPanel

SHOTS = Path("/tmp/vb-shots")
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def exchange(n: int, status: int | None = 200, reason: str = "OK", method: str = "GET",
             path: str = "/secrets") -> ExchangeRecord:
    started = T0 + timedelta(milliseconds=250 * n)
    url = f"https://demo.vault.azure.net{path}?api-version=7.5"
    if status is None:
        return ExchangeRecord(response=None, method=method, url=url, started_at=started,
                              elapsed=1.5, failure="ClientConnectorError: connection refused")
    info = ResponseInfo(method=method, url=url, status=status, reason=reason,
                        headers=(("x-ms-request-id", f"3f2a-{n:04d}"),),
                        request_id=f"3f2a-{n:04d}", elapsed=0.030 + n / 1000, started_at=started)
    return ExchangeRecord(response=info, method=method, url=url, started_at=started,
                          elapsed=info.elapsed)


@pytest.fixture
def journal() -> HttpJournal:
    return HttpJournal()


@pytest.fixture
def panel(qtbot: Any, journal: HttpJournal) -> ActivityPanel:
    model = ActivityModel(journal)
    widget = ActivityPanel(model)
    qtbot.addWidget(widget)
    widget.resize(900, 300)
    return widget


def seed(journal: HttpJournal) -> None:
    journal.record(exchange(0, path="/secrets"))
    journal.record(exchange(1, 401, "Unauthorized", path="/secrets"))
    journal.record(exchange(2, 200, path="/secrets?maxresults=25"))
    journal.record(exchange(3, 403, "Forbidden", path="/keys"))
    journal.record(exchange(4, None, method="PUT", path="/secrets/db-password"))
    journal.record(exchange(5, 200, path="/certificates"))


def test_count_label_filter_and_failed_only(panel: ActivityPanel, journal: HttpJournal,
                                            qtbot: Any) -> None:
    seed(journal)
    assert panel.count_label.text() == "6 requests · 3 failed"
    qtbot.keyClicks(panel.filter_edit, "keys")
    assert panel.proxy.rowCount() == 1
    assert panel.count_label.text() == "6 requests · 3 failed · 1 shown"
    panel.filter_edit.clear()
    panel.failed_only.setChecked(True)
    assert panel.proxy.rowCount() == 3
    journal.record(exchange(6, 200))
    assert panel.proxy.rowCount() == 3
    assert panel.count_label.text() == "7 requests · 3 failed · 3 shown"
    panel.failed_only.setChecked(False)
    panel.clear_button.click()
    assert panel.count_label.text() == "0 requests · 0 failed"


def test_selection_emits_the_record_and_ctrl_c_copies_tsv(panel: ActivityPanel,
                                                          journal: HttpJournal,
                                                          qtbot: Any) -> None:
    seed(journal)
    panel.show()
    qtbot.waitExposed(panel)
    with qtbot.waitSignal(panel.request_selected) as blocker:
        panel.view.selectRow(3)
    assert blocker.args[0] is journal.records()[3]
    panel.view.selectionModel().select(
        panel.proxy.index(1, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    panel.view.setFocus()
    QGuiApplication.clipboard().clear()
    panel.activateWindow()
    qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()
    lines = text.split("\n")
    assert len(lines) == 2
    fields = lines[0].split("\t")
    assert fields[1:4] == ["GET", "https://demo.vault.azure.net/secrets?api-version=7.5",
                           "401 Unauthorized"]
    assert lines[1].split("\t")[3] == "403 Forbidden"
    SHOTS.mkdir(parents=True, exist_ok=True)
    panel.grab().save(str(SHOTS / "activity_panel.png"))


def test_follows_newest_unless_scrolled_up(panel: ActivityPanel, journal: HttpJournal,
                                           qtbot: Any) -> None:
    panel.show()
    qtbot.waitExposed(panel)
    for n in range(100):
        journal.record(exchange(n))
    bar = panel.view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert panel.following
    bar.setValue(0)
    assert not panel.following
    journal.record(exchange(100))
    assert bar.value() == 0  # the user's place is kept
    bar.setValue(bar.maximum())
    journal.record(exchange(101))
    assert bar.value() == bar.maximum() and panel.following
