"""What a copy to another vault will do and what it did: the plan (a preview, nothing written)
and the report (per item: copied, new version, created from policy, skipped, refused, failed),
exportable as CSV or JSON. Neither ever holds a value: only names, ids and reasons."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

ItemKind = Literal["secret", "certificate", "key"]


class ConflictPolicy(Enum):
    """What to do when the name exists in the target: chosen explicitly, never overwrite."""

    SKIP = "skip"
    NEW_VERSION = "new version"


class PlannedAction(Enum):
    CREATE = "create"
    NEW_VERSION = "exists → new version"
    SKIP = "exists → skip"
    RESTORE = "restore from backup"  # keys: backup on the source, restore on the target
    CREATE_FROM_POLICY = "create from the same policy"  # a certificate without its key
    REFUSED = "refused"

    @property
    def writes(self) -> bool:
        return self not in (PlannedAction.SKIP, PlannedAction.REFUSED)


class Outcome(Enum):
    COPIED = "copied"
    NEW_VERSION = "new version"
    CREATED_FROM_POLICY = "created from policy"
    SKIPPED = "skipped"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CopyItem:
    """One item to copy: its kind and name (the latest version is what is copied)."""

    kind: ItemKind
    name: str


@dataclass(frozen=True, slots=True)
class PlannedCopy:
    """What will happen to one item, and why (``reason``: what the preview shows)."""

    item: CopyItem
    action: PlannedAction
    reason: str = ""
    # A certificate whose key cannot be exported: creating it from the same policy instead is
    # a separate choice the user makes (``CopyPlan.with_policy_creates``).
    can_create_from_policy: bool = False


@dataclass(frozen=True, slots=True)
class CopyPlan:
    """The preview of one copy from ``source`` to ``target`` (vault labels)."""

    source: str
    target: str
    policy: ConflictPolicy
    items: tuple[PlannedCopy, ...] = ()
    target_read_only: bool = False

    @property
    def writes(self) -> tuple[PlannedCopy, ...]:
        return tuple(planned for planned in self.items if planned.action.writes)

    def with_policy_creates(self) -> CopyPlan:
        """The same plan with every certificate that offers it created from its policy."""
        from dataclasses import replace

        return replace(self, items=tuple(
            replace(planned, action=PlannedAction.CREATE_FROM_POLICY, reason=POLICY_CREATE_NOTE)
            if planned.can_create_from_policy else planned for planned in self.items))


POLICY_CREATE_NOTE = ("the target gets a NEW key and certificate from the same policy (the "
                      "private key itself cannot leave the source vault)")


@dataclass(frozen=True, slots=True)
class CopyResult:
    """What happened to one item: ``target_id`` is the new item's id in the target."""

    item: CopyItem
    outcome: Outcome
    reason: str = ""
    target_id: str | None = None


@dataclass
class CopyReport:
    """Every item's result, in the order they ran."""

    source: str
    target: str
    results: list[CopyResult] = field(default_factory=list)

    def in_plan_order(self, plan: CopyPlan) -> None:
        """Sort the results as the plan lists the items (they arrive as they finish)."""
        order = {planned.item: n for n, planned in enumerate(plan.items)}
        self.results.sort(key=lambda result: order.get(result.item, len(order)))

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)

    @property
    def summary(self) -> str:
        parts = [f"{self.count(o)} {o.value}" for o in Outcome if self.count(o)]
        return ", ".join(parts) or "nothing to copy"

    def rows(self) -> list[dict[str, str]]:
        return [{"kind": r.item.kind, "name": r.item.name, "outcome": r.outcome.value,
                 "reason": r.reason, "target id": r.target_id or "",
                 "source vault": self.source, "target vault": self.target}
                for r in self.results]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=["kind", "name", "outcome", "reason",
                                                 "target id", "source vault", "target vault"])
        writer.writeheader()
        for row in self.rows():
            # A cell starting with = + - @ is a formula to a spreadsheet: quote it as text.
            writer.writerow({k: ("'" + v if v[:1] in ("=", "+", "-", "@") else v)
                             for k, v in row.items()})
        return out.getvalue()

    def to_json(self) -> str:
        return json.dumps({"source": self.source, "target": self.target,
                           "summary": self.summary, "items": self.rows()},
                          indent=2, ensure_ascii=False)
