"""KeyVaultService against the project's Key Vault emulator, through the real SDK clients."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from azure.keyvault.certificates import CertificatePolicy, KeyCurveName, KeyType
from azure.keyvault.certificates.aio import CertificateClient
from azure.keyvault.keys.aio import KeyClient
from azure.keyvault.secrets.aio import SecretClient

from vaultbrowser.core.services.config import NetworkSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import AccessDenied, InvalidInput, NotFound, Throttled
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import LOCAL_EMULATOR_TOKEN, ServiceSession
from vaultbrowser.core.services.signin.credentials import StaticTokenCredential
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.vault_service import KeyVaultService

SECRET_VALUE = "s3cr3t-value-that-must-never-leak-7f3a"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A vault of its own for this module, so listing counts are exact."""
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv")) as instance:
        yield instance


def connection_for(emulator: Any, **changes: Any) -> Connection:
    fields: dict[str, Any] = {
        "kind": "keyvault", "url": emulator.url, "auth": AuthMethod.LOCAL_EMULATOR,
        "ca_path": str(emulator.ca_path),
    }
    fields.update(changes)
    return Connection(**fields)


def sdk_options(emulator: Any) -> dict[str, Any]:
    return {"connection_verify": str(emulator.ca_path)}


def sdk_credential() -> StaticTokenCredential:
    return StaticTokenCredential(LOCAL_EMULATOR_TOKEN)


async def with_vault(emulator: Any, body: Callable[[KeyVaultService], Any],
                     network: NetworkSettings | None = None) -> Any:
    session = ServiceSession(network=network)
    try:
        return await body(open_vault(session, connection_for(emulator)))
    finally:
        await session.aclose()


async def seed_secrets(emulator: Any, prefix: str, count: int, versions: int = 1) -> None:
    async with SecretClient(emulator.url, sdk_credential(), **sdk_options(emulator)) as client:
        semaphore = asyncio.Semaphore(16)

        async def one(index: int) -> None:
            async with semaphore:
                for version in range(versions):
                    await client.set_secret(f"{prefix}-{index:04d}", f"{SECRET_VALUE}-{version}",
                                            content_type="text/plain", tags={"n": str(index)})

        await asyncio.gather(*(one(i) for i in range(count)))


def test_list_secrets_pages_with_a_response_per_page(emulator: Any, run: Any) -> None:
    run(seed_secrets(emulator, "paged", 60))

    async def body(vault: KeyVaultService) -> list[Any]:
        pages, token = [], None
        while True:
            page = await vault.secrets.list(page_size=7, continuation=token)
            pages.append(page)
            token = page.next_token
            if token is None:
                return pages

    pages = run(with_vault(emulator, body))
    names = [item.name for page in pages for item in page.items if item.name.startswith("paged-")]
    assert sorted(names) == [f"paged-{i:04d}" for i in range(60)]
    assert len(names) == len(set(names))
    assert all(len(page.items) <= 7 for page in pages)
    for page in pages:
        assert page.response is not None and page.response.status == 200
        assert page.response.request_id
        assert page.response.method == "GET" and "maxresults=7" in page.response.url
    first = next(item for page in pages for item in page.items if item.name == "paged-0003")
    assert first.content_type == "text/plain" and dict(first.tags) == {"n": "3"}
    assert first.enabled is True and first.created_on is not None
    assert SECRET_VALUE not in repr(pages)


def test_versions_properties_and_value(emulator: Any, run: Any) -> None:
    run(seed_secrets(emulator, "versioned", 1, versions=3))

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        versions = await vault.secrets.list_versions("versioned-0000")
        latest = await vault.secrets.get("versioned-0000")
        value = await vault.secrets.get_value("versioned-0000")
        older = await vault.secrets.get_value("versioned-0000", versions.items[0].version)
        return versions, latest, value, older

    versions, latest, value, older = run(with_vault(emulator, body))
    assert len(versions.items) == 3 and versions.next_token is None
    assert len({item.version for item in versions.items}) == 3
    assert latest.response.status == 200 and latest.response.request_id
    assert latest.value.version in {item.version for item in versions.items}
    assert SECRET_VALUE not in repr(latest)
    assert isinstance(value.value, SecretValue)
    assert value.value.reveal() == f"{SECRET_VALUE}-2"
    assert SECRET_VALUE not in repr(value) and SECRET_VALUE not in str(value.value)
    assert older.value.reveal().startswith(SECRET_VALUE)


