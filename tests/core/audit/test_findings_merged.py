"""Findings a kind evaluates itself (``InventoryCollector.findings``) merge with the rules':
one finding per code, items joined, most severe first; the renderers show the new item kinds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from vaultbrowser.core.audit.findings import merged
from vaultbrowser.core.audit.model import AuditReport, Finding, FindingItem, ItemKind, Severity
from vaultbrowser.core.audit.render_html import render_html
from vaultbrowser.core.audit.render_tabular import render_csv, render_json


def _finding(code: str, severity: Severity, *names: str) -> Finding:
    return Finding(code, severity, code.title(), "why", tuple(
        FindingItem("src", ItemKind.NAMESPACE, name, "detail") for name in names))


def test_same_codes_join_and_severity_orders() -> None:
    rules = (_finding("expired", Severity.CRITICAL, "a"), _finding("no-expiry", Severity.LOW,
                                                                   "b"))
    kinds = [_finding("redis-no-ttl", Severity.LOW, "c:*"),
             _finding("redis-non-tls", Severity.HIGH, "db"),
             _finding("redis-no-ttl", Severity.LOW, "d:*")]
    result = merged(rules, kinds)
    assert [f.code for f in result] == ["expired", "redis-non-tls", "no-expiry", "redis-no-ttl"]
    assert [i.name for i in result[-1].items] == ["c:*", "d:*"]
    assert merged() == ()


def test_reports_render_the_new_item_kinds() -> None:
    finding = Finding("redis-biggest-keys", Severity.INFO, "Biggest", "why", (
        FindingItem("src", ItemKind.DATA_KEY, "blob:big", "200,066 bytes, string"),
        FindingItem("src", ItemKind.DATABASE, "rediss://h:10000", "access keys")))
    report = AuditReport(datetime(2026, 1, 1, tzinfo=UTC), None, "1", (), (), (), (finding,), ())
    assert "blob:big" in render_html(report) and "data-key" in render_csv(report)
    assert json.loads(render_json(report))["findings"][0]["items"][1]["kind"] == "database"
