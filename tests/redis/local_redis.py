"""Opening the code under test on the local test servers (see conftest.py)."""

from __future__ import annotations

from redis.credentials import CredentialProvider

from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.redis.services.opening import RedisOptions, open_redis
from vaultbrowser.redis.services.service import RedisService
from vaultbrowser.redis.services.wire.addresses import RedisAddress


async def open_local(port: int, *, read_only: bool = False, journal: HttpJournal | None = None,
                     credentials: CredentialProvider | None = None,
                     where: str = "test redis") -> RedisService:
    return await open_redis(RedisAddress("127.0.0.1", port, tls=False), where=where,
                            credentials=credentials, read_only=read_only, journal=journal,
                            options=RedisOptions(connect_timeout=5, command_timeout=10))
