"""Comparing two secrets' values without keeping either.

Each value is fetched, hashed at once with HMAC-SHA256 under a key made for this one run (so
even the digests mean nothing outside it), and its reference dropped; the two digests are
compared in constant time and only "same value" or "different value" is kept. Nothing here
logs, stores or raises anything that holds a value: a failed GET carries no value, and the
errors raised are the service's typed ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import secrets as random_bytes

from vaultbrowser.core.audit.diff_report import DIFFERENT_VALUE, SAME_VALUE
from vaultbrowser.keyvault.services.secrets import VaultSecrets


class ValueComparer:
    """One run's value comparison. ``compare(...)`` reads one value per side (both sides at
    once; the caller compares one name at a time, so one GET at a time per side)."""

    __slots__ = ("_key", "fetched")

    def __init__(self) -> None:
        self._key = random_bytes.token_bytes(32)  # this run's only: digests are useless after it
        self.fetched = 0  # value GETs made (for progress and tests)

    def __repr__(self) -> str:
        return f"ValueComparer(<per-run key hidden>, fetched={self.fetched})"

    async def _digest(self, part: VaultSecrets, name: str) -> bytes:
        result = await part.get_value(name)
        self.fetched += 1
        # surrogatepass: a lone surrogate (valid in JSON) must not raise an encoding error,
        # whose message and ``object`` would quote the value.
        digest = hmac.new(self._key, result.value.reveal().encode("utf-8", "surrogatepass"),
                          hashlib.sha256).digest()
        del result  # the value's only reference: gone before anything else runs
        return digest

    async def compare(self, part_a: VaultSecrets, name_a: str, part_b: VaultSecrets,
                      name_b: str) -> str:
        """"same value" or "different value" of the latest versions of two secrets.

        Raises:
            VaultBrowserError: a value GET failed (a disabled secret: AccessDenied); it says
                which secret, never its value.
        """
        # Both sides at once: still one value GET at a time per side.
        other = asyncio.ensure_future(self._digest(part_b, name_b))
        try:
            digest_a = await self._digest(part_a, name_a)
        except BaseException:
            other.cancel()
            with contextlib.suppress(BaseException):
                await other
            raise
        digest_b = await other
        return SAME_VALUE if hmac.compare_digest(digest_a, digest_b) else DIFFERENT_VALUE
