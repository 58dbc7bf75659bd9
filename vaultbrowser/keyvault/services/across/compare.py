"""Comparing two vaults, or two sets of vaults: per kind, the names on one side only and, for the
names both sides hold, how their properties differ (see ``compare_fields``), optionally whether
their secret values are the same (see ``compare_values``).

A side is one or more ``Vault``s; in a set the items of one name are merged, the first vault
(in the order given) wins, and the item says which vault it came from. Names are matched as
Key Vault matches them: without regard to case. A secret or key that backs a certificate is
compared as its certificate, not again as a secret or key.

Calls: one listing per kind and vault (every page), then for keys one GET and for certificates
one policy GET per common name and side, at most ``concurrency`` at a time; values (opt-in) one
GET per common secret and side, one at a time. Results stream (``on_item``) as names are
decided; cancelling the awaiting task stops it at once (``report(complete=False)`` holds what
was compared until then).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from vaultbrowser import __version__
from vaultbrowser.core.audit.diff_report import (
    DIFFERENT_VALUE,
    DiffItem,
    DiffReport,
    DiffSource,
    DiffState,
    FieldDifference,
)
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.services.errors import InvalidInput, VaultBrowserError
from vaultbrowser.keyvault.services.across.compare_fields import KIND_COMPARISONS, KindComparison
from vaultbrowser.keyvault.services.across.compare_values import ValueComparer
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.records import VaultItemRecord

DEFAULT_CONCURRENCY = 8
ALL_KINDS = tuple(comparison.kind for comparison in KIND_COMPARISONS)
_STATE_ORDER = {state: index for index, state in enumerate(DiffState)}
_KIND_ORDER = {kind: index for index, kind in enumerate(ALL_KINDS)}

Progress = Callable[[str, int, "int | None"], None]  # (what, done, total or None)
_Held = tuple[Vault, Any]  # the vault an item came from, and its listed record


def check_sides(side_a: Sequence[tuple[str, str]], side_b: Sequence[tuple[str, str]],
                kinds: Sequence[ItemKind]) -> None:
    """The choice of a comparison, as (label, vault URL) pairs per side, before anything is
    opened or sent.

    Raises:
        InvalidInput: an empty side, a vault on both sides, no or unknown kinds.
    """
    for side, vaults in (("A", side_a), ("B", side_b)):
        if not vaults:
            raise InvalidInput(f"Choose at least one vault for side {side}.")
    urls_a = {url.rstrip("/").lower() for _label, url in side_a}
    both = [label for label, url in side_b if url.rstrip("/").lower() in urls_a]
    if both:
        raise InvalidInput(f"“{both[0]}” is on both sides: a vault compared with itself has "
                           "no differences.", advice="Choose each vault on one side only.")
    if not kinds or any(kind not in ALL_KINDS for kind in kinds):
        raise InvalidInput("Choose what to compare: secrets, certificates or keys.")


def _distinct(vaults: Sequence[Vault]) -> tuple[Vault, ...]:
    seen: set[str] = set()
    kept = []
    for vault in vaults:
        if not isinstance(vault, Vault):
            raise InvalidInput("A side holds something that is not a vault.")
        key = vault.url.rstrip("/").lower()
        if key not in seen:
            seen.add(key)
            kept.append(vault)
    return tuple(kept)


def _validated(side_a: Sequence[Vault], side_b: Sequence[Vault], kinds: Sequence[ItemKind],
               concurrency: int) -> tuple[tuple[Vault, ...], tuple[Vault, ...]]:
    """The sides without repeats. Raises InvalidInput (before any request): see
    ``check_sides``; or a concurrency outside 1..32."""
    a, b = _distinct(side_a), _distinct(side_b)
    check_sides([(v.label, v.url) for v in a], [(v.label, v.url) for v in b], kinds)
    if not 1 <= concurrency <= 32:
        raise InvalidInput("Between 1 and 32 calls at a time.")
    return a, b


class VaultComparison:
    """One comparison run: ``await run()`` gives the ``DiffReport``.

    ``on_item(item)`` is called for each name as it is decided; ``progress(what, done, total)``
    as listings and GETs finish; ``before_values(vault, count)`` once per vault, just before
    the first of its ``count`` value GETs (the window records a read-only vault's reveal in
    the audit trail there). None of them is ever given a value.

    Raises (from the constructor, before any request): InvalidInput.
    """

    def __init__(self, side_a: Sequence[Vault], side_b: Sequence[Vault], *,
                 kinds: Sequence[ItemKind] = ALL_KINDS, values: bool = False,
                 concurrency: int = DEFAULT_CONCURRENCY,
                 progress: Progress | None = None,
                 on_item: Callable[[DiffItem], None] | None = None,
                 before_values: Callable[[Vault, int], None] | None = None,
                 now: datetime | None = None) -> None:
        self.side_a, self.side_b = _validated(side_a, side_b, kinds, concurrency)
        self.kinds = tuple(k for k in ALL_KINDS if k in kinds)
        self.values = bool(values) and ItemKind.SECRET in self.kinds
        self.concurrency = concurrency
        self._progress = progress or (lambda what, done, total: None)
        self._on_item = on_item or (lambda item: None)
        self._before_values = before_values or (lambda vault, count: None)
        self.generated_at = (now or datetime.now(UTC)).astimezone(UTC)
        self.items: list[DiffItem] = []
        self.errors: list[str] = []

    def __repr__(self) -> str:
        return (f"VaultComparison(A={[v.label for v in self.side_a]}, "
                f"B={[v.label for v in self.side_b]}, items={len(self.items)})")

    async def run(self) -> DiffReport:
        for comparison in KIND_COMPARISONS:
            if comparison.kind in self.kinds:
                await self._compare_kind(comparison)
        return self.report()

    def report(self, *, complete: bool = True) -> DiffReport:
        """What has been compared (all of it after ``run``; ``complete=False`` after a
        cancel)."""
        items = sorted(self.items, key=lambda i: (_KIND_ORDER[i.kind], _STATE_ORDER[i.state],
                                                  i.name.lower()))
        return DiffReport(
            generated_at=self.generated_at, tool_version=__version__,
            side_a=tuple(DiffSource(v.label, v.url) for v in self.side_a),
            side_b=tuple(DiffSource(v.label, v.url) for v in self.side_b),
            kinds=self.kinds, values_compared=self.values, items=tuple(items),
            errors=tuple(self.errors), complete=complete)

    def _emit(self, item: DiffItem) -> None:
        self.items.append(item)
        self._on_item(item)

    # --- one kind ------------------------------------------------------------------------

    async def _compare_kind(self, comparison: KindComparison) -> None:
        sides = await self._list_sides(comparison)
        if sides is None:
            return
        held_a, held_b = sides
        for key in sorted(set(held_a) - set(held_b)):
            vault, record = held_a[key]
            self._emit(DiffItem(comparison.kind, record.name, DiffState.ONLY_A,
                                source_a=vault.label))
        for key in sorted(set(held_b) - set(held_a)):
            vault, record = held_b[key]
            self._emit(DiffItem(comparison.kind, record.name, DiffState.ONLY_B,
                                source_b=vault.label))
        common = [(held_a[key], held_b[key]) for key in sorted(set(held_a) & set(held_b))]
        if comparison.details is not None:
            await self._with_details(comparison, common)
        elif self.values and comparison.kind == ItemKind.SECRET:
            await self._with_values(comparison, common)
        else:
            for a, b in common:
                self._emit(self._item(comparison, a, b, comparison.fields(a[1], b[1])))

    async def _list_sides(self, comparison: KindComparison
                          ) -> tuple[dict[str, _Held], dict[str, _Held]] | None:
        """Every item of the kind on each side, merged per side (first vault wins); None
        (and an error recorded) when a listing failed: a partial listing would make names
        look absent."""
        title = comparison.title.lower()
        vaults = self.side_a + self.side_b
        done = 0

        async def listing(vault: Vault) -> list[Any]:
            nonlocal done
            part = comparison.part(vault.service)
            records: list[Any] = []
            token: str | None = None
            while True:
                page = await part.list(continuation=token)
                records.extend(page.items)
                token = page.next_token
                self._progress(f"Listing {title} of {vault.label}: {len(records)}…", done,
                               len(vaults))
                if not token:
                    done += 1
                    return records

        results = await asyncio.gather(*(listing(vault) for vault in vaults),
                                       return_exceptions=True)
        for vault, result in zip(vaults, results, strict=True):
            if isinstance(result, VaultBrowserError):
                self.errors.append(f"{comparison.title} not compared: listing the {title} of "
                                   f"“{vault.label}” failed: {result.message}")
                return None
            if isinstance(result, BaseException):
                raise result
        listed = dict(zip(vaults, results, strict=True))
        return self._merged(self.side_a, listed), self._merged(self.side_b, listed)

    @staticmethod
    def _merged(vaults: Sequence[Vault], listed: dict[Vault, Any]) -> dict[str, _Held]:
        """Name → (vault, record), the first vault of the set winning. A secret or key that
        backs a certificate is left out: its certificate is compared (as the portal lists
        them, and as it is created and deleted: with its certificate)."""
        held: dict[str, _Held] = {}
        for vault in vaults:
            for record in listed[vault]:
                if not record.managed:
                    held.setdefault(record.name.lower(), (vault, record))
        return held

    def _item(self, comparison: KindComparison, a: _Held, b: _Held,
              found: Sequence[FieldDifference], value: str = "",
              notes: Sequence[str] = ()) -> DiffItem:
        state = DiffState.DIFFERENT if found else DiffState.SAME
        return DiffItem(comparison.kind, a[1].name, state, source_a=a[0].label,
                        source_b=b[0].label, differences=tuple(found), value=value,
                        notes=tuple(notes))

    # --- what listings lack ----------------------------------------------------------------

    async def _with_details(self, comparison: KindComparison,
                            common: Sequence[tuple[_Held, _Held]]) -> None:
        assert comparison.details is not None and comparison.detail_fields is not None
        details, detail_fields = comparison.details, comparison.detail_fields
        gate = asyncio.Semaphore(self.concurrency)
        done = 0

        async def one(a: _Held, b: _Held) -> None:
            nonlocal done
            found = comparison.fields(a[1], b[1])
            notes = []
            async with gate:
                try:
                    detail_a = await details(comparison.part(a[0].service), a[1].name)
                    detail_b = await details(comparison.part(b[0].service), b[1].name)
                    found += detail_fields(detail_a, detail_b)
                except VaultBrowserError as exc:
                    notes.append(f"{comparison.what_details} not compared: {exc.message}")
            done += 1
            self._progress(f"Comparing {comparison.title.lower()}: {done} of {len(common)}",
                           done, len(common))
            self._emit(self._item(comparison, a, b, found, notes=notes))

        await asyncio.gather(*(one(a, b) for a, b in common))

    async def _with_values(self, comparison: KindComparison,
                           common: Sequence[tuple[_Held, _Held]]) -> None:
        """Properties at once; values one GET at a time per side, after ``before_values``
        was told each vault's count."""
        comparer = ValueComparer()
        plain: list[tuple[_Held, _Held, list[str]]] = []
        for a, b in common:
            reason = _no_value_reason(a[1], b[1])
            plain.append((a, b, [reason] if reason else []))
        wanted = [(a, b) for a, b, notes in plain if not notes]
        for vault in self.side_a + self.side_b:
            count = sum(1 for a, b in wanted if vault in (a[0], b[0]))
            if count:
                self._before_values(vault, count)
        for index, (a, b, notes) in enumerate(plain):
            found = comparison.fields(a[1], b[1])
            value = ""
            if not notes:
                self._progress(f"Comparing secret values: {index + 1} of {len(plain)}",
                               index, len(plain))
                try:
                    value = await comparer.compare(a[0].service.secrets, a[1].name,
                                                   b[0].service.secrets, b[1].name)
                except VaultBrowserError as exc:
                    notes.append(f"value not compared: {exc.message}")
                if value == DIFFERENT_VALUE:
                    found.append(FieldDifference("value", DIFFERENT_VALUE, DIFFERENT_VALUE))
            self._emit(self._item(comparison, a, b, found, value, notes))


def _no_value_reason(a: VaultItemRecord, b: VaultItemRecord) -> str | None:
    """Why two secrets' values are not fetched (no GET is sent), or None."""
    if a.enabled is False or b.enabled is False:
        return "value not compared: disabled (Key Vault refuses a disabled secret's value)"
    return None


async def compare_vaults(side_a: Sequence[Vault], side_b: Sequence[Vault],
                         **options: Any) -> DiffReport:
    """``VaultComparison(side_a, side_b, **options).run()``."""
    return await VaultComparison(side_a, side_b, **options).run()
