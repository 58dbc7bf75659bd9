"""What a blob's first bytes look like: text (and its encoding), JSON, CSV/TSV, an image, or
bytes to show in hex. Qt-free and pure, so a few MB are prepared in a worker thread
(``asyncio.to_thread(prepare_preview, ...)``) and never stall the window.
"""

from __future__ import annotations

import codecs
import csv
import json
from dataclasses import dataclass, field
from enum import Enum
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

__all__ = ["DecodedText", "Preview", "PreviewKind", "decode_text", "encode_text", "hex_dump",
           "prepare_preview"]

HEX_VIEW_BYTES = 256 * 1024  # 16,384 lines: a hex view of more is not read, only scrolled
# Qt lays a text line out whole: a 4 MB line stalls a text view for seconds (measured 4.8 s),
# so longer lines are shown broken (and such a blob is not edited here).
MAX_SHOWN_LINE = 4096
JSON_C_PARSER_CHARS = 512 * 1024
PRETTY_JSON_CHARS = 2 * 1024 * 1024  # the tree shows everything; the pretty text its start
MAX_TABLE_ROWS = 20_000
MAX_TABLE_COLUMNS = 200
# Magic numbers of the image formats Qt reads out of the box.
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE (with BOM)"),
         (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE (with BOM)"),
         (codecs.BOM_UTF8, "utf-8", "UTF-8 (with BOM)"),
         (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE (with BOM)"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE (with BOM)"))


