"""Quick access: pinned vaults, containers and items (most opened first), and where the user
was when the window closed (restored at the next start).

A pin is an address (what the address bar opens) and a label, kept in the saved settings;
never a secret: an address with a query (a SAS) is refused. Opening a pin goes through the
address bar's path, reusing the saved connection with the same key (its sign-in method).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from vaultbrowser.core.services.errors import InvalidInput

PINS_KEY = "quick_access/pins"
LAST_KEY = "quick_access/last"
MAX_PINS = 50


@dataclass(frozen=True)
class Pin:
    address: str
    label: str
    opened: int = 0


def _checked_address(address: str) -> str:
    if "?" in address or "#" in address:
        raise InvalidInput("A pin never keeps a query or a signature: pin what the "
                           "connection opens without it.")
    return address


class QuickAccess(QObject):
    """The Quick access menu of a window. ``settings`` None: pins last for this run."""

    def __init__(self, menu: QMenu, settings: QSettings | None,
                 open_address: Callable[[str], Coroutine[Any, Any, None]],
                 run_task: Callable[[Coroutine[Any, Any, None]], Any],
                 selected_address: Callable[[], tuple[str, str] | None]) -> None:
        super().__init__(menu)
        self._menu = menu
        self._settings = settings
        self._open_address = open_address
        self._run_task = run_task
        self._selected_address = selected_address
        self._pins: list[Pin] = self._load()
        menu.aboutToShow.connect(self._fill)

    # --- pins -------------------------------------------------------------------------------

    def pins(self) -> list[Pin]:
        """Most opened first, then by label."""
        return sorted(self._pins, key=lambda pin: (-pin.opened, pin.label.lower()))

    def pin(self, address: str, label: str) -> None:
        """Pin ``address`` (again: keeps its count).

        Raises:
            InvalidInput: the address holds a query (a SAS), or too many pins.
        """
        address = _checked_address(address)
        if any(p.address == address for p in self._pins):
            return
        if len(self._pins) >= MAX_PINS:
            raise InvalidInput(f"Quick access holds {MAX_PINS} pins: unpin one first.")
        self._pins.append(Pin(address, label))
        self._save()

    def unpin(self, address: str) -> None:
        self._pins = [p for p in self._pins if p.address != address]
        self._save()

    def open_pin(self, address: str) -> None:
        self._pins = [Pin(p.address, p.label, p.opened + 1) if p.address == address else p
                      for p in self._pins]
        self._save()
        self._run_task(self._open_address(address))

    def pin_selected(self) -> None:
        found = self._selected_address()
        if found is None:
            raise InvalidInput("Select a vault, container or item to pin.")
        self.pin(*found)

    # --- where the user was -----------------------------------------------------------------

    def remember_last(self) -> None:
        """Keep the selection's address for the next start (nothing with a query)."""
        found = self._selected_address()
        if self._settings is None:
            return
        if found is None or "?" in found[0]:
            self._settings.remove(LAST_KEY)
        else:
            self._settings.setValue(LAST_KEY, found[0])
        self._settings.sync()

    def last(self) -> str | None:
        if self._settings is None:
            return None
        value = self._settings.value(LAST_KEY)
        return value if isinstance(value, str) and value and "?" not in value else None

    # --- the menu ---------------------------------------------------------------------------

    def _fill(self) -> None:
        menu = self._menu
        menu.clear()
        pin = QAction("&Pin the selection", menu)
        pin.triggered.connect(self.pin_selected)
        menu.addAction(pin)
        pins = self.pins()
        if pins:
            menu.addSeparator()
        for item in pins:
            action = QAction(item.label, menu)
            action.setToolTip(item.address)
            action.setStatusTip(item.address)
            action.triggered.connect(lambda _=False, a=item.address: self.open_pin(a))
            menu.addAction(action)
        if pins:
            menu.addSeparator()
            unpin = menu.addMenu("&Unpin")
            for item in pins:
                action = QAction(item.label, unpin)
                action.triggered.connect(lambda _=False, a=item.address: self.unpin(a))
                unpin.addAction(action)

    def _load(self) -> list[Pin]:
        if self._settings is None:
            return []
        try:  # JSON text: readable in the settings file, the same on every platform
            stored = json.loads(str(self._settings.value(PINS_KEY) or "[]"))
        except ValueError:
            stored = []
        pins: list[Pin] = []
        for entry in stored if isinstance(stored, list) else []:
            if not isinstance(entry, dict):
                continue
            address, label = entry.get("address"), entry.get("label")
            try:
                opened = int(entry.get("opened", 0))
            except (TypeError, ValueError):
                opened = 0
            if isinstance(address, str) and isinstance(label, str) and "?" not in address:
                pins.append(Pin(address, label, max(opened, 0)))
        return pins[:MAX_PINS]

    def _save(self) -> None:
        if self._settings is None:
            return
        self._settings.setValue(PINS_KEY, json.dumps([
            {"address": p.address, "label": p.label, "opened": p.opened} for p in self._pins]))
        self._settings.sync()
