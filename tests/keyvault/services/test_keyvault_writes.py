"""KeyVaultService writes (``KeyVaultWrites``) against the project's Key Vault emulator, through
the real SDK clients and the session's pipeline: every operation and the safety rules."""

from __future__ import annotations

import asyncio
import datetime as dt
import pickle
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import (
    AccessDenied,
    Conflict,
    InvalidInput,
    NotFound,
    VaultBrowserError,
)
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.certificates.inputs import (
    PEM,
    CertificateOperationRecord,
    CertificatePolicyInput,
    PrivateExport,
)
from vaultbrowser.keyvault.services.inputs import (
    UNCHANGED,
    PropertyChanges,
    purge_refusal,
    validate_item_name,
)
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.records import KeyRecord, SecretRecord
from vaultbrowser.keyvault.services.vault_service import KeyVaultService

VALUE = "wr1te-s3cret-value-that-must-never-leak-9c2e"
PASSWORD = "pfx-passw0rd-never-shown-41d7"
HOSTILE_NAMES = ["sécret", "a b", "50%off", "a#b", "what?", "a+b", "..", "x/", "../secrets/x",
                 "x" * 1000, "", "tab\tname", "semi;colon"]
IN_A_YEAR = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=365)


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A vault of this module's own; self-signed certificates take 0.3 s to issue."""
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-writes"),
                                cert_issuance_delay=0.3) as instance:
        yield instance


