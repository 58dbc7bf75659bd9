"""The HTML report's expiry timeline: 30 / 90 / 365 days behind CSS-only tabs, the window's
buckets and marks, no script, every text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from vaultbrowser.core.audit.html_timeline import render_timeline
from vaultbrowser.core.audit.model import AuditReport, ItemKind, VaultItemEntry
from vaultbrowser.core.audit.render_html import render_html

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOSTILE = "<script>alert('x')</script>&\"'"


def entry(name: str, days: float | None, *, kind: ItemKind = ItemKind.SECRET,
          source: str = "prod-vault", enabled: bool = True, managed: bool = False
          ) -> VaultItemEntry:
    return VaultItemEntry(kind=kind, source=source, vault_url="https://prod.vault.azure.net",
                          name=name, enabled=enabled, managed=managed,
                          expires_on=None if days is None else NOW + timedelta(days=days))


def report(*items: VaultItemEntry) -> AuditReport:
    return AuditReport(generated_at=NOW, identity="auditor@example.test", tool_version="test",
                       connections=(), items=items, containers=(), findings=(), errors=())


ITEMS = (entry("gone-secret", -5), entry("soon-cert", 10, kind=ItemKind.CERTIFICATE),
         entry("off-key", 60, kind=ItemKind.KEY, enabled=False, source="staging-vault"),
         entry("far-secret", 200), entry("beyond-secret", 500), entry("no-expiry", None),
         entry("soon-cert-key", 10, kind=ItemKind.KEY, managed=True),
         entry("a-container", 5, kind=ItemKind.CONTAINER))


def panels(html: str) -> dict[int, str]:
    found = re.findall(r'<div class="xt-panel xt-p(\d+)">(.*?)</div>(?=<div class="xt-panel|'
                       r"</div>$)", html, flags=re.S)
    return {int(days): body for days, body in found}


def counts(panel: str) -> dict[str, int]:
    return {key: int(count) for key, count in re.findall(
        r'class="xt-count xt-(\w+)">.*?<b>(\d+)</b>', panel)}


def test_three_ranges_with_their_buckets_and_marks() -> None:
    html = render_timeline(report(*ITEMS))
    shown = panels(html)
    assert sorted(shown) == [30, 90, 365]
    assert counts(shown[30]) == {"expired": 1, "30": 1}
    assert counts(shown[90]) == {"expired": 1, "30": 1, "90": 1}
    assert counts(shown[365]) == {"expired": 1, "30": 1, "90": 1, "365": 1}
    for days, names in ((30, {"gone-secret", "soon-cert"}),
                        (90, {"gone-secret", "soon-cert", "off-key"}),
                        (365, {"gone-secret", "soon-cert", "off-key", "far-secret"})):
        svg = re.search(r"<svg.*</svg>", shown[days], flags=re.S)
        assert svg is not None
        drawn = set(re.findall(r"<title>([\w-]+) · ", svg.group(0)))
        assert drawn == names, days
        # a lane per vault that has something in the range
        assert ("staging-vault" in svg.group(0)) == (days >= 90)
    # the kinds' shapes: a circle, a square, a (hollow: disabled) diamond
    assert re.search(r'<rect [^>]*><title>soon-cert ', shown[30])
    assert re.search(r'<path d="M[^"]+Z" fill="#fff"[^>]*><title>off-key ', shown[90])
    assert "beyond-secret" not in html and "no-expiry" not in html
    assert "soon-cert-key" not in html and "a-container" not in html  # managed; not an item
    # the list under each picture: the expired one is said so
    assert "expired 5 d ago" in shown[30] and "disabled" in shown[90]


def test_the_tabs_are_css_only_with_90_days_first() -> None:
    html = render_html(report(*ITEMS))
    for banned in ("<script", "javascript:", "onclick", "href=", "<link", "src="):
        assert banned not in html.lower()
    assert re.findall(r'<input type="radio" name="xt-range" id="xt-(\d+)"( checked)?>', html) \
        == [("30", ""), ("90", " checked"), ("365", "")]
    assert all(f'<label for="xt-{days}">{days} days</label>' in html for days in (30, 90, 365))
    assert "#xt-90:checked~.xt-p90" in html  # the CSS that shows the chosen range's panel


def test_nothing_in_a_range_is_said_and_texts_are_escaped() -> None:
    html = render_timeline(report(entry(HOSTILE, 200, source=HOSTILE)))
    shown = panels(html)
    assert "Nothing expired or expires within 30 days." in shown[30]
    assert "<svg" in shown[365] and "<svg" not in shown[90]
    assert HOSTILE not in html and "<script" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;&#x27;" in html


def test_a_crowded_day_becomes_one_badge_with_its_count() -> None:
    crowd = [entry(f"rotated-{n:02d}", 20 + n / 1000) for n in range(25)]
    html = render_timeline(report(*crowd))
    shown = panels(html)
    assert counts(shown[90])["30"] == 25
    assert re.search(r"<title>25 items:", shown[90])
    assert 'font-weight="600">25</text>' in shown[90]
