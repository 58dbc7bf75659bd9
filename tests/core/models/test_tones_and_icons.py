"""State colours and icons follow the palette (dark, high contrast) and are never fixed RGB."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.models.tones import Tone, notice_style, tone_colour

SOURCE = Path(__file__).resolve().parents[3] / "vaultbrowser"


@pytest.fixture
def dark_palette(qapp: Any) -> Iterator[QPalette]:
    before = QGuiApplication.palette()
    dark = QPalette(before)
    for role, colour in ((QPalette.ColorRole.Window, "#202020"),
                         (QPalette.ColorRole.Base, "#1a1a1a"),
                         (QPalette.ColorRole.Text, "#eeeeee"),
                         (QPalette.ColorRole.ButtonText, "#f0f0f0"),
                         (QPalette.ColorRole.ToolTipBase, "#333300"),
                         (QPalette.ColorRole.ToolTipText, "#ffffcc")):
        dark.setColor(role, QColor(colour))
    QGuiApplication.setPalette(dark)
    yield dark
    QGuiApplication.setPalette(before)


def test_tones_are_light_on_a_dark_base_and_dark_on_a_light_one(qapp: Any,
                                                                 dark_palette: QPalette) -> None:
    light = QPalette()
    light.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    for tone in (Tone.ERROR, Tone.WARNING, Tone.SUCCESS):
        assert tone_colour(tone).lightnessF() > 0.6  # the application palette is dark now
        assert tone_colour(tone, light).lightnessF() < 0.45
    assert tone_colour(Tone.MUTED) == dark_palette.color(QPalette.ColorRole.PlaceholderText)
    assert "rgba(51, 51, 0, 255)" in notice_style()  # the banner takes the tooltip colours


def test_high_contrast_tones_are_the_text_colour(qapp: Any, monkeypatch: Any) -> None:
    from vaultbrowser.core.models import tones

    monkeypatch.setattr(tones, "high_contrast", lambda: True)
    text = QGuiApplication.palette().color(QPalette.ColorRole.Text)
    assert tone_colour(Tone.ERROR) == text and tone_colour(Tone.WARNING) == text


def _ink(qicon: QIcon) -> QColor:
    """The darkest opaque pixel's colour (the glyph's ink)."""
    image = qicon.pixmap(32, 32).toImage()
    pixels = [image.pixelColor(x, y) for x in range(32) for y in range(32)]
    inked = [p for p in pixels if p.alpha() > 200]
    assert inked, "the icon drew nothing"
    return inked[len(inked) // 2]


def test_every_icon_draws_and_follows_a_palette_change(qapp: Any) -> None:
    for which in Icon:
        assert not icon(which).isNull(), which
    back = icon(Icon.BACK)
    before = _ink(back)
    palette = QPalette(QGuiApplication.palette())
    palette.setColor(QPalette.ColorRole.ButtonText, QColor("#ff00ff"))
    previous = QGuiApplication.palette()
    QGuiApplication.setPalette(palette)
    try:
        after = _ink(back)  # the same QIcon: its colour is read when it paints
    finally:
        QGuiApplication.setPalette(previous)
    assert after.name() == "#ff00ff" and before.name() != "#ff00ff"
    toned = _ink(icon(Icon.EXPIRED, QColor("#00aa00")))
    assert toned.name() == "#00aa00"


def test_no_fixed_colours_in_the_window() -> None:
    """Widgets and models take colours from the palette (tones); reports are documents and
    keep theirs."""
    fixed = re.compile(r"QColor\(\s*\d|color:\s*#[0-9a-fA-F]{3,8}|background:\s*#")
    offenders = []
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).as_posix()
        if relative.startswith(("core/audit/", "emulators/")) or "/demo/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if fixed.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert offenders == []
