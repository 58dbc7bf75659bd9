"""Randomized UI actions against the fault-injecting Key Vault emulator and Azurite (issue 7).

One test drives ``ACTIONS`` random actions through the real, shown ``MainWindow`` (expand,
collapse, select, activate, keys, scroll, page, load all, cancel, refresh, filter, sort, tab
switch, reveal, Deleted views, flat blobs, removing and re-adding connections) while faults are
switched on and off at random (latency, 429 with and without Retry-After, 503, 403 on paths). It
asserts:

- no unhandled exception: ``sys.excepthook``, the loop's exception handler and the error
  reporter record; a non-typed error reaching the reporter (the "this is a bug" dialog) fails;
- the model invariants hold after every action (cheap checks of ``random_actions_support``:
  the flat rows recomputed from the source, parent links, status rows, the row cache), and
  Qt's ``QAbstractItemModelTester`` watches the models (its failures are Qt warnings, collected
  through ``qtlog``): on the four flat models for the whole run; on the four source trees for
  a warm-up of ``WARM_UP`` actions and once over the final tree (it re-walks the whole tree on
  every change and fetches every node it can, which grows with the rows loaded);
- the loop is never blocked over 250 ms (a heartbeat; the tester's and the checks' own time is
  left out);
- once faults are cleared, every pane lists its connections again.

The seed is printed; ``VB_RANDOM_SEED=<seed>`` replays a run (``VB_RANDOM_ACTIONS`` changes the
number of actions).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester, QTest

from tests.core.ui.random_actions_support import (
    FailureRecorder,
    Heartbeat,
    RecordingReporter,
    check_flat,
    check_selection,
    check_tree,
    timed_tester,
)
from vaultbrowser.app import KINDS
from vaultbrowser.core.models.listing import RowStatus
from vaultbrowser.core.models.node_tree import STATUS_ROLE
from vaultbrowser.core.services.config import NetworkSettings, PagingSettings, Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.gc_guard import MainThreadGarbageCollector
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.emulators.arm.seed import CONTOSO_TENANT_ID

ACTIONS = int(os.environ.get("VB_RANDOM_ACTIONS", "1000"))
WARM_UP = int(os.environ.get("VB_RANDOM_WARM_UP", "25"))  # actions with the source testers
MAX_STALL = 0.250

SEED_DATA = {
    "secrets": [
        {"name": f"app-{i:03d}", "value": f"random-actions-{i}",
         "contentType": "text/plain" if i % 3 else None,
         **({"versions": [{"value": f"old-{i}"}, {"value": f"new-{i}"}]} if i % 7 == 0 else {}),
         **({"attributes": {"enabled": False}} if i % 29 == 0 else {}),
         **({"deleted": True} if i % 41 == 5 else {})}
        for i in range(320)
    ],
    "keys": [{"name": f"key-{i:02d}", "kty": "EC" if i % 4 else "RSA",
              **({"crv": "P-256"} if i % 4 else {"key_size": 2048}),
              **({"deleted": True} if i == 7 else {})} for i in range(14)],
    "certificates": [{"name": f"cert-{i}", "subject": f"CN=cert-{i}.example",
                      "kty": "EC", "crv": "P-256",
                      **({"deleted": True} if i == 3 else {})} for i in range(5)],
}
CONTAINERS = {
    "alpha": [f"top-{i:03d}.txt" for i in range(40)]
    + [f"dir{d}/file-{i:03d}.bin" for d in range(4) for i in range(35)]
    + [f"dir0/sub{s}/deep-{i:02d}.json" for s in range(3) for i in range(12)],
    "beta": [f"logs/2026/11/{day:02d}/log-{i}.txt" for day in range(1, 12) for i in range(6)],
    "empty": [],
}
FORBIDDEN_PATHS = ["/secrets/app-01", "/secrets/app-2", "/keys", "/certificates/cert-1",
                   "/deletedsecrets", "/secrets/app-007/", "/certificates"]
FAULT_PATHS = [None, "/secrets", "/keys", "/certificates", "/secrets/app-1", "/deleted"]
FILTERS = ["", "", "app-0", "1", "dir", "key", "zz-no-match", "cert", "0/", "LOG"]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-random"),
                                seed=SEED_DATA) as instance:
        yield instance


@pytest.fixture(scope="module")
def blob_account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An Azurite of our own: the session's has other tests' containers (20,000 blobs)."""
    from azure.storage.blob import BlobServiceClient

    from tests.blob.services.blob_seed import put_blobs
    from vaultbrowser.emulators.azurite import Azurite, AzuriteUnavailable

    instance = Azurite(workdir=Path(tmp_path_factory.mktemp("azurite-random")))
    try:
        instance.start()
    except AzuriteUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Azurite is not installed: {exc}")
    try:
        with BlobServiceClient.from_connection_string(instance.connection_string) as client:
            for name in CONTAINERS:
                client.create_container(name)
        for name, blobs in CONTAINERS.items():
            if blobs:
                asyncio.run(put_blobs(instance, name, ((b, b"x") for b in blobs),
                                      concurrency=16))
        yield instance
    finally:
        instance.stop()


