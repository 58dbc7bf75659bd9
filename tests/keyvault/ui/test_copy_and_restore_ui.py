"""Copy to another vault and Restore an older secret version, through the window against two
Key Vault emulators: the tree's actions, the copy dialog (target, policy, preview, copy,
report), the restore confirmation, and read-only refusals."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.keyvault.ui.test_vault_actions import Harness, ScriptedDialogs, click
from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.models.vault_tree import VaultRoot
from vaultbrowser.keyvault.ui.across.copy_dialog import CopyDialog
from vaultbrowser.keyvault.ui.vault_actions import READ_ONLY_TIP

VALUE = "ui-copy-value-never-shown-0b3d"
OLD = "ui-old-value-never-shown-61fe"
SOURCE_SEED = {
    "secrets": [
        {"name": "app-config", "value": VALUE, "contentType": "application/json",
         "tags": {"env": "staging"}},
        {"name": "shared", "value": "from-source"},
        {"name": "rolled", "value": OLD, "contentType": "text/old", "tags": {"era": "old"},
         "attributes": {"created": 1_700_000_000, "updated": 1_700_000_100},
         "versions": [{"value": OLD},
                      {"value": "newer", "contentType": "text/new", "tags": {"era": "new"}}]},
    ],
}
SOURCE_SEED["certificates"] = [{"name": "locked", "policy": {
    "key_props": {"exportable": False, "kty": "RSA", "key_size": 2048, "reuse_key": False},
    "secret_props": {"contentType": "application/x-pkcs12"},
    "x509_props": {"subject": "CN=locked.local", "validity_months": 12},
    "issuer": {"name": "Self"}}}]
TARGET_SEED = {"secrets": [{"name": "shared", "value": "already-in-target"}]}


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, seed: dict[str, Any]
           ) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp(name), seed=seed) as emulator:
        yield emulator


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _start(tmp_path_factory, "ui-copy-source", SOURCE_SEED)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _start(tmp_path_factory, "ui-copy-target", TARGET_SEED)


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any, qapp: Any) -> Iterator[Harness]:
    before = qapp.palette()
    if os.environ.get("VAULTBROWSER_SHOTS") == "dark":
        qapp.setPalette(dark_palette())
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    dialogs = ScriptedDialogs()
    window.dialogs = dialogs
    window.resize(1280, 800)
    window.show()
    yield Harness(window, reporter, dialogs)
    tool = window.view("keyvault").tools.copy
    if tool.dialog is not None:
        tool.dialog.close()
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    window.deleteLater()
    qapp.setPalette(before)
    assert dialogs.answers == [], "a scripted answer was never used"


def dark_palette() -> Any:
    """The dark palette of the screenshots (the offscreen platform has no colour scheme)."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.AlternateBase, "#262626"),
                         (QPalette.ColorRole.Text, "#e6e6e6"),
                         (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e6e6e6"),
                         (QPalette.ColorRole.Highlight, "#2f65ca"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.Mid, "#777777"),
                         (QPalette.ColorRole.PlaceholderText, "#8a8a8a")):
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.Text):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


async def open_vaults(harness: Harness, *vaults: tuple[Any, str, bool], tab: int = 0
                      ) -> list[QModelIndex]:
    """Connect each (emulator, name, read_only); their loaded vault rows in tab ``tab``."""
    window = harness.window
    window.tabs.setCurrentIndex(tab)
    for emulator, name, read_only in vaults:
        window.add_connection(Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                                         name=name, ca_path=str(emulator.ca_path),
                                         read_only=read_only))
    await harness.settle()
    model = window.panes[tab].model
    rows = []
    for _emulator, name, _read_only in vaults:
        index = next(model.index(r, 0) for r in range(model.rowCount())
                     if isinstance(model.record_of(model.index(r, 0)), VaultRoot)
                     and model.record_of(model.index(r, 0)).connection.name == name)
        model.load_all(index)
        rows.append(index)
    await harness.settle()
    return rows


def table(dialog: CopyDialog) -> list[list[str]]:
    return [[dialog.table.item(r, c).text() if dialog.table.item(r, c) else ""
             for c in range(dialog.table.columnCount())] for r in range(dialog.table.rowCount())]


