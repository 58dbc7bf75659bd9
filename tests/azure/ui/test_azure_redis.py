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

from tests.azure.ui.open_with_key import open_with_key
from tests.azure.ui.test_azure_view import Harness, harness
from tests.redis.conftest import RedisProcess, free_port
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.emulators.arm.seed import account_key, demo_world
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.threaded import run_arm_emulator_in_thread
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

__all__ = ["harness"]  # a fixture used by name

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


def test_the_node_shows_arm_and_opens_with_an_access_key(harness: Harness, arm: ArmEmulator,
                                                         keyed_redis: RedisProcess) -> None:
    async def body() -> None:
        window = harness.window
        opened = await open_with_key(
            harness, arm, kind="redis", keyed="redis-dev-cache",
            entra_only="redis-prod-sessions", label="Open with access &key",
            arm_says={"Access keys authentication": "Enabled", "Client protocol": "Plaintext",
                      "Clustering policy": "EnterpriseCluster"})
        assert opened.auth is AuthMethod.ACCOUNT_KEY and opened.name.endswith("(access key)")
        assert opened.url == f"redis://127.0.0.1:{keyed_redis.port}"
        assert dict(opened.resource_properties)["accessKeysAuthentication"] == "Enabled"
        assert opened not in harness.store.added  # a key is never saved
        assert KEY not in repr(opened)
        await harness.wait_for(lambda: any(r.method == "SCAN" and not r.failure
                                           for r in window.session.journal.records()))
        assert harness.dialogs == []

    harness.run(body)
