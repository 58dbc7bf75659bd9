"""Server-side copy, move and rename (blob/services/copies/) against Azurite: within an account
and across accounts (a second account in an Azurite of this module's own, source authorised by
a read-only SAS), the conflict policies, moves verified before the source goes, an interrupted
move and its resume, and the typed errors sent before any request."""

from __future__ import annotations

import asyncio
import base64
import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from azure.core.pipeline.transport import AioHttpTransport
from azure.storage.blob import BlobServiceClient as SyncClient
from azure.storage.blob.aio import BlobServiceClient

from tests.blob.services.test_blob_writes import (  # fixtures and helpers, no tests
    fake_entra_token,
    oauth_azurite,
)
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.copies.runs import CopyRun, find_unfinished_report
from vaultbrowser.blob.services.copies.server_copy import ServerCopy
from vaultbrowser.blob.services.copies.targets import (
    ConflictPolicy,
    CopySource,
    CopyTarget,
    check_new_leaf_name,
)
from vaultbrowser.blob.services.statistics import collect_statistics
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY, AZURITE_ACCOUNT_NAME, Azurite

__all__ = ["oauth_azurite"]

SECOND = "devstoreaccount2"
SECOND_KEY = base64.b64encode(b"vaultbrowser-second-account-key-for-tests").decode()
_names = iter(range(100_000))


def fresh(stem: str) -> str:
    return f"{stem}-{os.getpid() % 10000}-{next(_names)}"


@pytest.fixture(scope="module")
def two_accounts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Azurite]:
    """An Azurite of this module's own with a second account (AZURITE_ACCOUNTS replaces the
    list, so the well-known account stays in it); the session's Azurite is left alone."""
    saved = os.environ.get("AZURITE_ACCOUNTS")
    os.environ["AZURITE_ACCOUNTS"] = (f"{AZURITE_ACCOUNT_NAME}:{AZURITE_ACCOUNT_KEY};"
                                      f"{SECOND}:{SECOND_KEY}")
    instance = Azurite(workdir=tmp_path_factory.mktemp("azurite-two"))
    try:
        instance.start()
    finally:
        if saved is None:
            os.environ.pop("AZURITE_ACCOUNTS", None)
        else:
            os.environ["AZURITE_ACCOUNTS"] = saved
    yield instance
    instance.stop()


def connection_string(azurite: Azurite, account: str = AZURITE_ACCOUNT_NAME) -> str:
    key = AZURITE_ACCOUNT_KEY if account == AZURITE_ACCOUNT_NAME else SECOND_KEY
    return (f"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};"
            f"BlobEndpoint=http://127.0.0.1:{azurite.port}/{account};")


@asynccontextmanager
async def services(azurite: Azurite, *accounts: str) -> AsyncIterator[list[BlobService]]:
    journal = HttpJournal()
    transport = RecordingTransport(AioHttpTransport(), journal=journal)
    made = [BlobService(BlobServiceClient.from_connection_string(
        connection_string(azurite, account), transport=transport)) for account in accounts]
    try:
        yield made
    finally:
        for service in made:
            await service.close()
        await transport.aclose()


def seed(azurite: Azurite, blobs: dict[str, bytes], account: str = AZURITE_ACCOUNT_NAME) -> str:
    name = fresh("cp")
    with SyncClient.from_connection_string(connection_string(azurite, account)) as client:
        container = client.create_container(name)
        for blob, data in blobs.items():
            container.upload_blob(blob, data, content_settings=None)
    return name


def contents(azurite: Azurite, container: str, account: str = AZURITE_ACCOUNT_NAME
             ) -> dict[str, bytes]:
    with SyncClient.from_connection_string(connection_string(azurite, account)) as client:
        c = client.get_container_client(container)
        return {b.name: c.download_blob(b.name).readall() for b in c.list_blobs()}


def run_copy(source: BlobService, target: BlobService, src: tuple[str, str],
             dst: tuple[str, str], policy: ConflictPolicy = ConflictPolicy.SKIP, *,
             move: bool = False, report_dir: Path | None = None, **options: Any) -> CopyRun:
    return CopyRun(ServerCopy(source, target, poll_interval=0.01), CopySource(
        source.account_url, *src), CopyTarget(target.account_url, *dst), policy, move=move,
        report_dir=report_dir, **options)


# --- within an account ------------------------------------------------------------------------


