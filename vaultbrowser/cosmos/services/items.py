"""One item: read, create, replace and delete, the writes conditional on the ETag.

A replace or delete is sent with ``If-Match: <the ETag the user saw>``: when someone changed the
item meanwhile the service answers 412 and nothing is written; ``ItemChanged`` then carries
both versions (the one the user edited and the current one, read at once) so the UI can offer a
choice: overwrite (replace again against ``current``) or take theirs. Never a silent overwrite.

A point read of a missing item answers 404 on the real service; the local test server answers
500 instead (tests/cosmos/README.md). A 500 on a point read is therefore checked by a query for
that id in that partition: when the item is not there the answer is ``NotFound``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.core import MatchConditions
from azure.cosmos.exceptions import CosmosHttpResponseError

from vaultbrowser.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    VaultBrowserError,
)
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import Result
from vaultbrowser.cosmos.services.failures import PartitionKeyMismatch, cosmos_translated
from vaultbrowser.cosmos.services.queries import key_path_sql
from vaultbrowser.cosmos.services.records import ContainerRecord, ItemRecord, value_at
from vaultbrowser.cosmos.services.service import CosmosService

_SYSTEM_PROPERTIES = ("_rid", "_self", "_etag", "_attachments", "_ts")


class ItemChanged(Conflict):
    """The item changed (or went) since it was loaded: nothing was written (HTTP 412).

    ``sent_etag``: the version the write was made against; ``current``: the item as it is now
    (None: deleted meanwhile), ``current_etag`` its version.
    """

    title = "Changed by someone else"
    default_advice = ("The item changed since you loaded it. Compare the two versions: keep "
                      "yours (overwrite the current one) or take theirs.")

    def __init__(self, message: str, *, sent_etag: str, current: ItemRecord | None,
                 **facts: Any) -> None:
        super().__init__(message, **facts)
        self.sent_etag = sent_etag
        self.current = current

    @property
    def current_etag(self) -> str | None:
        return self.current.etag if self.current is not None else None


def check_document(document: Any, container: ContainerRecord) -> dict[str, Any]:
    """The document as it will be sent: a JSON object with a text ``id`` and every partition
    key path present; the service's own properties (``_etag``…) left out.

    Raises:
        InvalidInput: not an object, no ``id``, or a partition key path missing.
    """
    if not isinstance(document, Mapping):
        raise InvalidInput("An item must be a JSON object ({…}).")
    item_id = document.get("id")
    if not isinstance(item_id, str) or not item_id:
        raise InvalidInput("An item needs an \"id\": a non-empty text.")
    if any(ch in item_id for ch in "/\\?#"):
        raise InvalidInput(f"The id {item_id!r} has a character Cosmos DB does not allow "
                           "in ids (/ \\ ? #).")
    for path in container.partition_key_paths:
        if value_at(document, path) is None and not _has_path(document, path):
            raise InvalidInput(f"The item {item_id!r} has no partition key {path}.",
                               advice=f"Add the property {path} ({key_path_sql(path)}): the "
                                      "container stores items by it.")
    return {key: value for key, value in document.items() if key not in _SYSTEM_PROPERTIES}


def _has_path(document: Mapping[str, Any], path: str) -> bool:
    *parents, last = path.strip("/").split("/")
    node: Any = document
    for part in parents:
        node = node.get(part) if isinstance(node, Mapping) else None
    return isinstance(node, Mapping) and last in node


def _key_of(item: ItemRecord | Mapping[str, Any], container: ContainerRecord) -> Any:
    if isinstance(item, ItemRecord):
        return item.partition_key
    return ItemRecord.from_wire(item, container.partition_key_paths).partition_key


async def read_item(service: CosmosService, container: ContainerRecord, item_id: str,
                    partition_key: Any) -> Result[ItemRecord]:
    """One item by id and partition key value (a point read).

    Raises:
        NotFound: no such item in that partition.
        VaultBrowserError: the typed error of any other failure.
    """
    proxy = service.container_client(container)
    capture = ResponseCapture()
    try:
        async with cosmos_translated():
            data = await proxy.read_item(item_id, partition_key=partition_key, **capture.hooks)
    except Exception as exc:
        cause = exc.__cause__
        if not (isinstance(cause, CosmosHttpResponseError) and cause.status_code == 500):
            raise
        try:
            exists = await _exists(proxy, container, item_id, partition_key)
        except VaultBrowserError:
            exists = True  # the check failed too: the read's own error is the one to show
        if exists:
            raise
        raise NotFound(f"There is no item {item_id!r} in that partition.",
                       status=404, method="GET") from None
    return Result(ItemRecord.from_wire(data, container.partition_key_paths), capture.take())


async def _exists(proxy: Any, container: ContainerRecord, item_id: str, key: Any) -> bool:
    where = ["c.id = @id"]
    parameters: list[dict[str, Any]] = [{"name": "@id", "value": item_id}]
    if len(container.partition_key_paths) == 1:
        where.append(f"{key_path_sql(container.partition_key_paths[0])} = @key")
        parameters.append({"name": "@key", "value": key})
    async with cosmos_translated():
        found = [row async for row in proxy.query_items(
            f"SELECT VALUE c.id FROM c WHERE {' AND '.join(where)}", parameters=parameters,
            partition_key=key)]
    return bool(found)


async def create_item(service: CosmosService, container: ContainerRecord,
                      document: Any) -> Result[ItemRecord]:
    """Create a new item (never an upsert: an existing id is a ``Conflict``).

    Raises:
        InvalidInput: the document is not a valid item (``check_document``).
        Conflict: an item with this id exists in this partition (409).
        ReadOnlyRefused: the connection is read-only (nothing was sent).
        VaultBrowserError: the typed error of any other failure.
    """
    body = check_document(document, container)
    capture = ResponseCapture()
    async with cosmos_translated():
        data = await service.container_client(container).create_item(body, **capture.hooks)
    return Result(ItemRecord.from_wire(data, container.partition_key_paths), capture.take())


async def replace_item(service: CosmosService, container: ContainerRecord, loaded: ItemRecord,
                       document: Any) -> Result[ItemRecord]:
    """Replace ``loaded`` with ``document``, only if it is still the version loaded (ETag).

    Raises:
        InvalidInput: not a valid item, or its id changed.
        PartitionKeyMismatch: its partition key value changed (a move is delete + create).
        ItemChanged: the item changed or went since it was loaded (412): nothing written.
        ReadOnlyRefused, VaultBrowserError: as for ``create_item``.
    """
    body = check_document(document, container)
    if body["id"] != loaded.id:
        raise InvalidInput("The id of an item cannot change.",
                           advice="Create a new item with the new id, then delete this one.")
    if _key_of(body, container) != loaded.partition_key:
        raise PartitionKeyMismatch("The item's partition key value changed; an item cannot "
                                   "move to another partition by an edit.")
    proxy = service.container_client(container)
    capture = ResponseCapture()
    try:
        async with cosmos_translated():
            data = await proxy.replace_item(loaded.id, body, etag=loaded.etag,
                                            match_condition=MatchConditions.IfNotModified,
                                            **capture.hooks)
    except Conflict as exc:
        raise await _changed(service, container, loaded, exc) from None
    return Result(ItemRecord.from_wire(data, container.partition_key_paths), capture.take())


async def delete_item(service: CosmosService, container: ContainerRecord,
                      loaded: ItemRecord) -> Result[None]:
    """Delete ``loaded``, only if it is still the version loaded (ETag).

    Raises:
        ItemChanged: the item changed since it was loaded (412): nothing deleted.
        NotFound: it is already gone.
        ReadOnlyRefused, VaultBrowserError: as for ``create_item``.
    """
    proxy = service.container_client(container)
    capture = ResponseCapture()
    try:
        async with cosmos_translated():
            await proxy.delete_item(loaded.id, partition_key=loaded.partition_key,
                                    etag=loaded.etag,
                                    match_condition=MatchConditions.IfNotModified,
                                    **capture.hooks)
    except Conflict as exc:
        raise await _changed(service, container, loaded, exc) from None
    return Result(None, capture.take())


async def _changed(service: CosmosService, container: ContainerRecord, loaded: ItemRecord,
                   exc: Conflict) -> Conflict:
    """A 412 as ``ItemChanged`` with the current version (read now); other conflicts as
    they are."""
    if exc.status != 412:
        return exc
    try:
        current: ItemRecord | None = (
            await read_item(service, container, loaded.id, loaded.partition_key)).value
    except NotFound:
        current = None
    state = "was deleted" if current is None else "changed"
    return ItemChanged(f"The item {loaded.id!r} {state} since you loaded it: nothing was "
                       "written.", sent_etag=loaded.etag, current=current, status=412,
                       error_code=exc.error_code, request_id=exc.request_id,
                       method=exc.method, url=exc.url)
