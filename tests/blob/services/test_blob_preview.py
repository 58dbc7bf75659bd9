"""Blob preview reads and conditional text saves against real Azurite: ranged reads and their
limit, "load more" on the ETag shown, a 0-byte blob, an archived blob, each preview kind, the
412 of a concurrent change, content settings/metadata/tags kept, read-only refusal."""

from __future__ import annotations

import codecs
import itertools
import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient, ContentSettings

from tests.blob.services.blob_seed import open_blob_service
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.blob.services.previews.formats import (
    PreviewKind,
    decode_text,
    encode_text,
    prepare_preview,
)
from vaultbrowser.blob.services.previews.ranged_reads import BlobArchived
from vaultbrowser.blob.services.writes.text_save import BlobChangedOnServer
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import Conflict, InvalidInput, ReadOnlyRefused
from vaultbrowser.core.services.session import ServiceSession

_names = itertools.count()


def png(width: int = 3, height: int = 2) -> bytes:
    """A tiny valid PNG (grey pixels)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def client(azurite: Any) -> Iterator[BlobServiceClient]:
    client = BlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


@pytest.fixture
def container(client: BlobServiceClient) -> str:
    name = f"preview-{next(_names):03d}"
    client.create_container(name)
    return name


def with_service(azurite: Any, run: Any, body: Any) -> Any:
    async def main() -> Any:
        async with open_blob_service(azurite) as (service, journal):
            return await body(service, journal)
    return run(main())


# --- ranged reads -----------------------------------------------------------------------------


def test_a_preview_reads_only_its_limit_and_load_more_continues_on_the_etag(
        azurite: Any, run: Any, client: BlobServiceClient, container: str) -> None:
    data = bytes(range(256)) * 40  # 10,240 bytes
    client.get_blob_client(container, "big.bin").upload_blob(data)

    async def body(service: Any, journal: Any) -> Any:
        first = (await service.previews.read_head(container, "big.bin", 1000)).value
        more = (await service.previews.read_head(container, "big.bin", 5000, offset=first.end,
                                                 etag=first.record.etag)).value
        rest = (await service.previews.read_head(container, "big.bin", 50_000,
                                                 offset=more.end)).value
        return first, more, rest, [r.method for r in journal.records()]

    first, more, rest, methods = with_service(azurite, run, body)
    assert methods == ["GET", "GET", "GET"]
    assert first.data == data[:1000] and first.record.size == 10_240 and not first.complete
    assert more.offset == 1000 and more.data == data[1000:6000] and not more.complete
    assert rest.data == data[6000:] and rest.complete


def test_load_more_of_a_changed_blob_is_a_conflict(
        azurite: Any, run: Any, client: BlobServiceClient, container: str) -> None:
    blob = client.get_blob_client(container, "moving.txt")
    blob.upload_blob(b"a" * 100)

    async def body(service: Any, _journal: Any) -> Any:
        first = (await service.previews.read_head(container, "moving.txt", 10)).value
        blob.upload_blob(b"b" * 100, overwrite=True)  # changed behind the preview's back
        with pytest.raises(Conflict) as changed:
            await service.previews.read_head(container, "moving.txt", 10, offset=10,
                                             etag=first.record.etag)
        return changed.value

    assert with_service(azurite, run, body).status == 412


def test_an_empty_blob_needs_no_range(azurite: Any, run: Any, client: BlobServiceClient,
                                      container: str) -> None:
    client.get_blob_client(container, "empty.txt").upload_blob(b"")

    async def body(service: Any, journal: Any) -> Any:
        head = (await service.previews.read_head(container, "empty.txt", 1000)).value
        return head, [(r.method, r.response.status if r.response else None)
                      for r in journal.records()]

    head, calls = with_service(azurite, run, body)
    assert head.data == b"" and head.record.size == 0 and head.complete and head.record.etag
    # The ranged GET's 416 is answered by a HEAD (never a GET without a range).
    assert calls == [("GET", 416), ("HEAD", 200)]
    assert prepare_preview(b"", "empty.txt", "text/plain", complete=True).text.text == ""


def test_an_archived_blob_says_it_must_be_rehydrated(
        azurite: Any, run: Any, client: BlobServiceClient, container: str) -> None:
    blob = client.get_blob_client(container, "cold.txt")
    blob.upload_blob(b"frozen")
    blob.set_standard_blob_tier("Archive")

    async def body(service: Any, _journal: Any) -> Any:
        with pytest.raises(BlobArchived) as archived:
            await service.previews.read_head(container, "cold.txt", 100)
        return archived.value

    error = with_service(azurite, run, body)
    assert error.error_code == "BlobArchived" and "rehydrat" in error.message
    assert "tier" in error.advice


def test_bad_ranges_are_refused_before_any_request(azurite: Any, run: Any,
                                                   container: str) -> None:
    async def body(service: Any, journal: Any) -> Any:
        for length, offset in ((0, 0), (10, -1)):
            with pytest.raises(InvalidInput):
                await service.previews.read_head(container, "x", length, offset=offset)
        return journal.records()

    assert with_service(azurite, run, body) == []


# --- preview kinds (bytes read from Azurite, prepared as the panel does) ------------------------


@pytest.mark.parametrize(("raw", "label", "text"), [
    (b"plain ascii\n", "ASCII", "plain ascii\n"),
    ("grüße, 日本\n".encode(), "UTF-8", "grüße, 日本\n"),
    (codecs.BOM_UTF8 + "bom ü".encode(), "UTF-8 (with BOM)", "bom ü"),
    ("wide ü".encode("utf-16"), "UTF-16 LE (with BOM)", "wide ü"),
    ("wide text".encode("utf-16-be"), "UTF-16 BE (no BOM)", "wide text"),
    ("café olé".encode("latin-1"), "Latin-1 (not valid UTF-8)", "café olé"),
])
def test_text_encodings_are_detected_and_named(
        azurite: Any, run: Any, client: BlobServiceClient, container: str, raw: bytes,
        label: str, text: str) -> None:
    client.get_blob_client(container, "t.txt").upload_blob(raw)

    async def body(service: Any, _journal: Any) -> Any:
        return (await service.previews.read_head(container, "t.txt", 4096)).value

    head = with_service(azurite, run, body)
    preview = prepare_preview(head.data, "t.txt", head.record.content_type,
                              complete=head.complete)
    assert preview.kinds[0] is PreviewKind.TEXT
    assert preview.text is not None and (preview.text.label, preview.text.text) == (label, text)
    assert encode_text(preview.text.text, preview.text) == raw  # saved back byte for byte


def test_a_multibyte_character_cut_by_the_limit_is_not_garbled() -> None:
    raw = "aé".encode()  # b"a\xc3\xa9"
    assert decode_text(raw[:2], complete=False).text == "a"
    assert decode_text(raw, complete=True).text == "aé"


def test_json_csv_tsv_image_and_hex_previews(azurite: Any, run: Any,
                                             client: BlobServiceClient, container: str) -> None:
    blobs = {
        "doc.json": json.dumps({"name": "x", "items": [1, 2, {"deep": True}]}).encode(),
        "rows.csv": b"id,name\n1,alpha\n2,\"b,eta\"\n",
        "rows.tsv": b"id\tname\n1\talpha\n",
        "pic.png": png(),
        "blob.bin": bytes(range(256)),
    }
    for name, data in blobs.items():
        client.get_blob_client(container, name).upload_blob(data)

    async def body(service: Any, _journal: Any) -> Any:
        return {name: (await service.previews.read_head(container, name, 4096)).value
                for name in blobs}

    heads = with_service(azurite, run, body)
    prepared = {name: prepare_preview(head.data, name, head.record.content_type,
                                      complete=head.complete) for name, head in heads.items()}
    doc = prepared["doc.json"]
    assert doc.kinds[0] is PreviewKind.JSON and doc.json_value["items"][2] == {"deep": True}
    assert doc.json_text.startswith("{\n  \"name\": \"x\"")
    assert prepared["rows.csv"].kinds[0] is PreviewKind.TABLE
    assert prepared["rows.csv"].table == [["id", "name"], ["1", "alpha"], ["2", "b,eta"]]
    assert prepared["rows.tsv"].table == [["id", "name"], ["1", "alpha"]]
    assert prepared["pic.png"].kinds == (PreviewKind.IMAGE, PreviewKind.HEX)
    assert prepared["pic.png"].image == blobs["pic.png"]
    binary = prepared["blob.bin"]
    assert binary.kinds == (PreviewKind.HEX,) and binary.text is None
    assert binary.hex_text.splitlines()[0] == (
        "00000000  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  |................|")


def test_json_cut_by_the_limit_asks_to_load_all() -> None:
    preview = prepare_preview(b'{"a": [1, 2, 3', "x.json", "application/json", complete=False)
    assert preview.kinds[0] is PreviewKind.JSON and "load all" in (preview.json_error or "")


# --- conditional saves --------------------------------------------------------------------------


def _seed_text(client: BlobServiceClient, container: str, name: str) -> Any:
    blob = client.get_blob_client(container, name)
    blob.upload_blob(b"line one\n", content_settings=ContentSettings(
        content_type="text/markdown; charset=utf-8", content_language="en",
        cache_control="max-age=60", content_disposition="inline"),
        metadata={"owner": "team-a"}, tags={"stage": "draft"})
    blob.set_standard_blob_tier("Cool")
    return blob


def test_a_save_with_the_etag_read_keeps_content_settings_metadata_tags_and_tier(
        azurite: Any, run: Any, client: BlobServiceClient, container: str) -> None:
    blob = _seed_text(client, container, "notes.md")

    async def body(service: Any, journal: Any) -> Any:
        head = (await service.previews.read_head(container, "notes.md", 4096)).value
        props = (await service.get_blob_properties(container, "notes.md")).value
        saved = await service.text_saves.save_text(container, "notes.md", b"line two\n",
                                                   etag=head.record.etag, like=props)
        put = [r for r in journal.records() if r.method == "PUT"]
        return head, saved, put

    head, saved, put = with_service(azurite, run, body)
    assert len(put) == 1  # one Put Blob
    assert blob.download_blob().readall() == b"line two\n"
    props = blob.get_blob_properties()
    assert props.content_settings.content_type == "text/markdown; charset=utf-8"
    assert props.content_settings.content_language == "en"
    assert props.content_settings.cache_control == "max-age=60"
    assert props.content_settings.content_disposition == "inline"
    assert props.metadata == {"owner": "team-a"}
    assert blob.get_blob_tags() == {"stage": "draft"}
    assert props.blob_tier == "Cool"
    assert saved.value.etag == props.etag != head.record.etag


def test_a_concurrent_change_gives_a_412_and_nothing_is_overwritten(
        azurite: Any, run: Any, client: BlobServiceClient, container: str) -> None:
    blob = _seed_text(client, container, "shared.md")

    async def body(service: Any, _journal: Any) -> Any:
        head = (await service.previews.read_head(container, "shared.md", 4096)).value
        blob.upload_blob(b"their change\n", overwrite=True)
        with pytest.raises(BlobChangedOnServer) as changed:
            await service.text_saves.save_text(container, "shared.md", b"mine\n",
                                               etag=head.record.etag, like=head.record)
        return changed.value

    error = with_service(azurite, run, body)
    assert error.status == 412 and error.error_code == "ConditionNotMet"
    assert blob.download_blob().readall() == b"their change\n"


def test_a_save_without_an_etag_is_refused_before_any_request(
        azurite: Any, run: Any, client: BlobServiceClient, container: str) -> None:
    blob = _seed_text(client, container, "no-etag.md")

    async def body(service: Any, journal: Any) -> Any:
        head = (await service.previews.read_head(container, "no-etag.md", 4096)).value
        before = len(journal.records())
        with pytest.raises(InvalidInput):
            await service.text_saves.save_text(container, "no-etag.md", b"x", etag="",
                                               like=head.record)
        return len(journal.records()) - before

    assert with_service(azurite, run, body) == 0
    assert blob.download_blob().readall() == b"line one\n"


def test_a_save_is_refused_in_read_only_mode(azurite: Any, run: Any,
                                             client: BlobServiceClient, container: str) -> None:
    blob = _seed_text(client, container, "ro.md")
    session = ServiceSession()
    connection = Connection("blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
                            name="ro-account", read_only=True)

    async def body() -> Any:
        try:
            service = open_storage(session, connection)
            head = (await service.previews.read_head(container, "ro.md", 4096)).value
            with pytest.raises(ReadOnlyRefused):
                await service.text_saves.save_text(container, "ro.md", b"changed",
                                                   etag=head.record.etag, like=head.record)
        finally:
            await session.aclose()

    run(body())
    assert blob.download_blob().readall() == b"line one\n"
    refused = [r for r in session.journal.records() if r.refused]
    assert [r.method for r in refused] == ["PUT"]
