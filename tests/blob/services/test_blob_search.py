"""Blob search against Azurite: server-side prefix pages, the deep search (progress, cancel,
resume, bounded matches), Find Blobs by Tags; the tag filter and criteria checks (typed errors
before any request); tag-query paging on the mock transport (Azurite's paging is wrong)."""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.pipeline.transport import AioHttpTransport
from azure.storage.blob import BlobServiceClient as SyncClient
from azure.storage.blob.aio import BlobServiceClient

from tests.blob.services.blob_seed import open_blob_service
from tests.mock_transport import MockResponse, MockTransport
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.records import BlobPrefixRecord
from vaultbrowser.blob.services.search.blob_search import BlobSearch
from vaultbrowser.blob.services.search.criteria import DeepCriteria, check_prefix
from vaultbrowser.blob.services.search.tag_filter import TagCondition, TagFilter, parse_tag_filter
from vaultbrowser.core.services.errors import InvalidInput, ServiceError
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.core.services.name_match import NameMatch

_names = itertools.count()
NAMES = [f"logs/2024/{day:02d}/app-{n}.log" for day in range(1, 4) for n in range(4)] + [
    "logs/readme.txt", "data/report-final.csv", "data/REPORT-draft.csv", "data/big.bin"]


@pytest.fixture(scope="module")
def small_account(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An Azurite of this module's own: Azurite pages an account-wide tag query wrongly once
    the account holds more than 5,000 blobs (it filters after reading a page), as the session's
    Azurite may by the time this runs."""
    from vaultbrowser.emulators.azurite import Azurite

    instance = Azurite(workdir=tmp_path_factory.mktemp("azurite-tags"))
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def seeded(azurite: Any) -> str:
    return seed_search_container(azurite)


def seed_search_container(azurite: Any) -> str:
    """A container with ``NAMES`` (big.bin: 5,000 bytes, the rest small); app-0 logs tagged."""
    name = f"search-{os.getpid() % 10000}-{next(_names)}"
    with SyncClient.from_connection_string(azurite.connection_string) as client:
        container = client.create_container(name)
        for blob in NAMES:
            data = b"x" * 5000 if blob.endswith(".bin") else blob.encode()
            tagged = blob.endswith("app-0.log")
            tags = {"kind": "log", "day": blob.split("/")[2]} if tagged else None
            container.upload_blob(blob, data, tags=tags)
    return name


# --- prefix search ------------------------------------------------------------------------------


def test_prefix_pages_list_on_the_server_in_folder_and_flat_mode(run: Any, azurite: Any,
                                                                  seeded: str) -> None:
    async def body() -> None:
        async with open_blob_service(azurite) as (service, journal):
            search = BlobSearch(service)
            folder = await search.prefix_page(seeded, "logs/2024/0", flat=False, page_size=2)
            assert [r.prefix for r in folder.items] == ["logs/2024/01/", "logs/2024/02/"]
            assert all(isinstance(r, BlobPrefixRecord) for r in folder.items)
            assert folder.next_token is not None  # first rows at once, more lazily
            rest = await search.prefix_page(seeded, "logs/2024/0", flat=False, page_size=2,
                                            continuation=folder.next_token)
            assert [r.prefix for r in rest.items] == ["logs/2024/03/"]
            flat = await search.prefix_page(seeded, "data/rep", flat=True, page_size=50)
            assert [r.name for r in flat.items] == ["data/report-final.csv"]  # case-sensitive
            sent = [e.url for e in journal.records() if "comp=list" in e.url]
            assert any("prefix=logs/2024/0&" in url for url in sent), sent
    run(body())


def test_a_prefix_with_control_characters_is_refused_before_any_request(run: Any,
                                                                         azurite: Any) -> None:
    async def body() -> None:
        async with open_blob_service(azurite) as (service, journal):
            with pytest.raises(InvalidInput, match="U\\+0009"):
                await BlobSearch(service).prefix_page("any", "a\tb", flat=True, page_size=10)
            assert journal.records() == []
    run(body())
    with pytest.raises(InvalidInput, match="1024"):
        check_prefix("a" * 1025)
    check_prefix("ünïcode %20 [x] (y) *")


# --- deep search --------------------------------------------------------------------------------


def test_deep_search_finds_substrings_globs_regexes_and_ranges(run: Any, azurite: Any,
                                                               seeded: str) -> None:
    async def find(criteria: DeepCriteria) -> list[str]:
        async with open_blob_service(azurite) as (service, _journal):
            found: list[str] = []
            deep = BlobSearch(service).deep(seeded, criteria, page_size=5)
            progress = await deep.run(lambda hits, _p: found.extend(b.name for b in hits))
            assert progress.finished
            assert progress.scanned == sum(n.startswith(criteria.prefix) for n in NAMES)
            assert progress.matches == len(found)
            return sorted(found)

    async def body() -> None:
        assert await find(DeepCriteria("report")) == ["data/REPORT-draft.csv",
                                                      "data/report-final.csv"]
        assert await find(DeepCriteria("report", case_sensitive=True)) == [
            "data/report-final.csv"]
        assert await find(DeepCriteria("logs/2024/*/app-[12].log", NameMatch.GLOB)) == sorted(
            f"logs/2024/{d:02d}/app-{n}.log" for d in (1, 2, 3) for n in (1, 2))
        assert await find(DeepCriteria(r"0[23]/app-3\.log$", NameMatch.REGEX)) == [
            "logs/2024/02/app-3.log", "logs/2024/03/app-3.log"]
        assert await find(DeepCriteria(min_size=1000)) == ["data/big.bin"]
        assert await find(DeepCriteria("app", max_size=30, prefix="logs/2024/03/")) == [
            f"logs/2024/03/app-{n}.log" for n in range(4)]
        now = datetime.now(UTC)
        assert await find(DeepCriteria(modified_after=now + timedelta(hours=1))) == []
        assert len(await find(DeepCriteria(modified_after=now - timedelta(hours=1),
                                           modified_before=now + timedelta(hours=1)))) == len(
            NAMES)
    run(body())


@pytest.mark.parametrize(("criteria", "message"), [
    (DeepCriteria("a(b", NameMatch.REGEX), "regular expression is not valid"),
    (DeepCriteria("logs/[ab", NameMatch.GLOB), "never closed"),
    (DeepCriteria(min_size=10, max_size=5), "size range is empty"),
    (DeepCriteria(min_size=-1), "cannot be negative"),
    (DeepCriteria(modified_after=datetime(2024, 2, 1, tzinfo=UTC),
                  modified_before=datetime(2024, 1, 1, tzinfo=UTC)), "start is after its end"),
    (DeepCriteria(modified_after=datetime(2024, 2, 1)), "time zone"),
    (DeepCriteria(), "needs something to look for"),
    (DeepCriteria("x", prefix="a\nb"), "U\\+000A"),
])
def test_bad_deep_criteria_are_typed_errors_before_any_request(
        run: Any, azurite: Any, criteria: DeepCriteria, message: str) -> None:
    async def body() -> None:
        async with open_blob_service(azurite) as (service, journal):
            with pytest.raises(InvalidInput, match=message):
                BlobSearch(service).deep("any", criteria)
            assert journal.records() == []
    run(body())


def test_deep_search_progress_cancel_and_resume_scan_every_blob_once(
        run: Any, azurite: Any, seeded: str) -> None:
    async def body() -> None:
        async with open_blob_service(azurite) as (service, journal):
            deep = BlobSearch(service).deep(seeded, DeepCriteria(".log"), page_size=4)
            found: list[str] = []
            texts: list[str] = []
            second_page = asyncio.Event()

            def on_page(hits: Any, progress: Any) -> None:
                found.extend(b.name for b in hits)
                texts.append(progress.text())
                if progress.pages == 2:
                    second_page.set()

            task = asyncio.ensure_future(deep.run(on_page))
            await second_page.wait()
            task.cancel()  # cancelled while the third page is in flight
            with pytest.raises(asyncio.CancelledError):
                await task
            assert texts == ["4 of ? scanned, 1 match", "8 of ? scanned, 5 matches"]
            stopped = deep.progress()
            assert stopped.position is not None and not stopped.finished
            assert stopped.scanned == 8

            final = await deep.run(on_page)  # resume from the kept position
            assert final.finished and final.scanned == len(NAMES)
            assert sorted(found) == sorted(n for n in NAMES if n.endswith(".log"))
            assert len(found) == len(set(found)) == 12  # nothing twice, nothing skipped
            assert texts[-1] == f"{len(NAMES)} of {len(NAMES)} scanned, 12 matches — done"
            markers = [parse_qs(urlsplit(e.url).query).get("marker") for e in journal.records()]
            assert markers.count(None) == 1  # the resumed run did not start over
    run(body())


def test_deep_search_stops_at_its_match_limit_and_goes_on(run: Any, azurite: Any,
                                                           seeded: str) -> None:
    async def body() -> None:
        async with open_blob_service(azurite) as (service, _journal):
            deep = BlobSearch(service).deep(seeded, DeepCriteria("/"), page_size=3,
                                            max_matches=5)
            first = await deep.run()
            assert first.at_limit and not first.finished
            assert first.matches == 6 and first.scanned == 6  # the page that reached it: whole
            assert "stopped at 6 matches" in first.text()
            second = await deep.run()
            assert second.matches == 12 and not second.finished
            for _ in range(5):  # bounded: a resume that started over would never finish
                last = await deep.run()
                if last.finished:
                    break
            assert last.scanned == last.matches == len(NAMES)
    run(body())


# --- find by tags -------------------------------------------------------------------------------


def test_find_by_tags_in_a_container_and_across_the_account(run: Any,
                                                            small_account: Any) -> None:
    seeded = seed_search_container(small_account)

    async def body() -> None:
        async with open_blob_service(small_account) as (service, journal):
            search = BlobSearch(service)
            query = parse_tag_filter("\"kind\" = 'log' and \"day\" >= '02'", account_level=False)
            page = await search.find_by_tags(query, container=seeded)
            assert sorted(b.name for b in page.items) == ["logs/2024/02/app-0.log",
                                                         "logs/2024/03/app-0.log"]
            assert all(b.container == seeded and b.tags["kind"] == "log" for b in page.items)
            account = parse_tag_filter(f"\"kind\"='log' AND @container='{seeded}'",
                                       account_level=True)
            page = await search.find_by_tags(account)
            assert len(page.items) == 3 and {b.container for b in page.items} == {seeded}
            sent = [e.url for e in journal.records()]
            assert any("comp=blobs" in url and "where=" in url for url in sent)
            with pytest.raises(InvalidInput, match="@container"):
                await search.find_by_tags(account, container=seeded)
    run(body())


@pytest.mark.parametrize(("text", "account", "message"), [
    ("", True, "empty"),
    ("kind = 'log'", True, "double quotes"),
    ("\"kind\" = \"log\"", True, "single quotes"),
    ("\"kind\" = 'log' OR \"day\" = '01'", True, "OR is not supported"),
    ("\"kind\" != 'log'", True, "not equal"),
    ("\"kind\" ~ 'log'", True, "Expected an operator"),
    ("\"kind\" = 'log", True, "closing '"),
    ("\"ki!nd\" = 'log'", True, "character '!'"),
    ("\"kind\" = 'l" + "o" * 300 + "'", True, "at most 256"),
    ("\"\" = 'x'", True, "key cannot be empty"),
    ("@container = 'abc'", True, "at least one tag condition"),
    ("\"k\" = 'v' AND @container = 'abc'", False, "whole account"),
    ("\"k\" = 'v' AND @container > 'abc'", True, "only '='"),
    ("\"k\" = 'v' AND @container = 'Bad_Name'", True, "container name"),
    (" AND ".join(f"\"k{i}\" = 'v'" for i in range(11)), True, "at most 10"),
    ("(\"k\" = 'v')", True, "Brackets"),
    ("\"k\" = 'v' \"j\" = 'w'", True, "Expected AND"),
])
def test_bad_tag_filters_are_typed_errors_that_explain_the_rules(
        text: str, account: bool, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        parse_tag_filter(text, account_level=account)
    assert "joined by AND" in caught.value.advice


def test_a_good_tag_filter_is_normalised() -> None:
    parsed = parse_tag_filter("  \"Date\">='2024-01-01'and \"Date\" <  '2025'  AND "
                              "@container='logs'", account_level=True)
    assert parsed.expression == ("\"Date\" >= '2024-01-01' AND \"Date\" < '2025' AND "
                                 "@container = 'logs'")
    assert parsed.container == "logs"
    assert len(parse_tag_filter(" AND ".join(f"\"k{i}\" = 'v'" for i in range(10)),
                                account_level=False).conditions) == 10


def test_a_filter_the_service_refuses_is_a_typed_error(run: Any, azurite: Any,
                                                       seeded: str) -> None:
    async def body() -> None:
        async with open_blob_service(azurite) as (service, _journal):
            # Past the parser (which refuses OR): the service's own refusal is typed too.
            smuggled = TagFilter((TagCondition("kind", "=", "log' OR \"day\" = '01"),))
            with pytest.raises(ServiceError) as caught:
                await BlobSearch(service).find_by_tags(smuggled, container=seeded)
            assert caught.value.status == 400
    run(body())


# Filter Blobs bodies shaped like the service's (Azurite's body, with an opaque NextMarker as
# Azure sends): Azurite itself loses matches when it pages (see blob_search.find_by_tags).
def _filter_body(names: list[str], marker: str | None) -> bytes:
    blobs = "".join(
        f"<Blob><Name>{n}</Name><ContainerName>cont1</ContainerName><Tags><TagSet><Tag>"
        f"<Key>page</Key><Value>yes</Value></Tag></TagSet></Tags></Blob>" for n in names)
    return ('\ufeff<?xml version="1.0" encoding="utf-8"?><EnumerationResults '
            'ServiceEndpoint="https://acct.blob.core.windows.net/"><Where>"page"=\'yes\'</Where>'
            f"<Blobs>{blobs}</Blobs><NextMarker>{marker or ''}</NextMarker>"
            "</EnumerationResults>").encode()


def test_tag_query_pages_follow_the_services_opaque_marker(run: Any) -> None:
    pages = {None: (["p0", "p1"], "2!96!MDAwMDEx"), "2!96!MDAwMDEx": (["q0"], None)}

    def handler(request: Any) -> MockResponse:
        query = parse_qs(urlsplit(request.url).query)
        assert query["comp"] == ["blobs"] and "maxresults" not in query
        names, marker = pages[query.get("marker", [None])[0]]
        return MockResponse(200, {"Content-Type": "application/xml",
                                  "x-ms-request-id": "r1"}, _filter_body(names, marker))

    async def body() -> None:
        journal = HttpJournal()
        transport = RecordingTransport(MockTransport(handler), journal=journal)
        client = BlobServiceClient("https://acct.blob.core.windows.net", credential=None,
                                   transport=transport)
        service = BlobService(client)
        search = BlobSearch(service)
        query = parse_tag_filter("\"page\" = 'yes'", account_level=True)
        first = await search.find_by_tags(query)
        assert [(b.container, b.name, dict(b.tags)) for b in first.items] == [
            ("cont1", "p0", {"page": "yes"}), ("cont1", "p1", {"page": "yes"})]
        assert first.next_token == "2!96!MDAwMDEx"
        second = await search.find_by_tags(query, continuation=first.next_token)
        assert [b.name for b in second.items] == ["q0"] and second.next_token is None
        assert len(journal.records()) == 2
        await service.close()
    run(body())


def test_every_search_works_through_the_read_only_guard(run: Any, azurite: Any,
                                                        seeded: str) -> None:
    """Searches only read (GET): a read-only connection searches like any other."""
    from vaultbrowser.core.services.http.readonly import read_only_guard

    async def body() -> None:
        journal = HttpJournal()
        transport = RecordingTransport(AioHttpTransport(), journal=journal,
                                       guard=read_only_guard("azurite"))
        client = BlobServiceClient.from_connection_string(azurite.connection_string,
                                                          transport=transport)
        service = BlobService(client)
        try:
            search = BlobSearch(service)
            assert (await search.prefix_page(seeded, "data/", flat=True, page_size=10)).items
            assert (await search.deep(seeded, DeepCriteria("readme")).run()).matches == 1
            tags = parse_tag_filter("\"kind\" = 'log'", account_level=False)
            assert len((await search.find_by_tags(tags, container=seeded)).items) == 3
            records = journal.records()
            assert records and {r.method for r in records} == {"GET"}
            assert not any(r.refused for r in records)
        finally:
            await service.close()
            await transport.aclose()
    run(body())


def test_a_failed_page_is_typed_and_leaves_the_search_where_it_was(run: Any,
                                                                   azurite: Any) -> None:
    from vaultbrowser.core.services.errors import NotFound

    name = f"later-{os.getpid() % 10000}-{next(_names)}"

    async def body() -> None:
        async with open_blob_service(azurite) as (service, _journal):
            deep = BlobSearch(service).deep(name, DeepCriteria("b"))
            with pytest.raises(NotFound):
                await deep.run()
            stopped = deep.progress()
            assert (stopped.scanned, stopped.pages, stopped.position) == (0, 0, None)
            assert not stopped.finished
            with SyncClient.from_connection_string(azurite.connection_string) as client:
                client.create_container(name).upload_blob("abc", b"1")
            done = await deep.run()  # Resume after the failure
            assert done.finished and (done.scanned, done.matches) == (1, 1)
    run(body())