def test_copy_a_folder_within_an_account_under_each_conflict_policy(
        two_accounts: Azurite, run: Any) -> None:
    az = two_accounts
    container = seed(az, {"src/a.txt": b"new a", "src/deep/b.bin": b"new b" * 100,
                          "dst/a.txt": b"old a"})

    async def body() -> list[Any]:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            reports = []
            for policy in (ConflictPolicy.SKIP, ConflictPolicy.KEEP_BOTH,
                           ConflictPolicy.OVERWRITE):
                reports.append(await run_copy(svc, svc, (container, "src/"), (container, "dst/"),
                                              policy).run())
            return reports

    skip, keep, overwrite = run(body())
    assert skip.skipped == ("src/a.txt",) and skip.done == ("src/deep/b.bin",), skip.failed
    assert set(keep.done) == {"src/a.txt", "src/deep/b.bin"}
    assert keep.destinations["src/a.txt"] == "dst/a (1).txt"
    assert keep.destinations["src/deep/b.bin"] == "dst/deep/b (1).bin"
    assert overwrite.destinations["src/a.txt"] == "dst/a.txt" and not overwrite.failed
    assert contents(az, container) == {
        "src/a.txt": b"new a", "src/deep/b.bin": b"new b" * 100,
        "dst/a.txt": b"new a", "dst/a (1).txt": b"new a",
        "dst/deep/b.bin": b"new b" * 100, "dst/deep/b (1).bin": b"new b" * 100}


def test_move_and_rename_verify_then_delete_the_source(two_accounts: Azurite, run: Any,
                                                        tmp_path: Path) -> None:
    az = two_accounts
    container = seed(az, {"f/one.txt": b"1", "f/sub/two.txt": b"22", "keep.txt": b"k"})

    async def body() -> tuple[Any, Any]:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            moved = await run_copy(svc, svc, (container, "f/"), (container, "g/"),
                                   move=True, report_dir=tmp_path).run()
            check_new_leaf_name("kept.txt")
            renamed = await run_copy(svc, svc, (container, "keep.txt"), (container, "kept.txt"),
                                     move=True, report_dir=tmp_path).run()
            return moved, renamed

    moved, renamed = run(body())
    assert set(moved.done) == {"f/one.txt", "f/sub/two.txt"} and not moved.failed
    assert renamed.done == ("keep.txt",)
    assert contents(az, container) == {"g/one.txt": b"1", "g/sub/two.txt": b"22",
                                       "kept.txt": b"k"}
    report = json.loads(moved.report_path.read_text())
    assert report["state"] == "done"
    assert {i["source"]: i["state"] for i in report["items"]} == {
        "f/one.txt": "moved", "f/sub/two.txt": "moved"}
    assert "sig=" not in moved.report_path.read_text()


def test_a_source_changed_during_the_copy_is_kept(two_accounts: Azurite, run: Any,
                                                  tmp_path: Path) -> None:
    """The source's ETag is checked after the copy: a changed source is never deleted."""
    az = two_accounts
    container = seed(az, {"s.txt": b"first"})

    async def body() -> Any:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            copier = ServerCopy(svc, svc)
            source = (await svc.get_blob_properties(container, "s.txt")).value
            copied = await copier.copy_blob(source, container, "t.txt", ConflictPolicy.SKIP)
            _overwrite(az, container)
            with pytest.raises(Exception) as caught:
                await copier.verify(copied, container)
            return caught.value

    error = run(body())
    assert type(error).__name__ == "Conflict" and "source was kept" in error.message
    assert contents(az, container)["s.txt"] == b"second"


def _overwrite(az: Azurite, container: str) -> None:
    with SyncClient.from_connection_string(connection_string(az)) as client:
        client.get_blob_client(container, "s.txt").upload_blob(b"second", overwrite=True)


