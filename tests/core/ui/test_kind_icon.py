"""Every registered kind draws its icon: on its tabs and its choice in the connection dialog."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QImage

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.kinds import ServiceKind
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog
from vaultbrowser.core.ui.kind_icon import kind_icon
from vaultbrowser.core.ui.window.main_window import MainWindow


def _opaque_share(image: QImage) -> float:
    pixels = [image.pixelColor(x, y).alpha() for x in range(image.width())
              for y in range(image.height())]
    return sum(1 for alpha in pixels if alpha > 128) / len(pixels)


def test_every_kind_has_a_drawn_icon(qapp: Any) -> None:
    for kind in KINDS:
        icon = kind_icon(kind)
        assert not icon.isNull(), kind.name
        for size in (16, 32):
            image = icon.pixmap(size, size).toImage()
            assert image.width() == size
            # Drawn, not blank, and not a filled square either.
            assert 0.2 < _opaque_share(image) < 0.9, (kind.name, size)


def test_a_kind_without_or_with_broken_svg_gets_an_empty_icon(qapp: Any) -> None:
    from dataclasses import replace

    for name, svg in (("no-icon", ""), ("broken-icon", "<svg><g>")):
        kind: ServiceKind = replace(KINDS[0], name=name, icon_svg=svg)
        assert kind_icon(kind).isNull()


def test_tabs_and_the_kind_choice_show_the_kinds_icons(qtbot: Any, qloop: Any) -> None:
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS)
    qtbot.addWidget(window)
    try:
        for index in range(window.tabs.count()):
            assert not window.tabs.tabIcon(index).isNull(), window.tabs.tabText(index)
    finally:
        qloop.run_until_complete(window.aclose())
    dialog = ConnectionDialog(kinds=KINDS)
    qtbot.addWidget(dialog)
    for index in range(dialog.kind_combo.count()):
        assert not dialog.kind_combo.itemIcon(index).isNull()
