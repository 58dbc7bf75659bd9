"""Azure Managed Redis's part of demo mode: a local ``redis-server`` seeded with what a team
keeps in a cache — sessions with TTLs, cached pages, feature flags, a user hash, a job queue
(list), tags (set), a leaderboard (sorted set), an event stream and a big-ish JSON string.
Without redis-server it is unavailable (the message says how to get it); the demo goes on."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.kinds import DemoUnavailable
from vaultbrowser.redis.services.demo.redis_server import LocalRedisServer
from vaultbrowser.redis.services.wire.failures import translate_redis_error

log = logging.getLogger(__name__)
SESSIONS = 120
CACHED_PAGES = 60


async def seed_redis_demo(port: int) -> int:
    """Write the demo keys; how many there are."""
    client = Redis(host="127.0.0.1", port=port)
    try:
        pipe = client.pipeline(transaction=False)
        for number in range(SESSIONS):
            pipe.set(f"sessions:{number:04d}", json.dumps(
                {"user": f"user-{number % 37}", "cart": number % 5, "theme": "dark"}),
                ex=1800 + number * 30)
        for number in range(CACHED_PAGES):
            pipe.set(f"cache:page:/products/{number}", f"<html>product {number}</html>",
                     ex=300 + number)
        pipe.set("cache:config:site", json.dumps({"title": "Contoso shop", "currency": "EUR",
                                                  "regions": ["westeurope", "northeurope"]}))
        for flag, on in (("checkout-v2", "on"), ("dark-mode", "on"), ("new-search", "off"),
                         ("beta:recommendations", "10%")):
            pipe.set(f"feature-flags:{flag}", on)
        pipe.hset("users:1001", mapping={"name": "Ada Lovelace", "email": "ada@contoso.example",
                                         "plan": "premium", "logins": "42"})
        pipe.hset("users:1002", mapping={"name": "Alan Turing", "plan": "free"})
        pipe.rpush("queues:email", *[json.dumps({"to": f"user-{n}", "template": "welcome"})
                                     for n in range(25)])
        pipe.sadd("tags:product:17", "outdoor", "waterproof", "sale")
        pipe.zadd("leaderboard:weekly", {f"player-{n}": (n * 37) % 1000 for n in range(50)})
        for number in range(40):
            pipe.xadd("events:orders", {"order": str(5000 + number), "state": "placed"})
        catalogue = [{"sku": f"SKU-{n:05d}", "name": f"Product {n}", "price": n % 90 + 0.99}
                     for n in range(3000)]
        pipe.set("cache:catalogue", json.dumps(catalogue))  # ~180 KB: read in ranges
        pipe.set("counter:visits", 123456)
        await pipe.execute()
        return int(await client.dbsize())
    except RedisError as exc:
        raise translate_redis_error(exc, where="the demo Redis") from None
    finally:
        await client.aclose()


class RedisDemo:
    """The demo Redis: ``start()`` returns its connection, ``stop()`` stops the server."""

    starting = "Starting redis-server and seeding demo keys…"

    def __init__(self, workdir: Path, seed: bool = True) -> None:
        self._server = LocalRedisServer(workdir / "redis")
        self._seed = seed
        self._started = False

    async def start(self, started: Mapping[str, Connection] | None = None) -> Connection:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._server.start)
        except DemoUnavailable as exc:
            log.warning("Redis demo unavailable: %s", exc)
            raise
        self._started = True
        if self._seed:
            await seed_redis_demo(self._server.port)
        return Connection("redis", f"redis://127.0.0.1:{self._server.port}",
                          AuthMethod.LOCAL_EMULATOR, name="demo-cache (local redis-server)")

    @property
    def port(self) -> int:
        return self._server.port

    async def stop(self) -> None:
        if self._started:
            self._started = False
            await asyncio.get_running_loop().run_in_executor(None, self._server.stop)
