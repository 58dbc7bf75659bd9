"""A container's details: partition key, indexing policy, TTL, conflict resolution, throughput.

The container's own properties come in one read. Its throughput is an offer, read apart: a
user with a data-plane role alone may not read offers (403), a container sharing its database's
throughput has none (404), a serverless account has none (400). Those are facts to show
("not readable: …"), not errors to raise: the rest of the details stand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from azure.cosmos.exceptions import CosmosHttpResponseError

from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import ResponseInfo, Result
from vaultbrowser.cosmos.services.failures import body_of, cosmos_translated
from vaultbrowser.cosmos.services.records import ContainerRecord
from vaultbrowser.cosmos.services.service import CosmosService


@dataclass(frozen=True, slots=True)
class Throughput:
    """The container's provisioned throughput, or why it is not shown (``unavailable``)."""

    manual_ru: int | None = None  # request units per second, manual throughput
    autoscale_max_ru: int | None = None  # the autoscale maximum, when autoscale
    unavailable: str = ""  # e.g. "Not readable with your role (HTTP 403)."
    response: ResponseInfo | None = None


@dataclass(frozen=True, slots=True)
class ContainerDetails:
    """What the detail pane shows of a container. Policies stay the JSON they are."""

    container: ContainerRecord
    partition_key_kind: str  # "Hash" or "MultiHash" (hierarchical)
    partition_key_version: int | None
    indexing_policy: Mapping[str, Any] = field(repr=False)
    conflict_resolution_policy: Mapping[str, Any] = field(repr=False)
    unique_keys: tuple[tuple[str, ...], ...]
    analytical_ttl: int | None
    throughput: Throughput

    @property
    def ttl_text(self) -> str:
        ttl = self.container.default_ttl
        if ttl is None:
            return "Off"
        return "On (no default expiry)" if ttl == -1 else f"{ttl} s"


_UNAVAILABLE = {
    400: "Not available (a serverless account has none)",
    403: "Not readable with your role (reading throughput needs a control-plane role)",
    404: "None of its own (it shares its database's throughput)",
}


async def container_details(service: CosmosService,
                            container: ContainerRecord) -> Result[ContainerDetails]:
    """Read a container's properties and its throughput.

    Raises:
        VaultBrowserError: the typed error of the properties' read (``NotFound``: gone). A
            failed throughput read is not raised: ``Throughput.unavailable`` says why.
    """
    proxy = service.container_client(container)
    capture = ResponseCapture()
    async with cosmos_translated():
        data = await proxy.read(**capture.hooks)
    response = capture.take()
    record = ContainerRecord.from_wire(container.database, data)
    key = data.get("partitionKey") if isinstance(data.get("partitionKey"), Mapping) else {}
    unique = (data.get("uniqueKeyPolicy") or {}).get("uniqueKeys") or ()
    analytical = data.get("analyticalStorageTtl")
    details = ContainerDetails(
        container=record,
        partition_key_kind=str(key.get("kind") or "Hash"),
        partition_key_version=key.get("version") if isinstance(key.get("version"), int) else None,
        indexing_policy=_mapping(data.get("indexingPolicy")),
        conflict_resolution_policy=_mapping(data.get("conflictResolutionPolicy")),
        unique_keys=tuple(tuple(str(p) for p in entry.get("paths") or ())
                          for entry in unique if isinstance(entry, Mapping)),
        analytical_ttl=analytical if isinstance(analytical, int) else None,
        throughput=await read_throughput(proxy),
    )
    return Result(details, response)


async def read_throughput(proxy: Any) -> Throughput:
    """The container's offer; a refusal (400/403/404) becomes ``Throughput.unavailable``.

    Raises:
        VaultBrowserError: any other failure (network, 5xx after retries, 401).
    """
    capture = ResponseCapture()
    try:
        async with cosmos_translated():
            offer = await proxy.get_throughput(**capture.hooks)
    except Exception as exc:
        cause = exc.__cause__
        status = getattr(cause, "status_code", None)
        if isinstance(cause, CosmosHttpResponseError) and status in _UNAVAILABLE:
            _code, text = body_of(cause)
            said = f": {text[:200]}" if text else ""
            return Throughput(unavailable=f"{_UNAVAILABLE[status]} (HTTP {status}{said}).",
                              response=capture.take())
        raise
    autoscale = getattr(offer, "auto_scale_max_throughput", None)
    return Throughput(manual_ru=None if autoscale else offer.offer_throughput,
                      autoscale_max_ru=autoscale, response=capture.take())


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
