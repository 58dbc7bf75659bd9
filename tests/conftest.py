"""Session-wide real services for every test tier: the Key Vault emulator and Azurite.

Both run on loopback only. The Key Vault emulator runs on its own loop in a daemon thread, so
sync SDK clients, async clients (on the test's loop) and the Qt/qasync tiers can all use it.
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing in the tests may reach for the cloud's instance metadata service.
os.environ.pop("MSI_ENDPOINT", None)


@pytest.fixture(autouse=True, scope="session")
def private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The audit trail and other per-user data go to a temporary directory, not $HOME."""
    path = tmp_path_factory.mktemp("data")
    previous = os.environ.get("VAULTBROWSER_DATA_DIR")
    os.environ["VAULTBROWSER_DATA_DIR"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("VAULTBROWSER_DATA_DIR", None)
    else:
        os.environ["VAULTBROWSER_DATA_DIR"] = previous

T = TypeVar("T")


# The longest test files, started first: scripts/test runs the suite on pytest-xdist workers that
# take the tests in collection order (--dist worksteal), so a long file collected last would run
# alone at the end while the other workers idle.
_LONGEST_FIRST = (
    "tests/packaging/test_deb_install.py",  # builds, installs and purges the .deb: minutes
    "tests/core/ui/test_app_demo.py",  # the demo app as a process, in three time zones
)  # no more: all of them land at the head of the first worker's half, one after another


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = config.rootpath

    def rank(item: pytest.Item) -> int:
        path = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else ""
        return _LONGEST_FIRST.index(path) if path in _LONGEST_FIRST else len(_LONGEST_FIRST)

    items.sort(key=rank)  # stable: every other test keeps its place


def _collect_due_generations() -> None:
    """What Python's automatic collector would do now, done on this (the main) thread."""
    thresholds, counts = gc.get_threshold(), gc.get_count()
    for generation in (2, 1, 0):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            gc.collect(generation)
            return


@pytest.fixture(autouse=True, scope="session")
def garbage_collected_on_the_main_thread() -> Iterator[None]:
    """The app's rule (core/ui/gc_guard.py) for the whole suite: Python's cyclic collector
    runs on whichever thread allocates past a threshold, here often an emulator's thread, and a
    Qt object in a cycle destroyed there crashes Qt later, far from the cause. So automatic
    collection is off; the due generations are collected between tests, on the main thread."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test() -> Iterator[None]:
    yield
    _collect_due_generations()


@pytest.fixture
def custom_clouds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The custom clouds file (``clouds.json``) at a temporary path, the clouds read afresh."""
    from vaultbrowser.core.services.signin import clouds

    path = tmp_path / "clouds.json"
    monkeypatch.setenv(clouds.CLOUDS_FILE_ENV, str(path))
    clouds.available_clouds.cache_clear()
    yield path
    clouds.available_clouds.cache_clear()


@pytest.fixture(scope="session")
def kv_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-emulator")) as emulator:
        yield emulator


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.azurite import Azurite, AzuriteUnavailable

    instance = Azurite(workdir=Path(tmp_path_factory.mktemp("azurite")))
    try:
        instance.start()
    except AzuriteUnavailable as exc:
        if os.environ.get("CI"):
            raise  # CI installs Azurite itself; missing there is a failure, not a skip
        pytest.skip(f"Azurite is not installed: {exc}")
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture
def run() -> Iterator[Callable[[Coroutine[Any, Any, T]], T]]:
    """Run a coroutine to completion on one event loop kept for the whole test."""
    with asyncio.Runner() as runner:
        yield runner.run


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A live qasync loop inside the test's QApplication; drive it with run_until_complete."""
    import qasync

    # Closing a test's window must not quit the application (and stop the next test's loop).
    qapp.setQuitOnLastWindowClosed(False)
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        asyncio.set_event_loop(None)
        loop.close()
        # Qt objects left in reference cycles must die here, on the GUI thread: the cyclic
        # GC may otherwise run on an emulator thread and destroy them there.
        gc.collect()


@pytest.fixture(scope="session")
def big_container(azurite: Any) -> int:
    """20,000 small blobs in container "big" (item/NN/blob-NNNNN.dat), seeded once a session
    with raw PUTs at bounded concurrency; shared by the service and model tiers."""
    import time

    from azure.storage.blob import BlobServiceClient

    from tests.blob.services.blob_seed import BIG_BLOB_CONTAINER, BIG_BLOB_COUNT, put_blobs

    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        client.create_container(BIG_BLOB_CONTAINER)
    start = time.perf_counter()
    count = asyncio.run(put_blobs(
        azurite, BIG_BLOB_CONTAINER,
        ((f"item/{i // 1000:02d}/blob-{i:05d}.dat", b"x") for i in range(BIG_BLOB_COUNT)),
        concurrency=48,
    ))
    print(f"\n[blob-seed] {count} blobs seeded in {time.perf_counter() - start:.1f} s")
    return count
