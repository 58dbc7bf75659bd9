"""Tools ▸ Compare vaults… in the window, against two Key Vault emulator instances: the result
tree, the differences-only filter, opening an item, export, and value comparison in read-only
mode (asked first, one trail event per vault, declining reads no value, no value anywhere)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest

from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.diff_report import DiffState
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.audit.trail import AuditTrail
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.common_dialogs import DialogRunner
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.ui.across.compare_view import TRAIL_EVENT, VALUES_TEXT, CompareDialog

PLANTED = "planted-compare-value-e41f09-never-shown"
SEED_A = {
    "secrets": [{"name": "db-password", "value": PLANTED, "tags": {"env": "staging"}},
                {"name": "api-key", "value": "k1"},
                {"name": "only-staging", "value": "s"},
                {"name": "off", "value": "o", "attributes": {"enabled": False}}],
    "keys": [{"name": "signing", "kty": "RSA", "key_size": 2048}],
}
SEED_B = {
    "secrets": [{"name": "db-password", "value": "another-" + PLANTED, "tags": {"env": "prod"}},
                {"name": "api-key", "value": "k1"},
                {"name": "only-production", "value": "p"},
                {"name": "off", "value": "o"}],
    "keys": [{"name": "signing", "kty": "RSA", "key_size": 3072}],
}


@pytest.fixture(scope="module")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("cmpui-a"), seed=SEED_A) as a, \
            run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("cmpui-b"),
                                   seed=SEED_B) as b:
        yield a, b


class Answers(DialogRunner):
    def __init__(self) -> None:
        self.confirms: list[str] = []
        self.answer = True

    def confirm(self, parent: Any, title: str, text: str, action: str) -> bool:
        self.confirms.append(title)
        return self.answer


def make_window(tmp_path: Path, *, read_only: bool) -> MainWindow:
    trail = AuditTrail(tmp_path / "trail.jsonl")
    session = ServiceSession(read_only=read_only)
    session.journal.add_listener(trail.record_exchange)
    window = MainWindow(session, Settings(), kinds=KINDS, reporter=ErrorReporter(modal=False),
                        trail=trail)
    window.dialogs = Answers()
    window.resize(1280, 800)
    window.show()
    return window


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    window = make_window(tmp_path, read_only=False)
    yield window
    qloop.run_until_complete(window.aclose())
    window.deleteLater()


@pytest.fixture
def read_only_window(qloop: asyncio.AbstractEventLoop, qtbot: Any,
                     tmp_path: Path) -> Iterator[MainWindow]:
    window = make_window(tmp_path, read_only=True)
    yield window
    qloop.run_until_complete(window.aclose())
    window.deleteLater()


async def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


async def open_compare(window: MainWindow, emulators: tuple[Any, Any]) -> CompareDialog:
    for emulator, name in zip(emulators, ("staging", "production"), strict=True):
        window.add_connection(Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                                         name=name, ca_path=str(emulator.ca_path)))
    tools = window.view("keyvault").tools
    await wait_for(lambda: len(tools.vaults.choices()) == 2)
    action = next(a for a in tools.actions if a.text() == "Compare vaults…")
    action.trigger()
    dialog = tools.compare.dialog
    assert isinstance(dialog, CompareDialog) and dialog.isVisible()
    assert [c.label for c in dialog.picker_a.ticked()] == ["staging"]
    assert [c.label for c in dialog.picker_b.ticked()] == ["production"]
    return dialog


async def quiet(emulators: tuple[Any, Any]) -> None:
    """Until the window's own listings (its trees, their row fill) are done."""
    counts: list[int] = []
    while True:
        now = [len(e.request_log) for e in emulators]
        if now == counts:
            return
        counts = now
        await asyncio.sleep(0.3)


def rows(model: Any, parent: QModelIndex) -> list[list[str]]:
    return [[model.index(r, c, parent).data() for c in range(3)]
            for r in range(model.rowCount(parent))]


