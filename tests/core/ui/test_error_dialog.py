"""The typed error dialog, the one-at-a-time reporter and the excepthook (offscreen)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from vaultbrowser.core.services.errors import AccessDenied, Cancelled, NotFound, Throttled
from vaultbrowser.core.ui.error_dialog import (
    BUG_TITLE,
    ErrorDialog,
    ErrorReporter,
    install_excepthook,
)

SHOTS = Path("/tmp/vb-shots")


def shoot(widget: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture
def reporter(qtbot: Any) -> Iterator[ErrorReporter]:
    instance = ErrorReporter(modal=False)
    yield instance
    instance.close_all()


def access_denied() -> AccessDenied:
    return AccessDenied(
        "The user, group or application does not have secrets list permission.",
        advice="Ask for \"Key Vault Reader\" on the vault.",
        status=403, error_code="ForbiddenByRbac", request_id="req-403-abc",
        method="GET", url="https://demo.vault.azure.net/secrets?api-version=7.5",
    )


def test_not_found_dialog_shows_what_happened_and_default_advice(qtbot: Any) -> None:
    error = NotFound("Secret 'db-password' was not found.", status=404,
                     error_code="SecretNotFound", request_id="req-404")
    dialog = ErrorDialog(error)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Not found"
    assert dialog.message_text == "Secret 'db-password' was not found."
    assert NotFound.default_advice in dialog.advice_text
    assert not dialog.is_bug


def test_access_denied_advice_and_collapsed_copyable_details(qtbot: Any) -> None:
    dialog = ErrorDialog(access_denied())
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Access denied"
    assert "Key Vault Reader" in dialog.advice_text
    assert not dialog.details_visible  # collapsed by default
    for fact in ("status: 403", "error code: ForbiddenByRbac", "request id: req-403-abc",
                 "time (UTC):", "GET https://demo.vault.azure.net/secrets"):
        assert fact in dialog.details_text
    assert "Traceback" not in dialog.details_text
    assert dialog.details_edit.isReadOnly()
    dialog.details_button.click()
    assert dialog.details_visible
    shoot(dialog, "error_dialog_access_denied")
    dialog.copy_button.click()
    copied = QGuiApplication.clipboard().text()
    assert "request id: req-403-abc" in copied and "Access denied" in copied


def test_throttled_dialog_carries_retry_after(qtbot: Any) -> None:
    dialog = ErrorDialog(Throttled("Too many requests.", status=429, retry_after=12.0))
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Too many requests"
    assert "retry after (s): 12.0" in dialog.details_text
    assert "Wait a moment" in dialog.advice_text


def test_typed_error_with_a_cause_never_shows_a_traceback(qtbot: Any) -> None:
    try:
        try:
            raise RuntimeError("sdk internals")
        except RuntimeError as exc:
            raise NotFound("Gone.") from exc
    except NotFound as error:
        dialog = ErrorDialog(error)
    qtbot.addWidget(dialog)
    assert "Traceback" not in dialog.details_text
    assert "sdk internals" not in dialog.details_text


def test_reporter_shows_one_dialog_at_a_time_and_coalesces(reporter: ErrorReporter,
                                                           qtbot: Any) -> None:
    shown: list[ErrorDialog] = []
    reporter.dialog_shown.connect(shown.append)
    first = NotFound("One is missing.", status=404)
    for _ in range(5):
        reporter.report(NotFound("One is missing.", status=404))
    reporter.report(access_denied())
    reporter.report(access_denied())
    reporter.report(Cancelled("stopped"))
    assert len(shown) == 1
    assert shown[0].message_text == first.message
    assert shown[0].repeats == 5
    assert reporter.pending == 1  # the two AccessDenied coalesced, Cancelled silent

    shown[0].close_button.click()
    assert len(shown) == 2
    assert shown[1].windowTitle() == "Access denied"
    assert shown[1].repeats == 2
    shown[1].reject()
    assert reporter.current_dialog is None and reporter.pending == 0


def test_cancelled_is_silent(reporter: ErrorReporter) -> None:
    reporter.report(Cancelled("refresh"))
    assert reporter.current_dialog is None


def test_excepthook_shows_a_plain_exception_as_a_bug(reporter: ErrorReporter, qtbot: Any,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    before = sys.excepthook
    uninstall = install_excepthook(reporter)
    try:
        try:
            {}["missing"]  # the bug under test
        except KeyError:
            sys.excepthook(*sys.exc_info())
    finally:
        uninstall()
    assert sys.excepthook is before
    dialog = reporter.current_dialog
    assert dialog is not None and dialog.is_bug
    assert dialog.windowTitle() == BUG_TITLE
    assert "bug" in dialog.message_text and "KeyError: 'missing'" in dialog.message_text
    assert "Traceback (most recent call last)" in dialog.details_text
    assert "test_excepthook_shows_a_plain_exception_as_a_bug" in dialog.details_text
    assert any("Unexpected error" in record.message for record in caplog.records)
    dialog.details_button.click()
    shoot(dialog, "error_dialog_bug")


def test_excepthook_shows_a_typed_error_as_typed(reporter: ErrorReporter) -> None:
    uninstall = install_excepthook(reporter)
    try:
        try:
            raise access_denied()
        except AccessDenied:
            sys.excepthook(*sys.exc_info())
    finally:
        uninstall()
    dialog = reporter.current_dialog
    assert dialog is not None and not dialog.is_bug
    assert dialog.windowTitle() == "Access denied"
    assert "Traceback" not in dialog.details_text


def test_reports_from_another_thread_are_shown_on_the_gui_thread(reporter: ErrorReporter,
                                                                 qtbot: Any) -> None:
    import threading

    worker = threading.Thread(target=reporter.report, args=(NotFound("From a worker."),))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: reporter.current_dialog is not None, timeout=2000)
    assert reporter.current_dialog.message_text == "From a worker."


def test_a_failing_async_slot_reaches_the_dialog_through_qasync(reporter: ErrorReporter,
                                                                qloop: Any, qtbot: Any) -> None:
    import asyncio

    import qasync

    # (qasync 0.28's asyncSlot refuses a call with no arguments: slots get the signal's.)
    @qasync.asyncSlot(bool)
    async def on_click(_checked: bool) -> None:
        await asyncio.sleep(0)
        raise ValueError("bad state in a slot")

    uninstall = install_excepthook(reporter)
    try:
        on_click(False)
        qloop.run_until_complete(asyncio.sleep(0.05))
    finally:
        uninstall()
    dialog = reporter.current_dialog
    assert dialog is not None and dialog.is_bug
    assert "ValueError: bad state in a slot" in dialog.message_text
    assert "on_click" in dialog.details_text
