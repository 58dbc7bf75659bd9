"""The start screen: what the window shows while no connection is open — sign in to Azure, open
an address, add a connection, try the demo — instead of an empty tree."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

TITLE = "Nothing is open yet"
TEXT = ("Sign in to see every vault and storage account your account reaches, paste any Azure "
        "address, add one connection by hand, or look around in the demo (local emulators, "
        "no Azure account needed).")


class StartScreen(QWidget):
    """Buttons for the ways in; ``try_demo`` None leaves the demo out."""

    def __init__(self, *, sign_in: Callable[[], None] | None, open_address: Callable[[], None],
                 add_connection: Callable[[], None],
                 try_demo: Callable[[], None] | None) -> None:
        super().__init__()
        self.setAccessibleName("Start")
        title = QLabel(TITLE)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(TEXT)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        # A wrapped label in an aligned layout keeps a one-line height: give it the width and
        # the height its wrapped text needs.
        text.setFixedWidth(480)
        text.setFixedHeight(text.heightForWidth(480))
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        self.buttons: dict[str, QPushButton] = {}
        for key, label, slot in (
                ("sign_in", "Sign in to Azure…", sign_in),
                ("open_address", "Open an Azure address…  (Ctrl+L)", open_address),
                ("add_connection", "Add a connection…  (Ctrl+N)", add_connection),
                ("try_demo", "Try the demo", try_demo)):
            if slot is None:
                continue
            button = QPushButton(label)
            button.setMinimumWidth(320)
            button.clicked.connect(slot)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
            self.buttons[key] = button
        layout.addStretch(2)
