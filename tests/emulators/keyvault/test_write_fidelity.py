"""Write behaviours the service layer relies on, through the real SDK clients: recovery levels
and purge protection, disabled secrets, pending-operation cancellation, non-exportable keys."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.certificates import (
    CertificateClient,
    CertificateContentType,
    CertificatePolicy,
    KeyType,
    WellKnownIssuerNames,
)
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient
from cryptography.hazmat.primitives.serialization import pkcs12

from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import FakeCredential, Raw, client_kwargs, unique

PURGE_REFUSED = 'Operation "purge" is not allowed because purge protection is enabled'


def _clients(emu: KeyVaultEmulator) -> tuple[SecretClient, KeyClient, CertificateClient]:
    options = client_kwargs(emu)
    return (SecretClient(emu.url, FakeCredential(), **options),
            KeyClient(emu.url, FakeCredential(), **options),
            CertificateClient(emu.url, FakeCredential(), **options))


@pytest.fixture
def protected_emu(tls_dir: Path) -> Iterator[KeyVaultEmulator]:
    with run_emulator_in_thread(data_dir=tls_dir, recovery_level="Recoverable") as emulator:
        yield emulator


def test_purge_protection_refuses_purge_like_the_service(protected_emu: KeyVaultEmulator) -> None:
    secrets, keys, certs = _clients(protected_emu)
    name = unique("pp")
    secret = secrets.set_secret(name, "v")
    assert secret.properties.recovery_level == "Recoverable"
    assert secret.properties.recoverable_days == 90
    keys.create_rsa_key(name)
    certs.begin_create_certificate(name + "-c", CertificatePolicy.get_default()).wait()
    secrets.begin_delete_secret(name).wait()
    keys.begin_delete_key(name).wait()
    certs.begin_delete_certificate(name + "-c").wait()
    for purge, target in ((secrets.purge_deleted_secret, name),
                          (keys.purge_deleted_key, name),
                          (certs.purge_deleted_certificate, name + "-c")):
        with pytest.raises(HttpResponseError) as info:
            purge(target)
        assert info.value.status_code == 403
        assert info.value.error is not None and info.value.error.code == "Forbidden"
        assert PURGE_REFUSED in info.value.error.message
    # Nothing was purged: everything can still be recovered.
    assert secrets.get_deleted_secret(name).properties.recovery_level == "Recoverable"
    secrets.begin_recover_deleted_secret(name).wait()
    assert secrets.get_secret(name).value == "v"
    certs.begin_recover_deleted_certificate(name + "-c").wait()
    # A name that is not deleted is still a 404, protected or not.
    with pytest.raises(ResourceNotFoundError):
        secrets.purge_deleted_secret(unique("never"))


def test_customized_recovery_days(tls_dir: Path) -> None:
    with run_emulator_in_thread(data_dir=tls_dir, recovery_level="CustomizedRecoverable+Purgeable",
                                recoverable_days=7) as emu:
        secrets, _, _ = _clients(emu)
        name = unique("days")
        secrets.set_secret(name, "v")
        deleted = secrets.begin_delete_secret(name).result()
        assert deleted.properties.recovery_level == "CustomizedRecoverable+Purgeable"
        assert deleted.properties.recoverable_days == 7
        assert deleted.deleted_date and deleted.scheduled_purge_date
        assert (deleted.scheduled_purge_date - deleted.deleted_date).days == 7
        secrets.purge_deleted_secret(name)
        with pytest.raises(ResourceNotFoundError):
            secrets.get_deleted_secret(name)


def test_vault_without_soft_delete_deletes_for_good(tls_dir: Path) -> None:
    with run_emulator_in_thread(data_dir=tls_dir, recovery_level="Purgeable") as emu:
        secrets, _, _ = _clients(emu)
        name = unique("gone")
        created = secrets.set_secret(name, "v")
        assert created.properties.recovery_level == "Purgeable"
        deleted = secrets.begin_delete_secret(name).result()
        assert deleted.recovery_id is None and deleted.deleted_date is None
        with pytest.raises(ResourceNotFoundError):
            secrets.get_deleted_secret(name)
        assert secrets.set_secret(name, "again").value == "again"  # no soft-deleted conflict


def test_unknown_recovery_level_is_refused(tls_dir: Path) -> None:
    with pytest.raises(ValueError, match="recovery level"):
        KeyVaultEmulator(data_dir=tls_dir, recovery_level="Recoverable+Whatever")


def test_disabled_secret_value_is_forbidden(emu: KeyVaultEmulator, raw: Raw) -> None:
    secrets, _, _ = _clients(emu)
    name = unique("off")
    first = secrets.set_secret(name, "one", enabled=False)
    with pytest.raises(HttpResponseError) as info:
        secrets.get_secret(name)
    assert info.value.status_code == 403
    body = raw("GET", f"/secrets/{name}/{first.properties.version}").json()
    assert body == {"error": {"code": "Forbidden",
                              "message": "Operation get is not allowed on a disabled secret.",
                              "innererror": {"code": "SecretDisabled"}}}
    listed = [p for p in secrets.list_properties_of_secret_versions(name)]
    assert [p.enabled for p in listed] == [False]
    secrets.update_secret_properties(name, first.properties.version, enabled=True)
    assert secrets.get_secret(name).value == "one"


def test_cancelled_operation_says_so_on_the_next_read(emu: KeyVaultEmulator, raw: Raw) -> None:
    _, _, certs = _clients(emu)
    name = unique("cancel")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=c")
    certs.begin_create_certificate(name, policy).wait()
    answer = certs.cancel_certificate_operation(name)
    assert answer.cancellation_requested is True and answer.status == "inProgress"
    later = certs.get_certificate_operation(name)
    assert later.status == "cancelled" and later.cancellation_requested is True
    again = raw("PATCH", f"/certificates/{name}/pending", json={"cancellation_requested": True})
    assert again.status_code == 403
    assert again.json()["error"] == {
        "code": "Forbidden", "message": "Pending status must be in progress to allow update."}


@pytest.mark.parametrize("content_type", [CertificateContentType.pkcs12,
                                          CertificateContentType.pem])
def test_non_exportable_key_stays_out_of_the_secret(emu: KeyVaultEmulator,
                                                    content_type: CertificateContentType) -> None:
    secrets, _, certs = _clients(emu)
    name = unique("noexport")
    # (the SDK drops exportable=False unless another key property is set)
    policy = CertificatePolicy(issuer_name="Self", subject="CN=n", exportable=False,
                               key_type=KeyType.rsa, content_type=content_type)
    certs.begin_create_certificate(name, policy).wait()
    assert certs.get_certificate_policy(name).exportable is False
    value = secrets.get_secret(name).value or ""
    if content_type == CertificateContentType.pem:
        assert "BEGIN CERTIFICATE" in value and "PRIVATE KEY" not in value
    else:
        key, leaf, others = pkcs12.load_key_and_certificates(base64.b64decode(value), None)
        assert key is None and [leaf, *others] != [None]


def test_pem_import_needs_a_policy_naming_pem(emu: KeyVaultEmulator) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pem.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=30)).sign(key, hashes.SHA256()))
    pem = (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
           + cert.public_bytes(serialization.Encoding.PEM))
    _, _, certs = _clients(emu)
    # Without a policy the value is read as PKCS#12, as the SDK's documentation warns.
    with pytest.raises(HttpResponseError) as info:
        certs.import_certificate(unique("pem-nopolicy"), pem)
    assert info.value.status_code == 400 and "PKCS#12" in str(info.value.message)
    imported = certs.import_certificate(unique("pem-policy"), pem, policy=CertificatePolicy(
        content_type=CertificateContentType.pem))
    assert imported.policy is not None
    assert imported.policy.content_type == CertificateContentType.pem
