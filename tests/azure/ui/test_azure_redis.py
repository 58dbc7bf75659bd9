"""Azure Managed Redis in the Azure tab: the ARM emulator describes two clusters whose database
is a real local redis-server (loopback, so Plaintext in ARM's words) that wants the
development cluster's access key. The node shows ARM's view; "Open with access key" is offered
where ARM says access keys are enabled (never in read-only mode) and opens the Redis tab with
the key Resource Manager handed out."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.azure.ui.test_azure_view import Harness, azure_connection
from tests.redis.conftest import RedisProcess, free_port
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.emulators.arm.seed import account_key, demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="redis-server is not installed (Debian: apt-get "
                                       "install redis-server redis-tools)")
KEY = account_key("redis-dev-cache", 1)


@pytest.fixture(scope="module")
def keyed_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    server = RedisProcess(free_port(), tmp_path_factory.mktemp("redis-keyed"))
    try:
        server.start()
        server.admin.set("feature:dark-mode", "on")
        server.admin.config_set("requirepass", KEY)  # AMR's access key: the default user's
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def arm(kv_emulator: Any, azurite: Any, keyed_redis: RedisProcess) -> Iterator[ArmEmulator]:
    world = demo_world(vault_uri=kv_emulator.url + "/", blob_endpoint=azurite.blob_endpoint + "/",
                       account_key=AZURITE_ACCOUNT_KEY, redis_host="127.0.0.1",
                       redis_port=keyed_redis.port, redis_tls=False)
    with run_arm_emulator_in_thread(world, data_dir=Path(kv_emulator.ca_path).parent) as running:
        yield running


@pytest.fixture
def harness(qloop: Any, tmp_path: Path, qtbot: Any) -> Iterator[Harness]:
    made = Harness(qloop, tmp_path, qtbot)
    yield made
    qloop.run_until_complete(made.window.aclose())
    made.reporter.close_all()
    made.window.deleteLater()


def test_the_node_shows_arm_and_opens_with_an_access_key(harness: Harness, arm: ArmEmulator,
                                                         keyed_redis: RedisProcess) -> None:
    async def body() -> None:
        window = harness.window
        await window.open_connection(azure_connection(arm, read_only=True))
        window.show_pane("Azure")
        await harness.loaded()
        await harness.wait_for(lambda: harness.find("redis-dev-cache").isValid())
        view = window.view(AZURE)
        cache = harness.find("redis-dev-cache")
        details = view.describe(harness.model.record_of(cache), None)
        arm_view = dict(next(s for s in details.sections
                             if s.title == "What Resource Manager says").rows)
        assert arm_view["Access keys authentication"] == "Enabled"
        assert arm_view["Client protocol"] == "Plaintext"
        assert arm_view["Clustering policy"] == "EnterpriseCluster"
        view.actions.actions_for(cache)
        key_action = view.actions.open_with_key_action
        assert key_action.text() == "Open with access &key"
        assert not key_action.isEnabled() and "read-only" in key_action.toolTip()
        window.remove_connection(window.connections[0])

        await window.open_connection(azure_connection(arm))
        await harness.loaded()
        await harness.wait_for(lambda: harness.find("redis-prod-sessions").isValid())
        view.actions.actions_for(harness.find("redis-prod-sessions"))
        assert not key_action.isEnabled() and "Entra ID only" in key_action.toolTip()
        cache = harness.find("redis-dev-cache")
        view.actions.actions_for(cache)
        assert key_action.isEnabled()
        harness.select(cache)
        view.actions.open_selected_with_key()
        await harness.wait_for(lambda: any(c.kind == "redis" for c in window.connections))
        opened = next(c for c in window.connections if c.kind == "redis")
        assert opened.auth is AuthMethod.ACCOUNT_KEY and opened.name.endswith("(access key)")
        assert opened.url == f"redis://127.0.0.1:{keyed_redis.port}"
        assert dict(opened.resource_properties)["accessKeysAuthentication"] == "Enabled"
        assert opened not in harness.store.added  # a key is never saved
        assert KEY not in repr(opened)
        await harness.wait_for(lambda: any(r.method == "SCAN" and not r.failure
                                           for r in window.session.journal.records()))
        assert harness.dialogs == []

    harness.run(body)
