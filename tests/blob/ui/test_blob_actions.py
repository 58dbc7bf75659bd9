"""Blob Storage write actions in the window, against Azurite, in a live qasync loop.

Dialogs are answered by a scripted ``DialogRunner`` (each expected dialog has a handler that
fills it in and answers); file dialogs go through ``BlobTransfers``' hooks.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient, ContainerClient
from PySide6.QtCore import QMimeData, QModelIndex, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialog

from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.transfers.plans import ConflictChoice
from vaultbrowser.blob.ui.blob_dialogs import (
    ConflictDialog,
    CreateContainerDialog,
    DeleteBlobDialog,
    FolderDeleteDialog,
    KeyValueDialog,
    UploadTargetDialog,
)
from vaultbrowser.blob.ui.sas_dialogs import SasDialog, SasUrlDialog
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.models.tones import Tone, tone_colour
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import LocalFileError, VaultBrowserError
from vaultbrowser.core.services.records import Page
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.common_dialogs import DialogRunner, TypedNameDialog
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow

ACCEPTED = QDialog.DialogCode.Accepted
REJECTED = QDialog.DialogCode.Rejected
_names = itertools.count()


def fresh(stem: str) -> str:
    return f"{stem}-{os.getpid() % 10000}-{next(_names)}"


# --- scripted dialogs -------------------------------------------------------------------------


Handler = Callable[[Any], None]


class ScriptedDialogs(DialogRunner):
    """Answers dialogs in order: each ``expect(type, handler)`` answers one dialog of that
    type (the handler fills it in and accepts, rejects or chooses)."""

    def __init__(self) -> None:
        self.script: list[tuple[type, Handler]] = []
        self.seen: list[QDialog] = []
        self.unexpected: list[str] = []

    def expect(self, kind: type, handler: Handler) -> None:
        self.script.append((kind, handler))

    def run(self, dialog: QDialog) -> bool:
        return self._answer(dialog) == ACCEPTED

    async def wait(self, dialog: QDialog) -> int:
        await asyncio.sleep(0)  # a real dialog never answers synchronously
        return self._answer(dialog)

    def _answer(self, dialog: QDialog) -> int:
        self.seen.append(dialog)
        if not self.script or not isinstance(dialog, self.script[0][0]):
            expected = self.script[0][0].__name__ if self.script else "nothing"
            self.unexpected.append(f"{type(dialog).__name__} (expected {expected})")
            dialog.reject()
            return REJECTED
        _kind, handler = self.script.pop(0)
        handler(dialog)
        if dialog.result() not in (ACCEPTED, REJECTED) or dialog.isVisible():
            dialog.reject()
        return dialog.result()

    def of(self, kind: type) -> list[Any]:
        return [d for d in self.seen if isinstance(d, kind)]


def accept(dialog: QDialog) -> None:
    dialog.accept()


def reject(dialog: QDialog) -> None:
    dialog.reject()


def conflict(choice: ConflictChoice, for_all: bool = False) -> Handler:
    def answer(dialog: ConflictDialog) -> None:
        dialog.choose(choice, for_all=for_all)
    return answer


# --- the window ---------------------------------------------------------------------------------


class Harness:
    def __init__(self, window: MainWindow, reporter: ErrorReporter, azurite: Any) -> None:
        self.window = window
        self.reporter = reporter
        self.azurite = azurite
        self.errors: list[Any] = []
        reporter.dialog_shown.connect(self.errors.append)
        self.details: list[Any] = []
        window.details_shown.connect(self.details.append)
        self.dialogs = ScriptedDialogs()
        window.dialogs = self.dialogs
        self.actions = window.view("blob").actions
        self.transfers = self.actions.transfers
        self.pane = window.pane("Blobs")
        self.model = window.pane("Blobs").model
        window.show_pane("Blobs")
        self.client = BlobServiceClient.from_connection_string(azurite.connection_string)

    def connect(self, *, read_only: bool = False) -> None:
        self.window.add_connection(Connection(
            "blob", self.azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
            name="azurite", read_only=read_only))

    @property
    def account(self) -> QModelIndex:
        return self.model.index(0, 0)

    @property
    def service(self) -> Any:
        return self.model.record_of(self.account).service

    async def wait_for(self, condition: Callable[[], Any], timeout: float = 20.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("timed out waiting")
            await asyncio.sleep(0.02)

    async def listed(self, index: QModelIndex) -> None:
        """Make sure ``index``'s node is listed to the end."""
        node = self.model.node_of(index)
        if not node.listed and node.listing.task is None:
            self.model.fetchMore(index)
        await self.model.wait_idle()
        while self.model.canFetchMore(index):
            self.model.fetchMore(index)
            await self.model.wait_idle()

    async def child(self, parent: QModelIndex, name: str) -> QModelIndex:
        """``parent``'s child row named ``name`` (``parent`` expanded in the view, so the row
        can be selected)."""
        if parent.parent().isValid():
            self.pane.view.expand(self.pane.proxy.mapFromSource(parent))
        await self.listed(parent)
        for row in range(self.model.rowCount(parent)):
            index = self.model.index(row, 0, parent)
            record = self.model.record_of(index)
            if record is not None and name in (getattr(record, "name", None),
                                               getattr(record, "prefix", None)):
                return index
        rows = [self.model.index(r, 0, parent).data() for r in range(self.model.rowCount(parent))]
        raise AssertionError(f"{name!r} not under {parent.data()!r}: {rows}")

    def children(self, parent: QModelIndex) -> list[str]:
        return [self.model.index(r, 0, parent).data() for r in range(self.model.rowCount(parent))
                if self.model.index(r, 0, parent).data(STATUS_ROLE) is None]

    def select(self, index: QModelIndex) -> None:
        self.pane.view.setCurrentIndex(self.pane.proxy.mapFromSource(index))
        assert self.pane.selected_source_index() == index, "the row is not shown"

    async def trigger(self, action: Any) -> Any:
        """Trigger an action as the menu would and wait for the task it starts."""
        assert action.isEnabled(), action.toolTip()
        before = self.actions.tools.last_task
        action.trigger()
        task = self.actions.tools.last_task
        assert task is not None and task is not before, "the action started no task"
        try:
            return await task
        finally:
            await asyncio.sleep(0.05)
            await self.model.wait_idle()

    def blobs(self, container: str) -> dict[str, bytes]:
        client = self.client.get_container_client(container)
        return {b.name: client.download_blob(b.name).readall() for b in client.list_blobs()}

    def make_container(self, blobs: dict[str, bytes]) -> tuple[str, ContainerClient]:
        name = fresh("ui")
        container = self.client.create_container(name)
        for blob, data in blobs.items():
            container.upload_blob(blob, data)
        return name, container

    def check_clean(self) -> None:
        assert self.dialogs.unexpected == []
        assert self.dialogs.script == [], "expected dialogs were not shown"