@pytest.fixture(scope="module")
def arm(emulator: Any, blob_account: Any) -> Iterator[Any]:
    """The Azure demo world over this test's vault and account (the vault's CA for both)."""
    from vaultbrowser.emulators.arm.seed import demo_world
    from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
    from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

    world = demo_world(vault_uri=emulator.url + "/",
                       blob_endpoint=blob_account.blob_endpoint + "/",
                       account_key=AZURITE_ACCOUNT_KEY)
    with run_arm_emulator_in_thread(world, data_dir=Path(emulator.ca_path).parent) as running:
        yield running


@pytest.fixture(scope="module")
def redis_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real redis-server with a few hundred keys in namespaces (None where it is missing:
    the Redis pane then stays without a connection)."""
    from tests.redis.conftest import REDIS_SERVER, RedisProcess, free_port

    if REDIS_SERVER is None:
        yield None
        return
    server = RedisProcess(free_port(), tmp_path_factory.mktemp("random-redis"))
    server.start()
    try:
        with server.admin.pipeline(transaction=False) as pipe:
            for number in range(300):
                pipe.set(f"app:{number % 7}:item:{number}", "x" * (number % 50))
            pipe.hset("config:flags", mapping={"dark": "1", "beta": "0"})
            pipe.rpush("queue:jobs", *range(40))
            pipe.execute()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def cosmos_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The local Cosmos DB server with a few hundred items in two containers (None where
    Node.js or its npm package is missing: the Cosmos DB pane then stays without one)."""
    from tests.cosmos.conftest import admin_client
    from vaultbrowser.emulators.cosmos_server import CosmosServer, CosmosServerUnavailable

    server = CosmosServer(workdir=tmp_path_factory.mktemp("random-cosmos"))
    try:
        server.start()
    except CosmosServerUnavailable:
        yield None
        return

    async def seed() -> None:
        async with admin_client(server) as client:
            database = await client.create_database("random")
            for name, count in (("orders", 300), ("events", 40)):
                container = await database.create_container(
                    name, partition_key={"paths": ["/pk"], "kind": "Hash"})
                await asyncio.gather(*(container.create_item(
                    {"id": f"{name}-{n:04d}", "pk": f"p{n % 5}", "n": n}) for n in range(count)))

    try:
        asyncio.run(seed())
        yield server
    finally:
        server.stop()


class Run:
    """The window under test, the random source and what the actions share."""

    def __init__(self, window: MainWindow, rng: random.Random, emulator: Any,
                 connections: list[Connection]) -> None:
        self.window = window
        self.rng = rng
        self.emulator = emulator
        self.connections = connections
        self.log: list[str] = []
        self.counts: dict[str, int] = {}

    @property
    def pane(self) -> TreePane:
        return self.window.current_pane()

    def random_row(self, pane: TreePane | None = None) -> Any:
        pane = pane or self.pane
        rows = pane.proxy.rowCount()
        if not rows:
            return None
        return pane.proxy.index(self.rng.randrange(rows), 0)

    def where(self) -> str:
        return f"action {len(self.log)}: {self.log[-1] if self.log else 'start'}"


# --- the actions ------------------------------------------------------------------------------

def act_tab(run: Run) -> str:
    tab = run.rng.randrange(run.window.tabs.count())
    run.window.tabs.setCurrentIndex(tab)
    return f"tab {tab}"


def act_select(run: Run) -> str:
    index = run.random_row()
    if index is None:
        return "select (no rows)"
    run.pane.view.setCurrentIndex(index)
    return f"select row {index.row()} {index.data()!r}"


def act_expand(run: Run) -> str:
    index = run.random_row()
    if index is None:
        return "expand (no rows)"
    expand = run.rng.random() < 0.7
    run.pane.view.setExpanded(index, expand)
    return f"{'expand' if expand else 'collapse'} row {index.row()} {index.data()!r}"


