"""A revealed value hides when the user is away for long; a copied value leaves the clipboard."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMainWindow

from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.ui.detail_pane import MASK, DetailPane
from vaultbrowser.core.ui.secret_clipboard import PASSWORD_HINT_MIME

VALUE = "RevealClipboard-value-31337"


@pytest.fixture
def pane(qtbot: Any) -> DetailPane:
    window = QMainWindow()
    pane = DetailPane(1, hide_after_inactive_seconds=0.3)
    window.setCentralWidget(pane)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    QGuiApplication.clipboard().clear()
    return pane


def reveal(pane: DetailPane) -> None:
    pane.show_value(SecretValue(VALUE), None)
    assert pane.value_shown and pane.value_field.text() == VALUE


def send(pane: DetailPane, kind: QEvent.Type) -> None:
    QApplication.sendEvent(pane.window(), QEvent(kind))


def test_hidden_after_the_window_is_inactive_for_long(pane: DetailPane, qtbot: Any) -> None:
    reveal(pane)
    send(pane, QEvent.Type.WindowDeactivate)
    qtbot.wait(100)
    assert pane.value_shown  # a short look elsewhere keeps it
    qtbot.waitUntil(lambda: not pane.value_shown, timeout=2000)
    assert pane.value_field.text() == MASK and not pane.copy_button.isEnabled()


def test_coming_back_in_time_keeps_the_value(pane: DetailPane, qtbot: Any) -> None:
    reveal(pane)
    send(pane, QEvent.Type.WindowDeactivate)
    qtbot.wait(150)
    send(pane, QEvent.Type.WindowActivate)
    qtbot.wait(400)
    assert pane.value_shown and pane.value_field.text() == VALUE


def test_application_going_inactive_hides_too(pane: DetailPane, qtbot: Any) -> None:
    reveal(pane)
    app = QGuiApplication.instance()
    app.applicationStateChanged.emit(Qt.ApplicationState.ApplicationInactive)
    qtbot.waitUntil(lambda: not pane.value_shown, timeout=2000)
    app.applicationStateChanged.emit(Qt.ApplicationState.ApplicationActive)


def test_copy_marks_the_entry_as_a_password_and_clears_it(pane: DetailPane,
                                                          qtbot: Any) -> None:
    reveal(pane)
    pane.copy_value()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == VALUE
    assert bytes(clipboard.mimeData().data(PASSWORD_HINT_MIME)) == b"secret"
    # Only a hash of the value waits for the clearing, not the value.
    digests = pane.clipboard.pending_digests
    assert len(digests) == 1 and all(VALUE.encode() not in digest for digest in digests)
    qtbot.waitUntil(lambda: clipboard.text() == "", timeout=3000)


def test_a_later_copy_by_the_user_is_left_alone(pane: DetailPane, qtbot: Any) -> None:
    reveal(pane)
    pane.copy_value()
    QGuiApplication.clipboard().setText("something the user copied")
    qtbot.wait(1300)
    assert QGuiApplication.clipboard().text() == "something the user copied"


def test_quitting_clears_the_clipboard_at_once(pane: DetailPane) -> None:
    reveal(pane)
    pane.copy_value()
    pane.hide_value()  # hiding does not take back what the user copied to paste…
    assert QGuiApplication.clipboard().text() == VALUE
    QGuiApplication.instance().aboutToQuit.emit()  # …quitting does
    assert QGuiApplication.clipboard().text() == ""


def test_hiding_clears_the_primary_selection_holding_the_value(pane: DetailPane) -> None:
    from PySide6.QtGui import QClipboard

    clipboard = QGuiApplication.clipboard()
    if not clipboard.supportsSelection():
        pytest.skip("this platform has no primary selection (X11 has)")
    reveal(pane)
    clipboard.setText(VALUE, QClipboard.Mode.Selection)  # as selecting the field does
    pane.hide_value()
    assert clipboard.text(QClipboard.Mode.Selection) == ""
