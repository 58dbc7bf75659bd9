"""``vaultbrowser audit`` (``python -m vaultbrowser audit``): bad input and a real demo run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.cli import main

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("argv", [
    [],  # --output missing (argparse)
    ["--format", "pdf", "--output", "x.pdf", "--demo"],
    ["--output", "{tmp}/x.html"],  # nothing to audit
    ["--vault", "http://myvault.vault.azure.net", "--output", "{tmp}/x.html"],
    ["--vault", "https://evil.example.com", "--output", "{tmp}/x.html"],
    ["--storage-account", "ftp://acct", "--output", "{tmp}/x.html"],
    ["--connection-string-env", "VB_AUDIT_UNSET_VARIABLE", "--output", "{tmp}/x.html"],
    ["--vault", "myvault", "--output", "{tmp}/no/such/dir/x.html"],
])
def test_bad_input_exits_2_without_traceback(argv: list[str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    os.environ.pop("VB_AUDIT_UNSET_VARIABLE", None)
    assert main([arg.replace("{tmp}", str(tmp_path)) for arg in argv], KINDS) == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"], KINDS) == 0
    assert "--scan-blobs" in capsys.readouterr().out


def test_demo_end_to_end_without_qt(tmp_path: Path) -> None:
    """The real command on the demo emulators: a complete HTML report, progress on stderr,
    exit 0, and Qt never imported (it must run without a display)."""
    output = tmp_path / "x.html"
    script = (
        "import sys\n"
        "from vaultbrowser.app import main\n"
        "code = main(['audit', *sys.argv[1:]])\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qasync'))\n"
        "assert not qt, qt\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    done = subprocess.run(
        [sys.executable, "-c", script, "--demo", "--format", "html", "--output", str(output),
         "--identity", "ci@example.test"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "audit: demo-vault (local emulator): secrets:" in done.stderr
    assert f"audit: wrote {output} (html)" in done.stderr
    html = output.read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    for expected in ("ci@example.test", "Expired", "partner-portal-tls", "legacy-vpn-gateway",
                     "website-assets", "Vaults without purge protection", "<svg",
                     # the demo's hostile items, as findings
                     "Certificates that could not be fully decoded", "partner-sso-legacy",
                     "appears more than once", "vendor-appliance-mgmt",
                     "batch-service-token", "9999-12-31 23:59 UTC: no practical expiry"):
        assert expected in html
    assert [p.name for p in tmp_path.iterdir()] == ["x.html"]


def test_module_entry_point_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "vaultbrowser", "audit", "--output",
                           str(tmp_path / "r.json")], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "Nothing to audit" in done.stderr