@pytest.fixture
def harness(qloop: asyncio.AbstractEventLoop, qtbot: Any, azurite: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), Settings(clipboard_clear_seconds=1), kinds=KINDS,
                        reporter=reporter)
    window.show()
    harness = Harness(window, reporter, azurite)
    yield harness
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    harness.client.close()
    window.deleteLater()


@pytest.fixture
def read_only_harness(qloop: asyncio.AbstractEventLoop, qtbot: Any,
                      azurite: Any) -> Iterator[Harness]:
    reporter = ErrorReporter(modal=False)
    window = MainWindow(ServiceSession(), kinds=KINDS, reporter=reporter)
    window.show()
    harness = Harness(window, reporter, azurite)
    yield harness
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    harness.client.close()
    window.deleteLater()


async def container_row(h: Harness, name: str) -> QModelIndex:
    await h.wait_for(lambda: h.model.rowCount(h.account) > 0)
    return await h.child(h.account, name)


# --- containers -----------------------------------------------------------------------------------


def test_create_container_validates_as_typed_and_delete_needs_the_typed_name(
        qloop: Any, harness: Harness) -> None:
    h = harness
    name = fresh("made")
    seen_states: list[tuple[str, bool, str]] = []

    def fill_invalid_then_cancel(dialog: CreateContainerDialog) -> None:
        for typed in ("ab", "Upper", "a--b", "-ab", "ok-name-"):
            dialog.name_edit.setText(typed)
            seen_states.append((typed, dialog.create_button.isEnabled(), dialog.message.text()))
        dialog.accept()  # Enter on an invalid name does nothing
        assert dialog.result() != ACCEPTED
        dialog.reject()

    def fill_valid(dialog: CreateContainerDialog) -> None:
        dialog.name_edit.setText(name)
        assert dialog.create_button.isEnabled()
        dialog.access.setCurrentIndex(0)
        dialog.accept()

    async def body() -> None:
        h.connect()
        await h.listed(h.account)
        h.select(h.account)
        assert h.pane.selection_actions() == [h.actions.create_container_action]
        requests_before = len(h.window.session.journal)
        h.dialogs.expect(CreateContainerDialog, fill_invalid_then_cancel)
        assert await h.trigger(h.actions.create_container_action) is None
        assert len(h.window.session.journal) == requests_before  # nothing was sent
        assert all(not enabled for _typed, enabled, _message in seen_states)
        assert "3 to 63" in seen_states[0][2] and "lowercase" in seen_states[1][2]
        assert "two hyphens" in seen_states[2][2]

        h.dialogs.expect(CreateContainerDialog, fill_valid)
        record = await h.trigger(h.actions.create_container_action)
        assert record.name == name
        assert h.client.get_container_client(name).exists()
        assert h.details[-1].record.name == name and h.details[-1].response.status == 201
        row = h.model.find_child(h.account, lambda r: getattr(r, "name", None) == name)
        assert row.isValid()  # inserted in place, no re-listing of the account
        names = [n for n in h.children(h.account)]
        assert names == sorted(names)

        # Delete: the exact name must be typed.
        h.select(row)
        def typed_wrong(dialog: TypedNameDialog) -> None:
            dialog.name_edit.setText(name + "x")
            assert not dialog.action_button.isEnabled()
            dialog.accept()
            dialog.reject()
        h.dialogs.expect(TypedNameDialog, typed_wrong)
        assert await h.trigger(h.actions.delete_container_action) is False
        assert h.client.get_container_client(name).exists()

        def typed_right(dialog: TypedNameDialog) -> None:
            dialog.name_edit.setText(name)
            dialog.accept()
        h.select(h.model.find_child(h.account, lambda r: getattr(r, "name", None) == name))
        h.dialogs.expect(TypedNameDialog, typed_right)
        assert await h.trigger(h.actions.delete_container_action) is True
        assert not h.client.get_container_client(name).exists()
        assert not h.model.find_child(h.account,
                                      lambda r: getattr(r, "name", None) == name).isValid()
        assert h.window.detail_pane.title.text() == "Container deleted"
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


