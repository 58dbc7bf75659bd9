"""``RedisService``: one connection's parts, composed — keys, values, writes."""

from __future__ import annotations

from redis.credentials import CredentialProvider

from vaultbrowser.redis.services.keys import RedisKeys
from vaultbrowser.redis.services.values import RedisValues
from vaultbrowser.redis.services.wire.commands import RedisCommands
from vaultbrowser.redis.services.wire.entra import EntraTokenProvider
from vaultbrowser.redis.services.writes import RedisWrites


class RedisService:
    """A connected Redis (standalone or cluster). ``keys``, ``values`` and ``writes`` are its
    parts; every command they send goes through ``commands`` (read-only, journal, limits,
    typed errors). The session closes it (``close``)."""

    def __init__(self, commands: RedisCommands,
                 credentials: CredentialProvider | None = None) -> None:
        self.commands = commands
        self._credentials = credentials
        self.keys = RedisKeys(commands)
        self.values = RedisValues(commands)
        self.writes = RedisWrites(commands, self.keys)

    @property
    def where(self) -> str:
        return self.commands.where

    @property
    def cluster(self) -> bool:
        return self.commands.cluster

    @property
    def read_only(self) -> bool:
        return self.commands.read_only

    @property
    def user(self) -> str | None:
        """The user name sent: the Entra identity's object id; None for the default user."""
        return self.commands.user

    @property
    def token_provider(self) -> EntraTokenProvider | None:
        return (self._credentials if isinstance(self._credentials, EntraTokenProvider)
                else None)

    async def close(self) -> None:
        if isinstance(self._credentials, EntraTokenProvider):
            await self._credentials.close()
        await self.commands.close()
