"""Key names are bytes: a safe display text for them, and glob patterns that match them.

Redis keys may hold any bytes. The display text decodes UTF-8 and escapes what would mislead
or break a view: undecodable bytes (``\\xff``), control and format characters (new lines,
bidirectional overrides: ``\\n``, ``\\u202e``) and the backslash itself (``\\\\``), so two
different keys never show the same text.
"""

from __future__ import annotations

import unicodedata

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
_GLOB_SPECIAL = frozenset(b"*?[]\\")


def _escaped(char: str) -> str:
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
            else f"\\U{code:08x}"
    return char


def display_text(name: bytes, limit: int | None = None) -> str:
    """``name`` as safe, unambiguous text; cut to ``limit`` characters with '…' when given."""
    parts: list[str] = []
    for char in name.decode("utf-8", "surrogateescape"):
        code = ord(char)
        # surrogateescape keeps each undecodable byte as U+DC80..U+DCFF: show the byte
        parts.append(f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else _escaped(char))
    shown = "".join(parts)
    if limit is not None and len(shown) > limit:
        return shown[:limit] + "…"
    return shown


def glob_escape(prefix: bytes) -> bytes:
    """``prefix`` with Redis glob's special characters escaped (for MATCH ``prefix*``)."""
    return b"".join(b"\\" + bytes([byte]) if byte in _GLOB_SPECIAL else bytes([byte])
                    for byte in prefix)


def prefix_pattern(prefix: bytes) -> bytes:
    """The MATCH pattern of every key that starts with ``prefix``."""
    return glob_escape(prefix) + b"*"
