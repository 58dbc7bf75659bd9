"""Colours for states, taken from the running palette instead of fixed RGB values.

A state is never shown by colour alone (rows carry an icon and a word too); the tone only
helps the eye. Each tone follows the OS colour scheme: muted text is the palette's placeholder
colour; error, warning and success keep their hue but take a lightness that reads on the
palette's base (darker on a light base, lighter on a dark one). With the OS asking for high
contrast, every tone is the palette's own text colour: the icon and the word carry the state.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette


class Tone(Enum):
    MUTED = "muted"  # disabled items, status rows, things that are not there
    ERROR = "error"  # expired, failed
    WARNING = "warning"  # expiring soon, public access, something in the way
    SUCCESS = "success"  # done


# Hue (0–1) and saturation of each coloured tone; the lightness comes from the palette.
_HUES = {Tone.ERROR: (0.0, 0.70), Tone.WARNING: (0.10, 0.90), Tone.SUCCESS: (0.38, 0.70)}


def high_contrast() -> bool:
    hints = QGuiApplication.styleHints()
    try:
        return hints.accessibility().contrastPreference() == Qt.ContrastPreference.HighContrast
    except AttributeError:  # Qt before 6.10 has no contrast preference
        return False


def tone_colour(tone: Tone, palette: QPalette | None = None) -> QColor:
    palette = palette or QGuiApplication.palette()
    if tone is Tone.MUTED:
        return palette.color(QPalette.ColorRole.PlaceholderText)
    if high_contrast():
        return palette.color(QPalette.ColorRole.Text)
    hue, saturation = _HUES[tone]
    dark_base = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
    return QColor.fromHslF(hue, saturation, 0.68 if dark_base else 0.36)


def tone_brush(tone: Tone) -> QBrush:
    return QBrush(tone_colour(tone))


def css_colour(colour: QColor) -> str:
    return f"rgba({colour.red()}, {colour.green()}, {colour.blue()}, {colour.alpha()})"


def tone_style(tone: Tone) -> str:
    """A label's style sheet in ``tone`` (as the palette is when the label is made)."""
    return f"color: {css_colour(tone_colour(tone))};"


def notice_style() -> str:
    """A banner that asks for attention in the palette's own tooltip colours (they follow the
    colour scheme and high contrast)."""
    palette = QGuiApplication.palette()
    role = QPalette.ColorRole
    return (f"background: {css_colour(palette.color(role.ToolTipBase))};"
            f" color: {css_colour(palette.color(role.ToolTipText))};"
            f" border-bottom: 1px solid {css_colour(palette.color(role.Mid))}; padding: 4px 8px;")
