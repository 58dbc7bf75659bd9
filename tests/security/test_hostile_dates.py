"""Dates at the edges: 9999-12-31 "never expires", year 1, epoch 0, negative epochs and values of
the wrong JSON type, in every time zone.

The crash this guards against: a secret expiring 9999-12-31T23:59:59Z killed the process east of
UTC (its local time is in year 10000) from inside a model's ``data()``. Every wire time now
becomes a UTC ``datetime`` (or None plus an ``invalid_dates`` entry) at the service boundary,
formatting never converts a time local time cannot hold, and Qt model methods never raise.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.keyvault.secrets._generated.models import SecretBundle, SecretItem
from azure.keyvault.secrets._models import KeyVaultSecret, SecretProperties
from PySide6.QtCore import Qt

from vaultbrowser.core.audit.findings import analyze
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.wire_time import (
    MAX_EPOCH,
    MIN_EPOCH,
    TimeReader,
    is_far_future,
    to_utc,
)
from vaultbrowser.keyvault.models.details import describe
from vaultbrowser.keyvault.models.item_types import SECRETS
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot
from vaultbrowser.keyvault.services.audit import vault_item_entry
from vaultbrowser.keyvault.services.demo.hostile import NEVER_EXPIRES, NEVER_EXPIRES_EPOCH
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.sdk_records import secret_record

VAULT = "https://hostile.vault.azure.net"
ZONES = ("Asia/Tokyo", "Pacific/Kiritimati", "America/Los_Angeles", "Pacific/Pago_Pago", "UTC")
NOW = datetime.now(UTC)


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """The process's local time zone for one test (``TZ`` + ``tzset``), restored after."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if previous is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = previous
        time.tzset()


# --- the boundary ----------------------------------------------------------------------------

