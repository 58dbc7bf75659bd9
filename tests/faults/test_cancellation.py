"""Cancel, refresh, remove a connection and close the window while pages and transfers are in
flight: the tasks end cleanly — no pending task destroyed, no unclosed aiohttp session or
connector, no coroutine never awaited, no temporary file left behind (``hygiene.Hygiene``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PySide6.QtCore import QPersistentModelIndex

from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.blob.services.transfers.plans import plan_download
from vaultbrowser.blob.services.transfers.runs import download_many
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.files.local import TEMP_SUFFIX
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.services.opener import open_vault

from .conftest import BIG_BLOB, CONTAINER, FAST, storage_connection, vault_connection
from .hygiene import Hygiene


async def wait_for(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# --- the net itself catches what it must ------------------------------------------------------

def test_hygiene_catches_a_destroyed_pending_task_and_an_unclosed_session(run: Any) -> None:
    hygiene = Hygiene()

    async def leak() -> None:
        hygiene.install(asyncio.get_running_loop())

        async def forever() -> None:
            await asyncio.get_running_loop().create_future()

        task = asyncio.ensure_future(forever())
        await asyncio.sleep(0)
        del task
        aiohttp.ClientSession()  # never closed

    run(leak())
    with pytest.raises(AssertionError) as caught:
        hygiene.check()
    assert "Task was destroyed but it is pending" in str(caught.value)
    assert "Unclosed client session" in str(caught.value)


# --- service level ----------------------------------------------------------------------------

def test_cancelled_pages_and_a_closed_session_leave_nothing(emulator: Any, run: Any) -> None:
    hygiene = Hygiene()
    emulator.faults.stall("/secrets", times=None, seconds=30)
    emulator.faults.slow(30, path_prefix="/keys", times=None)

    async def body() -> None:
        hygiene.install(asyncio.get_running_loop())
        session = ServiceSession(network=FAST.__class__(read_timeout=30))
        vault = open_vault(session, vault_connection(emulator))
        tasks = [asyncio.ensure_future(vault.secrets.list(page_size=5)),
                 asyncio.ensure_future(vault.keys.list(page_size=5)),
                 asyncio.ensure_future(vault.secrets.get("item-001"))]
        await asyncio.sleep(0.3)
        assert not any(task.done() for task in tasks)
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert all(isinstance(r, asyncio.CancelledError) for r in results)
        await session.aclose()

    run(body())
    hygiene.check()


def test_a_cancelled_download_leaves_no_file(proxy: Any, azurite: Any, run: Any,
                                             tmp_path: Path) -> None:
    hygiene = Hygiene()
    proxy.stall(f"/{CONTAINER}/{BIG_BLOB}", method="GET", times=None, after_body_bytes=50_000)

    async def body() -> Any:
        hygiene.install(asyncio.get_running_loop())
        session = ServiceSession(network=FAST.__class__(read_timeout=30))
        storage = open_storage(session, storage_connection(proxy, azurite))
        blob = (await storage.get_blob_properties(CONTAINER, BIG_BLOB)).value
        task = asyncio.ensure_future(download_many(storage, CONTAINER, plan_download([blob]),
                                                   tmp_path))
        await wait_for(lambda: any(p.name.endswith(TEMP_SUFFIX) for p in tmp_path.iterdir()))
        await asyncio.sleep(0.1)
        task.cancel()
        report = await task
        await session.aclose()
        return report

    report = run(body())
    assert report.cancelled and not report.done
    assert files_under(tmp_path) == []
    hygiene.check()


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """Runs each job at once, in the caller's thread: a file a job creates exists before the
    awaiting task can resume (it resumes a few loop iterations later)."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting side
            future.set_exception(exc)
        return future


def test_a_download_cancelled_as_its_temporary_file_appears(proxy: Any, azurite: Any, run: Any,
                                                           tmp_path: Path) -> None:
    """The temporary file is created in a worker thread: a cancellation that lands after the
    thread made it, but before the download resumed, must still remove it."""

    async def body() -> Any:
        loop = asyncio.get_running_loop()
        session = ServiceSession(network=FAST)
        storage = open_storage(session, storage_connection(proxy, azurite))
        blob = (await storage.get_blob_properties(CONTAINER, BIG_BLOB)).value
        loop.set_default_executor(_InlineExecutor())
        task = asyncio.ensure_future(download_many(storage, CONTAINER, plan_download([blob]),
                                                   tmp_path))
        for _ in range(1000):
            if any(p.name.endswith(TEMP_SUFFIX) for p in tmp_path.iterdir()):
                break
            await asyncio.sleep(0)
        task.cancel()
        report = await task
        await session.aclose()
        return report

    report = run(body())
    assert report.cancelled
    assert files_under(tmp_path) == []


# --- the window ---------------------------------------------------------------------------------

