"""Copy, move and rename runs over one blob or one folder, with a report that lets an
interrupted move resume.

A move is copy → verify (``ServerCopy.verify``) → delete the source conditionally on the ETag
that was copied: a source is never deleted before its copy is verified. A folder is streamed
page by page (5,000 names at most held), its blobs ``concurrency`` at a time. A move writes
its report (JSON, in ``report_dir``) as it goes and when it ends, however it ends: what moved,
what was copied but not yet deleted, what failed and why. Starting the same move again
resumes it: the last unfinished report for the same source and target is read, blobs moved
already are gone from the source, and a blob copied before is deleted without a second copy
once its destination and source are still the versions the report names (or, without a
report entry, once the destination has the source's size and Content-MD5).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vaultbrowser.blob.services.copies.server_copy import CopiedBlob, ServerCopy, same_etag
from vaultbrowser.blob.services.copies.targets import (
    ConflictPolicy,
    CopySource,
    CopyTarget,
    check_copy,
    destination_name,
)
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import MAX_PAGE_SIZE
from vaultbrowser.blob.services.writes.deletes import BlobDeletes
from vaultbrowser.core.services.errors import (
    Cancelled,
    LocalFileError,
    NotFound,
    VaultBrowserError,
)
from vaultbrowser.core.services.workers import run_workers

__all__ = ["CopyRun", "CopyRunProgress", "CopyRunReport", "find_unfinished_report"]

# Between copy and delete: a hook tests use to interrupt a move there (fault injection).
AfterVerify = Callable[[str], Any]


@dataclass(frozen=True, slots=True)
class CopyRunProgress:
    """Shaped like ``TransferProgress`` for the transfers panel (blobs and bytes)."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    current_name: str | None = None
    current_bytes: int = 0
    current_total: int | None = None


@dataclass(frozen=True, slots=True)
class CopyRunReport:
    """What a run did (shaped like ``TransferReport``): ``done`` source names copied or
    moved, ``skipped`` (existing destinations under "skip"), ``failed`` (name, typed error),
    ``cancelled``, and where its JSON report is (a move's; None for a copy)."""

    done: tuple[str, ...]
    skipped: tuple[str, ...]
    failed: tuple[tuple[str, VaultBrowserError], ...]
    cancelled: bool = False
    report_path: Path | None = None
    destinations: dict[str, str] = field(default_factory=dict)


def _key(source: CopySource, target: CopyTarget) -> dict[str, str]:
    return {"source": f"{source.account_url}/{source.label}",
            "target": f"{target.account_url}/{target.label}"}


def find_unfinished_report(report_dir: Path, source: CopySource,
                           target: CopyTarget) -> Path | None:
    """The newest move report for this source and target that did not finish, or None."""
    if not report_dir.is_dir():
        return None
    wanted = _key(source, target)
    for path in sorted(report_dir.glob("move-*.json"), reverse=True):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if all(data.get(k) == v for k, v in wanted.items()) and data.get("state") != "done":
            return path
    return None


class _MoveReport:
    """The JSON report of a move, written atomically as it goes and at the end. A write runs
    on the loop (it is small until a move is huge), so it happens at most once a second and
    never takes more than ~5% of the loop's time: the interval grows with the write's cost."""

    def __init__(self, path: Path, header: dict[str, Any],
                 previous: dict[str, dict[str, Any]]) -> None:
        self.path = path
        self.header = header
        self.items: dict[str, dict[str, Any]] = dict(previous)
        self._written = 0.0
        self._interval = 1.0

    def record(self, source: str, **entry: Any) -> None:
        self.items[source] = {"source": source, **entry}
        if time.monotonic() - self._written >= self._interval:
            self.write()

    def write(self, state: str = "running") -> None:
        started = time.monotonic()
        data = {**self.header, "state": state,
                "updated": datetime.now(UTC).isoformat(timespec="seconds"),
                "items": list(self.items.values())}
        temporary = self.path.with_suffix(".json.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(data, indent=1, ensure_ascii=False),
                                 encoding="utf-8")
            os.replace(temporary, self.path)
            self._written = time.monotonic()
            self._interval = max(1.0, 20 * (self._written - started))
        except OSError as exc:
            raise LocalFileError(
                f"The move's report could not be written to {self.path}: {exc.strerror}.",
                advice="Free some disk space or fix the folder's permissions, then move "
                       "again: it resumes.") from exc


