"""The shared write-dialog pieces: typed-name confirmation, key/value editor, optional dates,
and the runner that awaits a dialog from inside a coroutine."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.ui.common_dialogs import (
    DialogRunner,
    KeyValueEditor,
    OptionalDateTime,
    TypedNameDialog,
    confirm_box,
)


def test_typed_name_dialog_accepts_only_the_exact_name(qtbot: Any) -> None:
    dialog = TypedNameDialog(None, "Purge", "Purge forever?", "db-password", "Purge")
    qtbot.addWidget(dialog)
    for typed in ("", "db-passwor", "DB-PASSWORD", "db-password "):
        dialog.name_edit.setText(typed)
        assert not dialog.action_button.isEnabled()
        dialog.accept()  # Enter in the field
        assert dialog.result() != dialog.DialogCode.Accepted
    dialog.name_edit.setText("db-password")
    assert dialog.action_button.isEnabled()
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted


def test_key_value_editor_validates(qtbot: Any) -> None:
    def at_most_two(pairs: dict[str, str]) -> None:
        if len(pairs) > 2:
            raise InvalidInput("at most 2")

    editor = KeyValueEditor("tag", at_most_two)
    qtbot.addWidget(editor)
    editor.set_pairs({"env": "prod", "owner": "ops"})
    editor.add_pair("", "")  # a blank row is ignored
    assert editor.pairs() == {"env": "prod", "owner": "ops"}
    editor.add_pair("env", "dev")
    with pytest.raises(InvalidInput, match="twice"):
        editor.pairs()
    editor.set_pairs({"a": "1"})
    editor.add_pair("", "orphan value")
    with pytest.raises(InvalidInput, match="needs a name"):
        editor.pairs()
    editor.set_pairs({"a": "1", "b": "2", "c": "3"})
    with pytest.raises(InvalidInput, match="at most 2"):
        editor.pairs()


def test_optional_datetime_round_trips_in_utc(qtbot: Any) -> None:
    field = OptionalDateTime("Expires")
    qtbot.addWidget(field)
    assert field.value() is None
    when = datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
    field.set_value(when)
    assert field.value() == when
    field.set_value(None)
    assert field.value() is None


def test_runner_awaits_a_dialog_and_closes_it_when_cancelled(
        qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    runner = DialogRunner()

    async def body() -> None:
        dialog = TypedNameDialog(None, "Delete", "Delete?", "x", "Delete")
        qtbot.addWidget(dialog)
        QTimer.singleShot(20, lambda: (dialog.name_edit.setText("x"), dialog.accept()))
        assert await runner.wait(dialog) == dialog.DialogCode.Accepted
        second = TypedNameDialog(None, "Delete", "Delete?", "x", "Delete")
        qtbot.addWidget(second)
        task = asyncio.ensure_future(runner.wait(second))
        await asyncio.sleep(0.05)
        assert second.isVisible()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not second.isVisible()
        for button, expected in (("Replace", dialog.DialogCode.Accepted),
                                 ("Cancel", dialog.DialogCode.Rejected)):
            box = confirm_box(None, "Replace?", "report.pdf exists.", "Replace")
            qtbot.addWidget(box)
            target = next(b for b in box.buttons() if b.text().replace("&", "") == button)
            QTimer.singleShot(20, target.click)
            assert await runner.wait(box) == expected

    qloop.run_until_complete(body())
