"""The third-party notices every installer carries: each library the bundle holds (the app's
runtime dependencies, followed to the end), its version and licence, read from the installed
packages' own metadata — so the list cannot drift from what is bundled.

``python packaging/notices.py [PATH]`` writes them (standard output without a path).
"""

from __future__ import annotations

import importlib.metadata as metadata
import platform
import re
import ssl
import sys
from pathlib import Path

APP = "vaultbrowser"
HEADER = """Third-party software in vaultbrowser's installers
=================================================

vaultbrowser itself is under the MIT licence (LICENSE). Its installers bundle the Python
interpreter and the libraries below, each under its own licence, unmodified.

Qt and PySide6 are used under the GNU Lesser General Public License v3 (LGPL-3.0-only). The Qt
libraries are the unmodified ones of the PySide6-Essentials wheel, kept as separate shared
libraries in the bundle's _internal/PySide6 folder, where they can be replaced. Their source:
https://code.qt.io and https://download.qt.io/official_releases/ (Qt), and
https://code.qt.io/cgit/pyside/pyside-setup.git (PySide6). The LGPL's text:
https://www.gnu.org/licenses/lgpl-3.0.txt.

The icons are Material Design Icons (Pictogrammers, Apache License 2.0), from the font the
qtawesome package ships.

"""


def _name(requirement: str) -> str | None:
    """The distribution a requirement names, when it applies without extras."""
    text, _, marker = requirement.partition(";")
    if "extra ==" in marker or "extra==" in marker:
        return None
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return match.group(1) if match else None


def bundled(root: str = APP) -> list[metadata.Distribution]:
    """The runtime dependency closure of ``root`` (installed ones), by name."""
    seen: dict[str, metadata.Distribution] = {}
    pending = [name for name in (_name(r) for r in metadata.requires(root) or []) if name]
    while pending:
        name = pending.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a dependency for another platform
        seen[key] = distribution
        pending += [n for n in (_name(r) for r in distribution.requires or []) if n]
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def licence_of(distribution: metadata.Distribution) -> str:
    meta = distribution.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 80:
        return text
    classifiers = [c.split(" :: ")[-1] for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    return ", ".join(classifiers) or (text.splitlines()[0][:80] if text else "see its package")


def render() -> str:
    lines = [HEADER,
             f"Python {platform.python_version()} — PSF-2.0 (https://docs.python.org/3/license.html)",
             f"{ssl.OPENSSL_VERSION} — Apache-2.0 (https://www.openssl.org/source/license.html)",
             ""]
    for distribution in bundled():
        meta = distribution.metadata
        home = meta.get("Home-page") or next(
            (url.split(", ", 1)[-1] for url in meta.get_all("Project-URL") or []), "")
        lines.append(f"{meta['Name']} {meta['Version']} — {licence_of(distribution)}"
                     + (f" ({home})" if home else ""))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = render()
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
