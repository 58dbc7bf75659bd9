"""Redis's glob (SCAN MATCH, KEYS) on the client: below a namespace, whose own SCAN matches its
prefix, the user's pattern is applied to the names SCAN brings, with Redis's rules — ``*``,
``?``, ``[abc]``, ``[a-z]``, ``[^a]``, ``\\`` escaping the next byte — which differ from
``fnmatch``'s (no escapes; ``[!a]`` negates there, ``[^a]`` does not)."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)
def glob_regex(pattern: bytes) -> re.Pattern[bytes]:
    """The compiled regular expression of a Redis glob (whole-name match)."""
    out = bytearray()
    position, size = 0, len(pattern)
    while position < size:
        byte = pattern[position:position + 1]
        position += 1
        if byte == b"*":
            out += b".*"
        elif byte == b"?":
            out += b"."
        elif byte == b"\\" and position < size:
            out += re.escape(pattern[position:position + 1])
            position += 1
        elif byte == b"[":
            end = position
            if end < size and pattern[end:end + 1] == b"^":
                end += 1
            while end < size and pattern[end:end + 1] != b"]":
                end += 2 if pattern[end:end + 1] == b"\\" else 1
            if end >= size:  # no closing bracket: Redis reads the rest as the set
                end = size
            body = pattern[position:end]
            negate = body[:1] == b"^"
            if negate:
                body = body[1:]
            members = bytearray()
            index = 0
            while index < len(body):
                part = body[index:index + 1]
                if part == b"\\" and index + 1 < len(body):
                    members += re.escape(body[index + 1:index + 2])
                    index += 2
                elif (index + 2 < len(body) and body[index + 1:index + 2] == b"-"):
                    low, high = sorted((body[index], body[index + 2]))
                    members += re.escape(bytes([low])) + b"-" + re.escape(bytes([high]))
                    index += 3
                else:
                    members += re.escape(part)
                    index += 1
            out += (b"[^" if negate else b"[") + bytes(members) + b"]" if members else (
                b"." if negate else b"(?!)")
            position = min(end + 1, size)
        else:
            out += re.escape(byte)
    return re.compile(bytes(out) + rb"\Z", re.DOTALL)


def glob_matches(pattern: bytes, name: bytes) -> bool:
    return glob_regex(pattern).match(name) is not None
