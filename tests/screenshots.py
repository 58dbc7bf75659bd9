"""What the kinds' screenshot tests share: the window in a light or dark scheme, and its
1280×800 picture saved where ``VAULTBROWSER_SCREENSHOTS`` says (the README's:
resources/screenshots), else in the test's folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
             QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#262626",
             QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#333333",
             QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.Highlight: "#2f65ca",
             QPalette.ColorRole.HighlightedText: "#ffffff", QPalette.ColorRole.Mid: "#8a8a8a",
             QPalette.ColorRole.ToolTipBase: "#333333", QPalette.ColorRole.ToolTipText: "#e6e6e6",
             QPalette.ColorRole.PlaceholderText: "#8a8a8a"}
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#777777"))
    return palette


@contextmanager
def colour_scheme(scheme: str) -> Iterator[QApplication]:
    """The application in the ``light`` scheme (as it is) or the ``dark`` one (Fusion with
    :func:`dark_palette`); its palette restored after the block."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    previous = app.palette()
    if scheme == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    try:
        yield app
    finally:
        app.setPalette(previous)


def save_screenshot(window: QWidget, name: str, scheme: str, tmp_path: Path) -> None:
    """Grab ``window`` (1280×800) into ``<name>.png`` (``<name>-dark.png`` in the dark
    scheme)."""
    picture = window.grab()
    assert (picture.width(), picture.height()) == (1280, 800)
    folder = Path(os.environ.get("VAULTBROWSER_SCREENSHOTS", tmp_path))
    assert picture.save(str(folder / f"{name}{'' if scheme == 'light' else '-dark'}.png"))
