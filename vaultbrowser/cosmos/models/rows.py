"""The records of the Cosmos DB tree: an account's root, a database, a container, an item.

Each row holds the service's record (``services/records.py``); an item's row also holds its
container's, so its cells and its details need no further call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vaultbrowser.core.models.connection_root import ConnectionRoot
from vaultbrowser.cosmos.services.records import ContainerRecord, DatabaseRecord, ItemRecord

if TYPE_CHECKING:  # azure-cosmos loads when an account opens, not at start-up
    from vaultbrowser.cosmos.services.lazy_service import LazyCosmosService

# What Cosmos DB adds to every stored item (not the user's properties).
SYSTEM_PROPERTIES = frozenset({"_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"})


@dataclass(frozen=True, eq=False)
class CosmosRoot(ConnectionRoot):
    """A Cosmos DB account: a top-level row (its client opens with the first page)."""

    service: LazyCosmosService


@dataclass(frozen=True, slots=True)
class DatabaseRow:
    record: DatabaseRecord

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def display_name(self) -> str:
        return self.id


@dataclass(frozen=True, slots=True)
class ContainerRow:
    """A container as its database listed it (its partition key paths came with it)."""

    record: ContainerRecord

    @property
    def database(self) -> str:
        return self.record.database

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def partition_key_paths(self) -> tuple[str, ...]:
        return self.record.partition_key_paths

    @property
    def display_name(self) -> str:
        return f"{self.database}/{self.id}"


def cell_text(value: Any, limit: int = 200) -> str:
    """A JSON value as one short cell: strings as they are, the rest as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class ItemRow:
    """One item as a query returned it, and the container it lives in."""

    container: ContainerRecord
    item: ItemRecord

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def display_name(self) -> str:
        return self.item.id

    @property
    def document(self) -> Mapping[str, Any]:
        return self.item.document

    @property
    def database(self) -> str:
        return self.container.database

    @property
    def partition_key_paths(self) -> tuple[str, ...]:
        return self.container.partition_key_paths

    @property
    def etag(self) -> str | None:
        return self.item.etag or None

    @property
    def partition_key(self) -> Any:
        """The item's partition key value (a list for a hierarchical key)."""
        return self.item.partition_key

    @property
    def partition_key_text(self) -> str:
        return cell_text(self.item.partition_key)

    def property_text(self, name: str) -> str:
        return cell_text(self.item.document.get(name))

    def user_document(self) -> dict[str, Any]:
        """The document without the properties Cosmos DB adds (what an edit starts from)."""
        return {key: value for key, value in self.item.document.items()
                if key not in SYSTEM_PROPERTIES}


def key_path_segments(partition_key_paths: Sequence[str]) -> list[list[str]]:
    """Each key path as its segments: ``/session/id`` → ``["session", "id"]``."""
    return [[part for part in path.split("/") if part] for path in partition_key_paths]


def beyond_the_key(value: Any, paths: Sequence[Sequence[str]]) -> Any:
    """``value`` without the partition key's nested properties ``paths`` (relative to it);
    None when nothing else is left: the value only holds the key, which the Partition key
    column already shows."""
    if not paths:
        return value
    if any(not path for path in paths):
        return None  # the value is the key's own
    if not isinstance(value, Mapping):
        return value  # not the object the key path goes through: it means something else
    rest = {}
    for name, inner in value.items():
        left = beyond_the_key(inner, [path[1:] for path in paths if path[0] == name])
        if left is not None and left != {}:
            rest[name] = left
    return rest or None


def common_properties(documents: Sequence[Mapping[str, Any]], partition_key_paths: Sequence[str],
                      count: int) -> tuple[str, ...]:
    """The top-level properties worth a column: those in at least half of ``documents``, in
    the order first seen; never id, a system property or the partition key's own property.

    The parent of a nested key path (``session`` of ``/session/id``) counts only in the
    documents where it holds more than the key: the key is shown once, in its own column.
    """
    skip = set(SYSTEM_PROPERTIES) | {"id"}
    nested: dict[str, list[list[str]]] = {}
    for segments in key_path_segments(partition_key_paths):
        if len(segments) == 1:
            skip.add(segments[0])
        elif segments:
            nested.setdefault(segments[0], []).append(segments[1:])
    seen: dict[str, int] = {}
    for document in documents:
        for key, value in document.items():
            if key in skip or (key in nested and beyond_the_key(value, nested[key]) is None):
                continue
            seen[key] = seen.get(key, 0) + 1
    enough = max(1, (len(documents) + 1) // 2)
    return tuple(key for key, times in seen.items() if times >= enough)[:count]


def shown_apart(partition_key_paths: Sequence[str]) -> frozenset[str]:
    """The top-level properties that have a column of their own already (id, a one-segment
    partition key's property): never a chosen column too."""
    return frozenset({"id"} | {segments[0] for segments in key_path_segments(partition_key_paths)
                               if len(segments) == 1})
