"""Comparing vaults (and sets of vaults) against three Key Vault emulator instances with
deliberate differences of every field kind; values off and on; the no-leak proof; exports."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from vaultbrowser.core.audit.diff_report import (
    DIFFERENT_VALUE,
    SAME_VALUE,
    DiffItem,
    DiffReport,
    DiffState,
    render_diff_csv,
    render_diff_html,
    render_diff_json,
    write_diff_report,
)
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.audit.trail import entry_from_exchange
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import Conflict, InvalidInput, LocalFileError
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.across.compare import VaultComparison, compare_vaults
from vaultbrowser.keyvault.services.across.compare_values import ValueComparer
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.opener import open_vault

# Distinctive values: none may appear anywhere a comparison leaves a trace.
PLANTED_A = "planted-value-A-9c41e7f0-never-anywhere"
PLANTED_B = "planted-value-B-77d2aa10-never-anywhere"
SHARED = "shared-value-3b9e-also-never-shown"
EXP_1, EXP_2 = 1_900_000_000, 1_950_000_000

SEED_A: dict[str, Any] = {
    "secrets": [
        {"name": "only-in-a", "value": "x"},
        {"name": "same-secret", "value": SHARED, "contentType": "text/plain",
         "tags": {"env": "x"}},
        {"name": "enabled-differs", "value": "e", "attributes": {"enabled": True}},
        {"name": "expiry-differs", "value": "e", "attributes": {"exp": EXP_1}},
        {"name": "not-before-differs", "value": "e", "attributes": {"nbf": 1_700_000_000}},
        {"name": "type-differs", "value": "t", "contentType": "text/plain"},
        {"name": "tags-differ", "value": "t", "tags": {"env": "dev", "team": "a"}},
        {"name": "value-differs", "value": PLANTED_A},
        {"name": "Case-Name", "value": SHARED},
    ],
    "keys": [
        {"name": "only-key-a", "kty": "RSA"},
        {"name": "size-differs", "kty": "RSA", "key_size": 2048},
        {"name": "type-differs", "kty": "RSA", "key_size": 2048},
        {"name": "curve-differs", "kty": "EC", "crv": "P-256"},
        {"name": "same-key", "kty": "EC", "crv": "P-256", "tags": {"k": "v"}},
    ],
    "certificates": [
        {"name": "only-cert-a", "subject": "CN=a.local"},
        {"name": "policy-differs", "subject": "CN=web.local", "dns_names": ["web.local"],
         "validity_months": 12},
    ],
}
SEED_B: dict[str, Any] = {
    "secrets": [
        {"name": "only-in-b", "value": "x"},
        {"name": "same-secret", "value": SHARED, "contentType": "text/plain",
         "tags": {"env": "x"}},
        {"name": "enabled-differs", "value": "e", "attributes": {"enabled": False}},
        {"name": "expiry-differs", "value": "e", "attributes": {"exp": EXP_2}},
        {"name": "not-before-differs", "value": "e"},
        {"name": "type-differs", "value": "t", "contentType": "application/json"},
        {"name": "tags-differ", "value": "t", "tags": {"env": "prod", "owner": "b"}},
        {"name": "value-differs", "value": PLANTED_B},
        {"name": "case-name", "value": SHARED},
    ],
    "keys": [
        {"name": "size-differs", "kty": "RSA", "key_size": 3072},
        {"name": "type-differs", "kty": "EC", "crv": "P-256"},
        {"name": "curve-differs", "kty": "EC", "crv": "P-384"},
        {"name": "same-key", "kty": "EC", "crv": "P-256", "tags": {"k": "v"}},
    ],
    "certificates": [
        {"name": "policy-differs", "subject": "CN=www.local", "dns_names": ["www.local"],
         "validity_months": 24},
    ],
}
# A second vault for side A: one name of its own, one that vault A also holds (A wins).
SEED_A2: dict[str, Any] = {"secrets": [{"name": "from-second", "value": "2"},
                                       {"name": "same-secret", "value": "other"}]}
# A second vault for side B, ticked first there: its "same-secret" (other tags) wins over B's.
SEED_B2: dict[str, Any] = {"secrets": [{"name": "from-b-second", "value": "2"},
                                       {"name": "same-secret", "value": SHARED,
                                        "contentType": "text/plain", "tags": {"env": "y"}}]}


@pytest.fixture(scope="module")
def vaults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("cmp-a"), seed=SEED_A) as a, \
            run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("cmp-b"),
                                   seed=SEED_B) as b, \
            run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("cmp-a2"),
                                   seed=SEED_A2) as a2, \
            run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("cmp-b2"),
                                   seed=SEED_B2) as b2:
        yield {"a": a, "b": b, "a2": a2, "b2": b2}


def vault_of(session: ServiceSession, emulator: Any, label: str, *,
             read_only: bool = False) -> Vault:
    connection = Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR, name=label,
                            ca_path=str(emulator.ca_path), read_only=read_only)
    return Vault(label, open_vault(session, connection), read_only=read_only)


async def with_session(body: Callable[[ServiceSession], Awaitable[Any]]) -> Any:
    session = ServiceSession()
    try:
        return await body(session)
    finally:
        await session.aclose()


def by_name(report: DiffReport, kind: ItemKind) -> dict[str, DiffItem]:
    return {item.name: item for item in report.items_of(kind)}


def fields(item: DiffItem) -> dict[str, tuple[str, str]]:
    return {d.field: (d.a, d.b) for d in item.differences}


def value_gets(emulator: Any, since: int) -> list[str]:
    """Paths of single-secret GETs (value reads) since ``since`` in the request log."""
    return [e.path for e in emulator.request_log[since:]
            if e.method == "GET" and e.path.startswith("/secrets/")
            and "/versions" not in e.path]


def test_every_field_kind_differs_as_seeded(run: Any, vaults: dict[str, Any]) -> None:
    items: list[DiffItem] = []
    progress: list[tuple[str, int, Any]] = []
    a_before = len(vaults["a"].request_log)

    async def body(session: ServiceSession) -> DiffReport:
        return await compare_vaults(
            [vault_of(session, vaults["a"], "staging")],
            [vault_of(session, vaults["b"], "production")],
            on_item=items.append, progress=lambda *p: progress.append(p))

    report = run(with_session(body))
    assert sorted(i.name for i in items) == sorted(i.name for i in report.items)  # streamed
    assert progress and not report.errors and report.complete and not report.values_compared
    secrets = by_name(report, ItemKind.SECRET)
    assert secrets["only-in-a"].state == DiffState.ONLY_A
    assert secrets["only-in-a"].source_a == "staging" and secrets["only-in-a"].source_b is None
    assert secrets["only-in-b"].state == DiffState.ONLY_B
    assert secrets["same-secret"].state == DiffState.SAME
    assert secrets["Case-Name"].state == DiffState.SAME  # names match as Key Vault's do
    assert fields(secrets["enabled-differs"]) == {"enabled": ("yes", "no")}
    assert fields(secrets["expiry-differs"]) == {
        "expires": ("2030-03-17 17:46:40 UTC", "2031-10-17 10:40:00 UTC")}
    assert fields(secrets["not-before-differs"])["not before"][1] == "—"
    assert fields(secrets["type-differs"]) == {
        "content type": ("text/plain", "application/json")}
    assert fields(secrets["tags-differ"]) == {
        "tag “env”": ("dev", "prod"), "tag “owner”": ("(no tag)", "b"),
        "tag “team”": ("a", "(no tag)")}
    # Values were not asked for: the same properties are "same", and no value was read.
    assert secrets["value-differs"].state == DiffState.SAME
    assert secrets["value-differs"].value == ""
    assert value_gets(vaults["a"], a_before) == []

    keys = by_name(report, ItemKind.KEY)
    assert keys["only-key-a"].state == DiffState.ONLY_A
    assert fields(keys["size-differs"]) == {"key size": ("2048", "3072")}
    assert fields(keys["type-differs"])["key type"] == ("RSA", "EC")
    assert fields(keys["type-differs"])["curve"] == ("—", "P-256")
    assert fields(keys["curve-differs"]) == {"curve": ("P-256", "P-384")}
    assert keys["same-key"].state == DiffState.SAME

    certificates = by_name(report, ItemKind.CERTIFICATE)
    assert certificates["only-cert-a"].state == DiffState.ONLY_A
    # The secret and key behind a certificate are compared as the certificate only.
    assert not {"only-cert-a", "policy-differs"} & (set(secrets) | set(keys))
    policy = fields(certificates["policy-differs"])
    assert policy["policy subject"] == ("CN=web.local", "CN=www.local")
    assert policy["policy DNS names"] == ("web.local", "www.local")
    assert policy["policy validity (months)"] == ("12", "24")
    assert "thumbprint" in policy  # two issued certificates: two thumbprints
    assert "policy key type" not in policy and "policy issuer" not in policy
    # Ordered: kind, then state (only A, only B, different, same), then name.
    states = [i.state for i in report.items_of(ItemKind.SECRET)]
    assert states == sorted(states, key=list(DiffState).index)


def test_a_set_per_side_merges_first_vault_wins(run: Any, vaults: dict[str, Any]) -> None:
    async def body(session: ServiceSession) -> tuple[DiffReport, DiffReport]:
        staging = vault_of(session, vaults["a"], "staging")
        extra = vault_of(session, vaults["a2"], "extra")
        production = vault_of(session, vaults["b"], "production")
        second = vault_of(session, vaults["b2"], "second-prod")
        one = await compare_vaults([staging, extra], [production, second],
                                   kinds=[ItemKind.SECRET])
        other = await compare_vaults([staging, extra], [second, production],
                                     kinds=[ItemKind.SECRET])
        return one, other

    report, swapped = run(with_session(body))
    assert report.kinds == (ItemKind.SECRET,)
    assert [s.name for s in report.side_a] == ["staging", "extra"]
    assert [s.name for s in report.side_b] == ["production", "second-prod"]
    secrets = by_name(report, ItemKind.SECRET)
    assert secrets["from-second"].state == DiffState.ONLY_A
    assert secrets["from-second"].source_a == "extra"
    assert secrets["from-b-second"].state == DiffState.ONLY_B
    assert secrets["from-b-second"].source_b == "second-prod"
    # The first vault of each set wins: staging's and production's copies are the same.
    assert (secrets["same-secret"].source_a, secrets["same-secret"].source_b) == (
        "staging", "production")
    assert secrets["same-secret"].state == DiffState.SAME
    assert not report.items_of(ItemKind.KEY)
    # With second-prod ticked first on side B, its copy (other tags) is the one compared.
    same = by_name(swapped, ItemKind.SECRET)["same-secret"]
    assert same.source_b == "second-prod" and fields(same) == {"tag “env”": ("x", "y")}


def test_values_are_compared_by_hash_and_never_leak(
        run: Any, vaults: dict[str, Any], tmp_path: Path, caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    told: list[tuple[str, int]] = []
    since = {name: len(emulator.request_log) for name, emulator in vaults.items()}
    journal: list[Any] = []

    async def body(session: ServiceSession) -> DiffReport:
        comparison = VaultComparison(
            [vault_of(session, vaults["a"], "staging")],
            [vault_of(session, vaults["b"], "production")], kinds=[ItemKind.SECRET],
            values=True, before_values=lambda vault, count: told.append((vault.label, count)))
        report = await comparison.run()
        journal.extend(session.journal.records())
        assert PLANTED_A not in repr(comparison)
        return report

    report = run(with_session(body))
    secrets = by_name(report, ItemKind.SECRET)
    assert report.values_compared
    assert secrets["value-differs"].state == DiffState.DIFFERENT
    assert secrets["value-differs"].value == DIFFERENT_VALUE
    assert fields(secrets["value-differs"]) == {"value": (DIFFERENT_VALUE, DIFFERENT_VALUE)}
    assert secrets["same-secret"].value == SAME_VALUE
    assert secrets["Case-Name"].value == SAME_VALUE
    # A disabled secret's value is not asked for (the service would refuse it).
    assert secrets["enabled-differs"].value == ""
    assert "disabled" in secrets["enabled-differs"].notes[0]
    # Common, enabled secrets: same-secret, expiry, not-before, type, tags, value, Case-Name.
    assert told == [("staging", 7), ("production", 7)]
    assert len(value_gets(vaults["a"], since["a"])) == 7
    assert len(value_gets(vaults["b"], since["b"])) == 7

    # No value anywhere: the result objects, the exports, the journal, the logs.
    texts = [repr(report), repr(report.items), str(report)]
    for fmt in ("html", "csv", "json"):
        path = tmp_path / f"diff.{fmt}"
        write_diff_report(report, path, fmt)
        texts.append(path.read_text(encoding="utf-8"))
    texts += [repr(record) for record in journal]
    texts += [json.dumps(entry_from_exchange(record), default=str) for record in journal]
    texts.append(caplog.text)
    for planted in (PLANTED_A, PLANTED_B, SHARED):
        for text in texts:
            assert planted not in text


def test_a_failed_value_get_is_a_note_without_the_value(run: Any, vaults: dict[str, Any]) -> None:
    a = vaults["a"]
    a.faults.add(403, times=1, path_prefix="/secrets/value-differs", method="GET")

    async def body(session: ServiceSession) -> DiffReport:
        return await compare_vaults([vault_of(session, a, "staging")],
                                    [vault_of(session, vaults["b"], "production")],
                                    kinds=[ItemKind.SECRET], values=True)

    try:
        report = run(with_session(body))
    finally:
        a.faults.clear()
    item = by_name(report, ItemKind.SECRET)["value-differs"]
    assert item.value == "" and item.notes and item.notes[0].startswith("value not compared")
    assert PLANTED_A not in repr(item)


def test_bad_input_is_refused_before_any_request(run: Any, vaults: dict[str, Any]) -> None:
    a = vaults["a"]

    async def body(session: ServiceSession) -> None:
        before = len(a.request_log)
        staging = vault_of(session, a, "staging")
        same_again = vault_of(session, a, "staging again")
        production = vault_of(session, vaults["b"], "production")
        for side_a, side_b, kinds, text in (
                ([], [production], None, "side A"),
                ([staging], [], None, "side B"),
                ([staging], [same_again, production], None, "both sides"),
                ([staging], [production], [], "what to compare")):
            options = {} if kinds is None else {"kinds": kinds}
            with pytest.raises(InvalidInput, match=text):
                VaultComparison(side_a, side_b, **options)
        with pytest.raises(InvalidInput):
            VaultComparison([staging], [production], concurrency=0)
        assert len(a.request_log) == before

    run(with_session(body))


def test_a_failed_listing_skips_its_kind_with_an_error(run: Any, vaults: dict[str, Any]) -> None:
    b = vaults["b"]
    b.faults.add(403, times=1, path_prefix="/keys", method="GET")

    async def body(session: ServiceSession) -> DiffReport:
        return await compare_vaults([vault_of(session, vaults["a"], "staging")],
                                    [vault_of(session, b, "production")],
                                    kinds=[ItemKind.SECRET, ItemKind.KEY])

    try:
        report = run(with_session(body))
    finally:
        b.faults.clear()
    assert not report.items_of(ItemKind.KEY)  # no "only in A" from a listing that failed
    assert report.items_of(ItemKind.SECRET)
    assert len(report.errors) == 1 and report.errors[0].startswith("Keys not compared")


def test_cancel_stops_the_run(run: Any, vaults: dict[str, Any]) -> None:
    b = vaults["b"]
    b.faults.slow(5.0, path_prefix="/certificates")

    async def body(session: ServiceSession) -> None:
        comparison = VaultComparison([vault_of(session, vaults["a"], "staging")],
                                     [vault_of(session, b, "production")])
        task = asyncio.ensure_future(comparison.run())
        while not comparison.items:
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        partial = comparison.report(complete=False)
        assert not partial.complete and partial.items_of(ItemKind.SECRET)
        assert not partial.items_of(ItemKind.CERTIFICATE)

    try:
        run(asyncio.wait_for(with_session(body), 20))
    finally:
        b.faults.clear()


def test_value_comparer_repr_hides_its_key() -> None:
    comparer = ValueComparer()
    assert "hidden" in repr(comparer) and comparer._key.hex() not in repr(comparer)


def test_values_with_a_lone_surrogate_compare_without_an_error(run: Any) -> None:
    class Part:  # the one call ValueComparer makes, answering a JSON-decodable odd value
        def __init__(self, text: str) -> None:
            self.text = text

        async def get_value(self, name: str) -> Any:
            from vaultbrowser.core.services.records import Result, SecretValue
            return Result(SecretValue(self.text), None)

    comparer = ValueComparer()
    odd = "x\ud800y"
    assert run(comparer.compare(Part(odd), "s", Part(odd), "s")) == SAME_VALUE  # type: ignore
    assert run(comparer.compare(Part(odd), "s", Part("xy"), "s")) == DIFFERENT_VALUE  # type: ignore
    assert comparer.fetched == 4


def test_renderers_neutralise_hostile_names_and_tags() -> None:
    from datetime import UTC, datetime

    from vaultbrowser.core.audit.diff_report import DiffSource, FieldDifference

    hostile = DiffItem(ItemKind.SECRET, "<script>alert(1)</script>", DiffState.DIFFERENT,
                       "a", "b", (FieldDifference("tag “x”", "=HYPERLINK(1)", "@b"),))
    report = DiffReport(datetime(2026, 1, 1, tzinfo=UTC), "0", (DiffSource("a", "https://a"),),
                        (DiffSource("b", "https://b"),), (ItemKind.SECRET,), False, (hostile,))
    html = render_diff_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    csv_text = render_diff_csv(report)
    assert ",'=HYPERLINK(1),'@b," in csv_text


# --- exports ---------------------------------------------------------------------------------


def _small_report(run: Any, vaults: dict[str, Any]) -> DiffReport:
    async def body(session: ServiceSession) -> DiffReport:
        return await compare_vaults([vault_of(session, vaults["a"], "staging")],
                                    [vault_of(session, vaults["b"], "production")],
                                    kinds=[ItemKind.SECRET, ItemKind.KEY])
    return run(with_session(body))


def test_exports_hold_the_diff(run: Any, vaults: dict[str, Any], tmp_path: Path) -> None:
    report = _small_report(run, vaults)
    html = render_diff_html(report)
    assert "<script" not in html and "staging" in html and "production" in html
    assert "tag “team”" in html and "Only in A" in html and "size-differs" in html
    rows = render_diff_csv(report).splitlines()
    assert rows[0].startswith("section,state,kind,name,field,a,b")
    assert any(",different,key,size-differs,key size,2048,3072," in row for row in rows)
    document = json.loads(render_diff_json(report))
    assert document["schema"] == "vaultbrowser-diff/1"
    # only-in-a; the secret behind the certificate only-cert-a is compared as the certificate
    assert document["summary"]["secret"]["only in A"] == 1
    keys = {item["name"]: item for item in document["items"]["key"]}
    assert keys["size-differs"]["differences"] == [
        {"field": "key size", "a": "2048", "b": "3072"}]


def test_export_never_overwrites_silently_nor_leaves_a_partial_file(
        run: Any, vaults: dict[str, Any], tmp_path: Path, monkeypatch: Any) -> None:
    report = _small_report(run, vaults)
    path = tmp_path / "diff.csv"
    path.write_text("earlier")
    with pytest.raises(Conflict):
        write_diff_report(report, path, "csv")
    assert path.read_text() == "earlier"
    write_diff_report(report, path, "csv", overwrite=True)
    assert path.read_text(encoding="utf-8").startswith("section,")
    with pytest.raises(InvalidInput):
        write_diff_report(report, tmp_path / "diff.xml", "xml")

    import vaultbrowser.core.audit.trail as trail

    def failing_replace(source: str, target: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(trail.os, "replace", failing_replace)
    with pytest.raises(LocalFileError, match="No space left"):
        write_diff_report(report, tmp_path / "new.html", "html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["diff.csv"]  # no partial, no temp
