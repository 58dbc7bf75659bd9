"""What expires across vaults, against two Key Vault emulator instances (two vaults)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from vaultbrowser.core.audit.expiry_axis import bucket_of
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.services.config import NetworkSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AccessDenied
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.across.expiry import VaultAnswer, expiring_items
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.demo.keyvault_demo import seed_vault_extras
from vaultbrowser.keyvault.services.opener import open_vault

NOW = dt.datetime.now(dt.UTC)
DAY = 86_400


def _at(days: float) -> int:
    return int(NOW.timestamp() + days * DAY)


def _secret(name: str, days: float | None, **attributes: Any) -> dict[str, Any]:
    attrs = dict(attributes)
    if days is not None:
        attrs["exp"] = _at(days)
    return {"name": name, "value": "never-shown-9c1d", "attributes": attrs}


SEED_A = {
    "secrets": [
        _secret("a-expired", -5), _secret("a-in-10", 10), _secret("a-in-60", 60),
        _secret("a-in-200", 200), _secret("a-in-500", 500), _secret("a-no-expiry", None),
        _secret("a-disabled-in-20", 20, enabled=False),
        {**_secret("a-deleted-in-5", 5), "deleted": True},
    ],
    "keys": [{"name": "a-key-in-45", "kty": "EC", "crv": "P-256",
              "attributes": {"exp": _at(45)}}],
    # issued now for two months: its key and secret (managed) carry the same expiry
    "certificates": [{"name": "a-cert-2m", "subject": "CN=a.test", "validity_months": 2}],
}
SEED_B = {
    "secrets": [_secret("b-in-3", 3)],
    "keys": [{"name": "b-key-expired", "kty": "EC", "crv": "P-256",
              "attributes": {"exp": _at(-100)}}],
}


@pytest.fixture(scope="module")
def vault_a(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-expiry-a"),
                                seed=SEED_A) as instance:
        # imported certificates with set dates: expired 30 days ago, in 18, 55 and 265 days
        asyncio.run(seed_vault_extras(connection_for(instance)))
        yield instance


@pytest.fixture(scope="module")
def vault_b(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-expiry-b"),
                                seed=SEED_B) as instance:
        yield instance


def connection_for(emulator: Any) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      ca_path=str(emulator.ca_path))


async def collect(emulators: dict[str, Any], network: NetworkSettings | None = None,
                  **options: Any) -> list[VaultAnswer]:
    session = ServiceSession(network=network)
    try:
        vaults = [Vault(label, open_vault(session, connection_for(emulator)))
                  for label, emulator in emulators.items()]
        return [answer async for answer in expiring_items(vaults, now=NOW, **options)]
    finally:
        await session.aclose()


def items_of(answers: list[VaultAnswer]) -> dict[tuple[str, str], Any]:
    return {(item.vault, item.name): item for answer in answers for item in answer.items}


def test_every_expiring_item_of_both_vaults_once(vault_a: Any, vault_b: Any, run: Any) -> None:
    answers = run(collect({"A": vault_a, "B": vault_b}))
    items = items_of(answers)
    assert sum(len(answer.items) for answer in answers) == len(items)  # each item once
    assert [a.vault for a in answers if a.finished] in (["A", "B"], ["B", "A"])
    assert not [a for a in answers if a.error]
    assert set(items) == {
        ("A", "a-expired"), ("A", "a-in-10"), ("A", "a-in-60"), ("A", "a-in-200"),
        ("A", "a-in-500"), ("A", "a-disabled-in-20"), ("A", "a-key-in-45"),
        ("A", "a-cert-2m"), ("A", "legacy-vpn-gateway"), ("A", "partner-portal-tls"),
        ("A", "iot-hub-device-ca"), ("A", "partner-sso-legacy"), ("A", "vendor-appliance-mgmt"),
        ("B", "b-in-3"), ("B", "b-key-expired")}
    # no expiry, deleted, and a certificate's own key and secret (managed) are not there
    kinds = {name: item.kind for (_vault, name), item in items.items()}
    assert kinds["a-cert-2m"] is ItemKind.CERTIFICATE and kinds["a-key-in-45"] is ItemKind.KEY
    assert kinds["legacy-vpn-gateway"] is ItemKind.CERTIFICATE
    assert kinds["a-in-10"] is ItemKind.SECRET
    # expired ones are marked; disabled ones are there and say so
    assert items["A", "a-expired"].expired and items["B", "b-key-expired"].expired
    assert items["A", "legacy-vpn-gateway"].expired
    assert not items["A", "a-in-10"].expired
    assert items["A", "a-disabled-in-20"].enabled is False
    assert items["A", "a-in-10"].enabled is True
    # each bucket has items: expired, ≤ 30, ≤ 90, ≤ 365 days; and beyond it
    buckets = {name: (bucket.key if (bucket := bucket_of(item.expires_on, NOW)) else None)
               for (_vault, name), item in items.items()}
    assert buckets["a-expired"] == "expired" and buckets["a-in-10"] == "30"
    assert buckets["a-in-60"] == "90" and buckets["a-cert-2m"] == "90"
    assert buckets["a-in-200"] == "365" and buckets["a-in-500"] is None
    item = items["B", "b-in-3"]
    assert item.vault_url == vault_b.url.rstrip("/") and "/secrets/b-in-3" in item.id
    assert "never-shown" not in repr(answers)


def test_until_leaves_out_later_expiries(vault_a: Any, run: Any) -> None:
    answers = run(collect({"A": vault_a}, until=NOW + dt.timedelta(days=365)))
    names = {name for _vault, name in items_of(answers)}
    assert "a-in-500" not in names and {"a-in-200", "a-expired"} <= names


def test_a_failing_vault_does_not_stop_the_other(vault_a: Any, vault_b: Any, run: Any) -> None:
    vault_b.faults.forbid("/", code="ForbiddenByRbac")  # every listing of B: 403
    try:
        answers = run(collect({"B": vault_b, "A": vault_a}, concurrency=1))
    finally:
        vault_b.faults.clear()
    failures = [a for a in answers if a.error]
    assert {a.vault for a in failures} == {"B"}
    assert {a.failed for a in failures} == {ItemKind.SECRET, ItemKind.CERTIFICATE, ItemKind.KEY}
    assert all(isinstance(a.error, AccessDenied) for a in failures)
    names = {name for vault, name in items_of(answers)}
    assert {"a-in-10", "a-cert-2m", "a-key-in-45"} <= names and "b-in-3" not in names
    assert sorted(a.vault for a in answers if a.finished) == ["A", "B"]


def test_one_failing_listing_keeps_the_vaults_others(vault_b: Any, run: Any) -> None:
    vault_b.faults.forbid("/keys", code="ForbiddenByRbac")
    try:
        answers = run(collect({"B": vault_b}))
    finally:
        vault_b.faults.clear()
    assert [a.failed for a in answers if a.error] == [ItemKind.KEY]
    assert {name for _vault, name in items_of(answers)} == {"b-in-3"}


def test_a_page_throttled_past_the_sdk_retries_is_asked_again_after_retry_after(
        vault_b: Any, run: Any) -> None:
    """No SDK retries here: the 429 reaches the service, which waits its Retry-After and asks
    for the same page again; nothing is lost and no error is said."""
    vault_b.faults.add(429, retry_after=1, times=1, path_prefix="/secrets", method="GET")
    before = len(vault_b.request_log)
    try:
        answers = run(collect({"B": vault_b}, network=NetworkSettings(retry_total=0)))
    finally:
        vault_b.faults.clear()
    assert not [a for a in answers if a.error]
    assert {name for _vault, name in items_of(answers)} == {"b-in-3", "b-key-expired"}
    listings = [e for e in vault_b.request_log[before:]
                if e.method == "GET" and e.path.rstrip("/") == "/secrets" and e.authorized]
    assert [e.status for e in listings] == [429, 200]
    assert listings[1].time - listings[0].time >= 0.95
    assert listings[0].query == listings[1].query  # the same page again


def test_cancelling_stops_every_listing(vault_a: Any, vault_b: Any, run: Any) -> None:
    """A slow vault is still listing when the consumer stops: nothing is left running."""
    vault_a.faults.slow(2.0, path_prefix="/keys")

    async def body() -> list[VaultAnswer]:
        session = ServiceSession()
        got: list[VaultAnswer] = []
        try:
            vaults = [Vault("A", open_vault(session, connection_for(vault_a))),
                      Vault("B", open_vault(session, connection_for(vault_b)))]

            async def consume() -> None:
                async for answer in expiring_items(vaults, now=NOW):
                    got.append(answer)

            task = asyncio.create_task(consume())
            await asyncio.sleep(0.8)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert not [t for t in asyncio.all_tasks() if t is not asyncio.current_task()
                        and "one" in repr(t.get_coro())]
            return got
        finally:
            await session.aclose()

    try:
        got = run(body())
    finally:
        vault_a.faults.clear()
    assert ("B", True) in {(a.vault, a.finished) for a in got}
    assert not [a for a in got if a.vault == "A" and a.finished]
    # A's certificates and secrets streamed out before its keys listing was cut short
    assert {"a-cert-2m", "a-in-10"} <= {item.name for a in got if a.vault == "A"
                                        for item in a.items}