def test_an_interrupted_move_leaves_a_report_and_a_rerun_resumes(
        two_accounts: Azurite, run: Any, tmp_path: Path) -> None:
    """A fault between copy and delete: the source of the blob being moved stays, the
    report says it was copied and verified; the re-run deletes it without a second copy and
    moves the rest."""
    az = two_accounts
    blobs = {f"m/{i}.txt": f"blob {i}".encode() for i in range(6)}
    container = seed(az, blobs)

    class Fault(Exception):
        pass

    seen: list[str] = []

    def fault_on_third(name: str) -> None:
        seen.append(name)
        if len(seen) == 3:
            raise Fault(name)

    async def first() -> str:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            copy_run = run_copy(svc, svc, (container, "m/"), (container, "n/"), move=True,
                                report_dir=tmp_path, after_verify=fault_on_third)
            copy_run.concurrency = 1
            with pytest.raises(Fault) as caught:
                await copy_run.run()
            return str(caught.value)

    interrupted = run(first())
    report_path = find_unfinished_report(
        tmp_path, CopySource(f"http://127.0.0.1:{az.port}/{AZURITE_ACCOUNT_NAME}", container,
                             "m/"),
        CopyTarget(f"http://127.0.0.1:{az.port}/{AZURITE_ACCOUNT_NAME}", container, "n/"))
    assert report_path is not None
    report = json.loads(report_path.read_text())
    states = {i["source"]: i["state"] for i in report["items"]}
    assert report["state"] == "failed"
    assert states == {"m/0.txt": "moved", "m/1.txt": "moved", interrupted: "copied"}
    after_fault = contents(az, container)
    assert interrupted in after_fault and interrupted.replace("m/", "n/") in after_fault

    async def second() -> tuple[Any, list[Any]]:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            journal = svc.client._config.transport._journal
            before = len(journal.records())
            result = await run_copy(svc, svc, (container, "m/"), (container, "n/"), move=True,
                                    report_dir=tmp_path).run()
            return result, journal.records()[before:]

    resumed, requests = run(second())
    assert set(resumed.done) == {f"m/{i}.txt" for i in range(2, 6)} and not resumed.failed
    copies = [r for r in requests if r.method == "PUT"]
    assert len(copies) == 3  # m/3..m/5 copied; the interrupted one only deleted
    assert contents(az, container) == {n.replace("m/", "n/"): d for n, d in blobs.items()}
    final = json.loads(resumed.report_path.read_text())
    assert final["state"] == "done" and final["resumes"] == report_path.name
    assert not report_path.exists()


# --- across accounts ----------------------------------------------------------------------------


def test_copy_and_move_across_accounts_with_a_read_only_sas(two_accounts: Azurite,
                                                            run: Any, tmp_path: Path) -> None:
    az = two_accounts
    source = seed(az, {"x/a.txt": b"from account one", "x/b.txt": b"bee"})
    target = seed(az, {}, account=SECOND)

    async def body() -> tuple[Any, Any, list[Any]]:
        async with services(az, AZURITE_ACCOUNT_NAME, SECOND) as (one, two):
            copied = await run_copy(one, two, (source, "x/a.txt"), (target, "copies/a.txt")
                                    ).run()
            moved = await run_copy(one, two, (source, "x/"), (target, "moved/"), move=True,
                                   report_dir=tmp_path).run()
            return copied, moved, one.client._config.transport._journal.records()

    copied, moved, records = run(body())
    assert copied.done == ("x/a.txt",) and not copied.failed
    assert set(moved.done) == {"x/a.txt", "x/b.txt"}, moved.failed
    assert contents(az, target, SECOND) == {"copies/a.txt": b"from account one",
                                            "moved/a.txt": b"from account one",
                                            "moved/b.txt": b"bee"}
    assert contents(az, source) == {}
    puts = [r for r in records if r.method == "PUT"]
    assert puts and all("sig=" not in r.url for r in puts)  # the journal is redacted
    assert all("sig=" not in json.dumps(r.request_headers) for r in puts
               if hasattr(r, "request_headers"))


# --- bad input: typed errors before any request -----------------------------------------------


@pytest.mark.parametrize(("src", "dst", "words"), [
    (("c1c", "a.txt"), ("c1c", "a.txt"), "onto itself"),
    (("c1c", "f/"), ("c1c", "f/"), "onto itself"),
    (("c1c", "f/"), ("c1c", "f/sub/"), "own subfolder"),
    (("c1c", "a.txt"), ("c1c", ""), "needs a blob name"),
    (("c1c", "a.txt"), ("c1c", "dir/"), "needs a blob name"),
    (("c1c", "f/"), ("c1c", "g"), "must end with '/'"),
    (("c1c", "a.txt"), ("Bad_Container", "a.txt"), "lowercase"),
    (("c1c", "a.txt"), ("c1c", "x/../a.txt"), "'..'"),
])
def test_bad_copies_are_refused_before_any_request(src: tuple[str, str], dst: tuple[str, str],
                                                   words: str) -> None:
    account = "http://127.0.0.1:1/devstoreaccount1"
    with pytest.raises(InvalidInput) as caught:
        CopyRun(ServerCopy(None, None), CopySource(account, *src),  # type: ignore[arg-type]
                CopyTarget(account, *dst), ConflictPolicy.SKIP, move=True)
    assert words in caught.value.message


