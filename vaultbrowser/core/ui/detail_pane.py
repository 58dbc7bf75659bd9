"""``DetailPane``: the selection's properties, its secret value on demand, and the HTTP response.

It renders ``Details`` it is given. Revealing a value asks the window (``reveal_requested``);
the value is shown until the selection changes, or until the application has been inactive
(another window focused) for ``hide_after_inactive_seconds``. Copying it marks the clipboard
entry as a password for clipboard managers and clears the clipboard after
``clipboard_clear_seconds`` (and when the application quits) if the clipboard still holds it.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QClipboard, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models.details import Details
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.records import ResponseInfo, SecretValue
from vaultbrowser.core.ui.secret_clipboard import SecretClipboard

MASK = "•" * 12


class DetailPane(QWidget):
    reveal_requested = Signal(object)  # the record whose value the user wants to see
    value_copied = Signal()
    value_hidden = Signal()  # a revealed value was forgotten: viewers drop their copies
    details_changed = Signal(object)  # the Details now shown (a kind's value viewer listens)

    def __init__(self, clipboard_clear_seconds: int = 30, parent: QWidget | None = None, *,
                 hide_after_inactive_seconds: float = 60.0) -> None:
        super().__init__(parent)
        self._details: Details | None = None
        self._value: SecretValue | None = None
        self.clipboard = SecretClipboard(clipboard_clear_seconds, self)
        # The value is hidden once the application has been inactive this long.
        self._inactive_timer = QTimer(self)
        self._inactive_timer.setSingleShot(True)
        self._inactive_timer.setInterval(int(hide_after_inactive_seconds * 1000))
        self._inactive_timer.timeout.connect(self.hide_value)
        app = QGuiApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._on_application_state)
        self._watched_window: QObject | None = None

        self.title = QLabel("Nothing selected")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle = QLabel("Select an item to see its properties and the HTTP response.")
        self.subtitle.setWordWrap(True)
        self.subtitle.setStyleSheet("color: palette(mid);")

        # Secret value row: masked until Reveal.
        self.value_row = QWidget()
        value_layout = QHBoxLayout(self.value_row)
        value_layout.setContentsMargins(0, 0, 0, 0)
        value_layout.addWidget(QLabel("Value:"))
        self.value_field = QLineEdit(MASK)
        self.value_field.setReadOnly(True)
        value_layout.addWidget(self.value_field, 1)
        self.reveal_button = QPushButton("Reveal")
        self.reveal_button.setToolTip("Fetch this version's value from the vault (a GET)")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setEnabled(False)
        value_layout.addWidget(self.reveal_button)
        value_layout.addWidget(self.copy_button)
        self.value_row.hide()
        self.reveal_button.clicked.connect(self._on_reveal)
        self.copy_button.clicked.connect(self.copy_value)

        self.properties = QTreeWidget()
        self.properties.setColumnCount(2)
        self.properties.setHeaderLabels(["Property", "Value"])
        self.properties.setRootIsDecorated(False)
        self.properties.setWordWrap(True)
        self.properties.setAlternatingRowColors(True)
        self.properties.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.properties.header().setStretchLastSection(True)

        self.status_line = QLabel("")
        self.status_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status_line.setWordWrap(True)
        self.headers = QTreeWidget()
        self.headers.setColumnCount(2)
        self.headers.setHeaderLabels(["Response header", "Value"])
        self.headers.setRootIsDecorated(False)
        self.headers.setAlternatingRowColors(True)
        self.headers.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.headers.setFont(mono)

        # Properties first; the call that produced them below, its status line always in
        # view and its headers folded away until asked for (the choice lasts the session).
        self.http_toggle = QToolButton()
        self.http_toggle.setText("HTTP response headers")
        self.http_toggle.setCheckable(True)
        self.http_toggle.setChecked(False)
        self.http_toggle.setAutoRaise(True)
        self.http_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.http_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.http_toggle.setAccessibleName("Show the HTTP response headers")
        self.http_toggle.toggled.connect(self._show_headers)
        self.headers.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.value_row)
        layout.addWidget(self.properties, 3)
        http_title = QLabel("Service call")  # HTTP, or a Redis command
        http_title.setStyleSheet("font-weight: bold;")
        layout.addWidget(http_title)
        layout.addWidget(self.status_line)
        layout.addWidget(self.http_toggle)
        layout.addWidget(self.headers, 2)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def _show_headers(self, shown: bool) -> None:
        self.http_toggle.setArrowType(Qt.ArrowType.DownArrow if shown
                                      else Qt.ArrowType.RightArrow)
        self.headers.setVisible(shown)

    def _headers_available(self, count: int) -> None:
        self.http_toggle.setText(f"HTTP response headers ({count})")
        self.http_toggle.setVisible(count > 0)
        self.headers.setVisible(count > 0 and self.http_toggle.isChecked())

    # --- showing ----------------------------------------------------------------------

    @property
    def details(self) -> Details | None:
        return self._details

    def show_loading(self, title: str) -> None:
        """A new selection's call is on its way: nothing of the previous item stays."""
        self.hide_value()
        self._details = None
        self.title.setText(title)
        self.subtitle.setText("Loading properties…")
        self.properties.clear()
        self.value_row.hide()
        self.headers.clear()
        self._headers_available(0)
        self.status_line.setText("Waiting for the response…")

    def show_failure(self, title: str, error: VaultBrowserError) -> None:
        """The selection's call failed: what happened, and that call's status and request id
        (never the previous item's response)."""
        self.show_message(title, f"⚠ {error.title}: {error.message}")
        self.headers.clear()
        self._headers_available(0)
        status = " ".join(str(part) for part in (error.status, error.error_code) if part)
        call = f" · {error.method} {_escape(error.url)}" if error.method and error.url else ""
        self.status_line.setText(
            f"<b>{_escape(status or 'No response')}</b>{call}<br>request id "
            f"<code>{_escape(error.request_id or '—')}</code>")

    def show_message(self, title: str, message: str) -> None:
        self.hide_value()
        self._details = None
        self.title.setText(title)
        self.subtitle.setText(message)
        self.properties.clear()
        self.value_row.hide()

    def show_details(self, details: Details) -> None:
        self.hide_value()
        self._details = details
        self.title.setText(details.title)
        self.subtitle.setText(details.subtitle + (f" — {details.note}" if details.note else ""))
        self.properties.clear()
        for section in details.sections:
            head = QTreeWidgetItem([section.title, ""])
            font = head.font(0)
            font.setBold(True)
            head.setFont(0, font)
            head.setFirstColumnSpanned(True)
            self.properties.addTopLevelItem(head)
            for label, value in section.rows:
                item = QTreeWidgetItem([label, value])
                item.setToolTip(1, value)
                self.properties.addTopLevelItem(item)
        self.value_row.setVisible(details.secret_value_available)
        self.show_response(details.response)
        self.details_changed.emit(details)

    def show_response(self, response: ResponseInfo | None) -> None:
        self.headers.clear()
        if response is None:
            self.status_line.setText("No request was needed for this item.")
            self._headers_available(0)
            return
        self.status_line.setText(
            f"<b>{response.status_line}</b> · {response.method} {_escape(response.url)}"
            f"<br>{response.elapsed * 1000:.0f} ms · request id "
            f"<code>{_escape(response.request_id or '—')}</code>"
        )
        for name, value in response.headers:
            item = QTreeWidgetItem([name, value])
            item.setToolTip(1, value)
            self.headers.addTopLevelItem(item)
        self._headers_available(len(response.headers))

    # --- secret value ---------------------------------------------------------------------

    def _on_reveal(self) -> None:
        if self._value is not None:
            self.hide_value()
        elif self._details is not None:
            self.reveal_button.setEnabled(False)
            self.value_field.setText("Fetching…")
            self.reveal_requested.emit(self._details.record)

    def show_value(self, value: SecretValue, response: ResponseInfo | None) -> None:
        self._value = value
        self.value_field.setText(value.reveal())
        self.value_field.setCursorPosition(0)
        self.reveal_button.setText("Hide")
        self.reveal_button.setEnabled(True)
        self.copy_button.setEnabled(True)
        if response is not None:
            self.show_response(response)

    def value_failed(self) -> None:
        self.value_field.setText(MASK)
        self.reveal_button.setEnabled(True)

    def hide_value(self) -> None:
        """Forget a revealed value (selection changed, Hide pressed, window closing, inactive
        for long)."""
        self._inactive_timer.stop()
        if self._value is not None:
            # X11's primary selection: selecting the shown value put it there.
            clipboard = QGuiApplication.clipboard()
            if (clipboard.supportsSelection()
                    and clipboard.text(QClipboard.Mode.Selection) == self._value.reveal()):
                clipboard.clear(QClipboard.Mode.Selection)
        self._value = None
        self.value_field.setText(MASK)
        self.copy_button.setEnabled(False)
        self.reveal_button.setText("Reveal")
        self.reveal_button.setEnabled(True)
        self.value_hidden.emit()

    def add_value_viewer(self, viewer: QWidget, stretch: int = 2) -> None:
        """Put a kind's value viewer under the value row (it shows and hides itself)."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.value_row) + 1, viewer, stretch)

    @property
    def value_shown(self) -> bool:
        return self._value is not None

    def copy_value(self) -> None:
        if self._value is None:
            return
        self.clipboard.copy(self._value.reveal())
        self.value_copied.emit()

    def clear_clipboard(self) -> None:
        """Clear the clipboard now if it still holds a value copied from this pane."""
        self.clipboard.clear_now()

    # --- hiding when the user is elsewhere -----------------------------------------------

    def _on_application_state(self, state: Qt.ApplicationState) -> None:
        self.set_window_active(state == Qt.ApplicationState.ApplicationActive)

    def set_window_active(self, active: bool) -> None:
        """The window gained or lost focus: a revealed value hides after a while away."""
        if active:
            self._inactive_timer.stop()
        elif self._value is not None:
            self._inactive_timer.start()

    def showEvent(self, event: QEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self._watched_window:
            if self._watched_window is not None:
                self._watched_window.removeEventFilter(self)
            window.installEventFilter(self)
            self._watched_window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched_window:
            if event.type() == QEvent.Type.WindowDeactivate:
                self.set_window_active(False)
            elif event.type() == QEvent.Type.WindowActivate:
                self.set_window_active(True)
        return super().eventFilter(watched, event)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