def test_copy_a_vaults_secrets_with_preview_conflicts_and_report(
        qloop: Any, harness: Harness, source: Any, target: Any, tmp_path: Path) -> None:
    window = harness.window

    async def body() -> None:
        source_row, _ = await open_vaults(harness, (source, "staging", False),
                                          (target, "production", False))
        pane = window.panes[0]
        pane.view.setCurrentIndex(pane.proxy.mapFromSource(source_row))  # the vault row
        harness.trigger(0, "Copy to another vault…")
        dialog = window.view("keyvault").tools.copy.dialog
        assert isinstance(dialog, CopyDialog)
        assert [row[1] for row in table(dialog)] == ["app-config", "rolled", "shared"]
        assert not dialog.preview_button.isEnabled()  # no target and no policy chosen yet
        dialog.target_box.setCurrentIndex(0)
        assert dialog.target is not None and dialog.target.label == "production"
        assert not dialog.preview_button.isEnabled()  # the policy is an explicit choice
        dialog.skip_radio.setChecked(True)
        mark = len(target.request_log)
        task = dialog.preview()
        assert task is not None
        await task
        assert [row[2] for row in table(dialog)] == ["create", "create", "exists → skip"]
        assert all(e.method == "GET" for e in target.request_log[mark:])
        assert "Nothing has been written" in dialog.status.text()
        grab(dialog, "copy-preview")
        copying = dialog.copy()
        assert copying is not None
        await copying
        rows = table(dialog)
        assert [row[3] for row in rows] == ["copied", "copied", "skipped"]
        assert rows[0][4].startswith(target.url)
        assert target.store.secrets.get("app-config") is not None
        assert "2 copied, 1 skipped" in dialog.status.text()
        assert not dialog.copy_button.isEnabled()  # a plan runs once
        grab(dialog, "copy-report")
        dialog.save_report(tmp_path / "report.csv")
        dialog.save_report(tmp_path / "report.json")
        csv_text = (tmp_path / "report.csv").read_text(encoding="utf-8")
        assert "app-config,copied" in csv_text
        assert json.loads((tmp_path / "report.json").read_text())["summary"] == \
            "2 copied, 1 skipped"
        for text in (csv_text, (tmp_path / "report.json").read_text(), *(
                cell for row in rows for cell in row), dialog.status.text()):
            assert VALUE not in text and OLD not in text
        await harness.settle()

    qloop.run_until_complete(body())


def test_read_only_target_is_refused_in_the_preview_and_nothing_is_sent(
        qloop: Any, harness: Harness, source: Any, target: Any) -> None:
    window = harness.window

    async def body() -> None:
        source_row, _ = await open_vaults(harness, (source, "staging", False),
                                          (target, "production (audit)", True))
        item = window.panes[0].model.find_item(source_row, "app-config")
        await harness.select(0, item)
        harness.trigger(0, "Copy to another vault…")
        dialog = window.view("keyvault").tools.copy.dialog
        assert isinstance(dialog, CopyDialog) and len(dialog.items) == 1
        dialog.target_box.setCurrentIndex(0)
        dialog.version_radio.setChecked(True)
        mark = len(target.request_log)
        task = dialog.preview()
        assert task is not None
        await task
        assert table(dialog)[0][2] == "refused" and "read-only" in table(dialog)[0][4]
        assert "read-only" in dialog.status.text()
        assert not dialog.copy_button.isEnabled()
        assert dialog.copy() is None
        assert target.request_log[mark:] == []
        grab(dialog, "copy-read-only")

    qloop.run_until_complete(body())


def test_tools_menu_copy_says_what_to_select(qloop: Any, harness: Harness) -> None:
    window = harness.window
    tools = window.view("keyvault").tools
    assert tools.copy.action in tools.actions
    tools.copy.action.trigger()
    assert tools.copy.dialog is None
    assert isinstance(harness.errors[-1], InvalidInput)  # says what to select; no dialog


def test_a_certificate_without_exportable_key_is_created_from_its_policy_when_chosen(
        qloop: Any, harness: Harness, source: Any, target: Any) -> None:
    window = harness.window

    async def body() -> None:
        source_row, _ = await open_vaults(harness, (source, "staging", False),
                                          (target, "production", False), tab=1)
        model = window.panes[1].model
        await harness.select(1, model.find_item(source_row, "locked"))
        harness.trigger(1, "Copy to another vault…")
        dialog = window.view("keyvault").tools.copy.dialog
        assert isinstance(dialog, CopyDialog) and [i.kind for i in dialog.items] == ["certificate"]
        dialog.target_box.setCurrentIndex(0)
        dialog.skip_radio.setChecked(True)
        task = dialog.preview()
        assert task is not None
        await task
        assert table(dialog)[0][2] == "refused"
        assert "cannot copy the private key" in table(dialog)[0][4]
        assert dialog.from_policy_check.isEnabled() and not dialog.copy_button.isEnabled()
        dialog.from_policy_check.setChecked(True)
        assert table(dialog)[0][2] == "create from the same policy"
        assert "NEW key and certificate" in table(dialog)[0][4]
        grab(dialog, "copy-from-policy")
        copying = dialog.copy()
        assert copying is not None
        await copying
        assert table(dialog)[0][3] == "created from policy"
        assert target.store.certificates.get("locked") is not None
        await harness.settle()

    qloop.run_until_complete(body())