@pytest.fixture(scope="module")
def protected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A vault with purge protection (recovery level "Recoverable")."""
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-protected"),
                                recovery_level="Recoverable") as instance:
        yield instance


_names = iter(range(1_000_000))


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def connection_for(emulator: Any, *, read_only: bool = False) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="writes-vault", ca_path=str(emulator.ca_path), read_only=read_only)


async def with_vault(emulator: Any, body: Callable[[KeyVaultService], Awaitable[Any]], *,
                     read_only: bool = False) -> Any:
    session = ServiceSession()
    try:
        return await body(open_vault(session, connection_for(emulator, read_only=read_only)))
    finally:
        await session.aclose()


def requests_since(emulator: Any, mark: int) -> list[tuple[str, str]]:
    return [(entry.method, entry.path) for entry in emulator.request_log[mark:]]


def writes_since(emulator: Any, mark: int) -> list[tuple[str, str]]:
    return [r for r in requests_since(emulator, mark) if r[0] not in ("GET", "HEAD")]


def never_shows(text: str, *objects: Any) -> None:
    for obj in objects:
        assert text not in repr(obj) and text not in str(obj)
        if isinstance(obj, BaseException):
            chain: BaseException | None = obj
            while chain is not None:
                assert text not in str(chain) and text not in repr(chain)
                chain = chain.__cause__ or chain.__context__
            if isinstance(obj, VaultBrowserError):
                assert text not in obj.diagnostics_text()


async def caught(coro: Awaitable[Any]) -> BaseException:
    try:
        await coro
    except Exception as exc:
        return exc
    raise AssertionError("no error raised")


def self_signed(key: Any, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name)]), False)
            .sign(key, hashes.SHA256()))


# --- secrets ------------------------------------------------------------------------------


def test_create_secret_round_trips_with_its_response(emulator: Any, run: Any) -> None:
    name = fresh("created")
    soon = dt.datetime.now(dt.UTC).replace(microsecond=0)

    async def body(vault: KeyVaultService) -> tuple[Any, Any]:
        created = await vault.secrets.create(
            name, SecretValue(VALUE), content_type="text/plain", enabled=True,
            not_before=soon, expires_on=IN_A_YEAR, tags={"env": "test"})
        return created, await vault.secrets.get_value(name)

    created, value = run(with_vault(emulator, body))
    record = created.value
    assert isinstance(record, SecretRecord) and record.name == name and record.version
    assert record.content_type == "text/plain" and dict(record.tags) == {"env": "test"}
    assert record.not_before == soon and record.expires_on == IN_A_YEAR and record.enabled
    assert created.response.method == "PUT" and created.response.status == 200
    assert created.response.request_id
    assert value.value.reveal() == VALUE
    never_shows(VALUE, created, record)


def test_create_refuses_an_existing_name_and_adds_no_version(emulator: Any, run: Any) -> None:
    name, disabled = fresh("taken"), fresh("taken-off")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        await vault.secrets.create(name, SecretValue("first"))
        await vault.secrets.create(disabled, SecretValue("off"), enabled=False)
        mark = len(emulator.request_log)
        again = await caught(vault.secrets.create(name, SecretValue(VALUE)))
        # A disabled secret answers GET with 403 SecretDisabled: it still exists.
        again_off = await caught(vault.secrets.create(disabled, SecretValue(VALUE)))
        writes = writes_since(emulator, mark)
        versions = await vault.secrets.list_versions(name)
        return again, again_off, writes, versions

    again, again_off, writes, versions = run(with_vault(emulator, body))
    for error in (again, again_off):
        assert isinstance(error, Conflict) and error.error_code == "AlreadyExists"
        assert "already exists" in error.message and "new version" in error.advice
        never_shows(VALUE, error)
    assert writes == []
    assert len(versions.items) == 1


def test_a_disabled_secret_value_is_refused_with_advice(emulator: Any, run: Any) -> None:
    name = fresh("dormant")

    async def body(vault: KeyVaultService) -> BaseException:
        await vault.secrets.create(name, SecretValue(VALUE), enabled=False)
        return await caught(vault.secrets.get_value(name))

    error = run(with_vault(emulator, body))
    assert isinstance(error, AccessDenied) and error.error_code == "SecretDisabled"
    assert "disabled" in error.advice and "Enable" in error.advice
    never_shows(VALUE, error)


def test_create_refuses_a_soft_deleted_name(emulator: Any, run: Any) -> None:
    name = fresh("buried")

    async def body(vault: KeyVaultService) -> tuple[Any, Any]:
        await vault.secrets.create(name, SecretValue("old"))
        await vault.secrets.delete(name)
        mark = len(emulator.request_log)
        error = await caught(vault.secrets.create(name, SecretValue(VALUE)))
        return error, writes_since(emulator, mark)

    error, writes = run(with_vault(emulator, body))
    assert isinstance(error, Conflict) and error.error_code == "ObjectIsDeletedButRecoverable"
    assert "deleted" in error.message and "Recover" in error.advice and "purge" in error.advice
    assert writes == []
    never_shows(VALUE, error)


def test_add_secret_version_needs_an_existing_secret(emulator: Any, run: Any) -> None:
    name = fresh("versioned")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        missing = await caught(vault.secrets.add_version(name, SecretValue(VALUE)))
        await vault.secrets.create(name, SecretValue("one"))
        added = await vault.secrets.add_version(name, SecretValue("two"), tags={"v": "2"})
        versions = await vault.secrets.list_versions(name)
        latest = await vault.secrets.get_value(name)
        return missing, added, versions, latest

    missing, added, versions, latest = run(with_vault(emulator, body))
    assert isinstance(missing, NotFound) and "Create" in missing.advice
    never_shows(VALUE, missing)
    assert added.response.method == "PUT" and dict(added.value.tags) == {"v": "2"}
    assert len(versions.items) == 2 and latest.value.reveal() == "two"


def test_update_secret_properties(emulator: Any, run: Any) -> None:
    name = fresh("props")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        created = await vault.secrets.create(name, SecretValue("v"), tags={"a": "1"})
        version = created.value.version
        changed = await vault.secrets.update_properties(name, version, PropertyChanges(
            enabled=False, content_type="application/json", expires_on=IN_A_YEAR,
            tags={"b": "2"}))
        cleared = await vault.secrets.update_properties(name, None, PropertyChanges(tags={}))
        mark = len(emulator.request_log)
        refusals = [
            await caught(vault.secrets.update_properties(name, None, PropertyChanges())),
            await caught(vault.secrets.update_properties(
                name, None, PropertyChanges(expires_on=None))),
            await caught(vault.secrets.update_properties(
                name, None, PropertyChanges(content_type=None))),
            await caught(vault.secrets.update_properties(
                name, None, PropertyChanges(expires_on=dt.datetime(2030, 1, 1)))),  # naive
            await caught(vault.secrets.update_properties(name, None, PropertyChanges(
                not_before=IN_A_YEAR, expires_on=IN_A_YEAR - dt.timedelta(days=1)))),
            await caught(vault.secrets.update_properties(
                name, "../x", PropertyChanges(enabled=True))),
            await caught(vault.secrets.update_properties(
                name, None, PropertyChanges(tags={f"t{i}": "x" for i in range(16)}))),
        ]
        return changed, cleared, refusals, requests_since(emulator, mark)

    changed, cleared, refusals, sent = run(with_vault(emulator, body))
    record = changed.value
    assert record.enabled is False and record.content_type == "application/json"
    assert record.expires_on == IN_A_YEAR and dict(record.tags) == {"b": "2"}
    assert changed.response.method == "PATCH" and changed.response.status == 200
    assert dict(cleared.value.tags) == {}
    assert all(isinstance(error, InvalidInput) for error in refusals), refusals
    assert "cannot remove" in refusals[1].message
    assert sent == []


def test_delete_recover_and_purge_a_secret(emulator: Any, run: Any) -> None:
    name = fresh("lifecycle")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        await vault.secrets.create(name, SecretValue(VALUE))
        deleted = await vault.secrets.delete(name)
        recovered = await vault.secrets.recover(name)
        value = await vault.secrets.get_value(name)
        await vault.secrets.delete(name)
        mark = len(emulator.request_log)
        wrong = [await caught(vault.secrets.purge(name, typed_name=typed))
                 for typed in ("", name.upper(), name + " ", "something-else")]
        sent_for_wrong = requests_since(emulator, mark)
        purged = await vault.secrets.purge(name, typed_name=name)
        gone = await caught(vault.secrets.get_deleted(name))
        reborn = await vault.secrets.create(name, SecretValue("reborn"))
        return deleted, recovered, value, wrong, sent_for_wrong, purged, gone, reborn

    deleted, recovered, value, wrong, sent_for_wrong, purged, gone, reborn = run(
        with_vault(emulator, body))
    assert deleted.value.is_deleted and deleted.value.recovery_id
    assert deleted.value.scheduled_purge_on is not None
    assert deleted.response.method == "DELETE" and deleted.response.status == 200
    assert recovered.value.name == name and not recovered.value.is_deleted
    assert recovered.response.method == "POST"
    assert value.value.reveal() == VALUE
    assert all(isinstance(e, InvalidInput) and "exact name" in e.message for e in wrong)
    assert sent_for_wrong == []
    assert purged.value is None and purged.response.method == "DELETE"
    assert purged.response.status == 204
    assert isinstance(gone, NotFound)
    assert reborn.value.name == name
    never_shows(VALUE, deleted, recovered)


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: repr(n[:12]) + f"/{len(n)}")
def test_hostile_names_are_refused_before_any_request(emulator: Any, run: Any,
                                                      name: str) -> None:
    policy = CertificatePolicyInput(subject="CN=x")
    calls: list[Callable[[KeyVaultService], Awaitable[Any]]] = [
        lambda v: v.secrets.create(name, SecretValue(VALUE)),
        lambda v: v.secrets.add_version(name, SecretValue(VALUE)),
        lambda v: v.secrets.update_properties(name, None, PropertyChanges(enabled=False)),
        lambda v: v.secrets.delete(name),
        lambda v: v.secrets.recover(name),
        lambda v: v.secrets.purge(name, typed_name=name),
        lambda v: v.certificates.issuance.create(name, policy),
        lambda v: v.certificates.files.import_file(name, b"not a certificate"),
        lambda v: v.certificates.issuance.get_operation(name),
        lambda v: v.certificates.issuance.cancel_operation(name),
        lambda v: v.certificates.files.download(name),
        lambda v: v.certificates.files.download_private(name),
        lambda v: v.certificates.update_policy(name, policy),
        lambda v: v.certificates.delete(name),
        lambda v: v.certificates.purge(name, typed_name=name),
        lambda v: v.keys.create(name, key_type="RSA"),
        lambda v: v.keys.update_properties(name, None, PropertyChanges(enabled=False)),
        lambda v: v.keys.delete(name),
        lambda v: v.keys.recover(name),
        lambda v: v.keys.purge(name, typed_name=name),
    ]

    async def body(vault: KeyVaultService) -> tuple[list[BaseException], list[Any]]:
        mark = len(emulator.request_log)
        errors = [await caught(call(vault)) for call in calls]
        return errors, requests_since(emulator, mark)

    errors, sent = run(with_vault(emulator, body))
    assert sent == []
    for error in errors:
        assert isinstance(error, InvalidInput), error
        assert len(error.message) < 400  # a 1,000-character name is cut in the message
        never_shows(VALUE, error)
    if name:
        assert "not allow" in errors[0].message or "at most 127" in errors[0].message


def test_validate_item_name_accepts_the_service_alphabet() -> None:
    for name in ("a", "A-1", "x" * 127, "0-leading-digit", "-"):
        assert validate_item_name(name) == name
    for name in [*HOSTILE_NAMES, "x" * 128]:
        with pytest.raises(InvalidInput):
            validate_item_name(name)


def test_secret_values_never_appear_in_errors(emulator: Any, run: Any) -> None:
    name = fresh("leak")
    big = "Z" * (25 * 1024 + 1)

    async def body(vault: KeyVaultService) -> list[BaseException]:
        await vault.secrets.create(name, SecretValue("x"))
        errors = [await caught(vault.secrets.create(fresh("big"), SecretValue(big)))]
        emulator.faults.add(400, times=1, path_prefix=f"/secrets/{name}", method="PUT",
                            code="BadParameter", message="The request was refused.")
        try:
            errors.append(await caught(vault.secrets.add_version(name, SecretValue(VALUE))))
        finally:
            emulator.faults.clear()
        errors.append(await caught(vault.secrets.create(name, SecretValue(VALUE))))
        return errors

    too_big, server_error, conflict = run(with_vault(emulator, body))
    assert isinstance(too_big, InvalidInput) and "25 KB" in too_big.message
    never_shows(big[:200], too_big)
    assert isinstance(server_error, VaultBrowserError) and server_error.status == 400
    assert isinstance(conflict, Conflict)
    never_shows(VALUE, server_error, conflict)
    assert "hidden" in repr(SecretValue(VALUE))


# --- purge protection ---------------------------------------------------------------------


@pytest.mark.parametrize(("level", "refused"), [
    ("Recoverable+Purgeable", False), ("CustomizedRecoverable+Purgeable", False),
    ("Purgeable", False), (None, False), ("Recoverable", True),
    ("Recoverable+ProtectedSubscription", True), ("CustomizedRecoverable", True),
    ("CustomizedRecoverable+ProtectedSubscription", True),
])
def test_purge_refusal_reads_the_recovery_level(level: str | None, refused: bool) -> None:
    record = KeyRecord(vault_url="https://v", name="k", version=None, id="https://v/keys/k",
                       recovery_level=level, recoverable_days=90)
    message = purge_refusal(record)
    assert (message is not None) == refused
    if message:
        assert "purge protection" in message and "key" in message and str(level) in message


def test_purge_is_refused_before_the_request_under_purge_protection(protected: Any,
                                                                     run: Any) -> None:
    name = fresh("kept")
    policy = CertificatePolicyInput(subject="CN=kept")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        await vault.secrets.create(name, SecretValue(VALUE))
        await vault.keys.create(name, key_type="EC")
        await vault.certificates.issuance.create(name + "-c", policy)
        await vault.certificates.issuance.wait_operation(name + "-c", interval=0.05)
        await vault.secrets.delete(name)
        await vault.keys.delete(name)
        deleted_cert = await vault.certificates.delete(name + "-c")
        mark = len(protected.request_log)
        errors = [
            await caught(vault.secrets.purge(name, typed_name=name)),
            await caught(vault.keys.purge(name, typed_name=name)),
            await caught(vault.certificates.purge(name + "-c", typed_name=name + "-c")),
        ]
        writes = writes_since(protected, mark)
        recovered = await vault.secrets.recover(name)
        return deleted_cert, errors, writes, recovered

    deleted_cert, errors, writes, recovered = run(with_vault(protected, body))
    assert deleted_cert.value.recovery_level == "Recoverable"
    for error, kind in zip(errors, ("secret", "key", "certificate"), strict=True):
        assert isinstance(error, InvalidInput), error
        assert "purge protection" in error.message and kind in error.message
    assert writes == []  # only the deleted items were read
    assert recovered.value.name == name


# --- read-only ----------------------------------------------------------------------------


def test_read_only_connection_refuses_every_write(emulator: Any, run: Any) -> None:
    name, cert, key, gone = fresh("ro"), fresh("ro-cert"), fresh("ro-key"), fresh("ro-gone")
    pending, gone_cert, gone_key = fresh("ro-pending"), fresh("ro-gone-c"), fresh("ro-gone-k")
    key_pem = rsa.generate_private_key(65537, 2048)
    pfx = pkcs12.serialize_key_and_certificates(b"x", key_pem, self_signed(key_pem, "ro.local"),
                                                None, serialization.NoEncryption())

    async def seed(vault: KeyVaultService) -> None:
        await vault.secrets.create(name, SecretValue("v"))
        await vault.secrets.create(gone, SecretValue("v"))
        await vault.secrets.delete(gone)
        await vault.keys.create(key, key_type="RSA")
        await vault.keys.create(gone_key, key_type="RSA")
        await vault.keys.delete(gone_key)
        await vault.certificates.files.import_file(cert, pfx)
        await vault.certificates.files.import_file(gone_cert, pfx)
        await vault.certificates.delete(gone_cert)
        await vault.certificates.issuance.create(pending, CertificatePolicyInput(
            issuer_name="Unknown", subject="CN=p"))

    run(with_vault(emulator, seed))
    policy = CertificatePolicyInput(subject="CN=ro")
    writes: dict[str, Callable[[KeyVaultService], Awaitable[Any]]] = {
        "create secret": lambda v: v.secrets.create(fresh("ro-new"), SecretValue(VALUE)),
        "add version": lambda v: v.secrets.add_version(name, SecretValue(VALUE)),
        "update secret": lambda v: v.secrets.update_properties(
            name, None, PropertyChanges(enabled=False)),
        "delete secret": lambda v: v.secrets.delete(name),
        "recover secret": lambda v: v.secrets.recover(gone),
        "purge secret": lambda v: v.secrets.purge(gone, typed_name=gone),
        "create certificate": lambda v: v.certificates.issuance.create(fresh("ro-new"), policy),
        "import certificate": lambda v: v.certificates.files.import_file(fresh("ro-new"), pfx),
        "cancel operation": lambda v: v.certificates.issuance.cancel_operation(pending),
        "delete operation": lambda v: v.certificates.issuance.delete_operation(pending),
        "update policy": lambda v: v.certificates.update_policy(cert, policy),
        "update certificate": lambda v: v.certificates.update_properties(
            cert, None, PropertyChanges(tags={"a": "b"})),
        "delete certificate": lambda v: v.certificates.delete(cert),
        "recover certificate": lambda v: v.certificates.recover(gone_cert),
        "purge certificate": lambda v: v.certificates.purge(gone_cert,
                                                                  typed_name=gone_cert),
        "create key": lambda v: v.keys.create(fresh("ro-new"), key_type="EC"),
        "update key": lambda v: v.keys.update_properties(key, None, PropertyChanges(enabled=False)),
        "delete key": lambda v: v.keys.delete(key),
        "recover key": lambda v: v.keys.recover(gone_key),
        "purge key": lambda v: v.keys.purge(gone_key, typed_name=gone_key),
    }

    async def body(vault: KeyVaultService) -> tuple[dict[str, str], list[Any], Any]:
        mark = len(emulator.request_log)
        outcomes = {}
        for label, write in writes.items():
            error = await caught(write(vault))
            outcomes[label] = type(error).__name__
            never_shows(VALUE, error)
        sent = writes_since(emulator, mark)
        return outcomes, sent, await vault.secrets.get_value(name)

    outcomes, sent, value = run(with_vault(emulator, body, read_only=True))
    assert outcomes == dict.fromkeys(writes, "ReadOnlyRefused")
    assert sent == []
    assert value.value.reveal() == "v"


# --- certificates -------------------------------------------------------------------------


def test_create_certificate_shows_the_pending_operation_until_it_completes(
        emulator: Any, run: Any) -> None:
    name = fresh("issued")
    policy = CertificatePolicyInput(
        subject="CN=issued.example, O=Contoso", dns_names=["issued.example", "www.issued.example"],
        key_type="EC", curve="P-384", content_type=PEM, validity_in_months=6,
        enhanced_key_usage=["1.3.6.1.5.5.7.3.1"], key_usage=["digitalSignature"],
        lifetime_action="EmailContacts", days_before_expiry=30)
    updates: list[CertificateOperationRecord] = []

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        started = await vault.certificates.issuance.create(name, policy, tags={"team": "web"})
        during = await vault.certificates.issuance.get_operation(name)
        done = await vault.certificates.issuance.wait_operation(name, interval=0.05,
                                                      on_update=updates.append)
        details = await vault.certificates.get(name)
        again = await caught(vault.certificates.issuance.create(name, policy))
        return started, during, done, details, again

    started, during, done, details, again = run(with_vault(emulator, body))
    assert started.value.status == "inProgress" and started.value.in_progress
    assert started.value.request_id and started.value.issuer_name == "Self"
    assert started.value.csr and started.response.status == 202
    assert started.response.method == "POST" and "/create" in started.response.url
    assert during.value.in_progress
    assert done.value.completed and done.value.target and done.response.method == "GET"
    assert updates[0].in_progress and updates[-1].completed
    cert = details.value
    assert cert.x509.subject.startswith("CN=issued.example")
    assert set(cert.x509.dns_names) == {"issued.example", "www.issued.example"}
    assert cert.x509.key_type == "EC" and cert.x509.curve == "secp384r1"
    assert cert.policy.curve == "P-384"
    assert dict(cert.properties.tags) == {"team": "web"}
    assert cert.policy.content_type == PEM and cert.policy.validity_in_months == 6
    assert cert.policy.lifetime_actions == ("EmailContacts 30 days before expiry",)
    assert isinstance(again, Conflict) and again.error_code == "AlreadyExists"


def test_cancel_and_delete_a_pending_operation(emulator: Any, run: Any) -> None:
    name = fresh("cancelled")
    policy = CertificatePolicyInput(issuer_name="Unknown", subject="CN=never.example")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        started = await vault.certificates.issuance.create(name, policy)
        cancel = await vault.certificates.issuance.cancel_operation(name)
        final = await vault.certificates.issuance.wait_operation(name, interval=0.05)
        late = await caught(vault.certificates.issuance.cancel_operation(name))
        removed = await vault.certificates.issuance.delete_operation(name)
        missing = await caught(vault.certificates.issuance.get_operation(name))
        return started, cancel, final, late, removed, missing

    started, cancel, final, late, removed, missing = run(with_vault(emulator, body))
    assert started.value.in_progress and started.value.issuer_name == "Unknown"
    assert cancel.value.cancellation_requested and cancel.response.method == "PATCH"
    assert final.value.status == "cancelled" and final.value.cancellation_requested
    assert isinstance(late, Conflict) and "already finished" in late.message
    assert late.status == 403 and "must be in progress" in (late.service_message or "")
    assert removed.value.status == "cancelled" and removed.response.method == "DELETE"
    assert isinstance(missing, NotFound)


def test_waiting_stops_when_its_task_is_cancelled(emulator: Any, run: Any) -> None:
    name = fresh("waited")
    seen: list[CertificateOperationRecord] = []

    async def body(vault: KeyVaultService) -> tuple[bool, Any]:
        await vault.certificates.issuance.create(name, CertificatePolicyInput(issuer_name="Unknown",
                                                                    subject="CN=w"))
        task = asyncio.ensure_future(vault.certificates.issuance.wait_operation(
            name, interval=0.05, on_update=seen.append))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return task.cancelled(), await vault.certificates.issuance.get_operation(name)

    cancelled, operation = run(with_vault(emulator, body))
    assert cancelled and len(seen) >= 2 and all(op.in_progress for op in seen)
    assert operation.value.in_progress  # stopping the wait does not cancel the operation


def test_import_pfx_and_pem_and_refuse_a_wrong_password(emulator: Any, run: Any) -> None:
    rsa_key = rsa.generate_private_key(65537, 2048)
    rsa_cert = self_signed(rsa_key, "pfx.example")
    pfx = pkcs12.serialize_key_and_certificates(
        b"f", rsa_key, rsa_cert, None,
        serialization.BestAvailableEncryption(PASSWORD.encode()))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_cert = self_signed(ec_key, "pem.example")
    pem = (ec_cert.public_bytes(serialization.Encoding.PEM) + ec_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASSWORD.encode())))
    cert_only = rsa_cert.public_bytes(serialization.Encoding.PEM)
    pfx_name, pem_name = fresh("pfx"), fresh("pem")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        mark = len(emulator.request_log)
        refusals = [
            await caught(vault.certificates.files.import_file(fresh("bad"), pfx,
                                                  password=SecretValue("wrong-" + PASSWORD))),
            await caught(vault.certificates.files.import_file(fresh("bad"), pfx)),
            await caught(vault.certificates.files.import_file(fresh("bad"), pem,
                                                  password=SecretValue("nope"))),
            await caught(vault.certificates.files.import_file(fresh("bad"), cert_only)),
            await caught(vault.certificates.files.import_file(fresh("bad"), b"\x30\x03garbage")),
        ]
        sent = requests_since(emulator, mark)
        files = vault.certificates.files
        from_pfx = await files.import_file(pfx_name, pfx, password=SecretValue(PASSWORD),
                                           tags={"src": "pfx"})
        from_pem = await files.import_file(pem_name, pem, password=SecretValue(PASSWORD))
        exists = await caught(files.import_file(pfx_name, pfx, password=SecretValue(PASSWORD)))
        renewed = await files.import_file(pfx_name, pfx, password=SecretValue(PASSWORD),
                                          new_version=True)
        versions = await vault.certificates.list_versions(pfx_name)
        no_such = await caught(files.import_file(fresh("none"), pfx, new_version=True,
                                                 password=SecretValue(PASSWORD)))
        policy = await vault.certificates.get_policy(pem_name)
        return refusals, sent, from_pfx, from_pem, exists, renewed, versions, no_such, policy

    refusals, sent, from_pfx, from_pem, exists, renewed, versions, no_such, policy = run(
        with_vault(emulator, body))
    assert all(isinstance(e, InvalidInput) for e in refusals), refusals
    assert "password" in refusals[0].message and "password" in refusals[1].message
    assert "password" in refusals[2].message and "private key" in refusals[3].message
    for error in refusals:
        never_shows(PASSWORD, error)
    assert sent == []
    thumbprint = rsa_cert.fingerprint(hashes.SHA1()).hex().upper()
    assert from_pfx.value.x509_thumbprint == thumbprint
    assert from_pfx.response.method == "POST" and dict(from_pfx.value.tags) == {"src": "pfx"}
    assert from_pem.value.x509_thumbprint == ec_cert.fingerprint(hashes.SHA1()).hex().upper()
    assert policy.value.content_type == PEM and policy.value.issuer_name == "Unknown"
    assert isinstance(exists, Conflict)
    assert renewed.value.version != from_pfx.value.version and len(versions.items) == 2
    assert isinstance(no_such, NotFound)
    never_shows(PASSWORD, from_pfx, from_pem, exists, no_such)


def test_download_public_and_private_parts(emulator: Any, run: Any) -> None:
    pfx_name, pem_name, locked = fresh("dl-pfx"), fresh("dl-pem"), fresh("dl-locked")
    pending, relaxed = fresh("dl-pending"), fresh("dl-relaxed")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        for name, policy in (
                (pfx_name, CertificatePolicyInput(subject="CN=dl.example")),
                (pem_name, CertificatePolicyInput(subject="CN=pem.example", content_type=PEM)),
                (locked, CertificatePolicyInput(subject="CN=locked.example", exportable=False)),
                (relaxed, CertificatePolicyInput(subject="CN=relax.example", exportable=False))):
            await vault.certificates.issuance.create(name, policy)
            await vault.certificates.issuance.wait_operation(name, interval=0.05)
        # Made exportable after issuance: the issued version's secret still has no key.
        await vault.certificates.update_policy(relaxed, CertificatePolicyInput(
            subject="CN=relax.example"))
        await vault.certificates.issuance.create(
            pending, CertificatePolicyInput(issuer_name="Unknown", subject="CN=p"))
        details = await vault.certificates.get(pfx_name)
        mark = len(emulator.request_log)
        locked_error = await caught(vault.certificates.files.download_private(locked))
        secret_reads = [path for _, path in requests_since(emulator, mark) if "/secrets/" in path]
        return (details, secret_reads,
                await vault.certificates.files.download(pfx_name, fmt="cer"),
                await vault.certificates.files.download(pfx_name, details.value.properties.version,
                                                 fmt="pem"),
                await vault.certificates.files.download_private(pfx_name),
                await vault.certificates.files.download_private(pem_name),
                locked_error,
                await caught(vault.certificates.files.download_private(relaxed)),
                await caught(vault.certificates.files.download(pending)),
                await caught(vault.certificates.files.download(pfx_name, fmt="p7b")))  # type: ignore[arg-type]

    (details, secret_reads, cer, pem, pfx, pem_private, locked_error, relaxed_error,
     pending_error, bad_format) = run(with_vault(emulator, body))
    assert secret_reads == []  # a non-exportable policy is refused without reading the secret
    parsed = x509.load_der_x509_certificate(cer.value)
    assert parsed.fingerprint(hashes.SHA1()).hex().upper() == details.value.x509.thumbprint_sha1
    assert cer.response.method == "GET"
    assert pem.value.startswith(b"-----BEGIN CERTIFICATE-----")
    assert x509.load_pem_x509_certificate(pem.value) == parsed
    export = pfx.value
    assert isinstance(export, PrivateExport) and export.suffix == ".pfx"
    key, leaf, _ = pkcs12.load_key_and_certificates(export.data, None)
    assert key is not None and leaf == parsed
    assert "hidden" in repr(export) and str(export.data[:16]) not in repr(export)
    with pytest.raises(TypeError):
        pickle.dumps(export)
    assert pfx.response.method == "GET" and "/secrets/" in pfx.response.url
    assert pem_private.value.suffix == ".pem" and b"PRIVATE KEY" in pem_private.value.data
    for error in (locked_error, relaxed_error):
        assert isinstance(error, InvalidInput) and "not exportable" in error.message
    assert isinstance(pending_error, InvalidInput) and "pending" in pending_error.message
    assert isinstance(bad_format, InvalidInput)


def test_update_certificate_policy_and_properties(emulator: Any, run: Any) -> None:
    name = fresh("policy")
    new_policy = CertificatePolicyInput(
        subject="CN=renewed.example", dns_names=["renewed.example"], key_type="RSA",
        key_size=3072, validity_in_months=3, lifetime_action="AutoRenew", lifetime_percentage=50,
        enhanced_key_usage=["1.3.6.1.5.5.7.3.2"], reuse_key=True)

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        await vault.certificates.issuance.create(
            name, CertificatePolicyInput(subject="CN=first.example"))
        await vault.certificates.issuance.wait_operation(name, interval=0.05)
        updated = await vault.certificates.update_policy(name, new_policy)
        read_back = await vault.certificates.get_policy(name)
        props = await vault.certificates.update_properties(
            name, None, PropertyChanges(enabled=False, tags={"owner": "ops"}))
        mark = len(emulator.request_log)
        refusals = [
            await caught(vault.certificates.update_properties(
                name, None, PropertyChanges(expires_on=IN_A_YEAR))),
            await caught(vault.certificates.update_properties(
                name, None, PropertyChanges(content_type="text/plain"))),
            await caught(vault.certificates.update_policy(
                name, CertificatePolicyInput(subject="CN=x", key_size=1024))),
        ]
        return updated, read_back, props, refusals, requests_since(emulator, mark)

    updated, read_back, props, refusals, sent = run(with_vault(emulator, body))
    assert updated.response.method == "PATCH" and updated.value == read_back.value
    policy = read_back.value
    assert policy.subject == "CN=renewed.example" and policy.key_size == 3072
    assert policy.validity_in_months == 3 and policy.reuse_key is True
    assert policy.lifetime_actions == ("AutoRenew at 50% of lifetime",)
    assert policy.enhanced_key_usage == ("1.3.6.1.5.5.7.3.2",)
    assert props.value.enabled is False and dict(props.value.tags) == {"owner": "ops"}
    assert props.response.method == "PATCH"
    assert all(isinstance(e, InvalidInput) for e in refusals) and sent == []
    # The editable form of what was read back is the policy given, plus the service's
    # default key usages.
    assert CertificatePolicyInput.from_record(policy) == replace(
        new_policy, key_usage=("digitalSignature", "keyEncipherment"))


def test_create_and_update_send_the_same_policy(emulator: Any, run: Any) -> None:
    """The create request's JSON (``to_wire``) and the SDK model of an update (``to_sdk``) say
    the same thing: one policy, created on one certificate, set on another, reads back equal."""
    created, updated = fresh("wire"), fresh("sdk")
    policy = CertificatePolicyInput(
        subject="CN=same.example", dns_names=["same.example"], emails=["ops@example.com"],
        upns=["svc@example.com"], key_type="EC", curve="P-521", exportable=False,
        content_type=PEM, validity_in_months=24, key_usage=["digitalSignature", "keyAgreement"],
        enhanced_key_usage=["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
        lifetime_action="EmailContacts", lifetime_percentage=90)

    async def body(vault: KeyVaultService) -> tuple[Any, Any]:
        await vault.certificates.issuance.create(created, policy)
        await vault.certificates.issuance.create(
            updated, CertificatePolicyInput(subject="CN=other"))
        await vault.certificates.update_policy(updated, policy)
        return (await vault.certificates.get_policy(created),
                await vault.certificates.get_policy(updated))

    via_wire, via_sdk = run(with_vault(emulator, body))
    assert via_wire.value == via_sdk.value
    assert CertificatePolicyInput.from_record(via_wire.value) == policy


@pytest.mark.parametrize("changes", [
    {"subject": "", "dns_names": ()},
    {"subject": "no equals sign"},
    {"key_type": "DSA"},
    {"key_type": "EC", "key_size": 2048},
    {"key_type": "EC", "curve": "P-999"},
    {"curve": "P-256"},
    {"key_size": 1024},
    {"content_type": "text/plain"},
    {"validity_in_months": 0},
    {"enhanced_key_usage": ["not-an-oid"]},
    {"key_usage": ["signEverything"]},
    {"lifetime_action": "Explode", "lifetime_percentage": 80},
    {"lifetime_action": "AutoRenew"},
    {"lifetime_action": "AutoRenew", "lifetime_percentage": 80, "days_before_expiry": 10},
    {"lifetime_action": "AutoRenew", "lifetime_percentage": 100},
    {"lifetime_percentage": 80},
    {"issuer_name": "Unknown", "lifetime_action": "AutoRenew", "lifetime_percentage": 80},
    {"issuer_name": "bad issuer"},
    {"dns_names": ["bad name.example"]},
    {"emails": ["nobody"]},
])
def test_certificate_policy_validation(changes: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"subject": "CN=ok.example", **changes}
    with pytest.raises(InvalidInput):
        CertificatePolicyInput(**fields).validate()


def test_delete_recover_purge_a_certificate(emulator: Any, run: Any) -> None:
    name = fresh("cert-life")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        await vault.certificates.issuance.create(name, CertificatePolicyInput(subject="CN=life"))
        await vault.certificates.issuance.wait_operation(name, interval=0.05)
        deleted = await vault.certificates.delete(name)
        secret_too = await caught(vault.secrets.create(name, SecretValue(VALUE)))
        recovered = await vault.certificates.recover(name)
        await vault.certificates.delete(name)
        wrong = await caught(vault.certificates.purge(name, typed_name="nope"))
        purged = await vault.certificates.purge(name, typed_name=name)
        gone = await caught(vault.certificates.get(name))
        return deleted, secret_too, recovered, wrong, purged, gone

    deleted, secret_too, recovered, wrong, purged, gone = run(with_vault(emulator, body))
    assert deleted.value.is_deleted and deleted.response.method == "DELETE"
    # The certificate's secret went with it, soft-deleted: its name is not free either.
    assert isinstance(secret_too, Conflict)
    assert secret_too.error_code == "ObjectIsDeletedButRecoverable"
    assert recovered.value.name == name and recovered.response.method == "POST"
    assert isinstance(wrong, InvalidInput)
    assert purged.response.status == 204 and isinstance(gone, NotFound)


# --- keys ---------------------------------------------------------------------------------


def test_create_rsa_and_ec_keys(emulator: Any, run: Any) -> None:
    rsa_name, ec_name = fresh("rsa"), fresh("ec")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        made_rsa = await vault.keys.create(rsa_name, key_type="RSA", size=3072,
                                          expires_on=IN_A_YEAR, tags={"use": "wrap"},
                                          key_operations=["wrapKey", "unwrapKey"])
        made_ec = await vault.keys.create(ec_name, key_type="EC", curve="P-384", enabled=False)
        default_rsa = await vault.keys.create(fresh("rsa-default"), key_type="RSA")
        mark = len(emulator.request_log)
        refusals = [
            await caught(vault.keys.create(fresh("k"), key_type="RSA", size=1024)),
            await caught(vault.keys.create(fresh("k"), key_type="EC", curve="P-999")),
            await caught(vault.keys.create(fresh("k"), key_type="EC", size=256)),
            await caught(vault.keys.create(fresh("k"), key_type="RSA", curve="P-256")),
            await caught(vault.keys.create(fresh("k"), key_type="oct")),  # type: ignore[arg-type]
            await caught(vault.keys.create(fresh("k"), key_type="RSA", key_operations=["fly"])),
            await caught(vault.keys.create(fresh("k"), key_type="EC", key_operations=["encrypt"])),
        ]
        sent = requests_since(emulator, mark)
        exists = await caught(vault.keys.create(rsa_name, key_type="RSA"))
        versions = await vault.keys.list_versions(rsa_name)
        return made_rsa, made_ec, default_rsa, refusals, sent, exists, versions

    made_rsa, made_ec, default_rsa, refusals, sent, exists, versions = run(
        with_vault(emulator, body))
    rsa_record = made_rsa.value
    assert rsa_record.key_type == "RSA" and rsa_record.key_size == 3072
    assert rsa_record.expires_on == IN_A_YEAR and dict(rsa_record.tags) == {"use": "wrap"}
    assert set(rsa_record.key_operations) == {"wrapKey", "unwrapKey"}
    assert made_rsa.response.method == "POST" and made_rsa.response.status == 200
    assert made_ec.value.key_type == "EC" and made_ec.value.curve == "P-384"
    assert made_ec.value.enabled is False
    assert default_rsa.value.key_size == 2048
    assert all(isinstance(e, InvalidInput) for e in refusals), refusals
    assert sent == []
    assert isinstance(exists, Conflict) and len(versions.items) == 1


def test_update_key_properties(emulator: Any, run: Any) -> None:
    name = fresh("key-props")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        await vault.keys.create(name, key_type="EC")
        disabled = await vault.keys.update_properties(name, None, PropertyChanges(
            enabled=False, expires_on=IN_A_YEAR, tags={"state": "retired"}))
        enabled = await vault.keys.update_properties(name, disabled.value.version,
                                                    PropertyChanges(enabled=True))
        refusal = await caught(vault.keys.update_properties(
            name, None, PropertyChanges(content_type="x")))
        return disabled, enabled, refusal

    disabled, enabled, refusal = run(with_vault(emulator, body))
    assert disabled.value.enabled is False and disabled.value.expires_on == IN_A_YEAR
    assert dict(disabled.value.tags) == {"state": "retired"}
    assert disabled.response.method == "PATCH"
    assert enabled.value.enabled is True and dict(enabled.value.tags) == {"state": "retired"}
    assert isinstance(refusal, InvalidInput) and "content type" in refusal.message


def test_delete_recover_purge_a_key(emulator: Any, run: Any) -> None:
    name = fresh("key-life")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        made = await vault.keys.create(name, key_type="RSA")
        deleted = await vault.keys.delete(name)
        reuse = await caught(vault.keys.create(name, key_type="RSA"))
        recovered = await vault.keys.recover(name)
        await vault.keys.delete(name)
        purged = await vault.keys.purge(name, typed_name=name)
        again = await vault.keys.create(name, key_type="EC")
        return made, deleted, reuse, recovered, purged, again

    made, deleted, reuse, recovered, purged, again = run(with_vault(emulator, body))
    assert deleted.value.is_deleted and deleted.value.key_type == "RSA"
    assert deleted.response.method == "DELETE"
    assert isinstance(reuse, Conflict) and reuse.error_code == "ObjectIsDeletedButRecoverable"
    assert recovered.value.version == made.value.version
    assert purged.value is None and purged.response.status == 204
    assert again.value.key_type == "EC"


# --- input records ------------------------------------------------------------------------


def test_property_changes_and_unchanged() -> None:
    assert repr(UNCHANGED) == "UNCHANGED" and not UNCHANGED
    assert pickle.loads(pickle.dumps(UNCHANGED)) is UNCHANGED
    assert PropertyChanges().is_empty
    changes = PropertyChanges(enabled=False, tags={})
    assert changes.changed() == {"enabled": False, "tags": {}}
    with pytest.raises(InvalidInput):
        PropertyChanges().sdk_keywords("secret", allowed=("enabled",))
    assert PropertyChanges(enabled=True).sdk_keywords("key", allowed=("enabled",)) == {
        "enabled": True}