# --- uploads --------------------------------------------------------------------------------------


def test_upload_files_and_a_folder_never_overwrites_without_asking(
        qloop: Any, harness: Harness, tmp_path: Path) -> None:
    h = harness
    name, _container = h.make_container({"a.txt": b"old a", "docs/x.txt": b"old x",
                                         "docs/y.txt": b"old y"})
    (tmp_path / "a.txt").write_bytes(b"new a")
    (tmp_path / "b.txt").write_bytes(b"new b")
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "x.txt").write_bytes(b"new x")
    (docs / "y.txt").write_bytes(b"new y")
    (docs / "sub" / "z.txt").write_bytes(b"new z")

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        await h.listed(row)
        h.select(row)
        assert h.actions.transfers.upload_button.isEnabled()

        # Skip: the existing blob stays as it was; the other file goes up.
        h.transfers.choose_files = lambda title: [tmp_path / "a.txt", tmp_path / "b.txt"]
        h.dialogs.expect(ConflictDialog, conflict(ConflictChoice.SKIP))
        report = await h.trigger(h.transfers.upload_files_action)
        assert report.done == ["b.txt"] and report.skipped == ["a.txt"]
        assert h.blobs(name)["a.txt"] == b"old a" and h.blobs(name)["b.txt"] == b"new b"
        assert "“a.txt” already exists" in h.dialogs.of(ConflictDialog)[0].message.text()
        job = h.transfers.panel.jobs[0]
        assert job.state == job.DONE and "1 uploaded, 1 skipped" in job.summary
        row = await container_row(h, name)  # the container was re-listed: b.txt shows
        assert "b.txt" in h.children(row)

        # Overwrite, asked again for the same file.
        h.select(row)
        h.transfers.choose_files = lambda title: [tmp_path / "a.txt"]
        h.dialogs.expect(ConflictDialog, conflict(ConflictChoice.OVERWRITE))
        report = await h.trigger(h.transfers.upload_files_action)
        assert report.done == ["a.txt"] and h.blobs(name)["a.txt"] == b"new a"

        # A folder with two conflicts: "rename, for all" asks once.
        row = await container_row(h, name)
        h.select(row)
        h.transfers.choose_folder = lambda title: docs
        h.dialogs.expect(ConflictDialog, conflict(ConflictChoice.RENAME, for_all=True))
        report = await h.trigger(h.transfers.upload_folder_action)
        assert len(h.dialogs.of(ConflictDialog)) == 3  # one question for the two conflicts
        blobs = h.blobs(name)
        assert blobs["docs/x.txt"] == b"old x" and blobs["docs/y.txt"] == b"old y"
        assert blobs["docs/x (1).txt"] == b"new x" and blobs["docs/y (1).txt"] == b"new y"
        assert blobs["docs/sub/z.txt"] == b"new z"
        assert sorted(report.done) == ["docs/sub/z.txt", "docs/x (1).txt", "docs/y (1).txt"]
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


def drop_event(kind: type, h: Harness, index: QModelIndex, paths: list[Path]) -> Any:
    rect = h.pane.view.visualRect(h.pane.proxy.mapFromSource(index))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    position = QPointF(rect.center())
    event = kind(position.toPoint() if kind is QDragEnterEvent else position,
                 Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                 Qt.KeyboardModifier.NoModifier)
    return event, mime