def _rolled_old_version(harness: Harness, vault: QModelIndex, emulator: Any) -> QModelIndex:
    model = harness.window.panes[0].model
    item = model.find_item(vault, "rolled")
    latest = emulator.store.secrets.get("rolled").latest
    return model.find_child(item, lambda r: getattr(r, "version", None) not in (None, latest))


def test_restore_an_older_secret_version_shows_both_dates_then_the_new_version(
        qloop: Any, harness: Harness, source: Any) -> None:
    window, dialogs = harness.window, harness.dialogs
    shown: dict[str, str] = {}

    def confirm(box: QDialog) -> None:
        assert isinstance(box, QMessageBox)
        shown["text"] = box.text()
        grab(box, "restore-confirm")
        click("Restore")(box)

    async def body() -> None:
        (vault,) = await open_vaults(harness, (source, "staging", False))
        model = window.panes[0].model
        item = model.find_item(vault, "rolled")
        window.panes[0].view.expand(window.panes[0].proxy.mapFromSource(item))
        await harness.settle()
        old = _rolled_old_version(harness, vault, source)
        assert old.isValid()
        before = len(source.store.secrets.get("rolled").versions)
        latest_id = source.store.secrets.get("rolled").latest
        await harness.select(0, old)
        dialogs.expect(confirm)
        harness.trigger(0, "Restore as current version…")
        await harness.wait_for(lambda: len(source.store.secrets.get("rolled").versions)
                               == before + 1)
        await harness.settle()
        text = shown["text"]
        entry = source.store.secrets.get("rolled")
        old_version = model.record_of(old).version
        for label, version in (("Old version", old_version), ("Current version", latest_id)):
            attributes = entry.versions[version].attributes
            created = dt.datetime.fromtimestamp(attributes.created, dt.UTC)
            updated = dt.datetime.fromtimestamp(attributes.updated, dt.UTC)
            assert (f"{label} {version}: created {created:%Y-%m-%d %H:%M} UTC, updated "
                    f"{updated:%Y-%m-%d %H:%M} UTC") in text
        assert OLD not in text
        latest = entry.versions[entry.latest]
        assert latest.data.get("value") == OLD and latest.tags == {"era": "old"}
        versions = model.find_item(vault, "rolled")
        assert model.rowCount(versions) == before + 1  # the tree shows the new version

    qloop.run_until_complete(body())


def test_restore_is_refused_with_the_reason_on_a_read_only_connection(
        qloop: Any, harness: Harness, source: Any) -> None:
    window = harness.window

    async def body() -> None:
        (vault,) = await open_vaults(harness, (source, "staging (audit)", True))
        model = window.panes[0].model
        item = model.find_item(vault, "rolled")
        window.panes[0].view.expand(window.panes[0].proxy.mapFromSource(item))
        await harness.settle()
        await harness.select(0, _rolled_old_version(harness, vault, source))
        action = harness.action(0, "Restore as current version…")
        assert not action.isEnabled() and action.toolTip() == READ_ONLY_TIP
        mark = len(source.request_log)
        window.view("keyvault").actions.secrets.restore.restore_selected()
        await harness.settle()
        assert isinstance(harness.errors[-1], ReadOnlyRefused)
        assert [e for e in source.request_log[mark:] if e.method != "GET"] == []

    qloop.run_until_complete(body())


SHOTS = Path("/tmp/shots/copy")


def grab(widget: Any, name: str) -> None:
    """With VAULTBROWSER_SHOTS=light or dark (the harness sets that scheme first), keep a
    picture of the screen (looked at by the author; not asserted)."""
    scheme = os.environ.get("VAULTBROWSER_SHOTS")
    if not scheme:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.show()
    if isinstance(widget, QMessageBox):
        widget.adjustSize()
    widget.grab().save(str(SHOTS / f"{name}-{scheme}.png"))