@pytest.fixture
def window_parts(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[tuple[Any, ...]]:
    hygiene = Hygiene().install(qloop)
    reporter = ErrorReporter(modal=False)
    dialogs: list[Any] = []
    reporter.dialog_shown.connect(dialogs.append)
    # A long read timeout: the pages below stay in flight until they are cancelled.
    session = ServiceSession(network=FAST.__class__(read_timeout=30))
    window = MainWindow(session, Settings(), kinds=KINDS, reporter=reporter)
    window.show()
    yield window, dialogs, hygiene
    qloop.run_until_complete(window.aclose())
    reporter.close_all()
    hygiene.uninstall()
    window.deleteLater()


def in_flight(window: MainWindow) -> int:
    return sum(len([t for t in model.pages_in_flight() if not t.done()])
               for model in (pane.model for pane in window.panes))


def test_closing_the_window_with_pages_and_a_download_in_flight(
        qloop: Any, window_parts: tuple[Any, ...], emulator: Any, proxy: Any, azurite: Any,
        tmp_path: Path) -> None:
    window, dialogs, hygiene = window_parts

    async def body() -> None:
        window.add_connection(storage_connection(proxy, azurite))
        blobs = window.pane("Blobs").model
        account = blobs.index(0, 0)
        window.show_pane("Blobs")
        await wait_for(lambda: blobs.rowCount(account) > 0 and
                       blobs.index(0, 0, account).data(STATUS_ROLE) is None)
        container = next(blobs.index(r, 0, account) for r in range(blobs.rowCount(account))
                         if blobs.index(r, 0, account).data() == CONTAINER)
        window.pane("Blobs").view.expand(window.pane("Blobs").proxy.mapFromSource(container))
        await wait_for(lambda: any(blobs.index(r, 0, container).data() == BIG_BLOB
                                   for r in range(blobs.rowCount(container))))
        big = next(blobs.index(r, 0, container) for r in range(blobs.rowCount(container))
                   if blobs.index(r, 0, container).data() == BIG_BLOB)
        # Now everything stalls: the vault's listings and the download.
        emulator.faults.stall("/secrets", times=None, seconds=30)
        emulator.faults.slow(30, path_prefix="/keys", times=None)
        proxy.stall(f"/{CONTAINER}/{BIG_BLOB}", method="GET", times=None,
                    after_body_bytes=50_000)
        window.add_connection(vault_connection(emulator))
        window.show_pane("Keys")
        transfers = window.view("blob").actions.transfers
        download = window.view("blob").actions.tools.run(
            transfers.download(QPersistentModelIndex(big), tmp_path))
        await wait_for(lambda: in_flight(window) == 1)  # the keys (their tab is shown)
        await wait_for(lambda: any(p.name.endswith(TEMP_SUFFIX) for p in tmp_path.iterdir()))
        done = asyncio.Event()
        window.closed.connect(done.set)
        started = time.monotonic()
        window.close()
        await asyncio.wait_for(done.wait(), 10)
        assert time.monotonic() - started < 3  # cancelled, not waited out
        assert download.done()

    qloop.run_until_complete(body())
    assert [t for t in asyncio.all_tasks(qloop) if not t.done()] == []
    assert files_under(tmp_path) == []
    assert dialogs == []  # cancellation is silent
    hygiene.check()


def test_refresh_and_cancel_while_a_page_is_in_flight(
        qloop: Any, window_parts: tuple[Any, ...], emulator: Any) -> None:
    window, dialogs, hygiene = window_parts

    async def body() -> None:
        emulator.faults.stall("/secrets", times=None, seconds=30)
        window.add_connection(vault_connection(emulator))
        model = window.pane("Secrets").model
        vault = model.index(0, 0)
        await wait_for(lambda: in_flight(window) == 1)
        first = model.node_of(vault).listing.task
        model.refresh(vault)  # the page in flight is cancelled, a new one starts
        await wait_for(lambda: first.done())
        assert first.cancelled()
        second = model.node_of(vault).listing.task
        assert second is not None and second is not first
        model.cancel(vault)  # the user's Cancel: silent, the node can page again
        await model.wait_idle()
        assert second.cancelled()
        emulator.faults.clear()
        model.fetchMore(vault)
        await wait_for(lambda: model.rowCount(vault) > 10)
        await model.wait_idle()
        assert model.index(model.rowCount(vault) - 1, 0, vault).data(STATUS_ROLE) in (
            None, RowStatus.MORE)

    qloop.run_until_complete(body())
    assert dialogs == []
    qloop.run_until_complete(window.aclose())
    hygiene.check()


def test_removing_a_connection_with_pages_in_flight(
        qloop: Any, window_parts: tuple[Any, ...], emulator: Any) -> None:
    window, dialogs, hygiene = window_parts

    async def body() -> None:
        emulator.faults.stall("/secrets", times=None, seconds=30)
        emulator.faults.slow(30, path_prefix="/keys", times=None)
        connection = vault_connection(emulator)
        window.add_connection(connection)
        window.show_pane("Keys")
        await wait_for(lambda: in_flight(window) == 2)
        secrets, keys = window.pane("Secrets").model, window.pane("Keys").model
        tasks = [model.node_of(model.index(0, 0)).listing.task for model in (secrets, keys)]
        window.remove_connection(connection)
        await asyncio.gather(*tasks, return_exceptions=True)
        assert all(task.cancelled() for task in tasks)
        assert secrets.rowCount() == 0 and keys.rowCount() == 0
        # The connection's service and transport were closed by the window's task.
        await wait_for(lambda: not window.tasks.running)
        assert window.session._services == [] and window.session._transports == []

    qloop.run_until_complete(body())
    assert dialogs == []
    qloop.run_until_complete(window.aclose())
    hygiene.check()
