"""The search results table: Qt's model checks while rows are appended and cleared, and what
each column shows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt

from vaultbrowser.blob.models.search_results import RECORD_ROLE, SearchResultsModel
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord


def test_rows_append_and_clear_under_the_model_tester(qtmodeltester: Any) -> None:
    model = SearchResultsModel()
    qtmodeltester.check(model)
    blob = BlobRecord("c1", "logs/a.log", size=2048,
                      last_modified=datetime(2024, 3, 1, 12, tzinfo=UTC), tags={"kind": "x"})
    folder = BlobPrefixRecord("c1", "logs/2024/")
    model.append([blob, folder])
    model.append([])
    qtmodeltester.check(model)
    assert model.rowCount() == 2 and model.columnCount() == 5
    assert [model.index(0, c).data() for c in (0, 1, 2, 4)] == [
        "logs/a.log", "c1", "2.0 KiB", "kind=x"]
    assert model.index(0, 3).data()  # a time
    assert [model.index(1, c).data() for c in range(3)] == ["logs/2024/", "c1", "folder"]
    assert model.index(1, 0).data(RECORD_ROLE) is folder
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    model.clear()
    assert model.rowCount() == 0 and model.record_at(0) is None
    qtmodeltester.check(model)
