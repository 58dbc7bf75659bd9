"""The main toolbar: back / forward / up through the selection history, refresh, the address
bar, filter, the Actions menu and the selection's main actions (those its kind gave an icon);
below it, the breadcrumb of where the selection is."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar, QToolButton

from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.ui.window.navigation.breadcrumb import Breadcrumb
from vaultbrowser.core.ui.window.navigation.history import SelectionHistory


def with_shortcut(tip: str, action: QAction) -> str:
    """A tooltip that names the action's shortcut, so every shortcut is visible."""
    keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return f"{tip} ({keys})" if keys else tip


class WindowToolbar:
    """``window`` is the ``MainWindow`` (not imported: it imports this module). Needs the
    window's menus built first (it reuses their Refresh, Filter and Add connection actions)."""

    def __init__(self, window: Any) -> None:
        self._window = window
        self.history = SelectionHistory(window)
        self.breadcrumb = Breadcrumb()
        bar = self.bar = QToolBar("Navigation", window)
        bar.setObjectName("navigation")  # saveState needs a name
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

        self.back_action = self._action(Icon.BACK, "Back", QKeySequence.StandardKey.Back,
                                        self.history.back)
        self.forward_action = self._action(Icon.FORWARD, "Forward",
                                           QKeySequence.StandardKey.Forward, self.history.forward)
        self.up_action = self._action(Icon.UP, "Up to the row above", QKeySequence("Alt+Up"),
                                      self.history.up)
        for action in (self.back_action, self.forward_action, self.up_action):
            bar.addAction(action)
        for action, which in ((window.refresh_action, Icon.REFRESH),
                              (window.filter_action, Icon.SEARCH),
                              (window.add_connection_action, Icon.ADD_CONNECTION)):
            action.setIcon(icon(which))
            action.setToolTip(with_shortcut(action.text().replace("&", "").rstrip("…"), action))
        bar.addAction(window.refresh_action)
        bar.addWidget(window.address_bar)
        bar.addAction(window.filter_action)
        bar.addAction(window.add_connection_action)
        bar.addSeparator()
        self.actions_button = QToolButton(bar)
        self.actions_button.setText("Actions")
        self.actions_button.setToolTip("The selection's actions (also its context menu)")
        self.actions_button.setMenu(window.actions_menu)
        self.actions_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.actions_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(self.actions_button)
        self._selection_actions: list[QAction] = []

        self.history.changed.connect(self._update_navigation)
        window.tabs.currentChanged.connect(lambda _index: self.update())
        for pane in window.panes:
            pane.record_selected.connect(
                lambda _record, source, pane=pane: self._on_selected(pane, source))
            pane.view.selectionModel().selectionChanged.connect(lambda *_: self.update())
        self._update_navigation()

    def _action(self, which: Icon, tip: str, keys: Any, slot: Any) -> QAction:
        action = QAction(icon(which), tip, self._window)
        action.setShortcut(keys)
        action.setToolTip(with_shortcut(tip, action))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _on_selected(self, pane: Any, source: QModelIndex) -> None:
        self.history.record(pane, source)

    def _update_navigation(self) -> None:
        self.back_action.setEnabled(self.history.can_back())
        self.forward_action.setEnabled(self.history.can_forward())

    def update(self) -> None:
        """Follow the current tab's selection: breadcrumb, Up, the selection's actions."""
        window = self._window
        if window.tabs.count() == 0:
            return
        pane = window.current_pane()
        tab = window.tabs.currentIndex()
        self.breadcrumb.show_path(pane, window.tabs.tabText(tab), window.tabs.tabIcon(tab))
        source = pane.selected_source_index()
        self.up_action.setEnabled(source.isValid() and source.parent().isValid())
        for action in self._selection_actions:
            self.bar.removeAction(action)
        self._selection_actions = [action for action in pane.selection_actions()
                                   if action is not None and not action.icon().isNull()]
        for action in self._selection_actions:
            self.bar.addAction(action)
