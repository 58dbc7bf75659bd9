"""``ExpiryTimeline``: the picture of what expires across vaults, painted with QPainter.

A time axis from "expired" through today to the horizon (30, 90 or 365 days; the geometry is
``core/audit/expiry_axis.py``, shared with the HTML report), one lane per vault (or per kind),
one mark per item: its shape says the kind (circle secret, square certificate, diamond key),
its colour the bucket (from the palette's tones), a hollow mark a disabled item. Marks that
would overlap are stacked, and many become one badge with their count. Clicking a mark emits
``item_clicked``; clicking a badge offers its items in a menu. Colours follow the palette and
high contrast (then every tone is the text colour: position, shape and fill still tell).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QHelpEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from vaultbrowser.core.audit.expiry_axis import (
    DEFAULT_RANGE,
    Bucket,
    ExpiryAxis,
    bucket_counts,
    days_until,
    group_marks,
    within,
)
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.keyvault.services.across.expiry import ExpiringItem
from vaultbrowser.keyvault.ui.across.expiry_painting import (
    PlacedMarks,
    TimelineScene,
    paint_timeline,
)

BY_VAULT, BY_KIND = "vault", "kind"
KIND_LANES = ((ItemKind.CERTIFICATE, "Certificates"), (ItemKind.SECRET, "Secrets"),
              (ItemKind.KEY, "Keys"))
MENU_LIMIT = 40  # items a badge's menu lists
_MIN_LANE, _MAX_LANE, _PAD = 30, 96, 8
PREFERRED_LANE = 56


def when_text(item: ExpiringItem, now: datetime) -> str:
    """ "expired 5 days ago", "today", "in 12 days"."""
    days = days_until(item.expires_on, now)
    whole = int(abs(days))
    if days <= 0:
        return "expired today" if whole == 0 else f"expired {whole} day{'s' * (whole != 1)} ago"
    return "today" if whole == 0 else f"in {whole} day{'s' * (whole != 1)}"


def item_tooltip(item: ExpiringItem, now: datetime) -> str:
    state = " · disabled" if item.enabled is False else ""
    return (f"{item.name}\n{item.kind.value} in {item.vault}{state}\n"
            f"expires {item.expires_on:%Y-%m-%d %H:%M} UTC ({when_text(item, now)})")


class ExpiryTimeline(QWidget):
    item_clicked = Signal(object)  # an ExpiringItem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Expiry timeline")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the list next to it has the keyboard
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._all: list[ExpiringItem] = []
        self._now = datetime.now(UTC)
        self._vaults: list[str] = []
        self._range = DEFAULT_RANGE
        self._lanes_by = BY_VAULT
        self._current: ExpiringItem | None = None
        self._message = ""
        self._placed: list[PlacedMarks] = []
        self._laid_out_for: QSize | None = None
        self.cluster_menu: QMenu | None = None

    # --- what is shown ------------------------------------------------------------------------

    def set_items(self, items: Sequence[ExpiringItem], now: datetime,
                  vaults: Sequence[str] = ()) -> None:
        """Every item (all ranges), the time they were listed at, and the vaults' lane order."""
        self._all, self._now, self._vaults = list(items), now, list(vaults)
        self._changed()

    def set_range(self, days: int) -> None:
        self._range = days
        self._changed()

    def set_lanes(self, by: str) -> None:
        self._lanes_by = by
        self._changed()

    def set_message(self, text: str) -> None:
        """What the empty chart says (nothing chosen, still reading…)."""
        self._message = text
        self.update()

    def set_current(self, item: ExpiringItem | None) -> None:
        self._current = item
        self.update()

    @property
    def range_days(self) -> int:
        return self._range

    def shown_items(self) -> list[ExpiringItem]:
        """The items the range shows, soonest first (what the list next to it holds)."""
        return sorted((i for i in self._all if within(i.expires_on, self._now, self._range)),
                      key=lambda i: (i.expires_on, i.vault, i.name))

    def counts(self) -> list[tuple[Bucket, int]]:
        return bucket_counts((i.expires_on for i in self._all), self._now, self._range)

    def lanes(self) -> list[tuple[str, list[ExpiringItem]]]:
        shown = self.shown_items()
        if self._lanes_by == BY_KIND:
            return [(label, [i for i in shown if i.kind is kind]) for kind, label in KIND_LANES]
        labels = list(dict.fromkeys([*self._vaults, *(i.vault for i in shown)]))
        return [(label, [i for i in shown if i.vault == label]) for label in labels]

    def _changed(self) -> None:
        self._laid_out_for = None
        counts = ", ".join(f"{count} {bucket.label.lower()}" for bucket, count in self.counts())
        lanes = "vault" if self._lanes_by == BY_VAULT else "kind"
        self.setAccessibleDescription(
            f"What expires within {self._range} days, by {lanes}: {counts}. The list next to "
            "the picture holds every item; Enter opens one.")
        self.updateGeometry()
        self.update()

    # --- geometry -----------------------------------------------------------------------------

    def _mark(self) -> float:
        return float(max(9, round(self.fontMetrics().height() * 0.62)))

    def _header_height(self) -> int:
        return self.fontMetrics().height() * 2 + 14  # the counts, then the axis labels

    def sizeHint(self) -> QSize:
        lanes = max(1, len(self.lanes()))
        return QSize(960, self._header_height() + 2 * _PAD + PREFERRED_LANE * lanes)

    def minimumSizeHint(self) -> QSize:
        return QSize(420, self._header_height() + 2 * _PAD + _MIN_LANE * max(1, len(self.lanes())))

    def _label_width(self, lanes: list[tuple[str, list[ExpiringItem]]]) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(label) for label, _ in lanes), default=60)
        return int(min(max(widest + 16, 90), 240, self.width() * 0.26))

    def _geometry(self) -> tuple[QRectF, float]:
        """The chart's rectangle (lanes area) and its mark inset."""
        lanes = self.lanes()
        left = _PAD + self._label_width(lanes)
        top = _PAD + self._header_height()
        return QRectF(left, top, self.width() - left - _PAD, self.height() - top - _PAD), (
            self._mark() / 2 + 4)

    def x_of(self, fraction: float) -> float:
        chart, inset = self._geometry()
        return chart.left() + inset + fraction * (chart.width() - 2 * inset)

    @staticmethod
    def _lane_height(chart: QRectF, lanes: int) -> float:
        return max(_MIN_LANE, min(_MAX_LANE, chart.height() / max(1, lanes)))

    def _layout(self) -> None:
        if self._laid_out_for == self.size():
            return
        self._laid_out_for = self.size()
        self._placed = []
        chart, _inset = self._geometry()
        lanes = self.lanes()
        if not lanes:
            return
        lane_h = self._lane_height(chart, len(lanes))
        mark = self._mark()
        step = mark + 2
        capacity = max(1, int((lane_h - 6) // step))
        axis = ExpiryAxis(self._range)
        metrics = self.fontMetrics()

        def badge_width(count: int) -> float:
            return metrics.horizontalAdvance(str(count)) + 12.0

        for row, (_label, items) in enumerate(lanes):
            centre_y = chart.top() + row * lane_h + lane_h / 2
            xs = [self.x_of(axis.fraction(i.expires_on, self._now)) for i in items]
            for group in group_marks(xs, mark, capacity, badge_width):
                members = tuple(items[i] for i in group.members)
                if group.stacked:
                    count = len(members)
                    centres = tuple(QPointF(group.x, centre_y + (k - (count - 1) / 2) * step)
                                    for k in range(count))
                    rect = QRectF(group.x - mark / 2 - 1, centres[0].y() - mark / 2 - 1,
                                  mark + 2, step * count)
                else:
                    width = badge_width(len(members))
                    centres = (QPointF(group.x, centre_y),)
                    rect = QRectF(group.x - width / 2, centre_y - mark / 2 - 2, width, mark + 4)
                self._placed.append(PlacedMarks(rect, members, centres, group.stacked))

    def placed(self) -> list[PlacedMarks]:
        self._layout()
        return list(self._placed)

    def mark_centre(self, item: ExpiringItem) -> QPointF | None:
        """Where ``item`` is drawn (its badge's centre when it is in one)."""
        for placed in self.placed():
            if item in placed.items:
                return placed.centres[placed.items.index(item)] if placed.stacked else (
                    placed.centres[0])
        return None

    def items_at(self, point: QPointF) -> tuple[ExpiringItem, ...]:
        """The item (or a badge's items) under ``point``; () for none."""
        for placed in self.placed():
            if not placed.rect.adjusted(-2, -2, 2, 2).contains(point):
                continue
            if not placed.stacked:
                return placed.items
            nearest = min(range(len(placed.items)), key=lambda k: abs(
                placed.centres[k].y() - point.y()))
            return (placed.items[nearest],)
        return ()

    # --- events -------------------------------------------------------------------------------

    def resizeEvent(self, event: object) -> None:
        self._laid_out_for = None
        super().resizeEvent(event)  # type: ignore[arg-type]

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            items = self.items_at(QPointF(event.pos()))
            if len(items) == 1:
                QToolTip.showText(event.globalPos(), item_tooltip(items[0], self._now), self)
            elif items:
                names = "\n".join(f"{i.name} ({i.kind.value}, {i.vault}) "
                                  f"{i.expires_on:%Y-%m-%d}" for i in items[:12])
                more = f"\n… and {len(items) - 12} more" if len(items) > 12 else ""
                QToolTip.showText(event.globalPos(),
                                  f"{len(items)} items (click to choose one)\n{names}{more}", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        over = bool(self.items_at(event.position()))
        self.setCursor(Qt.CursorShape.PointingHandCursor if over else Qt.CursorShape.ArrowCursor)
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        items = self.items_at(event.position())
        if len(items) == 1:
            self.set_current(items[0])
            self.item_clicked.emit(items[0])
        elif items:
            self._offer(items, event.globalPosition().toPoint())

    def _offer(self, items: tuple[ExpiringItem, ...], where: object) -> None:
        """A badge: its items in a menu (soonest first); choosing one is a click on it."""
        menu = QMenu(self)
        for item in items[:MENU_LIMIT]:
            action = menu.addAction(f"{item.name}  —  {item.kind.value}, {item.vault}, "
                                    f"{item.expires_on:%Y-%m-%d}")
            action.triggered.connect(lambda _=False, chosen=item: self._chosen(chosen))
        if len(items) > MENU_LIMIT:
            more = menu.addAction(f"… {len(items) - MENU_LIMIT} more: see the list")
            more.setEnabled(False)
        self.cluster_menu = menu
        menu.popup(where)  # type: ignore[arg-type]

    def _chosen(self, item: ExpiringItem) -> None:
        self.set_current(item)
        self.item_clicked.emit(item)

    # --- painting -----------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        self._layout()
        chart, inset = self._geometry()
        lanes = self.lanes()
        scene = TimelineScene(
            now=self._now, axis=ExpiryAxis(self._range), counts=self.counts(),
            lanes=[(label, len(items)) for label, items in lanes], chart=chart, inset=inset,
            lane_height=self._lane_height(chart, len(lanes)), mark=self._mark(),
            placed=self._placed, current=self._current, message=self._message, padding=_PAD)
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            paint_timeline(self, painter, scene)
        finally:
            painter.end()
