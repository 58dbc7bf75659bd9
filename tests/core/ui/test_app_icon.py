"""The window icon: the SVG in resources/, rendered by Qt's SVG icon engine (the bundle and the
source checkout find it the same way; an installed package also has it in the icon theme)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from vaultbrowser.core.ui import app_icon


def test_the_svg_icon_is_found_and_renders(qapp: QApplication) -> None:
    path = app_icon.icon_path()
    assert path is not None and path.name == "vaultbrowser.svg"
    image = app_icon.application_icon().pixmap(64, 64).toImage()
    assert image.width() == 64
    assert image.pixelColor(32, 32).alpha() == 255  # the tile's centre is painted


def test_a_bundle_looks_in_its_own_folder_first(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    bundled = tmp_path / "resources" / "icons" / "vaultbrowser.svg"
    bundled.parent.mkdir(parents=True)
    bundled.write_text("<svg/>", encoding="utf-8")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert app_icon.icon_path() == bundled