def act_activate(run: Run) -> str:
    pane = run.pane
    index = run.random_row()
    if index is None:
        return "activate (no rows)"
    # Prefer status rows now and then: "more available" pages, errors retry.
    if run.rng.random() < 0.5:
        status_rows = [r for r in range(pane.proxy.rowCount())
                       if pane.proxy.index(r, 0).data(STATUS_ROLE) in (RowStatus.MORE,
                                                                       RowStatus.ERROR)]
        if status_rows:
            index = pane.proxy.index(run.rng.choice(status_rows), 0)
    pane._on_activated(index)
    return f"activate row {index.row()} {index.data()!r}"


KEYS = [Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_PageDown,
        Qt.Key.Key_End, Qt.Key.Key_Home, Qt.Key.Key_Return, Qt.Key.Key_Plus, Qt.Key.Key_Minus]


def act_key(run: Run) -> str:
    view = run.pane.view
    if not view.currentIndex().isValid() and view.model().rowCount():
        view.setCurrentIndex(view.model().index(0, 0))
    key = run.rng.choice(KEYS)
    QTest.keyClick(view, key)
    return f"key {key.name}"


def act_scroll(run: Run) -> str:
    bar = run.pane.view.verticalScrollBar()
    value = run.rng.choice([bar.maximum(), bar.minimum(), run.rng.randint(0, bar.maximum())])
    bar.setValue(value)
    return f"scroll to {value}/{bar.maximum()}"


def act_refresh(run: Run) -> str:
    run.pane.refresh_selected()
    return "refresh selected"


def act_load_all(run: Run) -> str:
    run.pane.load_all_selected()
    return "load all selected"


def act_cancel(run: Run) -> str:
    run.pane.cancel_selected()
    return "cancel selected"


def act_filter(run: Run) -> str:
    text = run.rng.choice(FILTERS)
    run.pane.filter_edit.setText(text)
    return f"filter {text!r}"


