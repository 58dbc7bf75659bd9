"""The typed error dialog, the reporter that shows one at a time, and the one ``sys.excepthook``.

A ``VaultBrowserError`` is shown as what happened, what to do, and a collapsed, copyable block of
diagnostics (status, error code, request id, time): never a traceback. Anything else reaching the
reporter is a bug: the dialog says so and its details block holds the traceback for the report.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import traceback
from collections import deque
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.errors import Cancelled, VaultBrowserError
from vaultbrowser.core.services.redaction import redact_text

log = logging.getLogger(__name__)

BUG_TITLE = "Unexpected error"
BUG_MESSAGE = "vaultbrowser ran into an unexpected error. This is a bug in vaultbrowser."
BUG_ADVICE = (
    "Copy the details below and include them in a bug report. The last action may not have "
    "completed: check its result, then carry on."
)


def is_silent(error: BaseException) -> bool:
    """Cancellation is never shown."""
    return isinstance(error, Cancelled | asyncio.CancelledError)


def error_signature(error: BaseException) -> tuple[object, ...]:
    """Two errors with equal signatures are the same problem (shown once, counted)."""
    if isinstance(error, VaultBrowserError):
        return (type(error), error.message, error.status, error.error_code, error.url)
    return (type(error), str(error))


def bug_details(error: BaseException) -> str:
    """Type, message and traceback of an unexpected exception."""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()


class ErrorDialog(QDialog):
    """Shows one error: title, what happened, what to do, collapsible copyable details."""

    def __init__(self, error: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.is_bug = not isinstance(error, VaultBrowserError)
        self._repeats = 1
        if isinstance(error, VaultBrowserError):
            title, message, advice = error.title, error.message, error.advice
            details = error.diagnostics_text()
            icon = QStyle.StandardPixmap.SP_MessageBoxWarning
        else:
            title, message, advice = BUG_TITLE, BUG_MESSAGE, BUG_ADVICE
            summary = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            message = f"{message}\n\n{summary}"
            details = bug_details(error)
            icon = QStyle.StandardPixmap.SP_MessageBoxCritical
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        # An exception's text may quote a URL with a SAS signature or a connection string.
        title, message, advice, details = map(redact_text, (title, message, advice, details))
        self._build(title, message, advice, details, icon)

    def _build(self, title: str, message: str, advice: str, details: str,
               icon: QStyle.StandardPixmap) -> None:
        icon_label = QLabel()
        icon_label.setPixmap(self.style().standardIcon(icon).pixmap(40, 40))
        icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.title_label = QLabel(f"<b>{_escape(title)}</b>")
        self.message_label = _wrapping_label(message)
        self.message_label.setObjectName("message")
        self.advice_label = _wrapping_label(f"What to do: {advice}" if advice else "")
        self.advice_label.setObjectName("advice")
        self.advice_label.setVisible(bool(advice))
        self.repeat_label = QLabel()
        self.repeat_label.setVisible(False)
        text = QVBoxLayout()
        for widget in (self.title_label, self.message_label, self.advice_label,
                       self.repeat_label):
            text.addWidget(widget)
        head = QHBoxLayout()
        head.addWidget(icon_label)
        head.addLayout(text, 1)

        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.details_button.setArrowType(Qt.ArrowType.RightArrow)
        self.details_button.toggled.connect(self.set_details_visible)
        self.details_edit = QPlainTextEdit(details)
        self.details_edit.setReadOnly(True)
        self.details_edit.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        if self.is_bug:  # a traceback reads best unwrapped; facts read best wrapped
            self.details_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_edit.setMinimumHeight(140)
        self.details_edit.setVisible(False)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.details_edit, 1)
        layout.addWidget(buttons)

    # --- what tests and the reporter read -------------------------------------------------------

    @property
    def message_text(self) -> str:
        return self.message_label.text()

    @property
    def advice_text(self) -> str:
        return self.advice_label.text()

    @property
    def details_text(self) -> str:
        return self.details_edit.toPlainText()

    @property
    def details_visible(self) -> bool:
        return not self.details_edit.isHidden()

    @property
    def repeats(self) -> int:
        return self._repeats

    def set_details_visible(self, visible: bool) -> None:
        self.details_button.blockSignals(True)
        self.details_button.setChecked(visible)
        self.details_button.blockSignals(False)
        self.details_button.setArrowType(
            Qt.ArrowType.DownArrow if visible else Qt.ArrowType.RightArrow)
        self.details_edit.setVisible(visible)
        self.adjustSize()

    def copy_details(self) -> str:
        """Put the title, message and details on the clipboard; returns the copied text."""
        text = f"{self.windowTitle()}\n{self.message_text}\n\n{self.details_text}"
        QGuiApplication.clipboard().setText(text)
        return text

    def add_repeat(self) -> None:
        """The same error happened again while this dialog was open."""
        self._repeats += 1
        self.repeat_label.setText(f"This happened {self._repeats} times.")
        self.repeat_label.setVisible(True)


class ErrorReporter(QObject):
    """Shows errors one dialog at a time: later ones wait in a queue, identical ones coalesce.

    ``Cancelled`` (and ``asyncio.CancelledError``) are silent. Dialogs never block: with
    ``modal=True`` they are window-modal via ``open()``, otherwise shown with ``show()``.
    """

    dialog_shown = Signal(object)  # the ErrorDialog just shown
    _incoming = Signal(object)  # reports from other threads hop to ours through this

    def __init__(self, parent_widget: QWidget | None = None, *, modal: bool = True,
                 max_queue: int = 20) -> None:
        super().__init__(parent_widget)
        self._parent_widget = parent_widget
        self._modal = modal
        self._max_queue = max_queue
        self._queue: deque[tuple[BaseException, int]] = deque()
        self._current: ErrorDialog | None = None
        self.dropped = 0  # errors not shown because the queue was full (they were logged)
        self._incoming.connect(self.report)

    @property
    def current_dialog(self) -> ErrorDialog | None:
        return self._current

    @property
    def pending(self) -> int:
        return len(self._queue)

    def report(self, error: BaseException) -> None:
        """Show ``error`` now, or after the dialog that is open; silent for cancellation."""
        if QThread.currentThread() is not self.thread():
            self._incoming.emit(error)
            return
        if is_silent(error):
            return
        signature = error_signature(error)
        if self._current is not None and error_signature(self._current.error) == signature:
            self._current.add_repeat()
            return
        for position, (queued, count) in enumerate(self._queue):
            if error_signature(queued) == signature:
                self._queue[position] = (queued, count + 1)
                return
        if self._current is not None:
            if len(self._queue) >= self._max_queue:
                self.dropped += 1
                log.warning("Error dialog queue full; not shown: %s", error)
                return
            self._queue.append((error, 1))
            return
        self._show(error, 1)

    def _show(self, error: BaseException, repeats: int) -> None:
        dialog = ErrorDialog(error, self._parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for _ in range(repeats - 1):
            dialog.add_repeat()
        dialog.finished.connect(self._on_finished)
        self._current = dialog
        if self._modal:
            dialog.open()
        else:
            dialog.show()
        self.dialog_shown.emit(dialog)

    def _on_finished(self, _result: int) -> None:
        self._current = None
        if self._queue:
            error, repeats = self._queue.popleft()
            self._show(error, repeats)

    def close_all(self) -> None:
        """Forget queued errors and close the open dialog (shutdown, tests)."""
        self._queue.clear()
        if self._current is not None:
            self._current.reject()


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install_excepthook(reporter: ErrorReporter) -> Callable[[], None]:
    """Route unhandled exceptions to ``reporter`` (and the log); returns the uninstaller.

    Exceptions are shown as they are: a ``VaultBrowserError`` as its typed dialog, anything
    else as a bug with its traceback. ``KeyboardInterrupt``/``SystemExit`` go to the previous
    hook. The uninstaller restores the previous hook if ours is still installed.
    """
    previous: ExceptHook = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException | None,
             tb: TracebackType | None) -> None:
        if exc is None:
            exc = exc_type()
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            previous(exc_type, exc, tb)
            return
        if exc.__traceback__ is None and tb is not None:
            exc = exc.with_traceback(tb)
        if is_silent(exc):
            log.debug("Cancelled: %s", exc)
        elif isinstance(exc, VaultBrowserError):
            log.error("%s\n%s", exc.title, exc.diagnostics_text())
        else:
            log.error("Unexpected error", exc_info=(exc_type, exc, tb))
        try:
            reporter.report(exc)
        except Exception:  # the hook must never raise: fall back to the previous one
            log.exception("The error reporter failed")
            previous(exc_type, exc, tb)

    sys.excepthook = hook

    def uninstall() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous

    return uninstall


def _wrapping_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
