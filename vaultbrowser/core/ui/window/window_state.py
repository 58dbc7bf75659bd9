"""What the window remembers and shows around its trees: its size and panels as the user left
them, and the start screen while no connection is open."""

from __future__ import annotations

from typing import Any


class WindowState:
    """``window`` is the ``MainWindow`` (this module does not import it)."""

    def __init__(self, window: Any) -> None:
        self._window = window

    def restore(self) -> None:
        """The window's size and its panels' sizes and places as the user left them."""
        window = self._window
        preferences = window.preferences
        if preferences is None:
            return
        geometry = preferences.value("window/geometry")
        state = preferences.value("window/state")
        if geometry is not None:
            window.restoreGeometry(geometry)
        if state is not None:
            window.restoreState(state)
        for pane in window.panes:
            columns = preferences.value(f"columns/{pane.title}")
            if columns is not None:
                pane.columns.restore(columns)

    def save(self) -> None:
        window = self._window
        if window.preferences is not None:
            window.preferences.setValue("window/geometry", window.saveGeometry())
            window.preferences.setValue("window/state", window.saveState())
            for pane in window.panes:
                window.preferences.setValue(f"columns/{pane.title}", pane.columns.state())

    def update(self) -> None:
        """The trees while a connection is open; the start screen (built when first needed)
        while none is."""
        window = self._window
        window.detail_pane.setVisible(bool(window.connections))  # nothing to describe yet
        if window.connections:
            window.trees.setCurrentWidget(window.tabs)
            return
        if window.trees.count() == 1:
            from vaultbrowser.core.ui.window.start_screen import StartScreen

            discovering = next((kind for kind in window.kinds if kind.discovers), None)
            window.trees.addWidget(StartScreen(
                sign_in=(lambda: window.connection_actions.add_dialog(discovering.name))
                if discovering is not None else None,
                open_address=window.address_bar.focus_and_select,
                add_connection=lambda: window.connection_actions.add_dialog(),
                try_demo=self._try_demo if window.start_demo is not None else None))
        window.trees.setCurrentIndex(1)

    def _try_demo(self) -> None:
        if self._window.start_demo is not None:
            self._window.start_demo()
