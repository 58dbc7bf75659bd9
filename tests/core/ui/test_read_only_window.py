"""Read-only audit mode in the window: shown plainly, reveals confirmed and logged, trail export."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.trail import AuditTrail
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.http.readonly import SAFE_METHODS
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.redis.services.wire.read_only import READ_COMMANDS

VALUE = "audit-mode-value-never-logged-4b7"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": [{"name": "db-password", "value": VALUE}]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-ro-ui"), seed=seed) as e:
        yield e


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, tmp_path: Path) -> Iterator[MainWindow]:
    trail = AuditTrail(tmp_path / "trail.jsonl")
    session = ServiceSession(read_only=True)
    session.journal.add_listener(trail.record_exchange)
    window = MainWindow(session, kinds=KINDS, reporter=ErrorReporter(modal=False), trail=trail)
    window.show()
    yield window
    qloop.run_until_complete(window.aclose())
    window.deleteLater()


async def wait_for(condition: Any, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_read_only_is_shown_plainly(qloop: Any, window: MainWindow, emulator: Any) -> None:
    window.add_connection(Connection("keyvault", emulator.url,
                                     AuthMethod.LOCAL_EMULATOR, name="audited",
                                     ca_path=str(emulator.ca_path)))
    assert "read-only" in window.windowTitle()
    assert window.read_only_banner.isVisible()
    assert "refuses every request that could change data" in window.read_only_banner.text()
    root = window.pane("Secrets").model.index(0, 0)
    assert root.data() == "[read-only]  audited"
    assert "read-only" in window.pane("Secrets").model.data(root, 3)  # tooltip role


def test_reveal_needs_confirmation_and_is_logged(qloop: Any, window: MainWindow,
                                                 emulator: Any, tmp_path: Path) -> None:
    asked: list[str] = []
    answer = {"value": False}

    def confirm(what: str) -> bool:
        asked.append(what)
        return answer["value"]

    window.confirm_reveal = confirm
    window.add_connection(Connection("keyvault", emulator.url,
                                     AuthMethod.LOCAL_EMULATOR, name="audited",
                                     ca_path=str(emulator.ca_path)))
    pane, detail = window.pane("Secrets"), window.detail_pane
    shown: list[Any] = []
    window.details_shown.connect(shown.append)

    async def body() -> None:
        model = window.pane("Secrets").model
        vault = model.index(0, 0)
        await wait_for(lambda: model.rowCount(vault) >= 1 and model.index(0, 0, vault).data())
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(model.index(0, 0, vault)))
        await wait_for(lambda: shown)
        gets_before = len(window.session.journal)
        detail.reveal_button.click()  # declined
        await asyncio.sleep(0.2)
        assert len(asked) == 1 and asked[0].startswith("db-password (version ")
        assert not detail.value_shown
        assert len(window.session.journal) == gets_before  # nothing was requested
        answer["value"] = True
        detail.reveal_button.click()
        await wait_for(lambda: detail.value_shown)
        assert detail.value_field.text() == VALUE

    qloop.run_until_complete(body())
    events = [e for e in window.trail.read_all() if e["operation"].startswith("reveal")]
    assert len(events) == 1 and events[0]["connection"] == "audited"
    assert "/secrets/db-password/" in events[0]["resource"]  # the exact version revealed
    assert events[0]["identity"]
    # Exports of the session's trail: every entry, no value anywhere.
    window.audit.export_trail(tmp_path / "trail.csv", "csv")
    window.audit.export_trail(tmp_path / "trail.json", "json")
    rows = list(csv.DictReader((tmp_path / "trail.csv").open(newline="")))
    entries = json.loads((tmp_path / "trail.json").read_text())
    assert len(rows) == len(entries) == len(window.trail.session_entries()) >= 4
    assert {row["operation"] for row in rows} >= {"list secrets", "get secret",
                                                   "reveal secret value (confirmed)"}
    for path in tmp_path.iterdir():
        assert VALUE not in path.read_text(encoding="utf-8"), path
    assert {r.method for r in window.session.journal.records()} <= SAFE_METHODS


def test_demo_in_read_only_mode_sends_no_write(tmp_path: Path) -> None:
    """The README's demo, read-only: setup seeds through its own session; the window's trail
    holds only reads, none refused (the window has nothing to write)."""
    demo_dir = tmp_path / "demo"  # the demo's own folder, kept (it holds the demo's trail)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "VAULTBROWSER_DATA_DIR": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path),
           "VAULTBROWSER_DEMO_DIR": str(demo_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "vaultbrowser", "--demo", "--read-only", "--screenshot",
         str(tmp_path / "ro.png")], env=env, capture_output=True, text=True, timeout=240,
        check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "audit-trail.jsonl").exists()  # never the user's trail
    entries = AuditTrail(demo_dir / "audit-trail.jsonl").read_all()
    assert entries, "the trail recorded the window's requests"
    assert all(not str(e["status"]).startswith("refused") for e in entries)
    def reads(operation: str) -> bool:  # HTTP reads are named so; Redis commands by name
        if operation.startswith("redis "):
            return operation.removeprefix("redis ").lower().replace(" ", "|") in READ_COMMANDS
        return operation.startswith(("list", "get", "download", "read", "query"))

    assert all(reads(e["operation"]) for e in entries), {e["operation"] for e in entries}


def test_export_audit_report_from_the_window(qloop: Any, window: MainWindow, emulator: Any,
                                             tmp_path: Path) -> None:
    window.add_connection(Connection("keyvault", emulator.url,
                                     AuthMethod.LOCAL_EMULATOR, name="audited",
                                     ca_path=str(emulator.ca_path)))
    target = tmp_path / "report.html"
    written: list[str] = []
    window.audit.report_written.connect(written.append)

    async def body() -> None:
        task = window.audit.export_report(target, "html")
        assert window.audit.report_progress.isVisible()
        await task

    qloop.run_until_complete(body())
    assert written == [str(target)]
    html = target.read_text(encoding="utf-8")
    assert "db-password" in html and VALUE not in html


def test_cancelled_report_leaves_no_file(qloop: Any, window: MainWindow, emulator: Any,
                                         tmp_path: Path) -> None:
    window.add_connection(Connection("keyvault", emulator.url,
                                     AuthMethod.LOCAL_EMULATOR, name="audited",
                                     ca_path=str(emulator.ca_path)))
    emulator.faults.latency_ms = 200

    async def body() -> None:
        task = window.audit.export_report(tmp_path / "never.html", "html")
        await asyncio.sleep(0.05)
        window.audit.report_progress.findChild(QPushButton).click()  # the dialog's Cancel button
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        qloop.run_until_complete(body())
    finally:
        emulator.faults.latency_ms = 0
    assert [p.name for p in tmp_path.iterdir() if p.name != "trail.jsonl"] == []


def test_read_only_flag_is_not_saved_with_command_line_connections() -> None:
    """`--read-only` is this run's mode: the connections it names are remembered as they are."""
    from vaultbrowser.app import build_parser, connections_from_args

    args = build_parser().parse_args(["--read-only", "--vault", "myvault"])
    (connection,) = connections_from_args(args)
    assert connection.url == "https://myvault.vault.azure.net"
    assert "read_only" not in connection.to_settings()