class CopyRun:
    """Copy or move ``source`` to ``target`` under ``policy`` (see the module docstring)."""

    concurrency = 4

    def __init__(self, copier: ServerCopy, source: CopySource, target: CopyTarget,
                 policy: ConflictPolicy, *, move: bool, report_dir: Path | None = None,
                 on_progress: Callable[[CopyRunProgress], None] | None = None,
                 after_verify: AfterVerify | None = None) -> None:
        check_copy(source, target)  # before any request
        self.copier = copier
        self.source = source
        self.target = target
        self.policy = policy
        self.move = move
        self.report_dir = report_dir
        self.on_progress = on_progress
        self.after_verify = after_verify
        self._done: list[str] = []
        self._skipped: list[str] = []
        self._failed: list[tuple[str, VaultBrowserError]] = []
        self._destinations: dict[str, str] = {}
        self._listed = self._bytes_total = self._bytes_done = 0
        self._report: _MoveReport | None = None
        self._previous: dict[str, dict[str, Any]] = {}
        self._seen: set[str] = set()

    async def run(self) -> CopyRunReport:
        """Run to the end, or until cancelled (the report so far, ``cancelled`` set: the
        task's cancellation is consumed). Failures of single blobs are in ``failed``."""
        if self.move and self.report_dir is not None:
            self._open_report()
        cancelled = False
        state = "done"
        try:
            if self.source.is_folder:
                await self._run_folder()
            else:
                record = await self.copier.existing(self.copier.source, self.source.container,
                                                    self.source.name)
                if record is None and self.source.name not in self._previous:
                    raise NotFound(f"There is no blob “{self.source.label}”.")
                if record is not None:
                    self._listed, self._bytes_total = 1, record.size or 0
                    await self._one(record)
            await self._settle_previous()
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            cancelled, state = True, "cancelled"
        except BaseException:
            state = "failed"
            raise
        finally:
            if self._report is not None:
                # "partial": some blobs failed; like "cancelled" and "failed", it resumes.
                self._report.write("partial" if state == "done" and self._failed else state)
        return CopyRunReport(tuple(self._done), tuple(self._skipped), tuple(self._failed),
                             cancelled, self._report.path if self._report else None,
                             dict(self._destinations))

    def _open_report(self) -> None:
        assert self.report_dir is not None
        header = {"operation": "move", **_key(self.source, self.target),
                  "policy": self.policy.value,
                  "started": datetime.now(UTC).isoformat(timespec="seconds")}
        previous = find_unfinished_report(self.report_dir, self.source, self.target)
        if previous is not None:
            data = json.loads(previous.read_text(encoding="utf-8"))
            self._previous = {item["source"]: item for item in data.get("items", [])
                              if isinstance(item, dict) and "source" in item}
            header["resumes"] = previous.name
            previous.unlink(missing_ok=True)  # its facts go on in the new report
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.report_dir / f"move-{stamp}-{uuid.uuid4().hex[:8]}.json"
        self._report = _MoveReport(path, header, self._previous)
        self._report.write()

    async def _run_folder(self) -> None:
        token: str | None = None
        while True:
            page = await self.copier.source.list_blobs_flat(
                self.source.container, self.source.name, page_size=MAX_PAGE_SIZE,
                continuation=token)
            blobs = [blob for blob in page.items if blob.name.startswith(self.source.name)]
            self._listed += len(blobs)
            self._bytes_total += sum(blob.size or 0 for blob in blobs)
            await self._page(blobs)
            token = page.next_token
            if not token:
                return

    async def _page(self, blobs: list[BlobRecord]) -> None:
        pending = iter(blobs)

        async def work() -> None:
            for blob in pending:
                await self._one(blob)

        await run_workers(work, min(self.concurrency, len(blobs)))

    async def _settle_previous(self) -> None:
        """Blobs the previous run left "copied" that this run did not see: their delete
        reached the service as that run was interrupted. Moved, if the copy is still there."""
        for name, before in list(self._previous.items()):
            if name in self._seen or before.get("state") != "copied":
                continue
            destination = str(before.get("destination") or "")
            there = await self.copier.existing(self.copier.target, self.target.container,
                                               destination) if destination else None
            gone = await self.copier.existing(self.copier.source, self.source.container,
                                              name) is None
            if gone and there is not None and same_etag(there.etag,
                                                        before.get("destination_etag")):
                self._done.append(name)
                self._destinations[name] = destination
                self._note(name, destination, "moved", "copied, verified; the source was "
                           "deleted as the earlier run was interrupted")

    async def _one(self, blob: BlobRecord) -> None:
        name = blob.name
        self._seen.add(name)
        try:
            destination = destination_name(self.source, self.target, name)
            if self.move and (await self._finish_verified_copy(blob, destination)
                              or await self._finish_identical_copy(blob, destination)):
                self._bytes_done += blob.size or 0
                self._tell(None, 0, None)
                return
            copied = await self.copier.copy_blob(
                blob, self.target.container, destination, self.policy,
                on_progress=lambda done, total: self._tell(name, done, total))
            if copied.skipped:
                self._skipped.append(name)
                self._note(name, destination, "skipped",
                           "the destination exists (policy: skip); the source was kept")
            elif self.move:
                await self._verify_and_delete(copied)
            else:
                self._done.append(name)
                self._destinations[name] = copied.destination
        except Cancelled:
            raise
        except VaultBrowserError as exc:
            self._failed.append((name, exc))
            self._note(name, None, "failed", exc.message)
        self._bytes_done += blob.size or 0
        self._tell(None, 0, None)

    async def _verify_and_delete(self, copied: CopiedBlob) -> None:
        name = copied.source.name
        checked = await self.copier.verify(copied, self.target.container)
        self._note(name, copied.destination, "copied", "copied and verified; source not "
                   "deleted yet", source_etag=copied.source.etag, destination_etag=checked.etag)
        if self.after_verify is not None:
            outcome = self.after_verify(name)
            if asyncio.iscoroutine(outcome):
                await outcome
        try:
            await BlobDeletes(self.copier.source).delete_blob(
                copied.source.container, name, etag=copied.source.etag)
        except Cancelled:
            raise
        except VaultBrowserError as exc:
            # The copy stays verified in the report: a re-run only retries the delete.
            self._failed.append((name, exc))
            self._note(name, copied.destination, "copied", "copied and verified; the source "
                       f"could not be deleted: {exc.message}", source_etag=copied.source.etag,
                       destination_etag=checked.etag)
            return
        self._done.append(name)
        self._destinations[name] = copied.destination
        self._note(name, copied.destination, "moved", "copied, verified, source deleted")

    async def _finish_verified_copy(self, blob: BlobRecord, destination: str) -> bool:
        """A blob the previous run copied and verified: delete the source if the destination
        and the source are still the versions the report names (no second copy)."""
        before = self._previous.get(blob.name)
        if not before or before.get("state") != "copied" or not same_etag(
                before.get("source_etag"), blob.etag) or before.get("destination") is None:
            return False
        there = await self.copier.existing(self.copier.target, self.target.container,
                                           str(before["destination"]))
        if there is None or not same_etag(there.etag, before.get("destination_etag")):
            return False
        copied = CopiedBlob(blob, str(before["destination"]))
        await self._verify_and_delete(copied)
        return True

    async def _finish_identical_copy(self, blob: BlobRecord, destination: str) -> bool:
        """A destination with the source's size and Content-MD5 (a copy an interrupted run
        made but did not record as verified): verify it and delete the source, no new copy.
        Without an MD5 on both sides nothing proves it is the same: the policy decides."""
        if not blob.content_md5:
            return False
        there = await self.copier.existing(self.copier.target, self.target.container,
                                           destination)
        if there is None or there.size != blob.size or there.content_md5 != blob.content_md5:
            return False
        await self._verify_and_delete(CopiedBlob(blob, destination))
        return True

    def _note(self, source: str, destination: str | None, state: str, reason: str,
              **facts: Any) -> None:
        if self._report is not None:
            self._report.record(source, destination=destination, state=state, reason=reason,
                                **facts)

    def _tell(self, name: str | None, done: int, total: int | None) -> None:
        if self.on_progress is None:
            return
        finished = len(self._done) + len(self._skipped) + len(self._failed)
        self.on_progress(CopyRunProgress(finished, self._listed, self._bytes_done,
                                         self._bytes_total, name, done, total))