def test_deleted_secrets_are_listed_with_recovery_facts(emulator: Any, run: Any) -> None:
    run(seed_secrets(emulator, "doomed", 2))

    async def delete() -> None:
        async with SecretClient(emulator.url, sdk_credential(), **sdk_options(emulator)) as client:
            poller = await client.delete_secret("doomed-0001")
            assert poller.name == "doomed-0001"

    run(delete())

    async def body(vault: KeyVaultService) -> tuple[Any, Any]:
        return await vault.secrets.list_deleted(), await vault.secrets.get_deleted("doomed-0001")

    listing, single = run(with_vault(emulator, body))
    deleted = [item for item in listing.items if item.name == "doomed-0001"]
    assert deleted and deleted[0].is_deleted and deleted[0].recovery_id
    assert single.value.scheduled_purge_on is not None and single.value.deleted_on is not None


def test_certificate_details_are_parsed(emulator: Any, run: Any) -> None:
    async def create() -> None:
        async with CertificateClient(emulator.url, sdk_credential(),
                                     **sdk_options(emulator)) as client:
            policy = CertificatePolicy(
                issuer_name="Self", subject="CN=api.contoso.test, O=Contoso",
                san_dns_names=["api.contoso.test", "www.contoso.test"],
                key_type=KeyType.ec, key_curve_name=KeyCurveName.p_384,
                validity_in_months=6,
            )
            await client.create_certificate("web-cert", policy)  # polls until issued

    run(create())

    async def body(vault: KeyVaultService) -> Any:
        listed = await vault.certificates.list()
        details = await vault.certificates.get("web-cert")
        versions = await vault.certificates.list_versions("web-cert")
        return listed, details, versions

    listed, details, versions = run(with_vault(emulator, body))
    assert [c.name for c in listed.items] == ["web-cert"]
    x509 = details.value.x509
    assert x509 is not None
    assert "CN=api.contoso.test" in x509.subject and x509.self_signed
    assert set(x509.dns_names) == {"api.contoso.test", "www.contoso.test"}
    assert x509.key_type == "EC" and x509.curve == "secp384r1"
    assert x509.thumbprint_sha1 == details.value.properties.x509_thumbprint
    assert details.value.properties.subject == x509.subject
    assert details.value.policy is not None and details.value.policy.issuer_name == "Self"
    assert details.value.policy.curve == "P-384"
    assert details.response.status == 200 and details.response.request_id
    assert len(versions.items) == 1


def test_keys_show_type_and_size(emulator: Any, run: Any) -> None:
    async def create() -> None:
        async with KeyClient(emulator.url, sdk_credential(), **sdk_options(emulator)) as client:
            await client.create_rsa_key("rsa-key", size=3072)
            await client.create_ec_key("ec-key", curve="P-256")

    run(create())

    async def body(vault: KeyVaultService) -> Any:
        listed = await vault.keys.list()
        return listed, await vault.keys.get("rsa-key"), await vault.keys.get("ec-key")

    listed, rsa_key, ec_key = run(with_vault(emulator, body))
    assert {"rsa-key", "ec-key"} <= {k.name for k in listed.items}
    assert rsa_key.value.key_type == "RSA" and rsa_key.value.key_size == 3072
    assert ec_key.value.key_type == "EC" and ec_key.value.curve == "P-256"
    assert rsa_key.response.status == 200


def test_missing_secret_is_a_typed_not_found(emulator: Any, run: Any) -> None:
    async def body(vault: KeyVaultService) -> None:
        await vault.secrets.get("no-such-secret")

    with pytest.raises(NotFound) as caught:
        run(with_vault(emulator, body))
    assert caught.value.status == 404 and caught.value.error_code == "SecretNotFound"
    assert caught.value.request_id and "no-such-secret" in caught.value.message


def test_forbidden_by_rbac_says_which_role(emulator: Any, run: Any) -> None:
    emulator.faults.forbid("/secrets", code="ForbiddenByRbac")
    try:
        with pytest.raises(AccessDenied) as caught:
            run(with_vault(emulator, lambda vault: vault.secrets.list()))
    finally:
        emulator.faults.clear()
    assert caught.value.status == 403 and caught.value.error_code == "ForbiddenByRbac"
    assert "Key Vault" in caught.value.advice and caught.value.request_id


