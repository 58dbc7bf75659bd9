"""Rendering the collected report: CSV, JSON and HTML content, no secret values, escaping,
and the atomic write."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.core.audit.conftest import HOSTILE, PRIVATE, PRIVATE_BLOBS, SEEDED_VALUES
from vaultbrowser.core.audit import report as report_module
from vaultbrowser.core.audit.model import AuditReport, ItemKind
from vaultbrowser.core.audit.render_html import render_html
from vaultbrowser.core.audit.render_tabular import CSV_COLUMNS, render_csv, render_json
from vaultbrowser.core.audit.report import render_report, write_report
from vaultbrowser.core.services.errors import InvalidInput


@pytest.mark.parametrize("fmt", ["html", "csv", "json"])
def test_no_seeded_secret_value_in_any_report(report: AuditReport, fmt: str) -> None:
    text = render_report(report, fmt)
    assert "audit-exp-10" in text  # the report is about these secrets…
    for name, values in SEEDED_VALUES.items():
        assert name in text
        for value in values:
            assert value not in text, f"{fmt} report contains a value of {name}"  # …not values


def test_csv_holds_every_section(report: AuditReport) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0].keys()) == CSV_COLUMNS
    sections = {row["section"] for row in rows}
    assert {"report", "finding", "secret", "certificate", "key", "container"} <= sections
    assert sum(r["section"] == "secret" for r in rows) == len(report.items_of(ItemKind.SECRET))
    exp10 = next(r for r in rows if r["section"] == "secret" and r["name"] == "audit-exp-10")
    assert (exp10["versions"], exp10["tags"], exp10["enabled"]) == ("3", "env=prod", "yes")
    expires = next(i for i in report.items if i.name == "audit-exp-10").expires_on
    assert expires is not None and exp10["expires"] == expires.isoformat()
    expired = [r for r in rows if r["section"] == "finding" and r["name"] == "audit-expired"]
    assert expired and expired[0]["severity"] == "critical" and expired[0]["finding"] == "Expired"
    private = next(r for r in rows if r["section"] == "container" and r["name"] == PRIVATE)
    assert private["blob_count"] == str(len(PRIVATE_BLOBS))
    assert private["public_access"] == "private"
    stamp = next(r for r in rows if r["section"] == "report")
    assert "auditor@example.test" in stamp["detail"] and "audit-vault" in stamp["detail"]


def test_json_document(report: AuditReport) -> None:
    document = json.loads(render_json(report))
    assert document["schema"] == "vaultbrowser-audit/1"
    assert document["identity"] == "auditor@example.test"
    assert document["generated_at"] == report.generated_at.isoformat()
    assert document["summary"]["secrets"] == len(report.items_of(ItemKind.SECRET))
    secrets = {s["name"]: s for s in document["inventory"]["secrets"]}
    assert secrets["audit-exp-10"]["versions"] == 3
    assert secrets["audit-hostile-tags"]["tags"] == {"owner": HOSTILE}
    codes = {f["code"] for f in document["findings"]}
    assert {"expired", "expiring-30", "expiring-60", "expiring-90", "no-expiry", "disabled",
            "no-auto-renew", "no-rotation-policy", "purge-protection-off",
            "public-container", "public-blobs"} <= codes
    assert document["findings"][0]["severity"] == "critical"


def test_html_is_self_contained_and_grouped(report: AuditReport) -> None:
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "Expiry timeline" in html
    for banned in ("<script", "<link", "src=", "href=", "url(", "@import"):
        assert banned not in html.lower()
    positions = [html.index(f'class="severity sev-{s}"') for s in ("critical", "high", "medium",
                                                                    "low", "info")]
    assert positions == sorted(positions)
    assert "auditor@example.test" in html and "audit-exp-10" in html
    # hostile tag and content type, escaped
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;&#x27;" in html


def test_unknown_format_is_invalid_input(report: AuditReport) -> None:
    with pytest.raises(InvalidInput):
        render_report(report, "pdf")


def test_write_report_writes_the_whole_file(report: AuditReport, tmp_path: Path) -> None:
    target = tmp_path / "audit.json"
    write_report(report, target, "json")
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == "vaultbrowser-audit/1"
    write_report(report, tmp_path / "audit.csv", "csv")
    assert (tmp_path / "audit.csv").read_bytes().count(b"\r\n") == \
        render_csv(report).count("\r\n")
    assert sorted(os.listdir(tmp_path)) == ["audit.csv", "audit.json"]


def test_no_partial_file_when_rendering_raises(report: AuditReport, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_: Any) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setitem(report_module.FORMATS, "html", broken)
    fresh = tmp_path / "new.html"
    with pytest.raises(RuntimeError):
        write_report(report, fresh, "html")
    assert not fresh.exists()
    existing = tmp_path / "old.html"
    existing.write_text("previous report", encoding="utf-8")
    with pytest.raises(RuntimeError):
        write_report(report, existing, "html")
    assert existing.read_text(encoding="utf-8") == "previous report"
    assert os.listdir(tmp_path) == ["old.html"]


def test_no_partial_file_when_writing_fails(report: AuditReport, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    existing = tmp_path / "audit.html"
    existing.write_text("previous report", encoding="utf-8")

    def failing_fsync(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_module.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        write_report(report, existing, "html")
    assert existing.read_text(encoding="utf-8") == "previous report"
    assert os.listdir(tmp_path) == ["audit.html"]