class PreviewKind(Enum):
    TEXT = "text"
    JSON = "json"
    TABLE = "table"
    IMAGE = "image"
    HEX = "hex"


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text and how it was decoded: ``codec`` (Python's name), ``label`` (for people), the
    ``bom`` it started with (kept on save), and whether it is a faithful reading (latin-1 is
    a guess that never fails)."""

    text: str
    codec: str
    label: str
    bom: bytes = b""
    certain: bool = True


@dataclass(frozen=True, slots=True)
class Preview:
    """A blob's first bytes prepared for each view that suits them (``kinds``, best first)."""

    kinds: tuple[PreviewKind, ...]
    text: DecodedText | None = None
    text_shown: str = ""  # the text as shown: lines longer than MAX_SHOWN_LINE broken
    lines_broken: bool = False
    json_value: Any = None
    json_text: str | None = None  # pretty-printed
    json_error: str | None = None
    table: list[list[str]] = field(default_factory=list)
    table_note: str | None = None
    hex_text: str = ""
    hex_note: str | None = None
    image: bytes | None = None


def _has_image_magic(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def _looks_binary(text: str) -> bool:
    """Control characters other than tab/newline/CR/form feed/ESC in the first 8 KiB."""
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\x1b")
    return "\x00" in sample or controls > len(sample) // 100


def _utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when every other byte is NUL (ASCII text in UTF-16)."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.9 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.9 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    return None


def _decode(data: bytes, codec: str, complete: bool) -> str:
    """Strict decoding; a multi-byte character cut by the preview limit is dropped."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    return decoder.decode(data, final=complete)


def decode_text(data: bytes, *, complete: bool = True) -> DecodedText | None:
    """``data`` as text: a BOM decides; else strict UTF-8; else UTF-16 recognised by its NULs;
    else latin-1 when it still looks like text. None: it is binary (show it in hex)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(_decode(data[len(bom):], codec, complete), codec, label, bom)
            except UnicodeDecodeError:
                return None
    try:
        text = _decode(data, "utf-8", complete)
    except UnicodeDecodeError:
        text = None
    if text is not None and not _looks_binary(text):
        label = "ASCII" if text.isascii() else "UTF-8"
        return DecodedText(text, "utf-8", label)
    wide = _utf16_without_bom(data)
    if wide is not None:
        try:
            text = _decode(data, wide, complete)
        except UnicodeDecodeError:
            text = None
        if text is not None and not _looks_binary(text):
            endian = "LE" if wide.endswith("le") else "BE"
            return DecodedText(text, wide, f"UTF-16 {endian} (no BOM)")
    if text is None:
        latin = data.decode("latin-1")
        if not _looks_binary(latin):
            return DecodedText(latin, "latin-1", "Latin-1 (not valid UTF-8)", certain=False)
    return None


def encode_text(text: str, like: DecodedText) -> bytes:
    """``text`` in the encoding it was read in, with the same BOM.

    Raises:
        UnicodeEncodeError: a character the encoding cannot hold (latin-1 text given a "€").
    """
    return like.bom + text.encode(like.codec)


def break_long_lines(text: str, width: int = MAX_SHOWN_LINE) -> tuple[str, bool]:
    """``text`` with every line longer than ``width`` broken into pieces; whether any was."""
    # Looked for line by line: splitting 500,000 lines at once held the GIL for 80 ms.
    position, size = 0, len(text)
    while position <= size:
        end = text.find("\n", position)
        end = size if end < 0 else end
        if end - position > width:
            break
        position = end + 1
    else:
        return text, False
    lines = text.split("\n")
    pieces = []
    for line in lines:
        pieces.extend(line[i:i + width] for i in range(0, len(line), width) or [0])
    return "\n".join(pieces), True


def hex_dump(data: bytes, limit: int = HEX_VIEW_BYTES) -> str:
    """Offset, 16 bytes in hex and their printable ASCII, one line per 16 bytes."""
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        row = data[offset:offset + 16]
        hexes = " ".join(f"{byte:02x}" for byte in row)
        text = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in row)
        lines.append(f"{offset:08x}  {hexes:<47}  |{text}|")
    return "\n".join(lines)


def _parse_json(text: str) -> Any:
    """``json.loads``, but a big document goes to the pure-Python scanner: the C one holds the
    GIL throughout (4 MB: ~100 ms the window could not run, even from a worker thread)."""
    if len(text) <= JSON_C_PARSER_CHARS:
        return json.loads(text)
    decoder = json.JSONDecoder()
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(text)


def _pretty(value: Any) -> str:
    """``value`` pretty-printed, its first ``PRETTY_JSON_CHARS`` only (pieces encoded as
    needed: no 10 MB text made and joined in one GIL-holding call)."""
    pieces: list[str] = []
    length = 0
    for piece in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(value):
        pieces.append(piece)
        length += len(piece)
        if length > PRETTY_JSON_CHARS:
            pieces.append(f"\n… (the first {PRETTY_JSON_CHARS // (1024 * 1024)} MiB of the "
                          "pretty-printed text; the tree shows all of it)")
            break
    return "".join(pieces)


def _is_json_named(name: str, content_type: str) -> bool:
    lowered = name.lower()
    return ("json" in content_type or lowered.endswith((".json", ".geojson"))
            or lowered.endswith(".ipynb"))


def _delimiter(name: str, content_type: str) -> str | None:
    lowered = name.lower()
    if "tab-separated" in content_type or lowered.endswith(".tsv"):
        return "\t"
    if "csv" in content_type or lowered.endswith(".csv"):
        return ","
    return None


def _table(text: str, delimiter: str, complete: bool) -> tuple[list[list[str]], str | None]:
    lines = text.splitlines()
    if not complete and lines:
        lines.pop()  # the last line is cut by the preview limit
    rows: list[list[str]] = []
    note = None
    try:
        for row in csv.reader(lines, delimiter=delimiter):
            if len(rows) >= MAX_TABLE_ROWS:
                note = f"The first {MAX_TABLE_ROWS:,} rows are shown."
                break
            rows.append(row[:MAX_TABLE_COLUMNS])
    except csv.Error as exc:
        note = f"Not read past row {len(rows) + 1}: {exc}."
    return rows, note


def prepare_preview(data: bytes, name: str, content_type: str | None, *,
                    complete: bool) -> Preview:
    """Every view of ``data`` (the blob's first bytes; ``complete``: all of it)."""
    kind_hint = (content_type or "").lower()
    hex_note = None if len(data) <= HEX_VIEW_BYTES else (
        f"The hex view shows the first {HEX_VIEW_BYTES // 1024:,} KiB.")
    hexed = hex_dump(data)
    if _has_image_magic(data) or (kind_hint.startswith("image/") and "svg" not in kind_hint):
        return Preview((PreviewKind.IMAGE, PreviewKind.HEX), image=data, hex_text=hexed,
                       hex_note=hex_note)
    text = decode_text(data, complete=complete)
    if text is None:
        return Preview((PreviewKind.HEX,), hex_text=hexed, hex_note=hex_note)
    kinds = [PreviewKind.TEXT, PreviewKind.HEX]
    preview: dict[str, Any] = {}
    stripped = text.text.lstrip()
    if _is_json_named(name, kind_hint) or stripped[:1] in ("{", "["):
        try:
            value = _parse_json(text.text)
        except (ValueError, RecursionError) as exc:
            if _is_json_named(name, kind_hint):
                preview["json_error"] = (
                    "Only the first bytes are loaded: load all to see the JSON tree."
                    if not complete else f"Not valid JSON: {exc}")
                kinds.insert(0, PreviewKind.JSON)
        else:
            preview.update(json_value=value, json_text=break_long_lines(_pretty(value))[0])
            kinds.insert(0, PreviewKind.JSON)
    delimiter = _delimiter(name, kind_hint)
    if delimiter is not None:
        preview["table"], preview["table_note"] = _table(text.text, delimiter, complete)
        kinds.insert(0, PreviewKind.TABLE)
    shown, broken = break_long_lines(text.text)
    return Preview(tuple(kinds), text=text, text_shown=shown, lines_broken=broken,
                   hex_text=hexed, hex_note=hex_note, **preview)