def texts(model: Any, parent: QModelIndex | None = None) -> list[str]:
    """Every cell's text and tooltip below ``parent``."""
    parent = QModelIndex() if parent is None else parent
    out = []
    for row in range(model.rowCount(parent)):
        for column in range(model.columnCount(parent)):
            out.append(str(model.index(row, column, parent).data()))
            out.append(str(model.index(row, column, parent).data(3)))  # tooltips
        out.extend(texts(model, model.index(row, 0, parent)))
    return out


def value_gets(emulator: Any, since: int) -> list[str]:
    return [e.path for e in emulator.request_log[since:]
            if e.method == "GET" and e.path.startswith("/secrets/")]


def test_result_tree_filter_open_and_export(qloop: Any, window: MainWindow,
                                            emulators: tuple[Any, Any], tmp_path: Path) -> None:
    async def body() -> None:
        dialog = await open_compare(window, emulators)
        assert not dialog.values_check.isChecked() and dialog.values_check.text() == VALUES_TEXT
        dialog.kind_checks[ItemKind.CERTIFICATE].setChecked(False)
        task = dialog.compare()
        assert task is not None
        await task
        model = dialog.model
        top = rows(model, QModelIndex())
        assert [r[0] for r in top] == [
            "Secrets — 1 only in A · 1 only in B · 2 different · 1 same",
            "Keys — 0 only in A · 0 only in B · 1 different · 0 same"]
        secrets = model.index(0, 0)
        assert [r[0] for r in rows(model, secrets)] == [
            "Only in A (1)", "Only in B (1)", "Different (2)", "Same (1)"]
        different = model.group_index(ItemKind.SECRET, DiffState.DIFFERENT)
        assert [r[0] for r in rows(model, different)] == ["db-password", "off"]
        db = model.index(0, 0, different)
        assert rows(model, db) == [["tag “env”", "staging", "prod"]]
        assert rows(model, model.group_index(ItemKind.SECRET, DiffState.ONLY_B)) == [
            ["only-production", "—", "production"]]
        assert "Values" not in dialog.status.text() and "Secrets: 1 only in A" in \
            dialog.status.text()

        same = model.group_index(ItemKind.SECRET, DiffState.SAME)
        assert not dialog.view.isRowHidden(same.row(), same.parent())
        dialog.differences_only.setChecked(True)
        assert dialog.view.isRowHidden(same.row(), same.parent())
        dialog.differences_only.setChecked(False)

        # Double-click opens the item in its vault's tab (B's vault for an only-in-B item).
        item = model.index(0, 0, model.group_index(ItemKind.SECRET, DiffState.ONLY_B))
        dialog.view.scrollTo(item)
        where = dialog.view.visualRect(item).center()
        QTest.mouseClick(dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        QTest.mouseDClick(dialog.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        pane = window.pane("Secrets")
        await wait_for(lambda: pane.view.currentIndex().data() == "only-production")
        root = window.root_of(pane.model, pane.selected_source_index())
        assert root.connection.display_name == "production"

        # Export: the three formats; an existing file is replaced only when confirmed.
        for fmt in ("html", "csv", "json"):
            await dialog.export(tmp_path / f"diff.{fmt}")
        assert json.loads((tmp_path / "diff.json").read_text())["summary"]["key"][
            "different"] == 1
        assert "only-production" in (tmp_path / "diff.csv").read_text()
        answers = window.dialogs
        assert isinstance(answers, Answers)
        answers.answer = False
        assert dialog.export(tmp_path / "diff.csv") is None
        assert answers.confirms == ["Replace file?"]
        answers.answer = True
        await dialog.export(tmp_path / "diff.csv")
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("diff")) == [
            "diff.csv", "diff.html", "diff.json"]

    qloop.run_until_complete(body())


def test_a_vault_on_both_sides_is_refused_before_any_request(
        qloop: Any, window: MainWindow, emulators: tuple[Any, Any]) -> None:
    async def body() -> None:
        dialog = await open_compare(window, emulators)
        dialog.picker_b.set_ticked([emulators[0].url, emulators[1].url])
        await quiet(emulators)
        before = [len(e.request_log) for e in emulators]
        assert dialog.compare() is None
        assert "on both sides" in dialog.status.text()
        dialog.picker_b.set_ticked([])
        assert dialog.compare() is None and "side B" in dialog.status.text()
        await asyncio.sleep(0.1)
        assert [len(e.request_log) for e in emulators] == before

    qloop.run_until_complete(body())


def test_read_only_values_are_confirmed_recorded_and_never_shown(
        qloop: Any, read_only_window: MainWindow, emulators: tuple[Any, Any],
        tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    window = read_only_window
    asked: list[str] = []
    answer = {"yes": False}

    def confirm(what: str) -> bool:
        asked.append(what)
        return answer["yes"]

    window.confirm_reveal = confirm
    a, b = emulators

    async def body() -> None:
        dialog = await open_compare(window, emulators)
        dialog.values_check.setChecked(True)
        await quiet(emulators)
        # Declined: properties are compared, no value is read, nothing is recorded.
        since = (len(a.request_log), len(b.request_log))
        await dialog.compare()
        assert len(asked) == 1 and "staging, production" in asked[0]
        assert value_gets(a, since[0]) == [] and value_gets(b, since[1]) == []
        assert dialog.report is not None and not dialog.report.values_compared
        assert "declined" in dialog.status.text()
        assert not [e for e in window.trail.read_all() if e["operation"] == TRAIL_EVENT]

        # Confirmed: one event per vault with its count; the values differ, never shown.
        answer["yes"] = True
        since = (len(a.request_log), len(b.request_log))
        await dialog.compare()
        assert len(asked) == 2
        # Common enabled secrets: api-key, db-password ("off" is disabled on A: not read).
        assert len(value_gets(a, since[0])) == len(value_gets(b, since[1])) == 2
        events = [e for e in window.trail.read_all() if e["operation"] == TRAIL_EVENT]
        assert [(e["connection"], e["status"]) for e in events] == [
            ("staging", "2 secrets"), ("production", "2 secrets")]
        assert events[0]["resource"] == a.url.rstrip("/")
        model = dialog.model
        db = model.index(0, 0, model.group_index(ItemKind.SECRET, DiffState.DIFFERENT))
        assert ["value", "different value", "different value"] in rows(model, db)
        same = model.group_index(ItemKind.SECRET, DiffState.SAME)
        assert rows(model, same)[0][0] == "api-key  (same value)"
        await dialog.export(tmp_path / "values.json")
        await dialog.export(tmp_path / "values.html")

        traces = [*texts(model), dialog.status.text(), repr(dialog.report)]
        traces += [(tmp_path / "values.json").read_text(), (tmp_path / "values.html").read_text()]
        traces += [repr(r) for r in window.session.journal.records()]
        traces += [window.trail.path.read_text(), caplog.text]
        for trace in traces:
            assert PLANTED not in trace

    qloop.run_until_complete(body())


def test_cancel_keeps_what_was_compared(qloop: Any, window: MainWindow,
                                        emulators: tuple[Any, Any], tmp_path: Path) -> None:
    b = emulators[1]

    async def body() -> None:
        dialog = await open_compare(window, emulators)
        await quiet(emulators)
        b.faults.slow(10.0, path_prefix="/keys", times=None)
        try:
            task = dialog.compare()
            assert task is not None and dialog.cancel_button.isEnabled()
            await wait_for(lambda: dialog.model.count(ItemKind.SECRET, DiffState.SAME) == 1)
            dialog.cancel_button.click()
            await wait_for(task.done)
        finally:
            b.faults.clear()
        assert dialog.status.text().startswith("Cancelled")
        assert dialog.report is not None and not dialog.report.complete
        assert dialog.compare_button.isEnabled() and not dialog.cancel_button.isEnabled()
        assert dialog.export_button.isEnabled()
        await dialog.export(tmp_path / "partial.json")
        assert json.loads((tmp_path / "partial.json").read_text())["complete"] is False

    qloop.run_until_complete(body())
