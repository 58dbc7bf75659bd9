"""Listed blobs share one str per distinct value of their few-valued fields (content type,
blob type, tier, lease state…), whatever page they came from: a million rows must not hold a
million copies. The values themselves are what the service sent."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from vaultbrowser.blob.services.listing_xml import blob_record_from_xml

BLOB = ("<Blob><Name>{name}</Name><Properties><Content-Length>3</Content-Length>"
        "<Content-Type>application/x-{kind}</Content-Type><Content-Encoding>gzip"
        "</Content-Encoding><Content-Language /><Cache-Control>no-cache</Cache-Control>"
        "<BlobType>BlockBlob</BlobType><AccessTier>Cool</AccessTier><LeaseStatus>unlocked"
        "</LeaseStatus><LeaseState>available</LeaseState></Properties></Blob>")


def _record(name: str, kind: str = "bench-shared") -> object:
    # Each record from its own parse, as two pages are: ElementTree makes new strs each time.
    return blob_record_from_xml(ET.fromstring(BLOB.format(name=name, kind=kind)), "c")


def test_few_valued_fields_are_one_object_across_pages() -> None:
    first, second = _record("a"), _record("b")
    for field in ("content_type", "content_encoding", "cache_control", "blob_type",
                  "access_tier", "lease_status", "lease_state"):
        assert getattr(first, field) is getattr(second, field), field
    assert first.name == "a" and second.name == "b"  # names are their own


def test_shared_values_are_what_the_service_sent() -> None:
    record = _record("a", kind="x")
    assert (record.content_type, record.content_encoding, record.content_language,
            record.cache_control, record.blob_type, record.access_tier, record.lease_status,
            record.lease_state, record.lease_duration) == (
        "application/x-x", "gzip", None, "no-cache", "BlockBlob", "Cool", "unlocked",
        "available", None)
