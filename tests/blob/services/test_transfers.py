"""Transfers (transfer_plans, transfers, local_files): planning, upload/download runs against
Azurite, conflicts, progress, cancel, and download atomicity (no partial file, no temporary
file, no silent replacement)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient

from tests.blob.services.blob_seed import open_blob_service
from vaultbrowser.blob.services.blob_service import BlobService
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.transfers.plans import (
    ConflictChoice,
    ConflictDecision,
    DownloadItem,
    TransferProgress,
    UploadItem,
    local_relative_path,
    plan_download,
    plan_upload,
)
from vaultbrowser.blob.services.transfers.runs import download_many, upload_many
from vaultbrowser.core.services.errors import Conflict, InvalidInput, LocalFileError
from vaultbrowser.core.services.files.local import TEMP_PREFIX
from vaultbrowser.core.services.files.numbered_names import numbered_name

SKIP, OVERWRITE, RENAME = ConflictChoice.SKIP, ConflictChoice.OVERWRITE, ConflictChoice.RENAME


# --- pure functions ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "number", "expected"), [
    ("report.pdf", 1, "report (1).pdf"),
    ("dir/sub/report.pdf", 2, "dir/sub/report (2).pdf"),
    ("archive.tar.gz", 1, "archive (1).tar.gz"),
    ("no-extension", 3, "no-extension (3)"),
    (".bashrc", 1, ".bashrc (1)"),
    ("name.", 1, "name. (1)"),
    ("dir.d/file", 1, "dir.d/file (1)"),
    ("folder/", 1, "folder (1)/"),
    ("a b/c d.e f", 1, "a b/c d (1).e f"),
])
def test_numbered_name(name: str, number: int, expected: str) -> None:
    assert numbered_name(name, number) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("a/b/c.txt", "a/b/c.txt"),
    ("a//b", "a/b"),
    ("/leading", "leading"),
    ("master/", "master%2F"),
    ("q?#%+ ü", "q?#%+ ü"),
    ("a/../b", None),
    ("./x", None),
    ("..", None),
    ("/", None),
])
def test_local_relative_path(name: str, expected: str | None) -> None:
    assert local_relative_path(name) == expected


def test_long_segments_are_shortened_uniquely() -> None:
    first = local_relative_path("long/" + "x" * 1000 + ".txt")
    second = local_relative_path("long/" + "x" * 999 + "y.txt")
    assert first is not None and second is not None and first != second
    for path in (first, second):
        segment = path.split("/")[-1]
        assert len(segment.encode()) <= 200 and segment.endswith(".txt")
    wide = local_relative_path("日" * 300)
    assert wide is not None and len(wide.encode()) <= 200


def test_plan_upload_walks_folders(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    (root / "2024" / "may").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "a.jpg").write_bytes(b"1")
    (root / "2024" / "b c.jpg").write_bytes(b"22")
    (root / "2024" / "may" / "d#.jpg").write_bytes(b"333")
    single = tmp_path / "notes.txt"
    single.write_bytes(b"4444")

    items = plan_upload([root, single], "up/")
    assert [(i.blob_name, i.size) for i in items] == [
        ("up/photos/a.jpg", 1), ("up/photos/2024/b c.jpg", 2),
        ("up/photos/2024/may/d#.jpg", 3), ("up/notes.txt", 4)]
    assert items[0].source == root / "a.jpg"
    assert [i.blob_name for i in plan_upload([single])] == ["notes.txt"]
    with pytest.raises(InvalidInput):
        plan_upload([single], "no-slash")
    with pytest.raises((InvalidInput, LocalFileError)):
        plan_upload([tmp_path / "missing"])


def test_plan_download_strips_the_parent_folder() -> None:
    blobs = [BlobRecord("c", "a/b/x.txt", size=1), BlobRecord("c", "a/b/", size=0),
             BlobRecord("c", "a/b/y/", size=3), BlobRecord("c", "a/../z", size=1)]
    items = plan_download(blobs, "a/")
    assert [(i.blob_name, i.relative_path, i.folder_marker) for i in items] == [
        ("a/b/x.txt", "b/x.txt", False), ("a/b/", "b", True),
        ("a/b/y/", "b/y%2F", False), ("a/../z", None, False)]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sync_client(azurite: Any) -> Iterator[SyncBlobServiceClient]:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    yield client
    client.close()


_counter = iter(range(10_000))


@pytest.fixture
def container(sync_client: SyncBlobServiceClient) -> str:
    name = f"transfers-{next(_counter):04d}"
    sync_client.create_container(name)
    return name


def with_service(azurite: Any, run: Callable[..., Any], body: Callable[..., Any],
                 **options: Any) -> Any:
    async def main() -> Any:
        async with open_blob_service(azurite, **options) as (service, _journal):
            return await body(service)

    return run(main())


def content(sync_client: SyncBlobServiceClient, container: str, name: str) -> bytes:
    return sync_client.get_blob_client(container, name).download_blob().readall()


def names(sync_client: SyncBlobServiceClient, container: str) -> list[str]:
    return sorted(b.name for b in sync_client.get_container_client(container).list_blobs())


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Decider:
    """A scripted ``decide``: answers in order, records what it was asked."""

    def __init__(self, *answers: ConflictDecision) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[Any, Any]] = []

    async def __call__(self, item: Any, existing: Any) -> ConflictDecision:
        self.asked.append((item, existing))
        await asyncio.sleep(0)
        return self.answers.pop(0)


# --- uploads ----------------------------------------------------------------------------------


def make_sources(tmp_path: Path, files: dict[str, bytes]) -> list[UploadItem]:
    items = []
    for name, data in files.items():
        path = tmp_path / "src" / name.replace("/", "__")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        items.append(UploadItem(path, name, len(data)))
    return items


def test_upload_conflicts_skip_overwrite_rename_each(azurite: Any, run: Any, container: str,
                                                     sync_client: SyncBlobServiceClient,
                                                     tmp_path: Path) -> None:
    client = sync_client.get_container_client(container)
    for name in ("keep.txt", "replace.txt", "rename.txt", "rename (1).txt"):
        client.upload_blob(name, b"old " + name.encode())
    items = make_sources(tmp_path, {"keep.txt": b"new keep", "replace.txt": b"new replace",
                                    "rename.txt": b"new rename", "fresh.txt": b"fresh"})
    answers = {"keep.txt": SKIP, "replace.txt": OVERWRITE, "rename.txt": RENAME}
    asked: list[tuple[str, BlobRecord | None]] = []

    async def decide(item: UploadItem, existing: BlobRecord | None) -> ConflictDecision:
        asked.append((item.blob_name, existing))
        return ConflictDecision(answers[item.blob_name])

    async def body(service: BlobService) -> Any:
        return await upload_many(service, container, items, concurrency=2, decide=decide)

    report = with_service(azurite, run, body)
    assert sorted(name for name, _ in asked) == ["keep.txt", "rename.txt", "replace.txt"]
    for name, existing in asked:
        assert existing is not None and existing.name == name and existing.etag
    assert report.skipped == ["keep.txt"]
    assert sorted(report.done) == ["fresh.txt", "rename (2).txt", "replace.txt"]
    assert report.renamed == [("rename.txt", "rename (2).txt")]
    assert not report.failed and not report.cancelled
    assert content(sync_client, container, "keep.txt") == b"old keep.txt"
    assert content(sync_client, container, "replace.txt") == b"new replace"
    assert content(sync_client, container, "rename.txt") == b"old rename.txt"
    assert content(sync_client, container, "rename (1).txt") == b"old rename (1).txt"
    assert content(sync_client, container, "rename (2).txt") == b"new rename"
    assert content(sync_client, container, "fresh.txt") == b"fresh"


@pytest.mark.parametrize("choice", [SKIP, OVERWRITE, RENAME])
def test_upload_apply_to_all_asks_once(azurite: Any, run: Any, container: str,
                                       sync_client: SyncBlobServiceClient, tmp_path: Path,
                                       choice: ConflictChoice) -> None:
    client = sync_client.get_container_client(container)
    files = {f"f{i}.txt": f"new {i}".encode() for i in range(5)}
    for name in files:
        client.upload_blob(name, b"old")
    decider = Decider(ConflictDecision(choice, apply_to_all=True))

    async def body(service: BlobService) -> Any:
        return await upload_many(service, container, make_sources(tmp_path, files),
                                 concurrency=3, decide=decider)

    report = with_service(azurite, run, body)
    assert len(decider.asked) == 1
    if choice is SKIP:
        assert sorted(report.skipped) == sorted(files) and report.done == []
        assert all(content(sync_client, container, n) == b"old" for n in files)
    elif choice is OVERWRITE:
        assert sorted(report.done) == sorted(files)
        assert all(content(sync_client, container, n) == files[n] for n in files)
    else:
        assert sorted(report.done) == sorted(numbered_name(n, 1) for n in files)
        assert all(content(sync_client, container, n) == b"old" for n in files)
        assert all(content(sync_client, container, numbered_name(n, 1)) == files[n]
                   for n in files)


def test_rename_never_takes_a_name_planned_in_the_same_run(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient,
        tmp_path: Path) -> None:
    sync_client.get_container_client(container).upload_blob("a.txt", b"old")
    items = make_sources(tmp_path, {"a.txt": b"new a", "a (1).txt": b"planned a (1)"})
    decider = Decider(ConflictDecision(RENAME))

    async def body(service: BlobService) -> Any:
        return await upload_many(service, container, items, concurrency=1, decide=decider)

    report = with_service(azurite, run, body)
    assert len(decider.asked) == 1 and not report.failed
    assert report.renamed == [("a.txt", "a (2).txt")]
    assert content(sync_client, container, "a (1).txt") == b"planned a (1)"
    assert content(sync_client, container, "a (2).txt") == b"new a"
    assert content(sync_client, container, "a.txt") == b"old"


def test_a_name_refused_but_unreadable_is_still_a_decision(
        azurite: Any, run: Any, container: str, sync_client: SyncBlobServiceClient,
        tmp_path: Path) -> None:
    """Azurite refuses a conditional PUT over a blob holding only uncommitted blocks (an
    interrupted upload) while its HEAD says 404: the user decides, with ``existing`` None."""
    sync_client.get_blob_client(container, "half.bin").stage_block("QUFB", b"abc")
    decider = Decider(ConflictDecision(OVERWRITE))

    async def body(service: BlobService) -> Any:
        return await upload_many(service, container,
                                 make_sources(tmp_path, {"half.bin": b"whole"}), decide=decider)

    report = with_service(azurite, run, body)
    assert [existing for _, existing in decider.asked] == [None]
    assert report.done == ["half.bin"]
    assert content(sync_client, container, "half.bin") == b"whole"


def test_upload_without_decide_skips_conflicts(azurite: Any, run: Any, container: str,
                                               sync_client: SyncBlobServiceClient,
                                               tmp_path: Path) -> None:
    sync_client.get_container_client(container).upload_blob("x.txt", b"old")

    async def body(service: BlobService) -> Any:
        return await upload_many(service, container,
                                 make_sources(tmp_path, {"x.txt": b"new", "y.txt": b"y"}))

    report = with_service(azurite, run, body)
    assert report.skipped == ["x.txt"] and report.done == ["y.txt"]
    assert content(sync_client, container, "x.txt") == b"old"


def test_folder_upload_names_and_progress(azurite: Any, run: Any, container: str,
                                          sync_client: SyncBlobServiceClient,
                                          tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "css").mkdir(parents=True)
    (root / "index.html").write_bytes(b"<html>")
    (root / "css" / "a b.css").write_bytes(b"body{}")
    big = os.urandom(3 * 64 * 1024 + 5)
    (root / "big.bin").write_bytes(big)
    events: list[TransferProgress] = []

    async def body(service: BlobService) -> Any:
        service.uploads.single_put_limit = service.uploads.upload_block_size = 64 * 1024
        items = plan_upload([root], "web/")
        return await upload_many(service, container, items, on_progress=events.append)

    report = with_service(azurite, run, body)
    expected = ["web/site/big.bin", "web/site/css/a b.css", "web/site/index.html"]
    assert sorted(report.done) == expected == names(sync_client, container)
    assert content(sync_client, container, "web/site/big.bin") == big
    props = sync_client.get_blob_client(container, "web/site/index.html").get_blob_properties()
    assert props.content_settings.content_type == "text/html"
    total = len(big) + 6 + 6
    assert events[-1].files_done == events[-1].files_total == 3
    assert events[-1].bytes_done == events[-1].bytes_total == total
    done = [e.bytes_done for e in events]
    assert done == sorted(done)
    assert any(e.current_name == "web/site/big.bin" and 0 < e.current_bytes < len(big)
               for e in events)


def test_upload_failures_are_reported_and_others_go_on(azurite: Any, run: Any, container: str,
                                                       sync_client: SyncBlobServiceClient,
                                                       tmp_path: Path) -> None:
    items = make_sources(tmp_path, {"ok.txt": b"ok"})
    items.append(UploadItem(tmp_path / "vanished.txt", "vanished.txt", 3))
    items.append(UploadItem(items[0].source, "bad/../name", 2))

    async def body(service: BlobService) -> Any:
        return await upload_many(service, container, items)

    report = with_service(azurite, run, body)
    assert report.done == ["ok.txt"]
    failed = dict(report.failed)
    assert isinstance(failed["vanished.txt"], LocalFileError)
    assert isinstance(failed["bad/../name"], InvalidInput)


def test_cancelled_upload_leaves_no_blob(azurite: Any, run: Any, container: str,
                                         sync_client: SyncBlobServiceClient,
                                         tmp_path: Path) -> None:
    items = make_sources(tmp_path, {"huge.bin": os.urandom(8 * 64 * 1024)})

    async def body(service: BlobService) -> Any:
        service.uploads.single_put_limit = service.uploads.upload_block_size = 64 * 1024
        service.uploads.upload_concurrency = 1
        task: asyncio.Task[Any] | None = None

        def on_progress(progress: TransferProgress) -> None:
            if progress.current_bytes and task is not None:
                task.cancel()

        task = asyncio.ensure_future(upload_many(service, container, items,
                                                 on_progress=on_progress))
        return await task

    report = with_service(azurite, run, body)
    assert report.cancelled and report.done == []
    assert names(sync_client, container) == []


# --- downloads --------------------------------------------------------------------------------

PAYLOAD = os.urandom(640 * 1024 + 11)
CHUNK = 64 * 1024


def seed(sync_client: SyncBlobServiceClient, container: str, blobs: dict[str, bytes]) -> None:
    client = sync_client.get_container_client(container)
    for name, data in blobs.items():
        client.upload_blob(name, data, overwrite=True)


async def listed(service: BlobService, container: str, prefix: str = "") -> list[BlobRecord]:
    page = await service.list_blobs_flat(container, prefix, page_size=5000)
    return list(page.items)


def test_folder_download_lands_below_destination(azurite: Any, run: Any, container: str,
                                                 sync_client: SyncBlobServiceClient,
                                                 tmp_path: Path) -> None:
    seed(sync_client, container, {"a/b/one.txt": b"1", "a/b/deep/two.txt": b"22",
                                  "a/b/empty/": b"", "a/b/big.bin": PAYLOAD,
                                  "a/bb/not-me.txt": b"x", "a/b": b"not me either"})
    events: list[TransferProgress] = []

    async def body(service: BlobService) -> Any:
        blobs = await service.deletes.list_folder_contents(container, "a/b/")
        return await download_many(service, container, plan_download(blobs, "a/"), tmp_path,
                                   concurrency=2, on_progress=events.append)

    report = with_service(azurite, run, body, download_chunk_size=CHUNK)
    assert not report.failed and not report.skipped and len(report.done) == 4
    assert files_under(tmp_path) == {"b/one.txt": b"1", "b/deep/two.txt": b"22",
                                     "b/big.bin": PAYLOAD}
    assert (tmp_path / "b" / "empty").is_dir()
    assert events[-1].files_done == 4 and events[-1].bytes_done == events[-1].bytes_total
    assert events[-1].bytes_total == len(PAYLOAD) + 3


def test_cancel_mid_file_leaves_no_partial_and_no_temp(azurite: Any, run: Any, container: str,
                                                       sync_client: SyncBlobServiceClient,
                                                       tmp_path: Path) -> None:
    seed(sync_client, container, {"big.bin": PAYLOAD, "other.bin": PAYLOAD})
    (tmp_path / "existing.txt").write_bytes(b"untouched")
    seen_temp: list[bool] = []

    async def body(service: BlobService) -> Any:
        task: asyncio.Task[Any] | None = None

        def on_progress(progress: TransferProgress) -> None:
            if 0 < progress.current_bytes < progress.current_total and task is not None:
                seen_temp.append(any(p.name.startswith(TEMP_PREFIX)
                                     for p in tmp_path.iterdir()))
                task.cancel()

        task = asyncio.ensure_future(download_many(
            service, container, plan_download(await listed(service, container)), tmp_path,
            on_progress=on_progress))
        return await task

    report = with_service(azurite, run, body, download_chunk_size=CHUNK)
    assert report.cancelled and report.done == []
    assert seen_temp and seen_temp[0]  # the bytes were going to a temporary file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.txt"]
    assert (tmp_path / "existing.txt").read_bytes() == b"untouched"


def test_failure_mid_file_leaves_no_partial_and_no_temp(azurite: Any, run: Any,
                                                        container: str,
                                                        sync_client: SyncBlobServiceClient,
                                                        tmp_path: Path) -> None:
    """The blob changes between two ranges: the download fails (Conflict) and leaves nothing."""
    seed(sync_client, container, {"changing.bin": PAYLOAD, "stable.txt": b"stable"})
    changed = False

    def on_progress(progress: TransferProgress) -> None:
        nonlocal changed
        if progress.current_name == "changing.bin" and progress.current_bytes and not changed:
            changed = True
            seed(sync_client, container, {"changing.bin": b"a new version"})

    async def body(service: BlobService) -> Any:
        items = plan_download(await listed(service, container))
        return await download_many(service, container, items, tmp_path, concurrency=1,
                                   on_progress=on_progress)

    report = with_service(azurite, run, body, download_chunk_size=CHUNK)
    assert changed
    [(name, error)] = report.failed
    assert name == "changing.bin" and isinstance(error, Conflict)
    assert not report.cancelled
    assert files_under(tmp_path) == {"stable.txt": b"stable"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stable.txt"]


def test_existing_local_files_need_a_decision(azurite: Any, run: Any, container: str,
                                              sync_client: SyncBlobServiceClient,
                                              tmp_path: Path) -> None:
    seed(sync_client, container, {"keep.txt": b"remote keep", "replace.txt": b"remote replace",
                                  "rename.txt": b"remote rename", "new.txt": b"remote new"})
    for name in ("keep.txt", "replace.txt", "rename.txt", "rename (1).txt"):
        (tmp_path / name).write_bytes(b"local " + name.encode())
    answers = {"keep.txt": SKIP, "replace.txt": OVERWRITE, "rename.txt": RENAME}
    asked: list[tuple[str, Path]] = []
    events: list[TransferProgress] = []

    async def decide(item: DownloadItem, existing: Path) -> ConflictDecision:
        asked.append((item.blob_name, existing))
        return ConflictDecision(answers[item.blob_name])

    async def body(service: BlobService) -> Any:
        return await download_many(service, container,
                                   plan_download(await listed(service, container)), tmp_path,
                                   decide=decide, on_progress=events.append)

    report = with_service(azurite, run, body)
    # The skipped file leaves the totals: the run ends at 100 %.
    assert events[-1].files_done == events[-1].files_total == 4
    assert events[-1].bytes_done == events[-1].bytes_total == len(
        b"remote replace" + b"remote rename" + b"remote new")
    assert sorted(asked) == [("keep.txt", tmp_path / "keep.txt"),
                             ("rename.txt", tmp_path / "rename.txt"),
                             ("replace.txt", tmp_path / "replace.txt")]
    assert report.skipped == ["keep.txt"]
    assert report.renamed == [("rename.txt", str(tmp_path / "rename (2).txt"))]
    assert files_under(tmp_path) == {
        "keep.txt": b"local keep.txt", "replace.txt": b"remote replace",
        "rename.txt": b"local rename.txt", "rename (1).txt": b"local rename (1).txt",
        "rename (2).txt": b"remote rename", "new.txt": b"remote new"}


@pytest.mark.parametrize("choice", [SKIP, OVERWRITE, RENAME])
def test_download_apply_to_all(azurite: Any, run: Any, container: str,
                               sync_client: SyncBlobServiceClient, tmp_path: Path,
                               choice: ConflictChoice) -> None:
    blobs = {f"d/f{i}.txt": f"remote {i}".encode() for i in range(4)}
    seed(sync_client, container, blobs)
    (tmp_path / "d").mkdir()
    for name in blobs:
        (tmp_path / name).write_bytes(b"local")
    decider = Decider(ConflictDecision(choice, apply_to_all=True))

    async def body(service: BlobService) -> Any:
        return await download_many(service, container,
                                   plan_download(await listed(service, container)), tmp_path,
                                   concurrency=3, decide=decider)

    report = with_service(azurite, run, body)
    assert len(decider.asked) == 1 and not report.failed
    files = files_under(tmp_path)
    for name, data in blobs.items():
        if choice is SKIP:
            assert files[name] == b"local"
        elif choice is OVERWRITE:
            assert files[name] == data
        else:
            assert files[name] == b"local" and files[numbered_name(name, 1)] == data
    assert len(files) == (8 if choice is RENAME else 4)


def test_download_without_decide_never_replaces(azurite: Any, run: Any, container: str,
                                                sync_client: SyncBlobServiceClient,
                                                tmp_path: Path) -> None:
    seed(sync_client, container, {"x.txt": b"remote"})
    (tmp_path / "x.txt").write_bytes(b"local")

    async def body(service: BlobService) -> Any:
        return await download_many(service, container,
                                   await listed(service, container), tmp_path)

    report = with_service(azurite, run, body)
    assert report.skipped == ["x.txt"]
    assert (tmp_path / "x.txt").read_bytes() == b"local"


def test_a_file_appearing_during_download_is_not_replaced(azurite: Any, run: Any,
                                                          container: str,
                                                          sync_client: SyncBlobServiceClient,
                                                          tmp_path: Path) -> None:
    seed(sync_client, container, {"race.bin": PAYLOAD})
    decider = Decider(ConflictDecision(SKIP))

    def on_progress(progress: TransferProgress) -> None:
        target = tmp_path / "race.bin"
        if progress.current_bytes and not target.exists():
            target.write_bytes(b"written by someone else meanwhile")

    async def body(service: BlobService) -> Any:
        return await download_many(service, container, await listed(service, container),
                                   tmp_path, decide=decider, on_progress=on_progress)

    report = with_service(azurite, run, body, download_chunk_size=CHUNK)
    assert [existing for _, existing in decider.asked] == [tmp_path / "race.bin"]
    assert report.skipped == ["race.bin"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.bin"]
    assert (tmp_path / "race.bin").read_bytes() == b"written by someone else meanwhile"


def test_a_folder_in_the_way_is_a_clear_failure(azurite: Any, run: Any, container: str,
                                                sync_client: SyncBlobServiceClient,
                                                tmp_path: Path) -> None:
    seed(sync_client, container, {"thing": b"file", "file/below.txt": b"b"})
    (tmp_path / "thing").mkdir()
    (tmp_path / "file").write_bytes(b"a file where a folder is needed")

    async def body(service: BlobService) -> Any:
        return await download_many(service, container, await listed(service, container),
                                   tmp_path, decide=Decider(ConflictDecision(OVERWRITE)))

    report = with_service(azurite, run, body)
    failed = dict(report.failed)
    assert isinstance(failed["thing"], LocalFileError)
    assert "is a folder" in failed["thing"].message  # refused before downloading anything
    assert isinstance(failed["file/below.txt"], LocalFileError)
    assert (tmp_path / "thing").is_dir()
    assert (tmp_path / "file").read_bytes() == b"a file where a folder is needed"


def test_download_refuses_a_missing_destination(azurite: Any, run: Any, container: str,
                                                tmp_path: Path) -> None:
    async def body(service: BlobService) -> None:
        with pytest.raises(LocalFileError):
            await download_many(service, container, [], tmp_path / "nope")

    with_service(azurite, run, body)


def test_dot_segment_blobs_fail_without_a_request(azurite: Any, run: Any, container: str,
                                                  tmp_path: Path) -> None:
    async def body(service: BlobService) -> Any:
        item = DownloadItem("a/../escape.txt", local_relative_path("a/../escape.txt"), 3)
        return await download_many(service, container, [item], tmp_path)

    report = with_service(azurite, run, body)
    [(name, error)] = report.failed
    assert name == "a/../escape.txt" and isinstance(error, InvalidInput)
    assert list(tmp_path.iterdir()) == []
