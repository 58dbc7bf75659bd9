"""Fixtures of the fault matrix: a seeded Key Vault emulator, a TCP proxy in front of Azurite,
short retry backoffs and timeouts (so that every case takes well under a second or two)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from vaultbrowser.core.services.config import NetworkSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection

# Two retries at most (three attempts), backoffs of a few ms, half a second of silence.
FAST = NetworkSettings(retry_total=2, retry_status=2, retry_read=1, retry_backoff_factor=0.01,
                       retry_backoff_max=0.05, storage_initial_backoff=0.01,
                       storage_increment_base=0.01, storage_jitter=0.0,
                       connection_timeout=1.0, read_timeout=0.5)
SECRETS = 30
CONTAINER = "faults"
BLOBS = 40
BIG_BLOB = "big.bin"
BIG_SIZE = 300_000


# Session, not package, scope: under pytest-xdist a worker may run this package's files between
# others', so a package fixture is torn down and set up again in the same session (the container
# "faults" then exists already in the worker's Azurite).
@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": [{"name": f"item-{i:03d}", "value": f"value-{i}"} for i in range(SECRETS)],
            "keys": [{"name": "signing", "kty": "RSA", "key_size": 2048}]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-faults"),
                                seed=seed) as instance:
        yield instance


@pytest.fixture(autouse=True)
def _clear_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emulator" in request.fixturenames:
        request.getfixturevalue("emulator").faults.clear()
    if "proxy" in request.fixturenames:
        request.getfixturevalue("proxy").clear()


@pytest.fixture(scope="session")
def blob_data(azurite: Any) -> str:
    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        container = client.create_container(CONTAINER)
        for i in range(BLOBS):
            container.upload_blob(f"dir/blob-{i:03d}-{'n' * 30}.txt", b"data")
        container.upload_blob(BIG_BLOB, bytes(range(256)) * (BIG_SIZE // 256) + b"x" * (
            BIG_SIZE % 256))
    return CONTAINER


@pytest.fixture(scope="session")
def proxy(azurite: Any, blob_data: str) -> Iterator[Any]:
    from vaultbrowser.emulators.tcp_proxy import run_tcp_proxy_in_thread

    with run_tcp_proxy_in_thread(azurite.blob_endpoint) as instance:
        yield instance


def vault_connection(emulator: Any) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="fault-vault", ca_path=str(emulator.ca_path))


def storage_connection(proxy: Any, azurite: Any) -> Connection:
    return Connection("blob", proxy.url_for(azurite.blob_endpoint),
                      AuthMethod.LOCAL_EMULATOR, name="proxied-azurite")
