"""Read-only mode holds in the pipeline: every write the SDK clients can make is refused before
it is sent, reads keep working, and the services prove it (emulator request log, Azurite state)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from azure.core import MatchConditions
from azure.keyvault.certificates import CertificatePolicy
from azure.keyvault.keys import (
    JsonWebKey,
    KeyRotationLifetimeAction,
    KeyRotationPolicy,
    KeyRotationPolicyAction,
)
from azure.storage.blob import BlobServiceClient as SyncBlobServiceClient
from azure.storage.blob import StandardBlobTier

from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import ReadOnlyRefused
from vaultbrowser.core.services.http.readonly import SAFE_METHODS
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.opener import open_vault

SEED = {
    "secrets": [{"name": "existing", "value": "read-only-seeded-value-77"}],
    "keys": [{"name": "existing-key", "kty": "RSA", "key_size": 2048}],
    "certificates": [{"name": "existing-cert", "subject": "CN=ro.local"}],
}
CONTAINER = "readonly-existing"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-ro"), seed=SEED) as inst:
        yield inst


@pytest.fixture(scope="module")
def blob_state(azurite: Any) -> Callable[[], dict[str, Any]]:
    client = SyncBlobServiceClient.from_connection_string(azurite.connection_string)
    container = client.create_container(CONTAINER)
    container.upload_blob("kept.txt", b"original", metadata={"owner": "audit"})

    def snapshot() -> dict[str, Any]:
        state: dict[str, Any] = {}
        for props in client.list_containers(include_metadata=True):
            blobs = client.get_container_client(props.name).list_blobs(
                include=["metadata", "tags", "snapshots"])
            state[props.name] = (dict(props.metadata or {}), props.public_access, sorted(
                (b.name, b.etag, b.size, tuple(sorted((b.metadata or {}).items())),
                 b.snapshot or "") for b in blobs))
        return state

    return snapshot


def kv_connection(emulator: Any, *, read_only: bool = True) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="ro-vault", ca_path=str(emulator.ca_path), read_only=read_only)


def blob_connection(azurite: Any) -> Connection:
    return Connection("blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
                      name="ro-account", read_only=True)


def keyvault_writes(vault: Any) -> dict[str, Callable[[], Awaitable[Any]]]:
    """Every data-plane write of the three Key Vault clients."""
    clients = vault.clients
    secrets, keys, certs = clients.secret_client, clients.key_client, clients.certificate_client
    rsa = JsonWebKey(kty="RSA", n=b"\x01" * 256, e=b"\x01\x00\x01", d=b"\x02" * 256)
    rotation = [KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate, time_after_create="P90D")]
    return {
        "set secret": lambda: secrets.set_secret("new-secret", "v"),
        "new secret version": lambda: secrets.set_secret("existing", "v2"),
        "update secret": lambda: secrets.update_secret_properties("existing", enabled=False),
        "delete secret": lambda: secrets.delete_secret("existing"),
        "recover secret": lambda: secrets.recover_deleted_secret("existing"),
        "purge secret": lambda: secrets.purge_deleted_secret("existing"),
        "backup secret": lambda: secrets.backup_secret("existing"),
        "restore secret": lambda: secrets.restore_secret_backup(b"backup"),
        "create key": lambda: keys.create_rsa_key("new-key"),
        "create ec key": lambda: keys.create_ec_key("new-ec"),
        "import key": lambda: keys.import_key("imported", rsa),
        "update key": lambda: keys.update_key_properties("existing-key", enabled=False),
        "rotate key": lambda: keys.rotate_key("existing-key"),
        "set rotation policy": lambda: keys.update_key_rotation_policy(
            "existing-key", KeyRotationPolicy(lifetime_actions=rotation)),
        "delete key": lambda: keys.delete_key("existing-key"),
        "purge key": lambda: keys.purge_deleted_key("existing-key"),
        "create certificate": lambda: certs.create_certificate(
            "new-cert", CertificatePolicy.get_default()),
        "import certificate": lambda: certs.import_certificate("imp", b"not-a-pfx"),
        "update certificate": lambda: certs.update_certificate_properties(
            "existing-cert", enabled=False),
        "update policy": lambda: certs.update_certificate_policy(
            "existing-cert", CertificatePolicy.get_default()),
        "cancel operation": lambda: certs.cancel_certificate_operation("existing-cert"),
        "set contacts": lambda: certs.set_contacts([]),
        "delete contacts": lambda: certs.delete_contacts(),
        "create issuer": lambda: certs.create_issuer("new-issuer", "DigiCert",
                                                     account_id="a", password="p"),
        "update issuer": lambda: certs.update_issuer("existing-issuer", enabled=False),
        "delete issuer": lambda: certs.delete_issuer("existing-issuer"),
        "delete certificate": lambda: certs.delete_certificate("existing-cert"),
    }


def blob_writes(client: Any) -> dict[str, Callable[[], Awaitable[Any]]]:
    """Every data-plane write of the Blob clients a user action could reach."""
    container = client.get_container_client(CONTAINER)
    blob = container.get_blob_client("kept.txt")
    expiry = datetime.now(UTC) + timedelta(hours=1)
    return {
        "create container": lambda: client.create_container("ro-new"),
        "delete container": lambda: client.delete_container(CONTAINER),
        "set container metadata": lambda: container.set_container_metadata({"x": "1"}),
        "set public access": lambda: container.set_container_access_policy(
            {}, public_access="container"),
        "upload blob": lambda: container.upload_blob("new.txt", b"data"),
        "overwrite blob": lambda: blob.upload_blob(b"changed", overwrite=True),
        "save edited text (If-Match)": lambda: blob.upload_blob(
            b"edited", overwrite=True, etag='"0x8D0000000000000"',
            match_condition=MatchConditions.IfNotModified),
        "delete blob": lambda: blob.delete_blob(),
        "set metadata": lambda: blob.set_blob_metadata({"owner": "mallory"}),
        "set tags": lambda: blob.set_blob_tags({"a": "b"}),
        "set tier": lambda: blob.set_standard_blob_tier(StandardBlobTier.COOL),
        "snapshot": lambda: blob.create_snapshot(),
        "set tier, batch": lambda: container.set_standard_blob_tier_blobs(
            StandardBlobTier.ARCHIVE, "kept.txt"),
        "delete snapshot": lambda: container.get_blob_client(
            "kept.txt", snapshot="2024-03-01T09:00:00.1234567Z").delete_blob(),
        "delete version": lambda: blob.delete_blob(version_id="2024-03-01T08:59:00.1111111Z"),
        "promote snapshot": lambda: blob.start_copy_from_url(container.get_blob_client(
            "kept.txt", snapshot="2024-03-01T09:00:00.1234567Z").url),
        "copy": lambda: container.get_blob_client("copy.txt").start_copy_from_url(blob.url),
        "abort copy": lambda: container.get_blob_client("copy.txt").abort_copy(
            "00000000-0000-0000-0000-000000000000"),
        "lease": lambda: blob.acquire_lease(),
        "undelete": lambda: blob.undelete_blob(),
        "user delegation key": lambda: client.get_user_delegation_key(expiry, expiry),
    }


async def refused(writes: dict[str, Callable[[], Awaitable[Any]]]) -> dict[str, str]:
    outcomes = {}
    for name, write in writes.items():
        try:
            await write()
            outcomes[name] = "SENT"
        except ReadOnlyRefused:
            outcomes[name] = "refused"
        except Exception as exc:  # anything else means the guard did not stop it first
            outcomes[name] = f"{type(exc).__name__}: {exc}"
    return outcomes


def test_keyvault_writes_never_reach_the_vault(emulator: Any, run: Any) -> None:
    session = ServiceSession()
    emulator.request_log.clear()

    async def body() -> tuple[dict[str, str], Any, Any]:
        try:
            vault = open_vault(session, kv_connection(emulator))
            outcomes = await refused(keyvault_writes(vault))
            # Reads keep working, including an explicit value read (a GET).
            listing = await vault.secrets.list()
            value = await vault.secrets.get_value("existing")
            return outcomes, listing, value
        finally:
            await session.aclose()

    outcomes, listing, value = run(body())
    assert outcomes == dict.fromkeys(outcomes, "refused"), outcomes
    methods = {entry.method for entry in emulator.request_log}
    assert methods <= SAFE_METHODS, methods
    assert [s.name for s in listing.items if s.name == "existing"] == ["existing"]
    assert value.value.reveal() == "read-only-seeded-value-77"
    # The session's journal shows every refusal, with nothing sent.
    refusals = [r for r in session.journal.records() if r.refused]
    assert len(refusals) >= len(outcomes)
    assert all(r.response is None and r.connection == "ro-vault" for r in refusals)


def test_blob_writes_never_reach_the_account(azurite: Any, run: Any,
                                             blob_state: Callable[[], dict[str, Any]]) -> None:
    before = blob_state()
    session = ServiceSession()

    async def body() -> tuple[dict[str, str], Any]:
        try:
            service = open_storage(session, blob_connection(azurite))
            outcomes = await refused(blob_writes(service._client))
            listing = await service.list_folder(CONTAINER, page_size=10)
            return outcomes, listing
        finally:
            await session.aclose()

    outcomes, listing = run(body())
    assert outcomes == dict.fromkeys(outcomes, "refused"), outcomes
    assert blob_state() == before  # Azurite's state is untouched
    assert [b.name for b in listing.items] == ["kept.txt"]
    sent = {r.method for r in session.journal.records() if not r.refused}
    assert sent <= SAFE_METHODS, sent


def test_global_read_only_covers_connections_without_the_flag(emulator: Any, run: Any) -> None:
    session = ServiceSession(read_only=True)

    async def body() -> str:
        try:
            vault = open_vault(session, kv_connection(emulator, read_only=False))
            client = vault.clients.secret_client
            return (await refused({"set": lambda: client.set_secret("x", "y")}))["set"]
        finally:
            await session.aclose()

    assert run(body()) == "refused"


def test_refusal_names_the_connection_and_what_was_refused(emulator: Any, run: Any) -> None:
    session = ServiceSession()

    async def body() -> ReadOnlyRefused:
        try:
            vault = open_vault(session, kv_connection(emulator))
            with pytest.raises(ReadOnlyRefused) as caught:
                await vault.clients.secret_client.set_secret("named", "never-sent-value-31")
            return caught.value
        finally:
            await session.aclose()

    error = run(body())
    assert "ro-vault" in error.message and "PUT" in error.message
    assert "/secrets/named" in error.message
    assert "never-sent-value-31" not in error.diagnostics_text()
    assert error.advice and error.title == "Refused in read-only mode"


def test_demo_seeding_is_refused_under_read_only(emulator: Any, run: Any) -> None:
    from vaultbrowser.core.services.translate import translated
    from vaultbrowser.keyvault.services.demo.certificate_imports import import_demo_certificates

    session = ServiceSession(read_only=True)

    async def body() -> None:
        try:
            service = open_vault(session, kv_connection(emulator))
            with pytest.raises(ReadOnlyRefused):
                async with translated():
                    await import_demo_certificates(service.clients.certificate_client)
        finally:
            await session.aclose()

    run(body())
    assert {entry.method for entry in emulator.request_log} <= SAFE_METHODS


def test_writes_work_without_read_only(emulator: Any, run: Any) -> None:
    """The guard is the only thing refusing: the same call succeeds on a writable connection."""
    session = ServiceSession()

    async def body() -> str:
        try:
            vault = open_vault(session, kv_connection(emulator, read_only=False))
            secret = await vault.clients.secret_client.set_secret("writable", "ok")
            return secret.name
        finally:
            await session.aclose()

    assert run(body()) == "writable"



def test_copies_moves_and_renames_are_refused_in_read_only_mode(
        azurite: Any, run: Any, blob_state: Callable[[], dict[str, Any]]) -> None:
    """The server-side copy, move and rename runs (blob/services/copies/) send nothing that
    writes: each ends with the refusal, the account unchanged, the refusals in the journal."""
    from vaultbrowser.blob.services.copies.runs import CopyRun
    from vaultbrowser.blob.services.copies.server_copy import ServerCopy
    from vaultbrowser.blob.services.copies.targets import ConflictPolicy, CopySource, CopyTarget

    before = blob_state()
    session = ServiceSession()

    async def body() -> list[Any]:
        try:
            service = open_storage(session, blob_connection(azurite))
            url = service.account_url
            reports = []
            for target, move in (("copied.txt", False),  # copy
                                 ("renamed.txt", True),  # rename
                                 ("elsewhere/kept.txt", True)):  # move
                reports.append(await CopyRun(
                    ServerCopy(service, service), CopySource(url, CONTAINER, "kept.txt"),
                    CopyTarget(url, CONTAINER, target), ConflictPolicy.OVERWRITE,
                    move=move).run())
            return reports
        finally:
            await session.aclose()

    reports = run(body())
    for report in reports:
        assert report.done == () and len(report.failed) == 1
        assert isinstance(report.failed[0][1], ReadOnlyRefused)
    assert blob_state() == before
    refused_puts = [r for r in session.journal.records() if r.refused]
    assert len(refused_puts) == 3 and all(r.method == "PUT" for r in refused_puts)
    assert {r.method for r in session.journal.records() if not r.refused} <= SAFE_METHODS
