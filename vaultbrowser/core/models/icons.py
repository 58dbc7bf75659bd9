"""The app's icons: Material Design Icons (the font and charmap qtawesome ships), drawn in the
palette's colours at paint time.

Code names what an icon stands for (``Icon.EXPIRED``), never a glyph. The engine reads the
application palette each time it paints, so a change of colour scheme (dark, high contrast) is
followed without rebuilding a single icon. Only the one font is loaded, on first use, and
qtawesome's own Python (which pulls in QtPy, ~0.1 s at start-up) is not imported.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from enum import Enum
from functools import cache
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)

_FONT = "materialdesignicons6-webfont-6.9.96"
FONT_FILES = (f"{_FONT}.ttf", f"{_FONT.replace('-webfont-', '-webfont-charmap-')}.json")


class Icon(Enum):
    # navigation and the toolbar
    BACK = "mdi6.arrow-left"
    FORWARD = "mdi6.arrow-right"
    UP = "mdi6.arrow-up"
    REFRESH = "mdi6.refresh"
    SEARCH = "mdi6.magnify"
    HOME = "mdi6.home-outline"
    BREADCRUMB_SEPARATOR = "mdi6.chevron-right"
    # actions
    ADD_CONNECTION = "mdi6.plus-circle-outline"
    SIGN_IN = "mdi6.login"
    OPEN_URL = "mdi6.link-variant"
    COPY = "mdi6.content-copy"
    DELETE = "mdi6.delete-outline"
    PURGE = "mdi6.delete-forever-outline"
    RECOVER = "mdi6.restore"
    DOWNLOAD = "mdi6.download"
    UPLOAD = "mdi6.upload"
    NEW = "mdi6.playlist-plus"
    EDIT = "mdi6.pencil-outline"
    AUDIT = "mdi6.clipboard-text-outline"
    VERSIONS = "mdi6.history"
    TAGS = "mdi6.tag-outline"
    REVEAL = "mdi6.eye-outline"
    DEMO = "mdi6.play-circle-outline"
    READ_ONLY = "mdi6.lock-outline"
    # things in the trees
    TENANT = "mdi6.domain"
    SUBSCRIPTION = "mdi6.key-chain-variant"
    RESOURCE_GROUP = "mdi6.folder-multiple-outline"
    VAULT = "mdi6.safe-square-outline"
    STORAGE_ACCOUNT = "mdi6.database-outline"
    SECRET = "mdi6.form-textbox-password"
    CERTIFICATE = "mdi6.certificate-outline"
    KEY = "mdi6.key-outline"
    CONTAINER = "mdi6.package-variant-closed"
    FOLDER = "mdi6.folder-outline"
    BLOB = "mdi6.file-outline"
    # states (each also shown by a word)
    ENABLED = "mdi6.check-circle-outline"
    DISABLED = "mdi6.cancel"
    EXPIRED = "mdi6.alert-octagon-outline"
    EXPIRING = "mdi6.clock-alert-outline"
    PUBLIC = "mdi6.lock-open-variant-outline"
    FAILED = "mdi6.alert-circle-outline"
    LOADING = "mdi6.timer-sand"
    MORE = "mdi6.dots-horizontal"




def _font_folder() -> Path | None:
    """qtawesome's fonts folder: in the installed package, or where the installers' bundle
    puts it (packaging/vaultbrowser.spec copies the one font and its charmap)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle is not None:
        return Path(bundle) / "qtawesome" / "fonts"
    spec = importlib.util.find_spec("qtawesome")  # located, not imported
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "fonts"


def font_loaded() -> bool:
    """Whether the icon font is there (the installers' smoke test checks it)."""
    return bool(_font_and_charmap()[1])


@cache
def _font_and_charmap() -> tuple[str, dict[str, int]]:
    """The icon font's family (registered with Qt once) and its name → code point map."""
    fonts = _font_folder()
    if fonts is None:
        return "", {}
    try:
        charmap = json.loads((fonts / FONT_FILES[1]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "", {}
    font_id = QFontDatabase.addApplicationFont(str(fonts / FONT_FILES[0]))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return (families[0] if families else ""), {k: int(v, 16) for k, v in charmap.items()}


class _GlyphEngine(QIconEngine):
    """One glyph, painted in the palette colour of the icon's mode (or in a fixed tone)."""

    def __init__(self, glyph: str, tone: QColor | None) -> None:
        super().__init__()
        self._glyph = glyph
        self._tone = tone

    def _colour(self, mode: QIcon.Mode) -> QColor:
        palette = QGuiApplication.palette()
        if mode == QIcon.Mode.Disabled:
            return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
        if mode == QIcon.Mode.Selected:
            return palette.color(QPalette.ColorRole.HighlightedText)
        return self._tone or palette.color(QPalette.ColorRole.ButtonText)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State
              ) -> None:
        family, _ = _font_and_charmap()
        font = QFont(family)
        font.setPixelSize(max(1, round(min(rect.width(), rect.height()) * 0.9)))
        painter.save()
        painter.setFont(font)
        painter.setPen(self._colour(mode))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self._glyph)
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return pixmap

    def clone(self) -> QIconEngine:
        return _GlyphEngine(self._glyph, self._tone)


_cache: dict[tuple[Icon, int | None], QIcon] = {}


def icon(which: Icon, tone: QColor | None = None) -> QIcon:
    """``which`` in the palette's colours, or in ``tone`` (a state's colour) when given. An
    empty icon when the font is missing (a broken install still works, in words)."""
    key = (which, tone.rgba() if tone is not None else None)
    found = _cache.get(key)
    if found is None:
        _family, charmap = _font_and_charmap()
        code = charmap.get(which.value.removeprefix("mdi6."))
        found = QIcon(_GlyphEngine(chr(code), tone)) if code is not None else QIcon()
        if len(_cache) > 512:  # tones follow the palette: a few schemes' worth at most
            _cache.clear()
        _cache[key] = found
    return found
