"""Fuzz: the List Blobs / List Containers XML a server (or a proxy) sends, generated and mutated,
through the streaming parser that the fast listing uses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from hypothesis import given
from hypothesis import strategies as st

from vaultbrowser.blob.services.listing_xml import Slicer, read_blob_listing, read_container_listing
from vaultbrowser.blob.services.records import BlobPrefixRecord, BlobRecord, ContainerRecord
from vaultbrowser.core.services.errors import VaultBrowserError

XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                   max_size=30)
DATES = st.one_of(st.sampled_from([
    "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "not a date",
    "Fri, 31 Dec 9999 23:59:59 -1400", "Mon, 01 Jan 0001 00:00:00 +1400", ""]), XML_TEXT)


def _element(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>"


@st.composite
def blob_element(draw: Any) -> str:
    name = draw(XML_TEXT)
    encoded = draw(st.booleans())
    props = "".join(_element(tag, draw(st.one_of(DATES, XML_TEXT))) for tag in draw(
        st.lists(st.sampled_from(["Last-Modified", "Creation-Time", "Content-Length",
                                  "Content-MD5", "DeletedTime", "LastAccessTime",
                                  "ImmutabilityPolicyUntilDate", "AccessTierChangeTime",
                                  "TagCount", "ServerEncrypted", "CopySource", "BlobType"]),
                 max_size=6)))
    metadata = "".join(_element(f"m{i}", draw(XML_TEXT)) for i in range(draw(st.integers(0, 3))))
    tags = "".join(f"<Tag><Key>{escape(draw(XML_TEXT))}</Key><Value>{escape(draw(XML_TEXT))}"
                   "</Value></Tag>" for _ in range(draw(st.integers(0, 2))))
    name_tag = f'<Name Encoded="true">{escape(name)}</Name>' if encoded else _element("Name",
                                                                                    name)
    return (f"<Blob>{name_tag}<Properties>{props}</Properties><Metadata>{metadata}</Metadata>"
            f"<Tags><TagSet>{tags}</TagSet></Tags></Blob>")


@st.composite
def listing(draw: Any) -> bytes:
    items = draw(st.lists(st.one_of(
        blob_element(), st.builds(lambda n: f"<BlobPrefix>{_element('Name', n)}</BlobPrefix>",
                                  XML_TEXT)), max_size=6))
    marker = draw(st.one_of(st.just(""), XML_TEXT))
    body = (f'<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>{"".join(items)}'
            f"</Blobs>{_element('NextMarker', marker)}</EnumerationResults>").encode()
    if draw(st.booleans()):  # mutate: cut, flip or splice bytes
        at = draw(st.integers(0, len(body)))
        action = draw(st.sampled_from(["cut", "splice", "flip"]))
        if action == "cut":
            body = body[:at]
        elif action == "splice":
            body = body[:at] + draw(st.binary(max_size=8)) + body[at:]
        elif body:
            at = min(at, len(body) - 1)
            body = body[:at] + bytes([body[at] ^ 0x20]) + body[at + 1:]
    return body


async def _chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start:start + size]


@given(body=listing(), chunk=st.integers(1, 64), max_items=st.sampled_from([None, 2, 5000]))
def test_blob_listing_xml(body: bytes, chunk: int, max_items: int | None, fed: Any) -> None:
    fed("blob listing XML (List Blobs)")
    try:
        prefixes, blobs, _marker = asyncio.run(
            read_blob_listing(_chunks(body, chunk), "c", Slicer(), max_items))
    except VaultBrowserError:
        return
    assert all(isinstance(p, BlobPrefixRecord) for p in prefixes)
    for blob in blobs:
        assert isinstance(blob, BlobRecord) and isinstance(blob.name, str)
        for field in ("last_modified", "created_on", "deleted_on", "last_accessed_on",
                      "immutability_policy_until", "access_tier_changed_on"):
            value = getattr(blob, field)
            assert value is None or (isinstance(value, datetime) and value.tzinfo == UTC)
        assert set(blob.invalid_dates) <= {"last_modified", "created_on", "deleted_on",
                                           "last_accessed_on", "immutability_policy_until",
                                           "access_tier_changed_on"}


@given(body=st.one_of(st.binary(max_size=200), listing().map(
    lambda b: b.replace(b"Blobs>", b"Containers>").replace(b"<Blob>", b"<Container>")
    .replace(b"</Blob>", b"</Container>"))))
def test_container_listing_xml(body: bytes, fed: Any) -> None:
    fed("blob listing XML (List Containers)")
    try:
        containers, _marker = asyncio.run(
            read_container_listing(_chunks(body, 7), "https://a", Slicer()))
    except VaultBrowserError:
        return
    assert all(isinstance(c, ContainerRecord) for c in containers)
