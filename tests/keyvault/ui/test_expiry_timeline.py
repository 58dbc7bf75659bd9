"""The expiry timeline: the picture (marks where their dates are, clicks hit the right item,
the range changes what is shown) and its window through a real MainWindow over two emulators
(Enter on the list, or a click on a mark, opens the item in its tab)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.expiry_axis import ExpiryAxis
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.services.config import Settings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.ui.error_dialog import ErrorReporter
from vaultbrowser.core.ui.window.main_window import MainWindow
from vaultbrowser.keyvault.services.across.expiry import ExpiringItem
from vaultbrowser.keyvault.ui.across.expiry_timeline import BY_KIND, ExpiryTimeline
from vaultbrowser.keyvault.ui.across.expiry_window import ExpiryTimelineWindow

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


def item(name: str, days: float, *, vault: str = "prod", kind: ItemKind = ItemKind.SECRET,
         enabled: bool = True) -> ExpiringItem:
    expires = NOW + dt.timedelta(days=days)
    return ExpiringItem(vault, f"https://{vault}.vault.azure.net", kind, name, expires, enabled,
                        f"https://{vault}.vault.azure.net/{kind.value}s/{name}",
                        expired=expires <= NOW)


@pytest.fixture
def timeline(qtbot: Any) -> ExpiryTimeline:
    widget = ExpiryTimeline()
    qtbot.addWidget(widget)
    widget.resize(1000, 320)
    widget.show()
    return widget


ITEMS = [item("gone", -20), item("soon", 10, kind=ItemKind.CERTIFICATE),
         item("later", 60, vault="staging", kind=ItemKind.KEY),
         item("off", 45, vault="staging", enabled=False), item("far", 200)]


def test_each_mark_sits_at_its_date_and_a_click_hits_it(timeline: ExpiryTimeline,
                                                        qtbot: Any) -> None:
    timeline.set_items(ITEMS, NOW, ["prod", "staging"])
    axis = ExpiryAxis(90)
    shown = [i.name for i in timeline.shown_items()]
    assert shown == ["gone", "soon", "off", "later"]  # "far" is past 90 days
    lanes = {label: [i.name for i in items] for label, items in timeline.lanes()}
    assert lanes == {"prod": ["gone", "soon"], "staging": ["off", "later"]}
    for entry in timeline.shown_items():
        centre = timeline.mark_centre(entry)
        assert centre is not None
        assert centre.x() == pytest.approx(timeline.x_of(axis.fraction(entry.expires_on, NOW)))
        assert timeline.items_at(centre) == (entry,)
        with qtbot.waitSignal(timeline.item_clicked) as clicked:
            QTest.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=centre.toPoint())
        assert clicked.args == [entry]
    # the lanes are apart: prod's marks above staging's
    assert timeline.mark_centre(ITEMS[0]).y() < timeline.mark_centre(ITEMS[2]).y()  # type: ignore[union-attr]
    # expired left of today, and today left of anything ahead
    assert (timeline.mark_centre(ITEMS[0]).x()  # type: ignore[union-attr]
            < timeline.x_of(axis.today) < timeline.mark_centre(ITEMS[1]).x())  # type: ignore[union-attr]
    assert timeline.items_at(QPointF(5, 5)) == ()
    counts = {bucket.key: count for bucket, count in timeline.counts()}
    assert counts == {"expired": 1, "30": 1, "90": 2}


def test_the_range_changes_what_is_shown(timeline: ExpiryTimeline) -> None:
    timeline.set_items(ITEMS, NOW, ["prod", "staging"])
    far = ITEMS[-1]
    assert timeline.mark_centre(far) is None
    timeline.set_range(365)
    assert timeline.mark_centre(far) is not None
    assert {b.key: n for b, n in timeline.counts()} == {"expired": 1, "30": 1, "90": 2, "365": 1}
    x_at_365 = timeline.mark_centre(ITEMS[1]).x()  # type: ignore[union-attr]
    timeline.set_range(30)
    assert [i.name for i in timeline.shown_items()] == ["gone", "soon"]
    assert timeline.mark_centre(ITEMS[1]).x() > x_at_365  # 10 days is further right in 30
    assert "within 30 days" in timeline.accessibleDescription()
    timeline.set_lanes(BY_KIND)
    assert [label for label, _ in timeline.lanes()] == ["Certificates", "Secrets", "Keys"]


def test_crowded_marks_stack_then_become_a_badge_with_a_menu(timeline: ExpiryTimeline,
                                                             qtbot: Any) -> None:
    crowd = [item(f"same-day-{n:02d}", 12 + n / 1000) for n in range(30)]
    few = [item(f"pair-{n}", 70 + n / 1000) for n in range(2)]
    near = item("next-to-the-badge", 14)  # apart from the crowd, but under a badge's width
    timeline.set_items([*crowd, *few, near], NOW, ["prod"])
    placed = timeline.placed()
    badge = next(p for p in placed if len(p.items) == 31)
    assert near in badge.items
    assert not badge.stacked
    pair = next(p for p in placed if set(p.items) == set(few))
    assert pair.stacked and pair.centres[0].y() != pair.centres[1].y()
    assert {timeline.items_at(c)[0] for c in pair.centres} == set(few)
    # nothing drawn over anything
    rects = [p.rect for p in placed]
    assert not any(a.intersects(b) for n, a in enumerate(rects) for b in rects[n + 1:])
    QTest.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=badge.rect.center().toPoint())
    menu = timeline.cluster_menu
    assert menu is not None and len(menu.actions()) == 31
    with qtbot.waitSignal(timeline.item_clicked) as clicked:
        menu.actions()[3].trigger()
    assert clicked.args[0] in crowd
    menu.close()


def test_nothing_to_show_is_said(timeline: ExpiryTimeline) -> None:
    timeline.set_items([], NOW, ["prod"])
    timeline.set_message("Nothing here.")
    assert timeline.placed() == [] and timeline.shown_items() == []
    assert timeline.grab().width() == 1000  # paints without items


# --- the window, over two emulators --------------------------------------------------------

DAY = 86_400


def _at(days: float) -> int:
    return int(dt.datetime.now(dt.UTC).timestamp() + days * DAY)


SEED_PROD = {
    "secrets": [{"name": "prod-db-password", "value": "never-shown-1", "attributes": {
        "exp": _at(12)}},
        {"name": "prod-old-token", "value": "never-shown-2", "attributes": {"exp": _at(-3)}}],
    "keys": [{"name": "prod-signing-key", "kty": "EC", "crv": "P-256",
              "attributes": {"exp": _at(40)}}],
    "certificates": [{"name": "prod-web-tls", "subject": "CN=web.test", "validity_months": 2}],
}
SEED_STAGING = {"secrets": [{"name": "staging-api-key", "value": "never-shown-3",
                             "attributes": {"exp": _at(200)}}]}


@pytest.fixture(scope="module")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with (run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-timeline-prod"),
                                 seed=SEED_PROD) as prod,
          run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-timeline-staging"),
                                 seed=SEED_STAGING) as staging):
        yield {"prod-vault": prod, "staging-vault": staging}


async def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)


@pytest.fixture
def window(qloop: asyncio.AbstractEventLoop, qtbot: Any) -> Iterator[MainWindow]:
    reporter = ErrorReporter(modal=False)
    main = MainWindow(ServiceSession(), Settings(), kinds=KINDS, reporter=reporter)
    main.show()
    yield main
    qloop.run_until_complete(main.aclose())
    reporter.close_all()
    main.deleteLater()


async def open_timeline(window: MainWindow, emulators: dict[str, Any]) -> ExpiryTimelineWindow:
    for name, emulator in emulators.items():
        window.add_connection(Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                                         name=name, ca_path=str(emulator.ca_path)))
    await wait_for(lambda: window.pane("Secrets").model.rowCount() == len(emulators))
    tool = window.view("keyvault").tools.expiry
    tools_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Tools")
    assert tool.action in tools_menu.actions() and tool.action.text() == "Expiry timeline…"
    tool.action.trigger()
    dialog = tool.dialog
    assert dialog is not None and dialog.isVisible()
    await wait_for(lambda: dialog.task is None and dialog.list.topLevelItemCount())
    return dialog


def rows(dialog: ExpiryTimelineWindow) -> list[tuple[str, ...]]:
    return [tuple(dialog.list.topLevelItem(r).text(c) for c in (2, 3, 4, 5))
            for r in range(dialog.list.topLevelItemCount())]


def selected_name(window: MainWindow, title: str) -> str | None:
    pane = window.pane(title)
    index = pane.selected_source_index()
    record = pane.model.record_of(index) if index.isValid() else None
    return getattr(record, "name", None)


def test_enter_on_the_list_opens_the_item_in_its_tab(qloop: Any, window: MainWindow,
                                                     emulators: dict[str, Any]) -> None:
    async def body() -> None:
        dialog = await open_timeline(window, emulators)
        # 90 days: the expired one first, then by date; 200 days is not in range yet
        assert rows(dialog) == [
            ("prod-old-token", "secret", "prod-vault", "expired"),
            ("prod-db-password", "secret", "prod-vault", ""),
            ("prod-signing-key", "key", "prod-vault", ""),
            ("prod-web-tls", "certificate", "prod-vault", "")]
        assert "4 items within 90 days in 2 vaults" in dialog.status.text()
        dialog.range_buttons.button(365).click()
        assert ("staging-api-key", "secret", "staging-vault", "") in rows(dialog)
        assert dialog.timeline.range_days == 365
        dialog.range_buttons.button(90).click()
        assert len(rows(dialog)) == 4

        key_row = next(r for r in range(dialog.list.topLevelItemCount())
                       if dialog.list.topLevelItem(r).text(2) == "prod-signing-key")
        dialog.list.setFocus()
        dialog.list.setCurrentItem(dialog.list.topLevelItem(key_row))
        assert dialog.timeline._current is not None  # the list's row is ringed in the picture
        reads = len(emulators["prod-vault"].request_log)
        QTest.keyClick(dialog.list, Qt.Key.Key_Return)
        await wait_for(lambda: selected_name(window, "Keys") == "prod-signing-key")
        assert window.tabs.currentWidget() is window.pane("Keys")
        # Enter opened the item and nothing else: no default button (Reload, Close) pressed
        assert dialog.isVisible() and dialog.task is None
        assert not [e for e in emulators["prod-vault"].request_log[reads:]
                    if e.path.rstrip("/") in ("/secrets", "/certificates")]

        secret_row = next(r for r in range(dialog.list.topLevelItemCount())
                          if dialog.list.topLevelItem(r).text(2) == "prod-db-password")
        dialog.list.setCurrentItem(dialog.list.topLevelItem(secret_row))
        QTest.keyClick(dialog.list, Qt.Key.Key_Enter)
        await wait_for(lambda: selected_name(window, "Secrets") == "prod-db-password")
        assert window.tabs.currentWidget() is window.pane("Secrets")

        # a click on the certificate's mark opens it in the Certificates tab
        certificate = next(i for i in dialog.timeline.shown_items() if i.name == "prod-web-tls")
        centre = dialog.timeline.mark_centre(certificate)
        assert centre is not None
        QTest.mouseClick(dialog.timeline, Qt.MouseButton.LeftButton, pos=QPoint(
            round(centre.x()), round(centre.y())))
        await wait_for(lambda: selected_name(window, "Certificates") == "prod-web-tls")
        assert window.tabs.currentWidget() is window.pane("Certificates")
        assert dialog.list.currentItem().text(2) == "prod-web-tls"
        dialog.close()

    qloop.run_until_complete(body())


def test_a_failing_vault_is_said_and_the_other_shown(qloop: Any, window: MainWindow,
                                                     emulators: dict[str, Any]) -> None:
    staging = emulators["staging-vault"]
    staging.faults.forbid("/secrets", code="ForbiddenByRbac")

    async def body() -> None:
        dialog = await open_timeline(window, emulators)
        assert {row[2] for row in rows(dialog)} == {"prod-vault"}
        status = dialog.status.text()
        assert "1 listing failed" in status and "staging-vault (secrets)" in status
        # unticking a vault reads again without it
        dialog.picker.item(1).setCheckState(Qt.CheckState.Unchecked)
        await wait_for(lambda: dialog.task is not None)
        await wait_for(lambda: dialog.task is None)
        assert "failed" not in dialog.status.text()
        assert "in 1 vault" in dialog.status.text()
        dialog.close()

    try:
        qloop.run_until_complete(body())
    finally:
        staging.faults.clear()
