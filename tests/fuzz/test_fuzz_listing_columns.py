"""Fuzz: the column-backed listing parser (``listing_expat``, what the fast listing and the Blob
tree use) against the element parser (``listing_xml``) on the same generated and mutated List
Blobs bodies: the same records and marker, or both refuse the body with a typed error."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.test_fuzz_listing_xml import _chunks, listing
from vaultbrowser.blob.services.listing_expat import read_blob_columns
from vaultbrowser.blob.services.listing_xml import Slicer, read_blob_listing
from vaultbrowser.core.services.errors import VaultBrowserError


@given(body=listing(), chunk=st.integers(1, 64), max_items=st.sampled_from([None, 2, 5000]))
def test_columns_match_the_element_parser(body: bytes, chunk: int, max_items: int | None,
                                          fed: Any) -> None:
    fed("blob listing XML (columns vs elements)")
    try:
        prefixes, blobs, marker = asyncio.run(
            read_blob_listing(_chunks(body, chunk), "c", Slicer(), max_items))
    except VaultBrowserError as error:
        try:
            asyncio.run(read_blob_columns(_chunks(body, chunk), "c", Slicer(), max_items))
        except VaultBrowserError as same:
            assert type(same) is type(error)
            return
        raise AssertionError(
            "the column parser accepted what the element parser refused") from error
    columns, marker2 = asyncio.run(
        read_blob_columns(_chunks(body, chunk), "c", Slicer(), max_items))
    assert marker2 == marker
    assert list(columns) == [*prefixes, *blobs]