@pytest.mark.parametrize("leaf", ["", "  ", "a/b", "..", "."])
def test_bad_new_names_are_refused(leaf: str) -> None:
    with pytest.raises(InvalidInput):
        check_new_leaf_name(leaf)


def test_the_same_folder_in_another_account_is_not_a_copy_onto_itself() -> None:
    CopyRun(ServerCopy(None, None),  # type: ignore[arg-type]
            CopySource("http://h/one", "c1c", "f/"), CopyTarget("http://h/two", "c1c", "f/"),
            ConflictPolicy.SKIP, move=True)


# --- statistics ---------------------------------------------------------------------------------


def test_statistics_of_a_folder_stream_page_by_page(two_accounts: Azurite, run: Any) -> None:
    az = two_accounts
    blobs = {f"s/{i:02d}.bin": b"x" * i for i in range(1, 16)}
    blobs["s/sub/page.json"] = b"{}"
    blobs["other.txt"] = b"not counted"
    container = seed(az, blobs)
    with SyncClient.from_connection_string(connection_string(az)) as client:
        client.get_blob_client(container, "s/15.bin").set_standard_blob_tier("Cool")
    seen: list[int] = []

    async def body() -> Any:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            return await collect_statistics(svc, container, "s/", page_size=4,
                                            on_progress=lambda s: seen.append(s.blobs))

    stats = run(body())
    assert stats.complete and stats.blobs == 16 and stats.pages == 4
    assert seen == [4, 8, 12, 16]
    assert stats.total_bytes == sum(range(1, 16)) + 2
    assert stats.bytes_by_tier["Cool"] == 15
    assert stats.bytes_by_tier["Hot"] == sum(range(1, 15)) + 2
    assert stats.largest[:3] == [("s/15.bin", 15), ("s/14.bin", 14), ("s/13.bin", 13)]
    assert len(stats.largest) == 10
    assert sum(stats.blobs_by_content_type.values()) == 16


def test_statistics_refuse_a_prefix_that_is_not_a_folder(run: Any) -> None:
    with pytest.raises(InvalidInput):
        run(collect_statistics(None, "c1c", "no-slash"))  # type: ignore[arg-type]


def test_a_cancelled_move_reports_and_resumes(two_accounts: Azurite, run: Any,
                                              tmp_path: Path) -> None:
    """Cancel while the second blob sits between its verified copy and its delete: nothing
    is lost, the report says "cancelled", and moving again finishes the job."""
    az = two_accounts
    blobs = {f"c/{i}.txt": f"cancel {i}".encode() for i in range(4)}
    container = seed(az, blobs)

    async def first() -> Any:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            verified: list[str] = []

            async def cancel_on_second(name: str) -> None:
                verified.append(name)
                if len(verified) == 2:
                    task.cancel()
                    await asyncio.sleep(0)

            copy_run = run_copy(svc, svc, (container, "c/"), (container, "d/"), move=True,
                                report_dir=tmp_path, after_verify=cancel_on_second)
            copy_run.concurrency = 1
            task = asyncio.ensure_future(copy_run.run())
            return await task

    cancelled = run(first())
    assert cancelled.cancelled and cancelled.done == ("c/0.txt",)
    report = json.loads(cancelled.report_path.read_text())
    assert report["state"] == "cancelled"
    assert {i["source"]: i["state"] for i in report["items"]} == {"c/0.txt": "moved",
                                                                  "c/1.txt": "copied"}
    assert set(contents(az, container)) == {"c/1.txt", "c/2.txt", "c/3.txt", "d/0.txt",
                                            "d/1.txt"}

    async def again() -> Any:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            return await run_copy(svc, svc, (container, "c/"), (container, "d/"), move=True,
                                  report_dir=tmp_path).run()

    resumed = run(again())
    assert set(resumed.done) == {"c/1.txt", "c/2.txt", "c/3.txt"} and not resumed.failed
    assert contents(az, container) == {n.replace("c/", "d/"): d for n, d in blobs.items()}


