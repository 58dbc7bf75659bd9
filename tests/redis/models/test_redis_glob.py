"""The client-side Redis glob agrees with the server's own matching (SCAN MATCH on a real
server), escapes and negated sets included."""

from __future__ import annotations

from typing import Any

from tests.redis.conftest import RedisProcess
from vaultbrowser.redis.models.redis_glob import glob_matches

NAMES = [b"a", b"ab", b"abc", b"a*c", b"a?c", b"a[c", b"a]c", b"a\\c", b"abd", b"b-1", b"b_1",
         b"x\ny", b"\xff\xfe", b"hello", b"hallo", b"hxllo", b"h^llo", b"h!llo", b"", b"-"]
PATTERNS = [b"*", b"a*", b"a?c", b"a\\*c", b"a\\?c", b"a[bc]*", b"a[^b]c", b"a[!b]c",
            b"h[a-e]llo", b"h[e-a]llo", b"b[-_]1", b"a\\[c", b"a[\\]]c", b"x?y", b"\xff*",
            b"h[^a]llo", b"a\\\\c", b"*c", b"?", b"[a", b"a[]c"]


def test_the_client_matches_as_the_server_does(standalone: RedisProcess, run: Any) -> None:
    admin = standalone.admin
    for name in NAMES:
        admin.set(name, 1)
    for pattern in PATTERNS:
        server = set(admin.scan_iter(match=pattern, count=1000))
        client = {name for name in NAMES if glob_matches(pattern, name)}
        assert client == server, pattern
