"""The main window's menus: File (connections, audit exports, quit), View (refresh, filter,
load all, activity), Actions (the selection's actions, for the keyboard), Tools (the kinds'
tools across connections) and Help."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from vaultbrowser import __version__


def build_menus(window: Any) -> QMenu:
    """Add the menus to ``window`` (the ``MainWindow``: this module does not import it, or
    the two would import each other); returns the Actions menu (filled when it opens)."""
    file_menu = window.menuBar().addMenu("&File")
    add = QAction("&Add connection…", window)
    add.setShortcut(QKeySequence("Ctrl+N"))
    add.triggered.connect(lambda: window.connection_actions.add_dialog())
    file_menu.addAction(add)
    window.add_connection_action = add
    edit = QAction("&Edit connection…", window)
    edit.setToolTip("Change the selected connection (its URL, sign-in, name, read-only)")
    edit.triggered.connect(window.connection_actions.edit_selected)
    file_menu.addAction(edit)
    remove = QAction("&Remove connection", window)
    remove.triggered.connect(window.connection_actions.remove_selected)
    file_menu.addAction(remove)
    file_menu.addSeparator()
    report = QAction("Export audit &report…", window)
    report.triggered.connect(window.audit.export_report_dialog)
    file_menu.addAction(report)
    trail = QAction("Export audit &trail…", window)
    trail.triggered.connect(window.audit.export_trail_dialog)
    file_menu.addAction(trail)
    file_menu.addSeparator()
    quit_action = QAction("&Quit", window)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)
    file_menu.addAction(quit_action)

    view_menu = window.menuBar().addMenu("&View")
    refresh = QAction("&Refresh", window)
    refresh.setShortcut(QKeySequence(Qt.Key.Key_F5))
    refresh.triggered.connect(lambda: window.current_pane().refresh_selected())
    view_menu.addAction(refresh)
    window.refresh_action = refresh
    find = QAction("&Filter…", window)
    find.setShortcut(QKeySequence.StandardKey.Find)
    find.triggered.connect(lambda: window.current_pane().focus_filter())
    view_menu.addAction(find)
    window.filter_action = find
    load_all = QAction("Load &all", window)
    load_all.setShortcut(QKeySequence("Ctrl+Shift+L"))
    load_all.triggered.connect(lambda: window.current_pane().load_all_selected())
    view_menu.addAction(load_all)
    view_menu.addAction(window.activity_dock.toggleViewAction())

    # The selection's write actions (the same as its context menu), for the keyboard.
    actions_menu = window.menuBar().addMenu("&Actions")
    actions_menu.setToolTipsVisible(True)  # a disabled write action says why
    actions_menu.aboutToShow.connect(window.fill_actions_menu)

    # Tools that work across a kind's connections (search all vaults, compare…): each view
    # offers its own as ``tool_actions``.
    tools = [action for view in window.kind_views() for action in getattr(
        view, "tool_actions", ())]
    if tools:
        tools_menu = window.menuBar().addMenu("&Tools")
        tools_menu.setToolTipsVisible(True)
        for action in tools:
            tools_menu.addAction(action)

    window.quick_access_menu = window.menuBar().addMenu("&Quick access")
    window.quick_access_menu.setToolTipsVisible(True)

    help_menu = window.menuBar().addMenu("&Help")
    about = QAction("&About vaultbrowser", window)
    about.triggered.connect(lambda: QMessageBox.about(
        window, "About vaultbrowser",
        f"vaultbrowser {__version__}\nA browser for Azure Key Vault, Blob Storage and what "
        "your Azure sign-in reaches."))
    help_menu.addAction(about)
    return actions_menu
