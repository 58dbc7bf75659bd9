"""The application's icon: the SVG in resources/, wherever the app runs from.

A source checkout has it at ``<repo>/resources/icons``, a PyInstaller bundle at
``<bundle>/resources/icons`` (``sys._MEIPASS``); an installed Linux package also has it in the
icon theme under the app id, which is the fallback.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon

import vaultbrowser
from vaultbrowser import APP_ID

ICON_FILE = Path("resources") / "icons" / "vaultbrowser.svg"


def icon_path() -> Path | None:
    bundle = getattr(sys, "_MEIPASS", None)  # set by a PyInstaller bundle only
    checkout = Path(vaultbrowser.__file__).resolve().parents[1]
    for base in ([Path(bundle)] if bundle else []) + [checkout]:
        if (base / ICON_FILE).is_file():
            return base / ICON_FILE
    return None


def application_icon() -> QIcon:
    """The app's icon (empty when neither the file nor the theme has it)."""
    path = icon_path()
    if path is not None:
        icon = QIcon(str(path))
        if not icon.isNull():
            return icon
    return QIcon.fromTheme(APP_ID)