def test_entra_id_copies_use_one_user_delegation_sas_per_container(
        oauth_azurite: Any, run: Any) -> None:
    """Signed in with Entra ID: the source is authorised by a read-only user delegation SAS
    for its container, asked for once for all its blobs (one POST), never per blob. (Azurite
    cannot finish the copy itself over HTTPS: its loopback read of the source rejects its own
    test certificate, a 500; the SAS URLs are read here as the target service would.)"""
    import ssl

    import aiohttp
    from azure.storage.blob.aio import BlobServiceClient as AsyncClient

    from vaultbrowser.core.services.http.transport import private_ca_transport
    from vaultbrowser.core.services.signin.credentials import StaticTokenCredential

    ca = str(oauth_azurite.tls.ca_path)
    url = f"https://127.0.0.1:{oauth_azurite.port}/{AZURITE_ACCOUNT_NAME}"
    container = fresh("entra")

    async def body() -> tuple[list[str], list[tuple[int, bytes]], int, list[Any]]:
        journal = HttpJournal()
        transport = RecordingTransport(private_ca_transport(ca), journal=journal)
        client = AsyncClient(url, credential=StaticTokenCredential(fake_entra_token()),
                             transport=transport)
        service = BlobService(client)
        try:
            await service.containers.create_container(container)
            for i in range(3):
                await client.get_blob_client(container, f"e/{i}.txt").upload_blob(b"e%d" % i)
            copier = ServerCopy(service, service)
            urls = [await copier.source_url(container, f"e/{i}.txt") for i in range(3)]
            context = ssl.create_default_context(cafile=ca)
            got = []
            async with aiohttp.ClientSession() as session:
                for signed in urls:
                    async with session.get(signed, ssl=context) as response:
                        got.append((response.status, await response.read()))
                async with session.put(urls[0], ssl=context, data=b"no",
                                       headers={"x-ms-blob-type": "BlockBlob"}) as response:
                    put_status = response.status
            return urls, got, put_status, journal.records()
        finally:
            await service.close()
            await transport.aclose()

    urls, got, put_status, records = run(body())
    assert got == [(200, b"e0"), (200, b"e1"), (200, b"e2")]
    assert put_status == 403  # read-only
    assert all("sp=r&" in u and "skoid=" in u for u in urls)
    assert [r.method for r in records].count("POST") == 1  # the user delegation key


def test_a_source_that_cannot_be_deleted_stays_copied_in_the_report(
        two_accounts: Azurite, run: Any, tmp_path: Path) -> None:
    """A blob with snapshots refuses a plain delete (409 SnapshotsPresent): its copy is made
    and verified, its source kept, and the report keeps the verified copy's facts."""
    az = two_accounts
    container = seed(az, {"p/snap.txt": b"has a snapshot", "p/plain.txt": b"plain"})
    with SyncClient.from_connection_string(connection_string(az)) as client:
        client.get_blob_client(container, "p/snap.txt").create_snapshot()

    async def body() -> Any:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            return await run_copy(svc, svc, (container, "p/"), (container, "q/"), move=True,
                                  report_dir=tmp_path).run()

    report = run(body())
    assert report.done == ("p/plain.txt",)
    [(name, error)] = report.failed
    assert name == "p/snap.txt" and error.error_code == "SnapshotsPresent"
    data = json.loads(report.report_path.read_text())
    assert data["state"] == "partial"
    item = next(i for i in data["items"] if i["source"] == "p/snap.txt")
    assert item["state"] == "copied" and "snapshots" in item["reason"]
    assert item["destination"] == "q/snap.txt" and item["destination_etag"]
    assert set(contents(az, container)) == {"p/snap.txt", "q/plain.txt", "q/snap.txt"}


def test_a_report_that_cannot_be_written_stops_the_move_before_any_request(
        two_accounts: Azurite, run: Any, tmp_path: Path) -> None:
    from vaultbrowser.core.services.errors import LocalFileError

    az = two_accounts
    container = seed(az, {"r/a.txt": b"a"})
    not_a_folder = tmp_path / "reports"
    not_a_folder.write_text("a file where the report folder should be")

    async def body() -> int:
        async with services(az, AZURITE_ACCOUNT_NAME) as (svc,):
            journal = svc.client._config.transport._journal
            with pytest.raises(LocalFileError):
                await run_copy(svc, svc, (container, "r/"), (container, "s/"), move=True,
                               report_dir=not_a_folder).run()
            return len(journal.records())

    assert run(body()) == 0
    assert contents(az, container) == {"r/a.txt": b"a"}