@pytest.mark.parametrize(("wire", "expected"), [
    (NEVER_EXPIRES_EPOCH, NEVER_EXPIRES),
    (MAX_EPOCH, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    (MIN_EPOCH, datetime(1, 1, 1, tzinfo=UTC)),
    (0, datetime(1970, 1, 1, tzinfo=UTC)),
    (-1, datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
    (1.5, datetime(1970, 1, 1, 0, 0, 1, 500_000, tzinfo=UTC)),
    (datetime(2030, 1, 1), datetime(2030, 1, 1, tzinfo=UTC)),  # naive: UTC
])
def test_valid_wire_times_become_utc_datetimes(wire: Any, expected: datetime) -> None:
    assert to_utc(wire) == expected
    assert to_utc(wire).tzinfo is UTC


@pytest.mark.parametrize("wire", [
    MAX_EPOCH + 1, MIN_EPOCH - 1, 10**20, -(10**20), float("nan"), float("inf"), "abc",
    "1700000000", True, [1], {"a": 1}, b"1", object(),
])
def test_invalid_wire_times_are_refused_with_a_value_error_only(wire: Any) -> None:
    with pytest.raises(ValueError):
        to_utc(wire)


def test_the_reader_notes_each_invalid_field_and_what_the_wire_said() -> None:
    reader = TimeReader()

    def unreadable() -> Any:
        raise TypeError("the SDK gave up")

    assert reader.read("expires_on", lambda: "abc") is None
    assert reader.read("not_before", lambda: 10**20) is None
    assert reader.read("created_on", unreadable) is None
    assert reader.read("updated_on", lambda: None) is None  # absent is not invalid
    assert reader.read("deleted_on", lambda: 0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert dict(reader.invalid) == {
        "expires_on": "'abc' (text)",
        "not_before": "100000000000000000000 (number)",
        "created_on": "unreadable (TypeError)",
    }


def _sdk_properties(attributes: dict[str, Any], *, listing: bool) -> Any:
    """What the SDK makes of a Key Vault JSON body with these attributes (its own models)."""
    body = {"id": f"{VAULT}/secrets/odd/0123456789abcdef0123456789abcdef",
            "attributes": {"enabled": True, **attributes}, "tags": {"t": "1"}}
    if listing:
        return SecretProperties._from_secret_item(SecretItem(body))
    return KeyVaultSecret._from_secret_bundle(SecretBundle({**body, "value": "v"})).properties


@pytest.mark.parametrize("listing", [True, False])
@pytest.mark.parametrize(("exp", "shown"), [
    ("abc", "'abc' (text)"), ("1700000000", "'1700000000' (text)"),
    (10**20, "100000000000000000000 (number)"), ([1], "[1] (list)"),
    ({"a": 1}, "{'a': 1} (object)"),
    (MIN_EPOCH - 1, f"{MIN_EPOCH - 1} (number)"),
])
def test_a_wrong_typed_expiry_from_the_sdk_is_an_invalid_date_not_a_crash(
        exp: Any, shown: str, listing: bool) -> None:
    record = secret_record(_sdk_properties({"exp": exp, "created": 1_700_000_000}, listing=listing),
                           VAULT)
    assert record.expires_on is None
    assert dict(record.invalid_dates) == {"expires_on": shown}
    assert record.created_on == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    # …and everything downstream says so instead of raising or pretending "no expiry"
    assert fmt.time_field(record, "expires_on") == "invalid date"
    rows = dict(describe(record).sections[0].rows)
    assert rows["Expires"] == f"invalid date (the service sent {shown})"
    entry = vault_item_entry(record, ItemKind.SECRET, "hostile")
    codes = {finding.code: finding for finding in analyze([entry], [], NOW)}
    assert "no-expiry" not in codes
    assert [item.detail for item in codes["malformed-date"].items] == [
        f"expiry: the service sent {shown}"]


def test_far_future_is_no_practical_expiry_in_the_audit() -> None:
    never = secret_record(_sdk_properties({"exp": NEVER_EXPIRES_EPOCH}, listing=True), VAULT)
    assert never.expires_on == NEVER_EXPIRES and not never.invalid_dates
    assert is_far_future(never.expires_on, NOW) and not is_far_future(NOW + timedelta(days=3650))
    entry = vault_item_entry(never, ItemKind.SECRET, "hostile")
    findings = {finding.code: finding for finding in analyze([entry], [], NOW)}
    assert set(findings) == {"no-expiry"}
    assert findings["no-expiry"].items[0].detail == (
        "expires 9999-12-31 23:59 UTC: no practical expiry")


def test_year_one_and_epoch_zero_are_dates_not_findings_of_expiry() -> None:
    record = secret_record(_sdk_properties({"exp": MIN_EPOCH, "nbf": MIN_EPOCH}, listing=True),
                           VAULT)
    assert record.expires_on == datetime(1, 1, 1, tzinfo=UTC)
    entry = vault_item_entry(record, ItemKind.SECRET, "hostile")
    findings = {finding.code: finding for finding in analyze([entry], [], NOW)}
    assert findings["expired"].items[0].detail.startswith("expired 0001-01-01 00:00 UTC (")


# --- formatting in every time zone ------------------------------------------------------------

@pytest.mark.parametrize("value", [
    NEVER_EXPIRES, datetime(1, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 12, tzinfo=UTC), datetime(1, 1, 1, 5, tzinfo=UTC),
])
def test_formatting_never_raises_in_any_zone(zone: str, value: datetime) -> None:
    shown = fmt.when(value)
    assert shown[:4] in ("0001", "0000", "1969", "1970", "9999", "1000")  # a padded year
    assert fmt.when_exact(value).endswith(" UTC")
    assert fmt.expiry_state(value, NOW) in ("expired", None)


def test_a_far_future_expiry_reads_never_in_every_zone(zone: str) -> None:
    record = secret_record(_sdk_properties({"exp": NEVER_EXPIRES_EPOCH}, listing=True), VAULT)
    assert fmt.time_field(record, "expires_on") == "9999-12-31 (never)"
    assert dict(describe(record).sections[0].rows)["Expires"] == "9999-12-31 (never)"


# --- through the real emulator, the model and the window -------------------------------------

HOSTILE_SEED = {
    "secrets": [
        {"name": "never-expires", "value": "v", "attributes": {"exp": NEVER_EXPIRES_EPOCH}},
        {"name": "year-one", "value": "v", "attributes": {"nbf": MIN_EPOCH, "exp": 0}},
        {"name": "ordinary", "value": "v", "attributes": {"exp": 1_900_000_000}},
    ],
}


@pytest.fixture(scope="module")
def hostile_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-dates"),
                                seed=HOSTILE_SEED) as emulator:
        yield emulator


def _connection(emulator: Any) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="hostile-dates", ca_path=str(emulator.ca_path))


def test_the_emulator_and_the_sdk_round_trip_the_edges(hostile_vault: Any, run: Any) -> None:
    async def body() -> dict[str, Any]:
        session = ServiceSession()
        try:
            service = open_vault(session, _connection(hostile_vault))
            page = await service.secrets.list()
            return {record.name: record for record in page.items}
        finally:
            await session.aclose()

    records = run(body())
    assert records["never-expires"].expires_on == NEVER_EXPIRES
    assert records["year-one"].not_before == datetime(1, 1, 1, tzinfo=UTC)
    assert records["year-one"].expires_on == datetime(1970, 1, 1, tzinfo=UTC)
    assert not any(record.invalid_dates for record in records.values())
    assert hostile_vault.unhandled_errors == []


@pytest.fixture
def session(qloop: asyncio.AbstractEventLoop) -> Iterator[ServiceSession]:
    session = ServiceSession()
    yield session
    qloop.run_until_complete(session.aclose())


def test_the_tree_shows_the_edges_in_every_zone(zone: str, hostile_vault: Any, qloop: Any,
                                                qtbot: Any, session: ServiceSession) -> None:
    from vaultbrowser.core.models.flat.flat_tree import FlatTreeModel
    from vaultbrowser.core.ui.tree.tree_table import TreeTable

    model = KeyVaultTreeModel(SECRETS)
    vault = model.add_root(VaultRoot(_connection(hostile_vault),
                                     open_vault(session, _connection(hostile_vault))))
    flat = FlatTreeModel()
    flat.setSourceModel(model)
    view = TreeTable()
    view.setModel(flat)
    qtbot.addWidget(view)
    view.resize(1280, 400)
    view.show()
    flat.set_expanded(flat.mapFromSource(vault), True)
    qloop.run_until_complete(asyncio.wait_for(model.wait_idle(), 20))
    rows = {model.index(row, 0, vault).data(): row for row in range(model.rowCount(vault))}
    expires = model.column_titles().index("Expires")
    never = model.index(rows["never-expires"], expires, vault)
    assert never.data() == "9999-12-31 (never)"
    year_one = model.index(rows["year-one"], expires, vault)
    assert year_one.data().startswith(("1970-01-01", "1969-12-31"))
    # Qt lays every cell out (size hints: where the crash was) and paints it.
    view.resizeColumnsToContents()
    assert not view.grab().isNull()
    for row in range(flat.rowCount()):
        for column in range(flat.columnCount()):
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                         Qt.ItemDataRole.ForegroundRole):
                flat.index(row, column).data(role)
    assert model.index(rows["never-expires"], 0, vault).data(Qt.ItemDataRole.ForegroundRole) \
        is None  # not "expired", not "expiring soon"
    view.close()
