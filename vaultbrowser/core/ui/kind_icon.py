"""A service kind's icon (``ServiceKind.icon_svg``) as a ``QIcon``, drawn once per kind.

Drawn by Qt's SVG image-format plugin (as the app icon is), not by the QtSvg Python module:
the installers bundle only the Qt modules the app imports.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QIcon, QImageReader, QPixmap

from vaultbrowser.core.services.kinds import ServiceKind

_SIZES = (16, 24, 32, 48, 64)  # 64 for a 2x screen's 32 px
_icons: dict[str, QIcon] = {}


def kind_icon(kind: ServiceKind) -> QIcon:
    """``kind``'s icon (empty when it has none or its SVG does not render)."""
    icon = _icons.get(kind.name)
    if icon is None:
        icon = _draw(kind.icon_svg)
        _icons[kind.name] = icon
    return icon


def _draw(svg: str) -> QIcon:
    icon = QIcon()
    if not svg:
        return icon
    data = QByteArray(svg.encode())
    for size in _SIZES:
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer, QByteArray(b"svg"))
        reader.setScaledSize(QSize(size, size))
        image = reader.read()
        buffer.close()
        if image.isNull():
            return QIcon()  # not SVG the plugin can draw
        icon.addPixmap(QPixmap.fromImage(image))
    return icon
