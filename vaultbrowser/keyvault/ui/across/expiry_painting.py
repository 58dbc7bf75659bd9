"""How the expiry timeline is painted: counts, axis, zones, lanes and marks (QPainter only).

``ExpiryTimeline`` lays out; ``paint_timeline`` draws a ``TimelineScene`` it gives. Colours come
from the palette (``core/models/tones.py``): in high contrast every tone is the text colour, so
zones lose their tint and marks keep shape, fill and position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from vaultbrowser.core.audit.expiry_axis import Bucket, ExpiryAxis, bucket_of
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.models.tones import Tone, high_contrast, tone_colour
from vaultbrowser.keyvault.services.across.expiry import ExpiringItem

_ROLE = QPalette.ColorRole


def bucket_colour(bucket: Bucket | None, palette: QPalette) -> QColor:
    """Expired red, 30 days orange (the error and warning tones), 90 days blue, later green
    (the success tone). Blue is made as the tones are: a lightness that reads on the
    palette's base, the text colour in high contrast."""
    if bucket is None or bucket.days == 0:
        return tone_colour(Tone.ERROR, palette)
    if bucket.days == 30:
        return tone_colour(Tone.WARNING, palette)
    if bucket.days == 90:
        if high_contrast():
            return palette.color(_ROLE.Text)
        dark_base = palette.color(_ROLE.Base).lightnessF() < 0.5
        return QColor.fromHslF(0.6, 0.6, 0.68 if dark_base else 0.42)
    return tone_colour(Tone.SUCCESS, palette)


@dataclass(frozen=True)
class PlacedMarks:
    """One group as drawn: where a click hits it and the items it stands for."""

    rect: QRectF
    items: tuple[ExpiringItem, ...]
    centres: tuple[QPointF, ...]  # each item's mark centre (one badge centre when not stacked)
    stacked: bool


@dataclass(frozen=True)
class TimelineScene:
    """Everything one paint needs, laid out by the widget."""

    now: datetime
    axis: ExpiryAxis
    counts: list[tuple[Bucket, int]]
    lanes: list[tuple[str, int]]  # label, items
    chart: QRectF
    inset: float
    lane_height: float
    mark: float
    placed: list[PlacedMarks]
    current: ExpiringItem | None
    message: str
    padding: float

    def x_of(self, fraction: float) -> float:
        return self.chart.left() + self.inset + fraction * (self.chart.width() - 2 * self.inset)


def draw_shape(painter: QPainter, kind: ItemKind, centre: QPointF, size: float,
               colour: QColor, fill: QColor | None, edge: QColor) -> None:
    """A secret's circle, a certificate's square or a key's diamond; ``fill`` None: hollow
    (disabled), drawn in ``colour``."""
    if fill is None:
        painter.setPen(QPen(colour, 2))
        painter.setBrush(edge)
    else:
        painter.setPen(QPen(edge, 1))
        painter.setBrush(fill)
    half = size / 2
    if kind is ItemKind.CERTIFICATE:
        painter.drawRect(QRectF(centre.x() - half + 0.5, centre.y() - half + 0.5,
                                size - 1, size - 1))
    elif kind is ItemKind.KEY:
        half += 1
        painter.drawPolygon(QPolygonF([QPointF(centre.x(), centre.y() - half),
                                       QPointF(centre.x() + half, centre.y()),
                                       QPointF(centre.x(), centre.y() + half),
                                       QPointF(centre.x() - half, centre.y())]))
    else:
        painter.drawEllipse(centre, half, half)


