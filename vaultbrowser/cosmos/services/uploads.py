"""Upload a JSON file of items: validated whole before the first write, then written with
bounded concurrency, and a report of what was created and what failed.

The file is a JSON array of objects or JSON lines (one object a line). Every item must be an
object with a text ``id`` and the container's partition key path(s), unique by (partition key,
id) within the file, and under the service's 2 MB item limit; the first problem (its item
number or line) refuses the whole file before anything is sent. Items are created, never
upserted: an id that exists is reported as failed, not overwritten. A read-only connection's
first write is refused by the transport and stops the upload (nothing was written).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultbrowser.core.services.errors import (
    InvalidInput,
    LocalFileError,
    ReadOnlyRefused,
    VaultBrowserError,
)
from vaultbrowser.core.services.workers import run_workers
from vaultbrowser.cosmos.services.items import check_document, create_item
from vaultbrowser.cosmos.services.records import ContainerRecord, ItemRecord
from vaultbrowser.cosmos.services.service import CosmosService

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_ITEM_BYTES = 2 * 1024 * 1024  # the service's limit for one item
WRITERS = 8  # items in flight at once: a few connections, well under a throttling burst


def parse_items(text: str, container: ContainerRecord) -> tuple[dict[str, Any], ...]:
    """The items of a file's text, each checked (``items.check_document``).

    Raises:
        InvalidInput: not a JSON array nor JSON lines, or an item is invalid, repeated or too
            large (the message names its number or line).
    """
    stripped = text.lstrip("\ufeff").strip()
    if not stripped:
        raise InvalidInput("The file is empty.", advice="Give a JSON array of items or JSON "
                                                        "lines (one item a line).")
    where: Callable[[int], str]
    if stripped.startswith("["):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise InvalidInput(f"The file is not valid JSON: {exc}.") from None
        if not isinstance(data, list):
            raise InvalidInput("The file is not a JSON array of items.")
        values: Sequence[Any] = data
        numbers = list(range(1, len(data) + 1))
        where = "item {}".format
    else:
        values, numbers = [], []
        for number, line in enumerate(stripped.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                values.append(json.loads(line))
            except ValueError as exc:
                raise InvalidInput(f"Line {number} is not valid JSON: {exc}.") from None
            numbers.append(number)
        where = "line {}".format
    items: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for number, value in zip(numbers, values, strict=True):
        try:
            item = check_document(value, container)
        except InvalidInput as exc:
            raise InvalidInput(f"In {where(number)}: {exc.message}", advice=exc.advice) from None
        key = ItemRecord.from_wire(item, container.partition_key_paths).partition_key
        identity = (json.dumps(key, sort_keys=True), item["id"])
        if identity in seen:
            raise InvalidInput(f"In {where(number)}: the id {item['id']!r} appears twice in "
                               "the same partition.")
        seen.add(identity)
        if len(json.dumps(item, ensure_ascii=False).encode()) > MAX_ITEM_BYTES:
            raise InvalidInput(f"In {where(number)}: the item is over 2 MB, Cosmos DB's limit.")
        items.append(item)
    return tuple(items)


async def read_upload(path: Path, container: ContainerRecord) -> tuple[dict[str, Any], ...]:
    """Read and check a file of items (off the event loop's thread).

    Raises:
        LocalFileError: the file cannot be read, or is over ``MAX_FILE_BYTES``.
        InvalidInput: its content (``parse_items``).
    """

    def load() -> tuple[dict[str, Any], ...]:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise LocalFileError(f"{path.name} is over {MAX_FILE_BYTES // 2**20} MB.")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LocalFileError(f"{path.name} cannot be read: {exc}") from None
        return parse_items(text, container)

    return await asyncio.to_thread(load)


@dataclass(frozen=True)
class UploadFailure:
    id: str
    partition_key: Any
    error: VaultBrowserError


class ItemUpload:
    """One upload's run; ``created``, ``failed`` and ``interrupted`` grow as it goes and stay
    readable after a cancel or a stop, so nothing written goes unreported.

    Args:
        progress: called with (done, total) after each item.
    """

    def __init__(self, service: CosmosService, container: ContainerRecord,
                 items: Sequence[dict[str, Any]],
                 progress: Callable[[int, int], None] | None = None) -> None:
        self._service = service
        self._container = container
        self._items = list(items)
        self._progress = progress
        self.created: list[str] = []
        self.failed: list[UploadFailure] = []
        # Writes cancelled in flight: the service may have created them or not.
        self.interrupted: list[str] = []

    @property
    def total(self) -> int:
        return len(self._items)

    @property
    def not_attempted(self) -> int:
        return self.total - len(self.created) - len(self.failed) - len(self.interrupted)

    async def run(self, writers: int = WRITERS) -> ItemUpload:
        """Create every item, ``writers`` at a time; per-item failures are collected.

        Raises:
            ReadOnlyRefused: the connection is read-only (the first write; nothing written).
            asyncio.CancelledError: cancelled (``created`` says what was written,
                ``interrupted`` what was in flight).
        """
        pending = iter(self._items)

        async def writer() -> None:
            for item in pending:
                try:
                    await create_item(self._service, self._container, item)
                except ReadOnlyRefused:
                    raise
                except asyncio.CancelledError:
                    self.interrupted.append(item["id"])
                    raise
                except VaultBrowserError as exc:
                    key = ItemRecord.from_wire(item, self._container.partition_key_paths)
                    self.failed.append(UploadFailure(item["id"], key.partition_key, exc))
                else:
                    self.created.append(item["id"])
                if self._progress is not None:
                    self._progress(len(self.created) + len(self.failed), self.total)

        await run_workers(writer, min(writers, max(1, self.total)))
        return self

    def summary(self) -> str:
        text = f"{len(self.created)} of {self.total} items created"
        if self.failed:
            text += f", {len(self.failed)} failed"
        if self.interrupted:
            text += f", {len(self.interrupted)} interrupted (maybe created: refresh to see)"
        if self.not_attempted:
            text += f", {self.not_attempted} not attempted"
        return text + "."
