"""The local Cosmos DB server for the Cosmos tests (``@vercel/cosmosdb-server``, real HTTPS).

One server per test session, on a free loopback port, with a certificate we generate (the
clients verify it against our CA). Where Node.js or the npm package is missing, the tests that
need it skip and say why (in CI, where ``npm ci`` installs it, that is a failure). The admin
client here is the plain SDK client, used to seed data and look at the server, never the code
under test. What the server does differently from the real service: ``README.md`` beside this.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.emulators.cosmos_server import (
    COSMOS_SERVER_KEY,
    CosmosServer,
    CosmosServerUnavailable,
)

_NAMES = itertools.count(1)


@pytest.fixture(scope="session")
def cosmos_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CosmosServer]:
    server = CosmosServer(workdir=Path(tmp_path_factory.mktemp("cosmos-server")))
    try:
        server.start()
    except CosmosServerUnavailable as exc:
        if os.environ.get("CI"):
            raise  # CI installs it (npm ci): missing there is a failure, not a skip
        pytest.skip(f"The local Cosmos DB server cannot start: {exc}")
    try:
        yield server
    finally:
        server.stop()


def cosmos_connection(server: CosmosServer, **fields: Any) -> Connection:
    """A connection to the local server (the session's loopback token: it checks none)."""
    defaults: dict[str, Any] = {"auth": AuthMethod.LOCAL_EMULATOR, "ca_path": str(server.ca_path)}
    return Connection(kind="cosmos", url=server.endpoint, **{**defaults, **fields})


@asynccontextmanager
async def admin_client(server: CosmosServer) -> AsyncIterator[Any]:
    """The plain SDK client on the server, for seeding and looking (not the code under test)."""
    from azure.cosmos.aio import CosmosClient

    async with CosmosClient(server.endpoint, COSMOS_SERVER_KEY,
                            connection_verify=str(server.ca_path)) as client:
        yield client


@dataclass(frozen=True)
class SeededContainer:
    database: str
    container: str
    key_path: str
    count: int


def unique(prefix: str) -> str:
    """A database name no other test uses (the server lives for the whole session)."""
    return f"{prefix}{os.getpid()}x{next(_NAMES)}"


@pytest.fixture
def seed(cosmos_server: CosmosServer) -> Callable[..., SeededContainer]:
    """``seed(count, key_path="/pk", partitions=3)``: a new database with one container of
    ``count`` items ``{"id": "item-0007", "pk": "p1", "n": 7}``."""

    def make(count: int = 0, key_path: str = "/pk", partitions: int = 3,
             **container_options: Any) -> SeededContainer:
        database, container = unique("db"), "items"
        key_name = key_path.strip("/")

        async def run() -> None:
            async with admin_client(cosmos_server) as client:
                db = await client.create_database(database)
                proxy = await db.create_container(
                    container, partition_key={"paths": [key_path], "kind": "Hash"},
                    **container_options)
                for start in range(0, count, 50):
                    await asyncio.gather(*(
                        proxy.create_item({"id": f"item-{n:04d}", key_name: f"p{n % partitions}",
                                           "n": n})
                        for n in range(start, min(count, start + 50))))

        asyncio.run(run())
        return SeededContainer(database, container, key_path, count)

    return make