def test_throttling_gives_up_as_throttled(emulator: Any, run: Any) -> None:
    emulator.faults.add(status=429, retry_after=1, times=50)
    try:
        with pytest.raises(Throttled) as caught:
            run(with_vault(emulator, lambda vault: vault.secrets.list(),
                           network=NetworkSettings(retry_total=0)))
    finally:
        emulator.faults.clear()
    assert caught.value.status == 429 and caught.value.retry_after == 1


def test_journal_records_every_exchange_redacted(emulator: Any, run: Any) -> None:
    run(seed_secrets(emulator, "journal", 1))
    session = ServiceSession()

    async def body() -> None:
        try:
            vault = open_vault(session, connection_for(emulator))
            await vault.secrets.list(page_size=1)
            await vault.secrets.get_value("journal-0000")
        finally:
            await session.aclose()

    run(body())
    records = session.journal.records()
    statuses = [record.response.status for record in records if record.response]
    # The SDK caches a vault's challenge process-wide, so a 401 shows only on first contact.
    assert statuses[-2:] == [200, 200] and set(statuses) <= {200, 401}
    assert all(record.response.request_id for record in records if record.response)
    # A 401 here can only be the SDK's deliberate token-less first request: not a failure.
    assert all(record.is_auth_challenge and not record.failed
               for record in records if record.response and record.response.status == 401)
    assert all(record.authorized for record in records
               if record.response and record.response.status == 200)
    text = repr(records)
    assert LOCAL_EMULATOR_TOKEN not in text and SECRET_VALUE not in text


def test_managed_identity_endpoint_drives_the_normal_credential_path(
        emulator: Any, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IDENTITY_ENDPOINT", emulator.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", emulator.identity_header)
    session = ServiceSession()

    async def body() -> Any:
        try:
            vault = open_vault(session, connection_for(emulator, auth=AuthMethod.MANAGED_IDENTITY))
            return await vault.secrets.list(page_size=2)
        finally:
            await session.aclose()

    page = run(body())
    assert page.response.status == 200 and len(page.items) == 2


def test_ten_thousand_secrets_page_through(tmp_path_factory: pytest.TempPathFactory,
                                           run: Any) -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": [{"name": f"bulk-{i:05d}", "value": f"v{i}"} for i in range(10_000)]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-bulk"), seed=seed) as big:

        async def body(vault: KeyVaultService) -> tuple[int, int, set[int]]:
            token, count, pages, statuses = None, 0, 0, set()
            while True:
                page = await vault.secrets.list(page_size=25, continuation=token)
                count += len(page.items)
                pages += 1
                statuses.add(page.response.status)
                assert page.response.request_id
                token = page.next_token
                if token is None:
                    return count, pages, statuses

        count, pages, statuses = run(with_vault(big, body))
    assert count == 10_000 and pages == 400 and statuses == {200}


def test_closing_one_service_closes_its_transport(emulator: Any, run: Any) -> None:
    """Short-lived services (an audit report's) must not leave aiohttp sessions behind."""
    session = ServiceSession()

    async def body() -> tuple[int, int]:
        try:
            keep = open_vault(session, connection_for(emulator))
            temporary = open_vault(session, connection_for(emulator))
            await temporary.secrets.list(page_size=1)
            await session.close_service(temporary)
            await keep.secrets.list(page_size=1)  # the other one is unaffected
            return len(session._transports), len(session._services)
        finally:
            await session.aclose()

    assert run(body()) == (1, 1)


def test_a_private_ca_keeps_one_connection_alive(emulator: Any, run: Any) -> None:
    """The emulator's CA is one SSL context per transport: pages reuse one TLS connection
    (azure-core's per-request context for ``connection_verify=<path>`` reconnected each time)."""
    run(seed_secrets(emulator, "alive", 12))
    emulator.request_log.clear()

    async def body(vault: KeyVaultService) -> None:
        token = None
        for _ in range(4):
            page = await vault.secrets.list(page_size=3, continuation=token)
            token = page.next_token

    run(with_vault(emulator, body))
    listings = [entry for entry in emulator.request_log if entry.path == "/secrets"]
    assert len(listings) >= 4
    assert len({entry.peer for entry in listings}) == 1 and listings[0].peer


def test_an_unusable_ca_file_is_invalid_input(emulator: Any, tmp_path: Any) -> None:
    broken = tmp_path / "ca.pem"
    broken.write_text("not a certificate")
    session = ServiceSession()
    for path in (broken, tmp_path / "missing.pem"):
        with pytest.raises(InvalidInput, match="CA certificate file"):
            open_vault(session, connection_for(emulator, ca_path=str(path)))