def paint_timeline(widget: QWidget, painter: QPainter, scene: TimelineScene) -> None:
    palette = widget.palette()
    text, muted = palette.color(_ROLE.Text), palette.color(_ROLE.PlaceholderText)
    base = palette.color(_ROLE.Base)
    painter.fillRect(widget.rect(), base)
    painter.setPen(QPen(palette.color(_ROLE.Mid), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(widget.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
    _header(widget, painter, scene, text, base)
    _chart(widget, painter, scene, text, muted, base)


def _bold(widget: QWidget) -> QFont:
    font = QFont(widget.font())
    font.setBold(True)
    return font


def _header(widget: QWidget, painter: QPainter, scene: TimelineScene, text: QColor,
            base: QColor) -> None:
    """The counts per bucket (left) and the legend of shapes (right, when it fits)."""
    metrics = widget.fontMetrics()
    palette = widget.palette()
    line = metrics.height()
    y = scene.padding + 2
    x = scene.padding + 2
    mark = scene.mark
    bold = _bold(widget)
    for bucket, count in scene.counts:
        colour = bucket_colour(bucket, palette)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(x, y + (line - mark) / 2, mark, mark), 2, 2)
        x += mark + 6
        painter.setPen(text)
        painter.setFont(widget.font())
        label = f"{bucket.label}: "
        painter.drawText(QRectF(x, y, 400, line), Qt.AlignmentFlag.AlignVCenter, label)
        x += metrics.horizontalAdvance(label)
        painter.setFont(bold)
        painter.drawText(QRectF(x, y, 400, line), Qt.AlignmentFlag.AlignVCenter, str(count))
        x += widget.fontMetrics().horizontalAdvance(str(count)) + metrics.averageCharWidth() * 3
        painter.setFont(widget.font())
    legend = (("secret", ItemKind.SECRET, True), ("certificate", ItemKind.CERTIFICATE, True),
              ("key", ItemKind.KEY, True), ("disabled", ItemKind.SECRET, False))
    width = sum(mark + 6 + metrics.horizontalAdvance(word) + 14 for word, _k, _f in legend)
    start = widget.width() - scene.padding - width
    if start < x + 16:
        return
    for word, kind, filled in legend:
        centre = QPointF(start + mark / 2, y + line / 2)
        draw_shape(painter, kind, centre, mark, text, text if filled else None, base)
        start += mark + 6
        painter.setPen(text)
        painter.drawText(QRectF(start, y, 200, line), Qt.AlignmentFlag.AlignVCenter, word)
        start += metrics.horizontalAdvance(word) + 14


def _chart(widget: QWidget, painter: QPainter, scene: TimelineScene, text: QColor,
           muted: QColor, base: QColor) -> None:
    palette = widget.palette()
    metrics = widget.fontMetrics()
    line = metrics.height()
    chart = scene.chart
    lanes_bottom = chart.top() + scene.lane_height * max(1, len(scene.lanes))
    axis_y = chart.top() - line - 4
    tinted = not high_contrast()
    # zones: a faint tint of each bucket's colour, the expired one titled
    for bucket, start, end in scene.axis.zones():
        x0 = chart.left() if start == 0 else scene.x_of(start)
        x1 = scene.x_of(end) if end < 1 else chart.right()
        if tinted:
            tint = QColor(bucket_colour(bucket, palette))
            tint.setAlpha(26 if base.lightnessF() > 0.5 else 34)
            painter.fillRect(QRectF(x0, chart.top(), x1 - x0, lanes_bottom - chart.top()), tint)
        if bucket.days == 0:
            painter.setPen(bucket_colour(bucket, palette))
            painter.setFont(_bold(widget))
            painter.drawText(QRectF(x0, axis_y, x1 - x0, line), Qt.AlignmentFlag.AlignCenter,
                             metrics.elidedText("Expired", Qt.TextElideMode.ElideRight,
                                                int(x1 - x0)))
            painter.setFont(widget.font())
    # ticks: today solid, the others dashed; a label is left out where it would overlap
    last_right = scene.x_of(scene.axis.today) - 1
    for tick in scene.axis.ticks(scene.now):
        x = scene.x_of(tick.fraction)
        pen = QPen(text if tick.days == 0 else palette.color(_ROLE.Mid), 2 if tick.days == 0 else 1)
        if tick.days:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, chart.top() - 2), QPointF(x, lanes_bottom))
        width = metrics.horizontalAdvance(tick.label) + 4
        left = min(max(x - width / 2, chart.left()), widget.width() - scene.padding - width)
        if tick.days and left < last_right + 6:
            continue
        painter.setPen(text if tick.days == 0 else muted)
        painter.drawText(QRectF(left, axis_y, width, line), Qt.AlignmentFlag.AlignCenter,
                         tick.label)
        last_right = left + width
    # lanes: a rule between them, the label at the left
    label_right = chart.left() - 8
    for row, (label, count) in enumerate(scene.lanes):
        top = chart.top() + row * scene.lane_height
        painter.setPen(QPen(palette.color(_ROLE.Midlight) if tinted else muted, 1))
        painter.drawLine(QPointF(scene.padding, top), QPointF(chart.right(), top))
        two_lines = scene.lane_height >= 2 * line + 4
        name_rect = QRectF(scene.padding + 2, top + (scene.lane_height / 2 - line
                                                     if two_lines else 0),
                           label_right - scene.padding - 2,
                           line if two_lines else scene.lane_height)
        painter.setPen(text)
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         metrics.elidedText(label, Qt.TextElideMode.ElideMiddle,
                                            int(name_rect.width())))
        if two_lines:
            painter.setPen(muted)
            painter.drawText(name_rect.translated(0, line),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             f"{count} item{'s' * (count != 1)}")
    painter.setPen(QPen(palette.color(_ROLE.Midlight) if tinted else muted, 1))
    painter.drawLine(QPointF(scene.padding, lanes_bottom), QPointF(chart.right(), lanes_bottom))
    _marks(widget, painter, scene, base)
    if not scene.placed:
        message = scene.message or "Nothing expires in this range."
        painter.setPen(muted)
        painter.drawText(QRectF(chart.left(), chart.top(), chart.width(),
                                lanes_bottom - chart.top()),
                         Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, message)


def _marks(widget: QWidget, painter: QPainter, scene: TimelineScene, base: QColor) -> None:
    palette = widget.palette()
    metrics = widget.fontMetrics()
    for placed in scene.placed:
        if placed.stacked:
            for item, centre in zip(placed.items, placed.centres, strict=True):
                colour = bucket_colour(bucket_of(item.expires_on, scene.now), palette)
                fill = None if item.enabled is False else colour
                draw_shape(painter, item.kind, centre, scene.mark, colour, fill, base)
        else:
            first = min(placed.items, key=lambda i: i.expires_on)
            colour = bucket_colour(bucket_of(first.expires_on, scene.now), palette)
            painter.setPen(QPen(base, 1))
            painter.setBrush(colour)
            painter.drawRoundedRect(placed.rect, placed.rect.height() / 2,
                                    placed.rect.height() / 2)
            painter.setPen(base)
            painter.setFont(_bold(widget))
            painter.drawText(placed.rect, Qt.AlignmentFlag.AlignCenter, str(len(placed.items)))
            painter.setFont(widget.font())
    current = scene.current
    if current is None:
        return
    for placed in scene.placed:
        if current in placed.items:
            centre = (placed.centres[placed.items.index(current)] if placed.stacked
                      else placed.centres[0])
            radius = (scene.mark if placed.stacked else placed.rect.width() / 2 + 3)
            painter.setPen(QPen(palette.color(_ROLE.Highlight), 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, radius, max(scene.mark, metrics.height() / 2 + 2))
            return
