"""The real Cosmos DB service's answers that the local server cannot give (its README lists
them), behind the one HTTP test seam (``tests.mock_transport.MockTransport``).

``real_service(answer)`` is a ``CosmosService`` whose client sends through our
``RecordingTransport`` (the journal, the read-only guard, the limits) into a handler: the
account read (``GET /``) is answered like the service does, every other request by
``answer(request)``. A container's read (the SDK needs its partition key definition) is
answered here too: every container has ``/customer``, or the ``key_paths`` given (several:
``MultiHash``). The bodies are the service's documented shapes: ``{"code", "message"}``, the
message ending in ``ActivityId: …, Microsoft.Azure.Documents…``.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from azure.core.rest import HttpRequest
from azure.cosmos.aio import CosmosClient

from tests.mock_transport import MockResponse, MockTransport
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.readonly import read_only_guard
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.cosmos.services.read_requests import cosmos_read_request
from vaultbrowser.cosmos.services.service import CosmosService

ENDPOINT = "https://contoso.documents.azure.com/"
# A well-formed key of no account (base64 of 64 bytes): what the tests sign with.
KEY = "dGhpcyBpcyBub3QgYSByZWFsIGtleSwganVzdCA2NCBieXRlcyBvZiB0ZXh0IGZvciB0ZXN0cyEhISEhISE="
ACTIVITY = "3d7a2504-ea2b-4075-a957-0ca8e4ae05f8"

_ACCOUNT = {
    "_self": "", "id": "contoso", "_rid": "contoso.documents.azure.com", "media": "//media/",
    "addresses": "//addresses/", "_dbs": "//dbs/",
    "writableLocations": [{"name": "West Europe", "databaseAccountEndpoint": ENDPOINT}],
    "readableLocations": [{"name": "West Europe", "databaseAccountEndpoint": ENDPOINT}],
    "enableMultipleWriteLocations": False,
    "userReplicationPolicy": {"asyncReplication": False, "minReplicaSetSize": 3,
                              "maxReplicasetSize": 4},
    "userConsistencyPolicy": {"defaultConsistencyLevel": "Session"},
    "systemReplicationPolicy": {"minReplicaSetSize": 3, "maxReplicasetSize": 4},
    "readPolicy": {"primaryReadCoefficient": 1, "secondaryReadCoefficient": 1},
    "queryEngineConfiguration": "{}",
}

_CONTAINER_URL = re.compile(re.escape(ENDPOINT) + r"dbs/[^/]+/colls/([^/]+)/?")
Answer = Callable[[HttpRequest], MockResponse]


class CosmosMockResponse(MockResponse):
    """azure-cosmos reads a body through the old ``body()`` (sync); the new async response's
    ``body()`` would start a ``read()`` coroutine never awaited. The body is here already."""

    def for_request(self, request: HttpRequest) -> Any:
        response = super().for_request(request)
        body = self.body
        object.__setattr__(response, "_body", lambda: body)
        return response


def service_error(status: int, code: str, message: str, *, sub_status: int | None = None,
                  headers: dict[str, str] | None = None) -> MockResponse:
    """An error answer as the service writes it."""
    body = {"code": code,
            "message": f"{message}\r\nActivityId: {ACTIVITY}, "
                       "Microsoft.Azure.Documents.Common/2.14.0"}
    extra = {"x-ms-activity-id": ACTIVITY, "x-ms-request-charge": "1",
             "Content-Type": "application/json", **(headers or {})}
    if sub_status is not None:
        extra["x-ms-substatus"] = str(sub_status)
    return CosmosMockResponse(status, extra, json.dumps(body).encode(), reason=code)


def ok(body: Any, headers: dict[str, str] | None = None, status: int = 200) -> MockResponse:
    return CosmosMockResponse(status, {"Content-Type": "application/json",
                                       "x-ms-request-charge": "1", "x-ms-activity-id": ACTIVITY,
                                       **(headers or {})}, json.dumps(body).encode())


def container_body(container: str, key_paths: tuple[str, ...] = ("/customer",)
                   ) -> dict[str, Any]:
    """A container's properties as the service answers them (several paths: ``MultiHash``)."""
    kind = "MultiHash" if len(key_paths) > 1 else "Hash"
    return {"id": container, "_rid": "AAAAAA==", "_etag": '"1"', "defaultTtl": 3600,
            "partitionKey": {"paths": list(key_paths), "kind": kind, "version": 2},
            "indexingPolicy": {"indexingMode": "consistent", "automatic": True,
                               "includedPaths": [{"path": "/*"}], "excludedPaths": []},
            "conflictResolutionPolicy": {"mode": "LastWriterWins",
                                         "conflictResolutionPath": "/_ts"}}


@asynccontextmanager
async def real_service(answer: Answer, *, read_only: bool = False,
                       key_paths: tuple[str, ...] = ("/customer",)
                       ) -> AsyncIterator[tuple[CosmosService, HttpJournal, MockTransport]]:
    journal = HttpJournal()

    def handler(request: HttpRequest) -> MockResponse:
        if request.method == "GET" and request.url.rstrip("/") == ENDPOINT.rstrip("/"):
            return ok(_ACCOUNT)
        container = _CONTAINER_URL.fullmatch(request.url)
        if request.method == "GET" and container:  # the SDK reads a container's key first
            return ok(container_body(container.group(1), key_paths))
        return answer(request)

    mock = MockTransport(handler)
    guard = read_only_guard("contoso", cosmos_read_request) if read_only else None
    transport = RecordingTransport(mock, journal=journal, guard=guard, connection="contoso")
    client = CosmosClient(ENDPOINT, KEY, transport=transport, retry_backoff_max=1,
                          logging_enable=False)
    service = CosmosService(client, endpoint=ENDPOINT, where="contoso", read_only=read_only)
    try:
        yield service, journal, mock
    finally:
        await service.close()
