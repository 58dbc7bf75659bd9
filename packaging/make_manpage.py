"""Render vaultbrowser(1) from the app's own argument parsers, so the manual page never lists an
option the program lacks or misses one it has.

    python packaging/make_manpage.py OUT.1

The date is the newest release in the AppStream metainfo (one source for both).
"""

from __future__ import annotations

import argparse
import os
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from vaultbrowser import APP_ID, __version__  # noqa: E402
from vaultbrowser.app import KINDS, build_parser  # noqa: E402  (argparse only: no Qt, no SDK)
from vaultbrowser.core.audit.cli import build_parser as audit_parser  # noqa: E402

ENVIRONMENT = [
    ("AZURE_STORAGE_CONNECTION_STRING",
     "the default variable --connection-string-env reads a storage connection string from "
     "(the string itself is never saved)"),
    ("AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH",
     "a service principal for Entra ID sign-in (azure-identity's environment credential)"),
    ("IDENTITY_ENDPOINT, IDENTITY_HEADER",
     "a managed-identity endpoint (azure-identity)"),
    ("VAULTBROWSER_AZURITE",
     "the azurite-blob executable demo mode starts for its Blob Storage half (Azurite, "
     "Node.js; not bundled: npm install -g azurite)"),
    ("VAULTBROWSER_DATA_DIR",
     "where the audit trail is kept instead of the per-user data folder"),
    ("QT_QPA_PLATFORM",
     "Qt's platform plugin: xcb, wayland, or offscreen for a run without a display"),
]
FILES = [
    ("~/.config/vaultbrowser/vaultbrowser.conf",
     "saved connections and window layout (never a secret, token or connection string)"),
    ("$XDG_DATA_HOME/vaultbrowser/audit-trail.jsonl",
     "the audit trail: every data-plane request of every session (default "
     "~/.local/share/vaultbrowser)"),
]


def roff(text: str) -> str:
    """Escape ``text`` for a roff body line."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\\&" + text if text[:1] in (".", "'") else text


def _release_date() -> str:
    metainfo = ROOT / "resources" / f"{APP_ID}.metainfo.xml"
    releases = ElementTree.parse(metainfo).getroot().findall("./releases/release")
    return releases[0].get("date", "") if releases else ""


def _options(parser: argparse.ArgumentParser) -> list[str]:
    lines: list[str] = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or not action.option_strings:
            continue
        names = ", ".join(f"\\fB{roff(name)}\\fR" for name in action.option_strings)
        if action.nargs != 0:
            metavar = action.metavar or (("{" + ",".join(action.choices) + "}")
                                         if action.choices else action.dest.upper())
            names += f" \\fI{roff(str(metavar))}\\fR"
            if action.nargs == "?":
                names = names.replace(" \\fI", " [\\fI", 1) + "]"
        help_text = (action.help or "").replace("%(default)s", str(action.default))
        lines += [".TP", names, roff(help_text)]
    return lines


def render() -> str:
    main_parser, audit = build_parser(), audit_parser(KINDS)
    lines = [
        f'.TH VAULTBROWSER 1 "{_release_date()}" "vaultbrowser {__version__}" "User Commands"',
        ".SH NAME",
        "vaultbrowser \\- desktop browser for Azure Key Vault and Azure Blob Storage",
        ".SH SYNOPSIS",
        ".B vaultbrowser",
        "[\\fIoptions\\fR]",
        ".br",
        ".B vaultbrowser audit",
        "[\\fIoptions\\fR] \\fB\\-\\-output\\fR \\fIPATH\\fR",
        ".SH DESCRIPTION",
        roff(main_parser.description or ""),
        ".PP",
        roff("Vaults, secrets, certificates, keys and their versions, and storage accounts, "
             "containers, virtual folders and blobs are shown in trees that page lazily. A "
             "detail pane shows the HTTP status and response headers of the call behind each "
             "item; credentials and secret values are never shown or logged."),
        ".PP",
        roff(main_parser.epilog or ""),
        ".SH OPTIONS",
        *_options(main_parser),
        ".SH AUDIT REPORTS",
        roff(audit.description or ""),
        roff("Every connection is opened read-only: the HTTP pipeline refuses any request but "
             "GET, HEAD and OPTIONS."),
        *_options(audit),
        ".SH ENVIRONMENT",
    ]
    for name, meaning in ENVIRONMENT:
        lines += [".TP", f"\\fB{roff(name)}\\fR", roff(meaning)]
    lines.append(".SH FILES")
    for path, meaning in FILES:
        lines += [".TP", f"\\fI{roff(path)}\\fR", roff(meaning)]
    lines += [
        ".SH EXIT STATUS",
        roff("0 on success. vaultbrowser --smoke-test: 1 when a tree did not list. "
             "vaultbrowser audit: 1 when the report is incomplete or could not be written, "
             "2 on bad input. The window: 2 on a bad connection argument."),
        ".SH SEE ALSO",
        "\\fBaz\\fR(1)",
        ".PP",
        "https://github.com/vaultbrowser/vaultbrowser",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    temporary = args.output.with_name(args.output.name + ".tmp")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temporary.write_text(render(), encoding="utf-8")
    os.replace(temporary, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