def send_drop(h: Harness, index: QModelIndex, paths: list[Path]) -> tuple[Any, Any]:
    """A drag entering over ``index``'s row, then the drop (Qt delivers a drop only to the
    widget that accepted the drag's entry)."""
    viewport = h.pane.view.viewport()
    enter, _enter_mime = drop_event(QDragEnterEvent, h, index, paths)
    QApplication.sendEvent(viewport, enter)
    drop, _drop_mime = drop_event(QDropEvent, h, index, paths)
    QApplication.sendEvent(viewport, drop)
    return enter, drop


def test_drop_local_files_onto_a_folder_uploads_into_it(qloop: Any, harness: Harness,
                                                       tmp_path: Path) -> None:
    h = harness
    name, _container = h.make_container({"inbox/keep.txt": b"keep", "top.txt": b"top"})
    first, second = tmp_path / "one.csv", tmp_path / "two.json"
    first.write_bytes(b"1,2")
    second.write_bytes(b"{}")

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        h.pane.view.expand(h.pane.proxy.mapFromSource(row))
        folder = await h.child(row, "inbox/")
        await asyncio.sleep(0.05)
        viewport = h.pane.view.viewport()
        enter, _mime = drop_event(QDragEnterEvent, h, folder, [first, second])
        QApplication.sendEvent(viewport, enter)
        assert enter.isAccepted() and h.transfers._drop_band.isVisible()
        assert "inbox/" in h.window.statusBar().currentMessage()
        # Dropping something that is not a local file is refused.
        web = QMimeData()
        web.setUrls([QUrl("https://example.com/x")])
        rect = h.pane.view.visualRect(h.pane.proxy.mapFromSource(folder))
        refused = QDragEnterEvent(rect.center(), Qt.DropAction.CopyAction, web,
                                  Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, refused)
        assert not refused.isAccepted()

        before = h.actions.tools.last_task
        _enter, drop = send_drop(h, folder, [first, second])
        assert drop.isAccepted() and not h.transfers._drop_band.isVisible()
        task = h.actions.tools.last_task
        assert task is not None and task is not before
        report = await task
        assert sorted(report.done) == ["inbox/one.csv", "inbox/two.json"]
        blobs = h.blobs(name)
        assert blobs["inbox/one.csv"] == b"1,2" and blobs["inbox/keep.txt"] == b"keep"
        assert "one.csv" not in blobs  # not at the container's root
        await h.model.wait_idle()
        folder = await h.child(await container_row(h, name), "inbox/")
        await h.listed(folder)
        assert set(h.children(folder)) >= {"one.csv", "two.json", "keep.txt"}
        content_types = {b.name: b.content_settings.content_type
                         for b in h.client.get_container_client(name).list_blobs("inbox/")}
        assert content_types["inbox/two.json"] == "application/json"

        # Onto the account's row: which container is asked.
        def pick(dialog: UploadTargetDialog) -> None:
            dialog.combo.setCurrentText(name)
            dialog.accept()
        h.dialogs.expect(UploadTargetDialog, pick)
        enter, drop = send_drop(h, h.account, [first])
        assert enter.isAccepted() and drop.isAccepted()
        report = await h.actions.tools.last_task
        assert report.done == ["one.csv"] and h.blobs(name)["one.csv"] == b"1,2"
        h.check_clean()

    qloop.run_until_complete(body())


# --- cancel -------------------------------------------------------------------------------------


