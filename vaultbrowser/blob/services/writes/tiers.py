"""Access tiers: Hot, Cool, Cold and Archive, for one blob or many (Blob Batch), with the
rehydrate priority when a blob leaves Archive.

``BlobTiers`` is a part of ``BlobService`` (``service.tiers``). Inputs are checked before any
request (``InvalidInput``). Leaving Archive is not immediate on Azure: the service answers 202,
the tier stays Archive and ``archive_status`` says ``rehydrate-pending-to-…`` for hours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK loads off the loop's thread, after the first paint (sdk_imports)
    from azure.storage.blob import RehydratePriority, StandardBlobTier

from vaultbrowser.blob.services.account import BlobAccount
from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import check_blob_name, validate_container_name
from vaultbrowser.core.services.errors import InvalidInput, ServiceError
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import ResponseInfo, Result
from vaultbrowser.core.services.translate import translated

__all__ = ["BATCH_LIMIT", "REHYDRATE_PRIORITIES", "TIERS", "BlobTiers", "TierReport",
           "check_tier", "failure_text"]

TIERS = ("Hot", "Cool", "Cold", "Archive")
REHYDRATE_PRIORITIES = ("Standard", "High")
BATCH_LIMIT = 256  # sub-requests per Blob Batch request (the service's limit)


@dataclass(frozen=True, slots=True)
class TierReport:
    """What a many-blob tier change did: names ``changed`` (``pending``: of those, the ones
    the service accepted with 202, a rehydration that takes hours), and ``failed`` (name,
    error code or status text) pairs. ``responses`` are the batch requests' own."""

    changed: tuple[str, ...]
    pending: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    responses: tuple[ResponseInfo, ...] = ()


def check_tier(tier: str, rehydrate_priority: str | None) -> tuple[StandardBlobTier,
                                                                    RehydratePriority | None]:
    """The SDK's values for a tier and a rehydrate priority, or ``InvalidInput``."""
    from azure.storage.blob import RehydratePriority, StandardBlobTier

    if tier not in TIERS:
        raise InvalidInput(f"{tier!r} is not an access tier.",
                           advice=f"Choose one of {', '.join(TIERS)}.")
    if rehydrate_priority is not None:
        if rehydrate_priority not in REHYDRATE_PRIORITIES:
            raise InvalidInput(f"{rehydrate_priority!r} is not a rehydrate priority.",
                               advice="Choose Standard or High.")
        if tier == "Archive":
            raise InvalidInput("A rehydrate priority applies only when leaving Archive.",
                               advice="Choose Hot, Cool or Cold to rehydrate.")
    priority = RehydratePriority(rehydrate_priority) if rehydrate_priority else None
    return StandardBlobTier(tier), priority


class BlobTiers:
    """Tier changes of ``BlobService``."""

    def __init__(self, account: BlobAccount) -> None:
        self._account = account

    async def set_tier(self, container: str, name: str, tier: str, *,
                       rehydrate_priority: str | None = None) -> Result[BlobRecord]:
        """Set one blob's tier (Set Blob Tier). The Result holds the blob as it is afterwards
        (a second request: from Archive, still Archive with ``archive_status`` pending on
        Azure) and the Set Blob Tier response (202 for a rehydration).

        Raises:
            InvalidInput: a bad name, tier or priority (nothing sent).
            NotFound: no such blob.
            Conflict: e.g. a rehydration already pending to another tier.
        """
        validate_container_name(container, allow_special=True)
        check_blob_name(name)
        wire_tier, priority = check_tier(tier, rehydrate_priority)
        blob = self._account.client.get_blob_client(container, name)
        capture = ResponseCapture()
        async with translated():
            await blob.set_standard_blob_tier(wire_tier, rehydrate_priority=priority,
                                              **capture.hooks)
        response = capture.take()
        current = await self._account.get_blob_properties(container, name)
        return Result(current.value, response)

    async def set_tiers(self, container: str, names: Iterable[str], tier: str, *,
                        rehydrate_priority: str | None = None,
                        on_progress: Callable[[int, int], None] | None = None) -> TierReport:
        """Set the tier of many blobs: Blob Batch requests of at most ``BATCH_LIMIT`` names;
        each name's own outcome is reported, a failure does not stop the others.

        Raises:
            InvalidInput: a bad name, tier or priority, or no names (nothing sent).
            VaultBrowserError: a batch request itself failed (names after it not attempted).
        """
        validate_container_name(container, allow_special=True)
        targets = list(dict.fromkeys(names))
        if not targets:
            raise InvalidInput("No blobs were chosen.", advice="Select a blob or a folder.")
        for name in targets:
            check_blob_name(name)
        wire_tier, priority = check_tier(tier, rehydrate_priority)
        client = self._account.client.get_container_client(container)
        changed: list[str] = []
        pending: list[str] = []
        failed: list[tuple[str, str]] = []
        responses: list[ResponseInfo] = []
        for start in range(0, len(targets), BATCH_LIMIT):
            chunk = targets[start:start + BATCH_LIMIT]
            statuses, response = await self._batch(client, chunk, wire_tier, priority)
            if response is not None:
                responses.append(response)
            for name, (status, code) in zip(chunk, statuses, strict=True):
                if 200 <= status < 300:
                    changed.append(name)
                    if status == 202:
                        pending.append(name)
                else:
                    failed.append((name, code or f"HTTP {status}"))
            if on_progress is not None:
                on_progress(start + len(chunk), len(targets))
        return TierReport(tuple(changed), tuple(pending), tuple(failed), tuple(responses))

    async def _batch(self, client: Any, names: Sequence[str], tier: StandardBlobTier,
                     priority: RehydratePriority | None
                     ) -> tuple[list[tuple[int, str | None]], ResponseInfo | None]:
        capture = ResponseCapture()
        statuses: list[tuple[int, str | None]] = []
        async with translated():
            parts = await client.set_standard_blob_tier_blobs(
                tier, *names, rehydrate_priority=priority, raise_on_any_failure=False,
                **capture.hooks)
            async for part in parts:
                statuses.append((int(part.status_code), part.headers.get("x-ms-error-code")))
        if len(statuses) != len(names):
            raise ServiceError(f"The batch answered {len(statuses)} of {len(names)} "
                               "sub-requests; the others' outcome is unknown.",
                               advice="Refresh the folder to see each blob's tier.")
        return statuses, capture.take()


def failure_text(failed: Sequence[tuple[str, str]], limit: int = 5) -> str:
    """A short list of failed names and why, for a summary line."""
    shown = "; ".join(f"{name}: {why}" for name, why in failed[:limit])
    more = len(failed) - limit
    return shown + (f"; and {more} more" if more > 0 else "")
