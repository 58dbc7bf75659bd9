"""Tools ▸ Expiry timeline…: what expires in the next 30 / 90 / 365 days across vaults.

The window reads the ticked vaults (``services/across/expiry.py``: streamed, cancellable; a
vault that fails is said in the status line and the others go on), then shows the picture
(``ExpiryTimeline``) and, next to it, the same items as a list for the keyboard. Clicking a
mark, or Enter on a row, opens the item in its vault's Secrets, Certificates or Keys tab.
Switching the range or the lanes needs no new request: one read covers 365 days.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.audit.expiry_axis import DEFAULT_RANGE, RANGES
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.models.tones import Tone, tone_style
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.kinds import Address
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.services.across.expiry import ExpiringItem, VaultAnswer, expiring_items
from vaultbrowser.keyvault.services.connections import KEY_VAULT
from vaultbrowser.keyvault.ui.across.expiry_list import ExpiryList, ExpiryRow
from vaultbrowser.keyvault.ui.across.expiry_timeline import (
    BY_KIND,
    BY_VAULT,
    ExpiryTimeline,
)
from vaultbrowser.keyvault.ui.across.vault_picker import VaultPicker
from vaultbrowser.keyvault.ui.across.vaults import AllVaults, VaultChoice

# The tab (and address path) each kind opens in.
COLLECTION = {ItemKind.SECRET: "secrets", ItemKind.CERTIFICATE: "certificates",
              ItemKind.KEY: "keys"}
OpenAddress = Callable[[Address], Coroutine[Any, Any, None]]


class ExpiryTimelineWindow(QDialog):
    def __init__(self, window: WindowContext, vaults: AllVaults, open_address: OpenAddress,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Expiry timeline")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint)
        self._window = window
        self._vaults = vaults
        self._open_address = open_address
        self._choices: list[VaultChoice] = []
        self._items: list[ExpiringItem] = []
        self._errors: list[str] = []
        self._answered: set[str] = set()
        self._reading: list[str] = []
        self._now = datetime.now(UTC)
        self.task: asyncio.Task[Any] | None = None

        self.range_buttons = QButtonGroup(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Range:"))
        for days, text in zip(RANGES, ("&30 days", "&90 days", "36&5 days"), strict=True):
            button = QRadioButton(text)
            button.setToolTip(f"What expired, and what expires within {days} days")
            self.range_buttons.addButton(button, days)
            top.addWidget(button)
        self.range_buttons.button(DEFAULT_RANGE).setChecked(True)
        self.range_buttons.idToggled.connect(self._range_toggled)
        top.addSpacing(16)
        lanes_label = QLabel("&Lanes:")
        self.lanes_combo = QComboBox()
        self.lanes_combo.addItem("By vault", BY_VAULT)
        self.lanes_combo.addItem("By kind", BY_KIND)
        lanes_label.setBuddy(self.lanes_combo)
        self.lanes_combo.currentIndexChanged.connect(self._lanes_changed)
        top.addWidget(lanes_label)
        top.addWidget(self.lanes_combo)
        top.addSpacing(16)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        top.addWidget(self.status, 1)
        self.reload_button = QPushButton("&Reload")
        self.reload_button.setToolTip("Read the ticked vaults again")
        self.reload_button.clicked.connect(self.reload)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop reading (what arrived stays shown)")
        self.cancel_button.clicked.connect(self.cancel)
        top.addWidget(self.reload_button)
        top.addWidget(self.cancel_button)

        self.vault_column = QVBoxLayout()
        vaults_label = QLabel("Vaults (tick to include):")
        self.vault_column.addWidget(vaults_label)
        self.picker = VaultPicker([])
        self.vault_column.addWidget(self.picker)
        notes = QLabel("Certificate-backed keys and secrets follow their certificate: only the "
                       "certificate is shown.\n\nHollow marks are disabled items; a number "
                       "stands for marks too close to tell apart (click it to choose).\n\n"
                       "Enter on a row, or a click on a mark, opens the item in its vault's "
                       "tab.")
        notes.setWordWrap(True)
        notes.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # follows the scheme
        self.vault_column.addWidget(notes)
        self.vault_column.addStretch(1)
        self._picker_timer = QTimer(self)
        self._picker_timer.setSingleShot(True)
        self._picker_timer.setInterval(400)
        self._picker_timer.timeout.connect(self.reload)

        self.timeline = ExpiryTimeline()
        self.timeline.item_clicked.connect(self._mark_clicked)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.timeline)
        self.list = ExpiryList()
        self.list.itemActivated.connect(lambda row, _c: self.open_item(row.item))
        self.list.currentItemChanged.connect(self._row_changed)
        open_action = QAction("Open in its vault's tab", self.list)
        open_action.triggered.connect(self._open_current)
        self.list.addAction(open_action)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.scroll = scroll
        self._lane_count = -1
        right = QSplitter(Qt.Orientation.Vertical)
        self.right_split = right
        right.addWidget(scroll)
        right.addWidget(self.list)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        left = QWidget()
        left.setLayout(self.vault_column)
        self.vault_column.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 900])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)
        # Enter belongs to the list (it opens the row's item): no button is the default one
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)
        self.resize(1180, 760)
        self._refresh()

    # --- vaults and reading -----------------------------------------------------------------

    def set_choices(self, choices: list[VaultChoice]) -> None:
        """A new picker over ``choices`` (ticks kept for vaults already listed)."""
        ticked = ({c.url.lower() for c in self.picker.ticked()} if self._choices else None)
        self._choices = list(choices)
        picker = VaultPicker(self._choices)
        if ticked is not None:
            picker.set_ticked([c.url for c in self._choices if c.url.lower() in ticked])
        self.vault_column.replaceWidget(self.picker, picker)
        self.picker.deleteLater()
        self.picker = picker
        picker.itemChanged.connect(lambda _item: self._picker_timer.start())

    def reload(self) -> asyncio.Task[Any] | None:
        """Read the ticked vaults again (the read in flight is cancelled first)."""
        self._picker_timer.stop()
        self.cancel()
        chosen = self.picker.ticked()
        self._items, self._errors, self._answered = [], [], set()
        self._reading = [choice.label for choice in chosen]
        self._now = datetime.now(UTC)
        if not chosen:
            self._refresh()
            return None
        self.task = self._window.run_task(self._read(chosen))
        self._refresh()
        return self.task

    def cancel(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
        self.task = None
        self._refresh()

    async def _read(self, chosen: list[VaultChoice]) -> None:
        until = self._now + timedelta(days=max(RANGES))
        try:
            async with self._vaults.opened(chosen) as vaults:
                async for answer in expiring_items(vaults, now=self._now, until=until):
                    self._take(answer)
        finally:
            if self.task is asyncio.current_task():
                self.task = None
                self._refresh()

    def _take(self, answer: VaultAnswer) -> None:
        self._items.extend(answer.items)
        if answer.error is not None:
            what = f"{answer.failed.value}s" if answer.failed else "the vault"
            self._errors.append(f"{answer.vault} ({what}): {_one_line(answer.error)}")
        if answer.finished:
            self._answered.add(answer.vault)
        self._refresh()

    # --- showing ------------------------------------------------------------------------------

    def _range_toggled(self, days: int, checked: bool) -> None:
        if checked:
            self.timeline.set_range(days)
            self._fill_list()
            self._show_status()

    def _lanes_changed(self, _index: int) -> None:
        self.timeline.set_lanes(self.lanes_combo.currentData())
        self._fit_picture()

    def _refresh(self) -> None:
        reading = self.task is not None
        self.cancel_button.setEnabled(reading)
        self.timeline.set_items(self._items, self._now, self._reading)
        self.timeline.set_message(
            "Tick one or more vaults to see what expires in them." if not self._reading
            else "Reading the vaults…" if reading
            else f"Nothing expired or expires within {self.timeline.range_days} days in the "
                 "ticked vaults.")
        self._fill_list()
        self._show_status()
        self._fit_picture()

    def _fit_picture(self) -> None:
        """The picture as tall as its lanes want (at most 60%), the list the rest; again only
        when the number of lanes changes, so a height the user set stays."""
        lanes = len(self.timeline.lanes())
        if lanes == self._lane_count:
            return
        self._lane_count = lanes
        total = sum(self.right_split.sizes()) or self.height()
        picture = min(self.timeline.sizeHint().height() + 4, int(total * 0.6))
        self.right_split.setSizes([picture, max(1, total - picture)])

    def _show_status(self) -> None:
        shown = len(self.timeline.shown_items())
        if self.task is not None:
            text = (f"Reading {len(self._reading)} vault{'s' * (len(self._reading) != 1)}… "
                    f"{len(self._answered)} answered · {shown} items so far")
        elif self._reading:
            text = (f"{shown} item{'s' * (shown != 1)} within {self.timeline.range_days} days "
                    f"in {len(self._reading)} vault{'s' * (len(self._reading) != 1)}")
            if len(self._answered) < len(self._reading):
                text += " (reading was stopped: what arrived is shown)"
        else:
            text = "No vault ticked."
        if self._errors:
            text += f" · {len(self._errors)} listing{'s' * (len(self._errors) != 1)} failed: "
            text += "; ".join(self._errors[:2]) + (" …" if len(self._errors) > 2 else "")
        self.status.setText(text)
        self.status.setToolTip("\n".join(self._errors))
        self.status.setStyleSheet(tone_style(Tone.WARNING) if self._errors else "")

    def _fill_list(self) -> None:
        self.list.show_items(self.timeline.shown_items(), self._now)

    def _row_changed(self, row: QTreeWidgetItem | None, _previous: object) -> None:
        self.timeline.set_current(row.item if isinstance(row, ExpiryRow) else None)

    def _mark_clicked(self, item: ExpiringItem) -> None:
        row = self.list.row_of(item)
        if row is not None:
            self.list.setCurrentItem(row)
            self.list.scrollToItem(row)
        self.open_item(item)

    def _open_current(self) -> None:
        row = self.list.currentItem()
        if isinstance(row, ExpiryRow):
            self.open_item(row.item)

    # --- opening --------------------------------------------------------------------------

    def address_of(self, item: ExpiringItem) -> Address | None:
        """The item's address, opened through its vault's connection (a discovered vault is
        opened in the tabs by it)."""
        url = item.vault_url.rstrip("/").lower()
        choice = next((c for c in self._choices if c.url.lower() == url), None)
        if choice is None:
            return None
        return Address(KEY_VAULT, choice.connection, (COLLECTION[item.kind], item.name))

    def open_item(self, item: ExpiringItem) -> asyncio.Task[Any] | None:
        address = self.address_of(item)
        if address is None:
            return None
        return self._window.run_task(self._open_address(address))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:  # the rows' tones follow the scheme
            self._fill_list()
            self.status.setStyleSheet(tone_style(Tone.WARNING) if self._errors else "")
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:
        self.cancel()
        super().closeEvent(event)

    def reject(self) -> None:
        self.cancel()
        super().reject()


def _one_line(error: VaultBrowserError) -> str:
    return f"{error.title}: {error.message}".splitlines()[0][:160]
