"""The Preview panel's views on their own (no service): images bounded, notes said, text filled
in slices exactly."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.blob.services.test_blob_preview import png
from vaultbrowser.blob.services.previews.formats import HEX_VIEW_BYTES, PreviewKind, prepare_preview
from vaultbrowser.blob.ui.preview import preview_panel
from vaultbrowser.blob.ui.preview.preview_panel import PreviewPanel, fill_text


def show(qloop: asyncio.AbstractEventLoop, panel: PreviewPanel, data: bytes, name: str,
         content_type: str | None = None) -> None:
    qloop.run_until_complete(panel.show_preview(
        prepare_preview(data, name, content_type, complete=True)))


def test_a_big_image_is_read_scaled_down(qloop: Any, qtbot: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    show(qloop, panel, png(40, 30), "small.png")
    assert (panel.image_size.width(), panel.image_size.height()) == (40, 30)
    monkeypatch.setattr(preview_panel, "MAX_IMAGE_PIXELS", 300)  # 40x30 = 1,200 pixels
    show(qloop, panel, png(40, 30), "big.png")
    assert panel.image_size.width() * panel.image_size.height() <= 300
    assert panel.image_size.width() == 20  # the aspect ratio kept


def test_an_unreadable_image_says_so(qloop: Any, qtbot: Any) -> None:
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    show(qloop, panel, b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "broken.png")
    assert panel.shown_kinds == (PreviewKind.IMAGE, PreviewKind.HEX)
    assert panel.image_label.text().startswith("Qt cannot read this image")


def test_notes_for_a_long_hex_view_and_broken_lines(qloop: Any, qtbot: Any) -> None:
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    show(qloop, panel, bytes(HEX_VIEW_BYTES + 16), "zeros.bin")
    assert panel.hex_view.document().blockCount() == HEX_VIEW_BYTES // 16
    assert "first 256 KiB" in panel.message.text()
    show(qloop, panel, b"y" * 5000 + b"\nshort\n", "long.txt")
    assert panel.text_view.toPlainText() == "y" * 4096 + "\n" + "y" * 904 + "\nshort\n"
    assert "shown broken" in panel.message.text()


def test_fill_text_puts_every_character_in_order(qloop: Any, qtbot: Any) -> None:
    panel = PreviewPanel()
    qtbot.addWidget(panel)
    text = "".join(f"line {i} {'é' * (i % 7)}\n" for i in range(40_000)) + "no newline at end"
    qloop.run_until_complete(fill_text(panel.text_view, text))
    assert panel.text_view.toPlainText() == text
    assert panel.text_view.document().isUndoRedoEnabled()
