"""packaging/check_smoke.py: the one definition of a passing --smoke-test result that the
installer checks (test_deb.sh, the GitHub workflow) share."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "check_smoke.py"
PASSING = {"ok": True, "version": "1.2.3", "trees": {"Secrets": 26, "Blobs": 5}, "icons": True,
           "unavailable": {}, "first_paint_seconds": 0.5, "first_rows_seconds": 2.0,
           "platform": "Linux"}


def _check(tmp_path: Path, *results: dict[str, object]) -> subprocess.CompletedProcess[str]:
    paths = []
    for number, result in enumerate(results):
        path = tmp_path / f"smoke-{number}.json"
        path.write_text(json.dumps(result), encoding="utf-8")
        paths.append(str(path))
    return subprocess.run([sys.executable, str(SCRIPT), "--version", "1.2.3", *paths],
                          capture_output=True, text=True, check=False, timeout=60)


def test_passing_results_pass(tmp_path: Path) -> None:
    result = _check(tmp_path, PASSING, PASSING)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok: 26 Secrets, 5 Blobs") == 2


@pytest.mark.parametrize("change, complaint", [
    ({"ok": False, "unavailable": {"blob": "no node"}},
     "ok is False (unavailable: {'blob': 'no node'})"),
    ({"version": "1.2.2"}, "version '1.2.2'"),
    ({"trees": {"Secrets": 26, "Blobs": 1}}, "Blobs 1 rows"),
    ({"trees": {"Secrets": None, "Blobs": 5}}, "Secrets None rows"),
    ({"trees": {}}, "trees {}"),
    ({"trees": None}, "trees None"),
    ({"icons": False}, "the icon font is missing"),
])
def test_a_failing_field_fails_and_is_named(tmp_path: Path, change: dict[str, object],
                                            complaint: str) -> None:
    result = _check(tmp_path, PASSING, {**PASSING, **change})
    assert result.returncode == 1
    assert "smoke-1.json: FAIL" in result.stderr and complaint in result.stderr