def act_sort(run: Run) -> str:
    view = run.pane.view
    if run.rng.random() < 0.3:
        view.header().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        return "unsort"
    column = run.rng.randrange(view.model().columnCount() or 1)
    order = run.rng.choice([Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
    view.sortByColumn(column, order)
    return f"sort column {column} {order.name}"


def act_reveal(run: Run) -> str:
    detail = run.window.detail_pane
    button = detail.reveal_button
    if detail.value_row.isVisibleTo(detail) and button.isEnabled():
        button.click()
        return "reveal/hide value"
    return "reveal (not offered)"


def act_deleted(run: Run) -> str:
    actions = run.window.view("keyvault").actions
    blob_actions = run.window.view("blob").actions
    box = run.rng.choice([actions.secrets.deleted_check, actions.certificates.deleted_check,
                          actions.keys.deleted_check, blob_actions.deleted_check])
    box.toggle()
    return f"{box.text()} → {box.isChecked()} ({box.parentWidget().title})"


def act_flat(run: Run) -> str:
    check = run.window.pane("Blobs").flat_check
    assert check is not None
    check.toggle()
    return f"flat blobs → {check.isChecked()}"


def act_connection(run: Run) -> str:
    window = run.window
    missing = [c for c in run.connections
               if all(c.key != open_.key for open_ in window.connections)]
    if missing and run.rng.random() < 0.8:
        connection = run.rng.choice(missing)
        window.add_connection(connection)
        return f"add connection {connection.name}"
    connection = run.rng.choice(run.connections)
    window.remove_connection(connection)
    return f"remove connection {connection.name}"


def act_dismiss_dialog(run: Run) -> str:
    dialog = run.window.reporter.current_dialog
    if dialog is None:
        return "dismiss (no dialog)"
    dialog.reject()
    return "dismiss dialog"


def act_fault(run: Run) -> str:
    faults = run.emulator.faults
    rng = run.rng
    kind = rng.choice(["latency", "429", "429", "503", "403", "clear", "clear"])
    if kind == "latency":
        faults.latency_ms = rng.choice([0, 5, 20, 60, 150])
        return f"fault latency {faults.latency_ms} ms"
    if kind == "429":
        retry_after = rng.choice([None, 0.05, 0.2])
        path = rng.choice(FAULT_PATHS)
        faults.add(429, retry_after=retry_after, times=rng.randint(1, 4), path_prefix=path)
        return f"fault 429 retry-after={retry_after} on {path}"
    if kind == "503":
        path = rng.choice(FAULT_PATHS)
        faults.add(503, times=rng.randint(1, 4), path_prefix=path)
        return f"fault 503 on {path}"
    if kind == "403":
        path = rng.choice(FORBIDDEN_PATHS)
        faults.forbid(path, code=rng.choice(["ForbiddenByRbac", "AccessDenied"]))
        return f"fault 403 on {path}"
    faults.clear()
    return "faults cleared"


ACTION_WEIGHTS: list[tuple[Callable[[Run], str], int]] = [
    (act_select, 16), (act_expand, 12), (act_activate, 8), (act_key, 10), (act_scroll, 6),
    (act_refresh, 5), (act_load_all, 3), (act_cancel, 5), (act_filter, 5), (act_sort, 4),
    (act_tab, 6), (act_reveal, 4), (act_deleted, 2), (act_flat, 1), (act_connection, 1),
    (act_dismiss_dialog, 4), (act_fault, 6),
]


def check_all(run: Run, *, deep: bool) -> None:
    for pane in run.window.panes:
        check_tree(pane.model)
        check_flat(pane.proxy, deep=deep)
        check_selection(pane.view)


async def idle(window: MainWindow, timeout: float = 30.0) -> None:
    async def wait() -> None:
        while True:
            for pane in window.panes:
                await pane.model.wait_idle()
            await asyncio.sleep(0.1)  # the panes' coalesced "more visible" checks
            if not any(pane.model.is_loading() for pane in window.panes):
                return

    await asyncio.wait_for(wait(), timeout)


def test_random_ui_actions(qloop: asyncio.AbstractEventLoop, qtbot: Any, qtlog: Any,
                           emulator: Any, blob_account: Any, arm: Any,
                           redis_store: Any, cosmos_store: Any) -> None:
    seed = int(os.environ.get("VB_RANDOM_SEED") or random.SystemRandom().randrange(2**32))
    print(f"\n[random-actions] VB_RANDOM_SEED={seed} ({ACTIONS} actions)")
    rng = random.Random(seed)

    recorder = FailureRecorder()
    reporter = RecordingReporter(recorder)
    collector = MainThreadGarbageCollector()
    # Fail fast under faults: few, short retries (Retry-After is still honoured).
    session = ServiceSession(network=NetworkSettings(retry_total=2, retry_backoff_factor=0.02,
                                                     retry_backoff_max=0.1))
    settings = Settings(paging=PagingSettings(first_page_keyvault=10, next_page_keyvault=25,
                                              first_page_blobs=15, next_page_blobs=40,
                                              load_all_page_blobs=60),
                        clipboard_clear_seconds=1)
    window = MainWindow(session, settings, kinds=KINDS, reporter=reporter)
    window.show()
    # Qt's model tester (see the module docstring for where it is attached and why).
    def tester(model: Any) -> QAbstractItemModelTester:
        return QAbstractItemModelTester(model,
                                        QAbstractItemModelTester.FailureReportingMode.Warning)

    source_testers = [tester(pane.model) for pane in window.panes]
    connections = [
        Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                   name="random-vault", ca_path=str(emulator.ca_path)),
        Connection("blob", blob_account.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
                   name="random-azurite"),
        Connection("azure", arm.base_url, AuthMethod.LOCAL_EMULATOR, name="random-azure",
                   tenant_id=CONTOSO_TENANT_ID, ca_path=str(arm.ca_file)),
    ]
    if redis_store is not None:
        connections.append(Connection("redis", f"redis://127.0.0.1:{redis_store.port}",
                                      AuthMethod.LOCAL_EMULATOR, name="random-redis"))
    if cosmos_store is not None:
        connections.append(Connection("cosmos", cosmos_store.endpoint, AuthMethod.LOCAL_EMULATOR,
                                      name="random-cosmos", ca_path=str(cosmos_store.ca_path)))
    run = Run(window, rng, emulator, connections)
    recorder.context = run.where
    heartbeat = Heartbeat()
    heartbeat.context = run.where
    flat_testers = [timed_tester(pane.proxy, heartbeat) for pane in window.panes]
    names = [action for action, _ in ACTION_WEIGHTS]
    weights = [weight for _, weight in ACTION_WEIGHTS]
    timings: dict[str, float] = {}
    slowest: list[Any] = [0.0, ""]  # the slowest action's own (synchronous) time, and which

    async def body() -> None:
        recorder.install(asyncio.get_running_loop())
        for connection in connections:
            window.add_connection(connection)
        start = time.perf_counter()
        for number in range(WARM_UP + ACTIONS):
            if number == WARM_UP:
                source_testers.clear()  # deleted: their walks would dominate the run
                await idle(window)
                timings["warm-up"] = time.perf_counter() - start
                heartbeat.start()
                start = time.perf_counter()
            action = rng.choices(names, weights)[0]
            run.log.append(action.__name__)  # what ran, should it raise
            began = time.perf_counter()
            run.log[-1] = f"#{number} {action(run)}"
            took = time.perf_counter() - began
            if took > slowest[0]:
                slowest[:] = [took, run.log[-1]]
            run.counts[action.__name__] = run.counts.get(action.__name__, 0) + 1
            began = time.perf_counter()
            try:
                check_all(run, deep=number % 50 == 0)
                heartbeat.excluded += time.perf_counter() - began
            except AssertionError as error:
                raise AssertionError(
                    f"seed {seed}, {run.where()}: {error}\nlast actions: "
                    + "\n  ".join(run.log[-15:])) from error
            pause = rng.choice([0, 0, 0.005, 0.02, 0.05, 0.1])
            await asyncio.sleep(pause)
        timings["actions"] = time.perf_counter() - start
        start = time.perf_counter()

        # Faults off: every pane lists its connections again.
        emulator.faults.clear()
        run.log.append("final: faults cleared, relist everything")
        reporter.close_all()
        for connection in connections:
            if all(connection.key != open_.key for open_ in window.connections):
                window.add_connection(connection)
        for pane in window.panes:
            pane.filter_edit.clear()
            for row in range(pane.model.rowCount()):
                pane.model.refresh(pane.model.index(row, 0))
        await idle(window)
        check_all(run, deep=True)
        # One more pass of the source trees' tester over everything loaded (it fetches what
        # it can, so list once more afterwards).
        heartbeat.stop()
        final_testers = [tester(pane.model) for pane in window.panes]
        final_testers.clear()
        await idle(window)
        check_all(run, deep=True)
        for pane in window.panes:
            roots = pane.model.root_nodes()
            if not roots and redis_store is None and pane.title.startswith("Redis"):
                continue  # no redis-server on this machine: nothing to connect to
            if not roots and cosmos_store is None and pane.title.startswith("Cosmos"):
                continue  # no local Cosmos DB server on this machine
            assert roots, f"seed {seed}: {pane.title} has no connection"
            for node in roots:
                assert node.listed and node.listing.error is None, (
                    f"seed {seed}: {pane.title} root {node.record!r} did not list: "
                    f"{node.listing.error}")
                deleted_view = getattr(pane.model, "show_deleted", False)
                if not deleted_view:
                    assert node.children, f"seed {seed}: {pane.title} lists nothing"
        heartbeat.stop()
        timings["final"] = time.perf_counter() - start

    try:
        qloop.run_until_complete(body())
    finally:
        heartbeat.stop()
        emulator.faults.clear()
        qloop.run_until_complete(window.aclose())
        reporter.close_all()
        recorder.uninstall()
        flat_testers.clear()
        source_testers.clear()
        window.deleteLater()
        collector.stop()

    per_second = ACTIONS / timings["actions"]
    print(f"[random-actions] {ACTIONS} actions in {timings['actions']:.1f} s "
          f"({per_second:.0f}/s; warm-up {timings['warm-up']:.1f} s, final listing and "
          f"tester pass {timings['final']:.1f} s); "
          f"longest loop stall {heartbeat.max_stall * 1000:.0f} ms "
          f"(during {heartbeat.worst_during}); "
          f"{len(recorder.typed)} typed errors reported; slowest action {slowest[0] * 1000:.0f} ms "
          f"({slowest[1]}); counts {run.counts}")
    model_failures = [record.message for record in qtlog.records
                      if "FAIL!" in record.message]
    assert not model_failures, f"seed {seed}: QAbstractItemModelTester: {model_failures[:5]}"
    assert not recorder.failures, (
        f"seed {seed}: {len(recorder.failures)} unhandled error(s); first during "
        f"{recorder.failures[0][0]}:\n{recorder.failures[0][1]}")
    assert heartbeat.max_stall < MAX_STALL, (
        f"seed {seed}: the loop stalled {heartbeat.max_stall * 1000:.0f} ms "
        f"(during {heartbeat.worst_during})")