def test_cancel_an_upload_and_a_download_leaves_nothing_behind(
        qloop: Any, harness: Harness, tmp_path: Path) -> None:
    h = harness
    size = 24 * 1024 * 1024
    name, container = h.make_container({})
    container.upload_blob("big.bin", os.urandom(1024) * (size // 1024))
    source = tmp_path / "upload.bin"
    source.write_bytes(os.urandom(1024) * (size // 1024))
    destination = tmp_path / "downloads"
    destination.mkdir()

    async def body() -> None:
        h.connect()
        service = h.service
        service.uploads.single_put_limit = service.uploads.upload_block_size = 256 * 1024
        service.uploads.upload_concurrency = 1
        service._download_chunk_size = 256 * 1024
        row = await container_row(h, name)
        await h.listed(row)
        h.select(row)

        h.transfers.choose_files = lambda title: [source]
        h.transfers.upload_files_action.trigger()
        task = h.actions.tools.last_task
        await h.wait_for(lambda: h.transfers.panel.jobs and h.transfers.panel.jobs[0].bytes_done
                         > 0)
        job = h.transfers.panel.jobs[0]
        assert job.active_files() == ["upload.bin"]  # per-file progress row
        assert 0 < job.bar.value() < 1000
        job.cancel_button.click()
        report = await task
        assert report.cancelled and report.done == []
        assert job.state == job.CANCELLED and "Cancelled" in job.item.text(2)
        assert "upload.bin" not in h.blobs(name)  # staged blocks stay uncommitted: invisible

        big = await h.child(await container_row(h, name), "big.bin")
        h.select(big)
        h.transfers.choose_download_folder = lambda title: destination
        h.transfers.download_action.trigger()
        task = h.actions.tools.last_task
        await h.wait_for(lambda: h.transfers.panel.jobs[0] is not job
                         and h.transfers.panel.jobs[0].bytes_done > 0)
        download = h.transfers.panel.jobs[0]
        assert download.verb == "Download"
        download.cancel_button.click()
        report = await task
        assert report.cancelled and report.done == []
        assert list(destination.iterdir()) == []  # no partial file, no temporary file
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


# --- downloads ----------------------------------------------------------------------------------


def test_download_never_replaces_a_local_file_without_asking(
        qloop: Any, harness: Harness, tmp_path: Path) -> None:
    h = harness
    name, _container = h.make_container({"reports/q1.txt": b"blob q1",
                                         "reports/deep/q2.txt": b"blob q2",
                                         "reportsX.txt": b"outside"})
    destination = tmp_path / "dl"
    (destination / "reports").mkdir(parents=True)
    local = destination / "reports" / "q1.txt"
    local.write_bytes(b"mine")

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        folder = await h.child(row, "reports/")
        h.transfers.choose_download_folder = lambda title: destination

        # The folder lands as "reports/…"; the existing file is asked about: skip.
        h.select(folder)
        h.dialogs.expect(ConflictDialog, conflict(ConflictChoice.SKIP))
        report = await h.trigger(h.transfers.download_action)
        assert local.read_bytes() == b"mine"
        assert (destination / "reports" / "deep" / "q2.txt").read_bytes() == b"blob q2"
        assert not (destination / "reportsX.txt").exists()
        assert report.skipped == ["reports/q1.txt"]
        assert str(local) in h.dialogs.of(ConflictDialog)[0].message.text()

        # One blob: rename keeps both.
        await h.listed(folder)
        blob = await h.child(folder, "reports/q1.txt")
        h.select(blob)
        target = tmp_path / "single"
        target.mkdir()
        (target / "q1.txt").write_bytes(b"mine too")
        h.transfers.choose_download_folder = lambda title: target
        h.dialogs.expect(ConflictDialog, conflict(ConflictChoice.RENAME))
        await h.trigger(h.transfers.download_action)
        assert (target / "q1.txt").read_bytes() == b"mine too"
        assert (target / "q1 (1).txt").read_bytes() == b"blob q1"

        # Overwrite only when chosen.
        h.dialogs.expect(ConflictDialog, conflict(ConflictChoice.OVERWRITE))
        await h.trigger(h.transfers.download_action)
        assert (target / "q1.txt").read_bytes() == b"blob q1"
        assert sorted(p.name for p in target.iterdir()) == ["q1 (1).txt", "q1.txt"]
        h.check_clean()
        assert h.errors == []

        # A folder in the way cannot be overwritten: the file fails, the panel lists it and
        # its typed error gets the dialog.
        blocked = tmp_path / "blocked"
        (blocked / "q1.txt").mkdir(parents=True)
        h.transfers.choose_download_folder = lambda title: blocked
        h.dialogs.expect(ConflictDialog, conflict(ConflictChoice.OVERWRITE))
        with pytest.raises(LocalFileError, match="is a folder"):
            await h.trigger(h.transfers.download_action)
        job = h.transfers.panel.jobs[0]
        assert job.state == job.FAILED and "1 failed" in job.summary
        failed_row = job.item.child(0)
        assert failed_row.text(0) == "reports/q1.txt" and "is a folder" in failed_row.text(2)
        await h.wait_for(lambda: h.errors)
        assert isinstance(h.errors[-1].error, LocalFileError)
        assert (blocked / "q1.txt").is_dir() and list((blocked / "q1.txt").iterdir()) == []
        h.check_clean()

    qloop.run_until_complete(body())


# --- deletes ------------------------------------------------------------------------------------


def test_folder_delete_lists_exactly_what_goes_and_nothing_else(
        qloop: Any, harness: Harness) -> None:
    h = harness
    inside = ["master/a.txt", "master/b/c.txt", "master/"]
    outside = ["master", "master-2/x", "masterpiece.txt", "other/master/a.txt"]
    name, _container = h.make_container({n: n.encode() for n in inside + outside})
    shown: dict[str, Any] = {}

    def confirm(dialog: FolderDeleteDialog) -> None:
        shown["count"], shown["names"] = dialog.count, list(dialog.names)
        shown["summary"] = dialog.summary.text()
        shown["button"] = dialog.delete_button.text()
        dialog.accept()

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        folder = await h.child(row, "master/")
        h.select(folder)
        # Cancelled: nothing happens.
        h.dialogs.expect(FolderDeleteDialog, reject)
        assert await h.trigger(h.actions.delete_action) is None
        assert set(h.blobs(name)) == set(inside + outside)

        h.select(await h.child(await container_row(h, name), "master/"))
        h.dialogs.expect(FolderDeleteDialog, confirm)
        report = await h.trigger(h.actions.delete_action)
        assert shown["count"] == 3 and sorted(shown["names"]) == sorted(inside)
        assert "Delete 3 blobs" in shown["summary"] and shown["button"] == "Delete 3 blobs"
        assert sorted(report.deleted) == sorted(inside) and report.failed == ()
        assert set(h.blobs(name)) == set(outside)
        row = await container_row(h, name)
        assert "master/" not in h.children(row)
        assert h.transfers.panel.jobs[0].verb == "Delete"
        assert "3 deleted" in h.transfers.panel.jobs[0].summary
        assert h.window.detail_pane.title.text() == "Folder deleted"
        assert "3 of 3 blobs" in h.window.detail_pane.subtitle.text()
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


def test_delete_a_blob_with_or_without_its_snapshots(qloop: Any, harness: Harness) -> None:
    h = harness
    name, container = h.make_container({"snap.txt": b"v1", "plain.txt": b"p"})
    container.get_blob_client("snap.txt").create_snapshot()

    def without_snapshots(dialog: DeleteBlobDialog) -> None:
        dialog.snapshots.setChecked(False)
        dialog.accept()

    def with_snapshots(dialog: DeleteBlobDialog) -> None:
        dialog.snapshots.setChecked(True)
        dialog.accept()

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        h.select(await h.child(row, "plain.txt"))
        h.dialogs.expect(DeleteBlobDialog, without_snapshots)
        assert await h.trigger(h.actions.delete_action) is True
        assert "plain.txt" not in h.children(row)  # the one row went, nothing re-listed
        assert set(h.blobs(name)) == {"snap.txt"}

        h.select(await h.child(row, "snap.txt"))
        h.dialogs.expect(DeleteBlobDialog, without_snapshots)
        with pytest.raises(VaultBrowserError) as refused:
            await h.trigger(h.actions.delete_action)
        assert refused.value.error_code == "SnapshotsPresent"
        await h.wait_for(lambda: h.errors)  # the error dialog was shown
        assert set(h.blobs(name)) == {"snap.txt"}

        h.dialogs.expect(DeleteBlobDialog, with_snapshots)
        assert await h.trigger(h.actions.delete_action) is True
        assert h.blobs(name) == {}
        assert list(h.client.get_container_client(name).list_blobs(include="snapshots")) == []
        h.check_clean()

    qloop.run_until_complete(body())


# --- metadata, tags, URLs, SAS ------------------------------------------------------------------


def test_edit_metadata_and_tags(qloop: Any, harness: Harness) -> None:
    h = harness
    name, container = h.make_container({"doc.txt": b"x"})
    container.get_blob_client("doc.txt").set_blob_metadata({"owner": "ops"})

    def bad_then_good(dialog: KeyValueDialog) -> None:
        assert dialog.editor.pairs() == {"owner": "ops"}  # the current metadata
        dialog.editor.add_pair("1bad", "v")
        dialog.accept()  # refused by the service's rule: stays open with the message
        assert dialog.result() != ACCEPTED and "1bad" in dialog.message.text()
        dialog.editor.set_pairs({"owner": "dev", "stage": "beta"})
        dialog.accept()

    def tags(dialog: KeyValueDialog) -> None:
        assert dialog.editor.pairs() == {}
        dialog.editor.set_pairs({"k": "v" * 257})
        dialog.accept()
        assert dialog.result() != ACCEPTED and "256" in dialog.message.text()
        dialog.editor.set_pairs({"env": "prod", "team": "a b"})
        dialog.accept()

    def container_metadata(dialog: KeyValueDialog) -> None:
        dialog.editor.set_pairs({"purpose": "tests"})
        dialog.accept()

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        blob = await h.child(row, "doc.txt")
        h.select(blob)
        h.dialogs.expect(KeyValueDialog, bad_then_good)
        assert await h.trigger(h.actions.metadata_action) is True
        props = container.get_blob_client("doc.txt").get_blob_properties()
        assert props.metadata == {"owner": "dev", "stage": "beta"}
        blob = await h.child(row, "doc.txt")
        assert h.model.record_of(blob).metadata == {"owner": "dev", "stage": "beta"}
        assert h.details[-1].response.method == "PUT" and h.details[-1].response.status == 200

        h.select(blob)
        h.dialogs.expect(KeyValueDialog, tags)
        assert await h.trigger(h.actions.tags_action) is True
        assert container.get_blob_client("doc.txt").get_blob_tags() == {"env": "prod",
                                                                        "team": "a b"}
        assert h.model.record_of(blob).tags == {"env": "prod", "team": "a b"}
        assert h.details[-1].response.status == 204

        h.select(row)
        h.dialogs.expect(KeyValueDialog, container_metadata)
        assert await h.trigger(h.actions.metadata_action) is True
        assert h.client.get_container_client(name).get_container_properties().metadata == {
            "purpose": "tests"}
        assert h.model.record_of(row).metadata == {"purpose": "tests"}
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


def test_copy_url_and_a_usable_sas_url_shown_once(qloop: Any, harness: Harness) -> None:
    h = harness
    blob_name = "dir/a b%#?+ü.txt"
    name, _container = h.make_container({blob_name: b"shared content"})
    got: dict[str, str] = {}

    def choose(dialog: SasDialog) -> None:
        assert "Account-key SAS" in dialog.kind_label.text()
        dialog.set_permissions("")
        assert not dialog.generate_button.isEnabled()
        dialog.set_permissions("r")
        dialog.accept()

    def read_url(dialog: SasUrlDialog) -> None:
        got["url"] = dialog.url()
        got["summary"] = dialog.summary.text()
        dialog.copy_button.click()
        got["clipboard"] = QApplication.clipboard().text()
        dialog.accept()
        got["after"] = dialog.url_field.text()

    async def body() -> None:
        h.connect()
        row = await container_row(h, name)
        folder = await h.child(row, "dir/")
        blob = await h.child(folder, blob_name)
        h.select(blob)
        h.actions.copy_url_action.trigger()
        url = QApplication.clipboard().text()
        assert url.startswith(h.azurite.blob_endpoint) and "sig=" not in url
        assert url.endswith("/dir/a%20b%25%23%3F%2B%C3%BC.txt")
        with pytest.raises(urllib.error.HTTPError):  # anonymous: refused (private container)
            urllib.request.urlopen(url)

        h.dialogs.expect(SasDialog, choose)
        h.dialogs.expect(SasUrlDialog, read_url)
        assert await h.trigger(h.actions.sas_action) is True
        url = got["url"]
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        assert query["sp"] == ["r"] and query["sig"] and got["clipboard"] == url
        assert got["after"] == ""  # the dialog forgot it when closed
        assert "Account-key SAS" in got["summary"]
        loop = asyncio.get_running_loop()
        data = await loop.run_in_executor(None, lambda: urllib.request.urlopen(url).read())
        assert data == b"shared content"
        overwrite = urllib.request.Request(url, data=b"changed", method="PUT",
                                           headers={"x-ms-blob-type": "BlockBlob"})
        with pytest.raises(urllib.error.HTTPError) as refused:  # read only: no write
            await loop.run_in_executor(None, lambda: urllib.request.urlopen(overwrite))
        assert refused.value.code == 403
        # Never logged, stored or shown elsewhere: not in the journal, the detail pane, the
        # window's settings.
        signature = url.split("sig=", 1)[1].split("&", 1)[0]
        assert all(signature not in record.url for record in h.window.session.journal.records())
        pane = h.window.detail_pane
        texts = [pane.title.text(), pane.subtitle.text()] + [
            pane.properties.topLevelItem(i).text(1)
            for i in range(pane.properties.topLevelItemCount())]
        assert all(signature not in text for text in texts)
        assert signature not in repr(h.window.settings)
        await asyncio.sleep(1.2)  # the test settings clear the clipboard after 1 s
        assert QApplication.clipboard().text() == ""
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


# --- read-only ----------------------------------------------------------------------------------


def test_read_only_connection_disables_writes_and_says_why(
        qloop: Any, read_only_harness: Harness, tmp_path: Path) -> None:
    h = read_only_harness
    name, _container = h.make_container({"folder/a.txt": b"a", "b.txt": b"b"})
    dropped = tmp_path / "x.txt"
    dropped.write_bytes(b"x")

    async def body() -> None:
        h.connect(read_only=True)
        row = await container_row(h, name)
        h.select(row)
        actions = [a for a in h.pane.selection_actions() if a is not None]
        writes = [a for a in actions if a.property("write")]
        assert writes and all(not a.isEnabled() for a in writes)
        assert all("read-only" in a.toolTip() for a in writes)
        assert all(a.text().endswith("(read-only)") for a in writes)  # menus show no tooltips
        assert not h.transfers.upload_button.isEnabled()
        assert "read-only" in h.transfers.upload_button.toolTip()
        blob = await h.child(row, "b.txt")
        h.select(blob)
        assert h.transfers.download_action.isEnabled()  # reading stays possible
        assert h.actions.copy_url_action.isEnabled()
        for action in (h.actions.delete_action, h.actions.metadata_action,
                       h.actions.tags_action, h.actions.sas_action):
            assert not action.isEnabled() and "read-only" in action.toolTip()
        # Drops are refused: the drag's entry, and a drop delivered anyway.
        before = h.actions.tools.last_task
        enter, drop = send_drop(h, row, [dropped])
        assert not enter.isAccepted() and not drop.isAccepted()
        drop, _mime = drop_event(QDropEvent, h, row, [dropped])
        assert h.transfers.eventFilter(h.pane.view.viewport(), drop) is True
        assert not drop.isAccepted()
        assert h.actions.tools.last_task is before
        assert set(h.blobs(name)) == {"folder/a.txt", "b.txt"}

    qloop.run_until_complete(body())


# --- soft delete ----------------------------------------------------------------------------------


def test_show_deleted_lists_greyed_rows_and_undeletes(qloop: Any, harness: Harness,
                                                      monkeypatch: Any) -> None:
    """Azurite does not implement blob soft delete: the service's deleted listing and undelete
    are stubbed; the rest (the tree, the action, the refresh) is real."""
    from datetime import UTC, datetime

    h = harness
    name, _container = h.make_container({"live.txt": b"l", "docs/live.md": b"m"})
    deleted_on = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    undeleted: list[tuple[str, str]] = []
    state = {"deleted": ["gone.txt", "docs/gone.md", "old/only.txt"]}

    async def list_deleted_blobs(container: str, prefix: str | None = None, *,
                                 page_size: int, continuation: str | None = None) -> Page:
        names = [n for n in state["deleted"] if n.startswith(prefix or "")]
        return Page(tuple(BlobRecord(container, n, size=1, deleted=True, deleted_on=deleted_on)
                          for n in names), None, None)

    async def undelete_blob(container: str, blob: str) -> Any:
        undeleted.append((container, blob))
        state["deleted"].remove(blob)
        h.client.get_container_client(container).upload_blob(blob, b"restored")
        from vaultbrowser.core.services.records import Result
        return Result(None, None)

    async def body() -> None:
        h.connect()
        monkeypatch.setattr(h.service.deletes, "list_deleted_blobs", list_deleted_blobs)
        monkeypatch.setattr(h.service.deletes, "undelete_blob", undelete_blob)
        row = await container_row(h, name)
        await h.listed(row)
        assert h.children(row) == ["docs/", "live.txt"]
        h.actions.deleted_check.setChecked(True)
        row = await container_row(h, name)
        await h.listed(row)
        assert h.children(row) == ["docs/", "live.txt", "gone.txt  (deleted)", "old/"]
        gone = await h.child(row, "gone.txt")
        assert h.model.index(gone.row(), 5, row).data().startswith("deleted 2030-01-0")
        assert h.model.data(gone, Qt.ItemDataRole.ForegroundRole).color() == tone_colour(Tone.MUTED)
        docs = await h.child(row, "docs/")
        await h.listed(docs)
        assert h.children(docs) == ["live.md", "gone.md  (deleted)"]

        h.details.clear()
        h.select(gone)
        await h.wait_for(lambda: h.details)  # from the listing: its GET would be a 404
        assert h.details[-1].subtitle == "Deleted blob" and h.details[-1].response is None
        assert ("Deleted", "2030-01-02 03:04:00 UTC") in h.details[-1].sections[0].rows
        assert h.pane.selection_actions() == [h.actions.undelete_action]
        assert h.actions.undelete_action.isEnabled()
        assert await h.trigger(h.actions.undelete_action) is True
        assert undeleted == [(name, "gone.txt")]
        await h.listed(row)
        assert h.children(row) == ["docs/", "gone.txt", "live.txt", "old/"]
        assert h.window.detail_pane.title.text() == "Blob undeleted"

        h.actions.deleted_check.setChecked(False)
        row = await container_row(h, name)
        await h.listed(row)
        assert h.children(row) == ["docs/", "gone.txt", "live.txt"]
        h.check_clean()
        assert h.errors == []

    qloop.run_until_complete(body())


def test_conflict_dialog_escape_skips(qtbot: Any) -> None:
    dialog = ConflictDialog(None, "Exists", "x exists")
    qtbot.addWidget(dialog)
    dialog.choose(ConflictChoice.OVERWRITE)
    assert dialog.decision().choice is ConflictChoice.OVERWRITE
    dialog.reject()
    assert dialog.decision().choice is ConflictChoice.SKIP
    assert dialog.decision().apply_to_all is False
