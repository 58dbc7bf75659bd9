"""Cosmos DB's part of demo mode: the local ``@vercel/cosmosdb-server`` seeded with what a shop
keeps in Cosmos DB — orders (a few big ones), customers, products, device events with a TTL and
CMS pages of some size. Without Node.js or the npm package it is unavailable (the message says
how to get them); the demo goes on with the other kinds."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Iterable, Mapping
from pathlib import Path
from typing import Any

from azure.cosmos.aio import CosmosClient

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.kinds import DemoUnavailable
from vaultbrowser.emulators.cosmos_server import (
    COSMOS_SERVER_KEY,
    CosmosServer,
    CosmosServerUnavailable,
)

log = logging.getLogger(__name__)
ORDERS = 2_000
CUSTOMERS = 300
PRODUCTS = 400
EVENTS = 600
PAGES = 12
WRITERS = 64  # items in flight while seeding
COUNTRIES = ("NO", "SE", "DE", "FR", "NL", "GB", "US")
CATEGORIES = ("outdoor", "kitchen", "garden", "toys", "books", "audio")
STATES = ("placed", "paid", "shipped", "delivered", "returned")


def demo_documents() -> dict[tuple[str, str], tuple[str, list[dict[str, Any]], int | None]]:
    """(database, container) → (partition key path, items, default TTL): the demo's data,
    the same on every run."""
    rng = random.Random(23)
    customers = [{"id": f"cust-{n:04d}", "country": COUNTRIES[n % len(COUNTRIES)],
                  "name": f"Customer {n}", "email": f"customer{n}@contoso.example",
                  "tier": ("gold", "silver", "bronze")[n % 3],
                  "address": {"city": f"City {n % 40}", "zip": f"{1000 + n}"}}
                 for n in range(CUSTOMERS)]
    products = [{"id": f"sku-{n:05d}", "category": CATEGORIES[n % len(CATEGORIES)],
                 "name": f"Product {n}", "price": round(rng.uniform(2, 400), 2),
                 "stock": rng.randint(0, 500), "tags": rng.sample(
                     ["sale", "new", "eco", "bestseller", "limited"], 2)}
                for n in range(PRODUCTS)]
    orders = []
    for n in range(ORDERS):
        line_count = 400 if n % 500 == 7 else rng.randint(1, 6)  # a few big orders
        lines = [{"sku": f"sku-{rng.randrange(PRODUCTS):05d}", "quantity": rng.randint(1, 4),
                  "price": round(rng.uniform(2, 400), 2)} for _ in range(line_count)]
        orders.append({"id": f"order-{n:05d}", "customerId": f"cust-{n % CUSTOMERS:04d}",
                       "status": STATES[n % len(STATES)],
                       "total": round(sum(x["price"] * x["quantity"] for x in lines), 2),
                       "placed": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T10:{n % 60:02d}:00Z",
                       "lines": lines})
    events = [{"id": f"evt-{n:05d}", "deviceId": f"device-{n % 25:02d}",
               "kind": ("temperature", "humidity", "door")[n % 3],
               "value": round(rng.uniform(-5, 35), 1),
               **({"ttl": 600} if n % 10 == 0 else {})}
              for n in range(EVENTS)]
    pages = [{"id": f"page-{n:02d}", "site": ("shop", "blog")[n % 2],
              "title": f"Page {n}", "body": "Lorem ipsum dolor sit amet. " * (400 * (n + 1))}
             for n in range(PAGES)]  # 11 KB to 130 KB
    return {("shop", "orders"): ("/customerId", orders, None),
            ("shop", "customers"): ("/country", customers, None),
            ("shop", "products"): ("/category", products, None),
            ("telemetry", "events"): ("/deviceId", events, 86_400),
            ("cms", "pages"): ("/site", pages, None)}


async def _bounded(calls: Iterable[Awaitable[Any]], limit: int) -> None:
    gate = asyncio.Semaphore(limit)

    async def one(call: Awaitable[Any]) -> None:
        async with gate:
            await call

    await asyncio.gather(*(one(call) for call in calls))


async def seed_cosmos_demo(endpoint: str, ca_path: str) -> int:
    """Write the demo's databases, containers and items; how many items there are."""
    count = 0
    async with CosmosClient(endpoint, COSMOS_SERVER_KEY, connection_verify=ca_path) as client:
        for (database, container), (path, items, ttl) in demo_documents().items():
            db = await client.create_database_if_not_exists(database)
            options: dict[str, Any] = {"default_ttl": ttl} if ttl is not None else {}
            proxy = await db.create_container_if_not_exists(
                container, partition_key={"paths": [path], "kind": "Hash"}, **options)
            await _bounded((proxy.upsert_item(item) for item in items), WRITERS)
            count += len(items)
    return count


class CosmosDemo:
    """The demo Cosmos DB account: ``start()`` returns its connection, ``stop()`` stops the
    server."""

    starting = "Starting the local Cosmos DB server and seeding demo items…"

    def __init__(self, workdir: Path, seed: bool = True) -> None:
        self._server = CosmosServer(workdir / "cosmos")
        self._seed = seed
        self._started = False

    @property
    def server(self) -> CosmosServer:
        return self._server

    async def start(self, started: Mapping[str, Connection] | None = None) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._server.start)
        except CosmosServerUnavailable as exc:
            log.warning("Cosmos DB demo unavailable: %s", exc)
            raise DemoUnavailable(f"The Cosmos DB demo needs the local server: {exc}") from None
        self._started = True
        if self._seed:
            await seed_cosmos_demo(self._server.endpoint, str(self._server.ca_path))
        return Connection("cosmos", self._server.endpoint, AuthMethod.LOCAL_EMULATOR,
                          name="demo-shop (local Cosmos DB server)",
                          ca_path=str(self._server.ca_path))

    async def stop(self) -> None:
        if self._started:
            self._started = False
            await asyncio.get_running_loop().run_in_executor(None, self._server.stop)
