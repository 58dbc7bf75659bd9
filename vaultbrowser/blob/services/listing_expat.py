"""A List Blobs body → ``BlobColumns``, parsed by expat as it streams in.

Why expat handlers and not ``XMLPullParser`` (``listing_xml``): the pull parser builds an
element for every tag (a 5,000-blob page is ~100,000 of them) and ``blob_record_from_xml``
then walks them into a 40-field record; together they were two thirds of a million-blob Load
all (cProfile). Here each tag costs a start and an end call that keep only the texts a blob
needs, straight into the page's columns. Texts follow ElementTree's rules (an element's text
is what precedes its first child; an empty element's is None), so the values are the ones
``listing_xml`` reads; the tests compare both.

The body is fed in ``FEED_BYTES`` pieces and ``Slicer.pause()`` yields to the loop between
pieces, as ``listing_xml`` does.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any
from urllib.parse import unquote
from xml.parsers import expat

from vaultbrowser.blob.services.listing_columns import BlobColumns
from vaultbrowser.blob.services.listing_values import BlobFields
from vaultbrowser.blob.services.listing_xml import FEED_BYTES, Slicer
from vaultbrowser.core.services.errors import ServiceError
from vaultbrowser.core.services.http.limits import page_items_exceeded
from vaultbrowser.core.services.paging import tell_next_token

__all__ = ["read_blob_columns", "read_blob_columns_telling", "records_of"]

_ITEMS = frozenset({"Blob", "BlobPrefix"})
_UNSET: Any = object()


async def read_blob_columns(
    chunks: AsyncIterable[bytes], container: str, slicer: Slicer, max_items: int | None = None
) -> tuple[BlobColumns, str | None]:
    """The prefixes and blobs (one ``BlobColumns``) and the continuation marker of a List
    Blobs ``EnumerationResults`` body. An item is a ``<Blob>`` or ``<BlobPrefix>`` with child
    elements, outside any other item.

    Raises:
        ServiceError: the body is not well-formed XML.
        LimitExceeded: more than ``max_items`` prefixes and blobs (parsing stops there).
    """
    columns = BlobColumns(container)
    dates: dict[str, float] = {}
    # Namespace-aware, as ElementTree's parser: the same bodies are well-formed for both.
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    buf: list[str] = []
    join = "".join
    path: list[str] = []  # the open elements' tags
    texts: list[str | None] = []  # their text before their first child, once one started
    collecting = False  # the innermost open element has had no child yet
    left = -1 if max_items is None else max_items  # items still allowed (-1: no limit)
    item_depth = 0  # depth of the open item (0: none)
    item_children = 0
    blob = BlobFields()
    prefix_name: str | None = None
    prefix_encoded = False
    name_encoded = False
    tag_stack: list[list[Any]] = []  # open <Tag>s under <Tags>: [depth, key, value]
    in_tags = False
    marker: str | None = None

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal collecting, item_depth, item_children, blob, prefix_name, in_tags, \
            name_encoded
        if collecting:  # the parent's text ends at its first child
            texts[-1] = join(buf) if buf else None
        buf.clear()  # (text after a child is no element's text)
        path.append(tag)
        texts.append(None)
        collecting = True
        depth = len(path)
        if not item_depth:
            if tag in _ITEMS:
                item_depth, item_children, name_encoded = depth, 0, False
                if tag == "Blob":
                    blob = BlobFields()
                else:
                    prefix_name = None
            return
        if depth == item_depth + 1:
            item_children += 1
            if tag == "Name":
                name_encoded = attrs.get("Encoded", "").lower() == "true"
            elif path[item_depth - 1] == "Blob":
                if tag == "Properties":
                    blob.props = {}
                    collecting = False
                    parser.StartElementHandler = property_start
                    parser.EndElementHandler = property_end
                elif tag == "Metadata":
                    blob.metadata = {}
                elif tag == "Tags":
                    blob.tags, in_tags = {}, True
        elif in_tags and tag == "Tag":
            tag_stack.append([depth, None, None])

    # Inside <Properties> (most of a listing's tags): leaner handlers, one level of leaves.
    nested = 0  # 1: in a property; 2+: inside a property's own children (rare)
    nested_text: Any = _UNSET  # a property's text before its first child, once one started

    def property_start(tag: str, _attrs: dict[str, str]) -> None:
        nonlocal nested, nested_text
        if nested == 0:
            buf.clear()  # (the whitespace between properties)
        elif nested == 1 and nested_text is _UNSET:  # its first child: its text ends here
            nested_text = join(buf) if buf else None
        nested += 1

    def property_end(tag: str) -> None:
        nonlocal nested, nested_text
        if nested == 1:
            blob.props[tag] = (join(buf) if buf else None) if nested_text is _UNSET \
                else nested_text
            buf.clear()
            nested, nested_text = 0, _UNSET
        elif nested == 0:  # </Properties>
            parser.StartElementHandler, parser.EndElementHandler = start, end
            end(tag)
        else:
            nested -= 1

    def end(tag: str) -> None:
        nonlocal collecting, item_depth, prefix_name, prefix_encoded, in_tags, marker, left
        if collecting:
            value = join(buf) if buf else None
            collecting = False
        else:
            value = texts[-1]
        buf.clear()
        depth = len(path)
        path.pop()
        texts.pop()
        if not item_depth:
            if depth == 2 and tag == "NextMarker" and marker is None:
                marker = value or ""
            return
        relative = depth - item_depth
        if relative == 0:
            item_depth = 0
            if not item_children:
                return  # an empty <Blob/> is not an item (as in listing_xml)
            if not left:
                raise page_items_exceeded(max_items or 0)
            left -= 1
            if tag == "Blob":
                blob.encoded = name_encoded
                columns.add_blob(blob, dates)
            else:
                columns.add_prefix(prefix_name or "")
            return
        is_blob = path[item_depth - 1] == "Blob"
        if relative == 1:
            if not is_blob:
                if tag == "Name" and prefix_name is None:
                    prefix_name = _decoded(value, name_encoded)
            else:
                blob.fields[tag] = value
                if tag == "Tags":
                    in_tags = False
                    tag_stack.clear()
            return
        if not is_blob:
            return
        if relative == 2:
            parent = path[-1]
            if parent == "Properties" and blob.props is not None:
                blob.props[tag] = value
                return
            if parent == "Metadata" and blob.metadata is not None:
                # (a namespaced key reads "{uri}key", as ElementTree names it)
                blob.metadata["{" + tag if "}" in tag else tag] = value or ""
                return
        if tag_stack:
            top = tag_stack[-1]
            if tag == "Tag" and depth == top[0]:
                tag_stack.pop()
                if top[1] is not None and blob.tags is not None:
                    blob.tags[top[1]] = top[2] or ""
            elif depth == top[0] + 1:
                if tag == "Key" and top[1] is None:
                    top[1] = value or ""
                elif tag == "Value" and top[2] is None:
                    top[2] = value or ""

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = buf.append  # kept only until it is an element's text
    try:
        async for chunk in chunks:
            view = memoryview(chunk)
            for at in range(0, len(view), FEED_BYTES):
                parser.Parse(view[at:at + FEED_BYTES], False)
                await slicer.pause()
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise ServiceError(
            f"The service's listing is not well-formed XML (line {error.lineno}, column "
            f"{error.offset}).",
            advice="The service, or a proxy on the way, sent a damaged answer. Try again; if "
                   "it persists, the proxy may be rewriting responses.") from None
    except (LookupError, UnicodeError):
        raise ServiceError(
            "The service's listing is not well-formed XML.",
            advice="The service, or a proxy on the way, sent a damaged answer. Try again; if "
                   "it persists, the proxy may be rewriting responses.") from None
    columns.seal()
    return columns, marker or None


# The continuation marker at the very end of a List Blobs body (the service's usual shape).
_TAIL_MARKER = re.compile(rb"<NextMarker>([^<&]*)</NextMarker>\s*</EnumerationResults>\s*\Z")


async def read_blob_columns_telling(
    chunks: AsyncIterable[bytes], container: str, slicer: Slicer, max_items: int | None = None
) -> tuple[BlobColumns, str | None]:
    """``read_blob_columns``, the body received whole first and the marker at its end told
    at once (``paging.tell_next_token``): Load all's next request then leaves before this
    page is parsed, and the service prepares it meanwhile. Only a hint: the page's own
    marker is what the parse finds (a hint that differs costs one unused request).

    Raises:
        ServiceError, LimitExceeded: as ``read_blob_columns``.
    """
    received = [chunk async for chunk in chunks]
    tail = b"".join(received[-2:])[-4096:]
    found = _TAIL_MARKER.search(tail)
    if found and found.group(1):
        await tell_next_token(found.group(1).decode("utf-8", "replace"))

    async def again() -> AsyncIterator[bytes]:
        for chunk in received:
            yield chunk

    return await read_blob_columns(again(), container, slicer, max_items)


async def records_of(columns: BlobColumns, slicer: Slicer) -> tuple[Any, ...]:
    """Every item of ``columns`` as its record, built a slice at a time (5,000 records are
    ~50 ms of CPU: never in one stretch on the loop)."""
    items: list[Any] = list(columns.prefixes)
    for row in range(columns.blob_count):
        items.append(columns.blob(row))
        if not row & 63:
            await slicer.pause()
    return tuple(items)


def _decoded(text: str | None, encoded: bool) -> str:
    name = text or ""
    return unquote(name) if encoded else name
