"""The window's tabs fit beside the detail pane at 1280 px (seven tabs scrolled, cutting the
first at its left edge): a tab's text leaves out its kind's name, which its icon shows; the
full label stays its tooltip and accessible name; more tabs than fit are elided, not scrolled."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QTabBar, QToolButton, QWidget

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.kind_tabs import KindTabs, tab_text
from vaultbrowser.core.ui.window.main_window import MainWindow


@pytest.mark.parametrize(("kind_label", "label", "text"), [
    ("Key Vault", "Key Vault Secrets", "Secrets"),
    ("Key Vault", "Key Vault Certificates", "Certificates"),
    ("Cosmos DB", "Cosmos DB", "Cosmos DB"),  # the kind's name alone stays
    ("Azure Managed Redis", "Redis", "Redis"),  # not its prefix: whole
    ("Key Vault", "Key Vaults compared", "Key Vaults compared"),  # a word, not a prefix
])
def test_a_tab_text_leaves_out_the_kind_name(kind_label: str, label: str, text: str) -> None:
    assert tab_text(kind_label, label) == text


def scroll_buttons_shown(bar: QTabBar) -> bool:
    return any(button.isVisible() for button in bar.findChildren(QToolButton))


@pytest.fixture
def window(qloop: Any, kv_emulator: Any) -> Iterator[MainWindow]:
    made = MainWindow(ServiceSession(), Settings(), kinds=KINDS,
                      reporter=ErrorReporter(modal=False))
    made.show()
    made.add_connection(Connection("keyvault", kv_emulator.url, AuthMethod.LOCAL_EMULATOR,
                                   ca_path=str(kv_emulator.ca_path)))
    yield made
    qloop.run_until_complete(made.aclose())
    made.reporter.close_all()
    made.deleteLater()


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_every_tab_fits_beside_the_detail_pane(qloop: Any, window: MainWindow,
                                               size: tuple[int, int]) -> None:
    window.resize(*size)
    qloop.run_until_complete(asyncio.sleep(0.2))  # laid out
    tabs = window.tabs
    bar = tabs.tabBar()
    assert window.detail_pane.isVisible() and tabs.isVisible()  # the trees, not the start
    assert tabs.count() >= 7
    assert bar.sizeHint().width() <= bar.width() <= tabs.width(), (bar.sizeHint(), tabs.width())
    assert not scroll_buttons_shown(bar)
    assert bar.tabRect(0).left() >= 0 and bar.tabRect(tabs.count() - 1).right() < bar.width()
    # Whole tabs, no text elided: each as wide as it asks.
    assert all(bar.tabRect(i).width() == bar.tabSizeHint(i).width() for i in range(bar.count()))
    # What a screen reader says and the tooltip: the kind's full labels, in tab order.
    labels = [label for kind in KINDS for label, _pane in window.view(kind.name).panes]
    assert [tabs.label(i) for i in range(tabs.count())] == labels
    assert [tabs.tabToolTip(i) for i in range(tabs.count())] == labels
    assert tabs.tabText(0) == "Secrets" and "Key Vault Secrets" in labels


def test_more_tabs_than_fit_are_elided_not_scrolled(qapp: Any) -> None:
    tabs = KindTabs()
    for number in range(10):
        tabs.add_tree(QWidget(), KINDS[number % len(KINDS)], f"A long tree label {number}")
    tabs.resize(760, 400)
    tabs.show()
    qapp.processEvents()
    bar = tabs.tabBar()
    assert bar.sizeHint().width() > 2 * bar.width()  # would scroll with their whole texts
    assert not scroll_buttons_shown(bar)
    assert bar.tabRect(0).left() >= 0 and bar.tabRect(9).right() < bar.width()
    assert tabs.label(9) == tabs.tabToolTip(9) == "A long tree label 9"
    tabs.deleteLater()
