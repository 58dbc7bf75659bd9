"""Backup/restore of keys and certificates, pending listings, cancellation, challenge hosts."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceExistsError
from azure.keyvault.certificates import CertificateClient, CertificatePolicy, WellKnownIssuerNames
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient

from vaultbrowser.emulators.keyvault import KeyVaultEmulator
from vaultbrowser.emulators.keyvault.auth import challenge_resource

from .helpers import FakeCredential, Raw, client_kwargs, unique


def test_key_backup_restore(emu: KeyVaultEmulator) -> None:
    client = KeyClient(emu.url, FakeCredential(), **client_kwargs(emu))
    name = unique("kbak")
    made = client.create_ec_key(name, curve="P-256")
    blob = client.backup_key(name)
    with pytest.raises(ResourceExistsError):
        client.restore_key_backup(blob)
    client.begin_delete_key(name).wait()
    client.purge_deleted_key(name)
    restored = client.restore_key_backup(blob)
    assert restored.key.x == made.key.x and restored.id == made.id


def test_certificate_backup_restore(emu: KeyVaultEmulator) -> None:
    client = CertificateClient(emu.url, FakeCredential(), **client_kwargs(emu))
    name = unique("cbak")
    made = client.begin_create_certificate(name, CertificatePolicy.get_default()).result()
    blob = client.backup_certificate(name)
    client.begin_delete_certificate(name).wait()
    client.purge_deleted_certificate(name)
    restored = client.restore_certificate_backup(blob)
    assert restored.cer == made.cer and restored.policy is not None
    secret = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu)).get_secret(name)
    assert secret.properties.managed


def test_pending_listing_and_cancel(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = CertificateClient(emu.url, FakeCredential(), **client_kwargs(emu))
    name = unique("pend")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=p")
    client.begin_create_certificate(name, policy).wait()
    assert name not in {c.name for c in client.list_properties_of_certificates()}
    listed = client.list_properties_of_certificates(include_pending=True)
    assert name in {c.name for c in listed}
    cancelled = client.cancel_certificate_operation(name)
    assert cancelled.cancellation_requested
    deleted = client.delete_certificate_operation(name)
    assert deleted.id == f"{emu.url}/certificates/{name}/pending"
    missing = raw("GET", f"/certificates/{name}/pending")
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("host", "resource"),
    [
        ("127.0.0.1:8443", "https://0.0.1:8443"),
        ("myvault.vault.azure.net", "https://vault.azure.net"),
        ("myvault.vault.azure.net:443", "https://vault.azure.net:443"),
        ("localhost:1234", "https://localhost:1234"),
        ("[::1]:8443", "https://[::1]:8443"),
    ],
)
def test_challenge_resource(host: str, resource: str) -> None:
    assert challenge_resource(host) == resource
