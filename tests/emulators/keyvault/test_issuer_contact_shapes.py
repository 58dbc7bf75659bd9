"""Issuers and contacts as the service answers them (its recorded exchanges), through the
official client: the not-found words, the write-only password, a PATCH that leaves the
credentials alone, and deleting contacts that are not there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.keyvault.certificates import AdministratorContact, CertificateClient

from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import FakeCredential, client_kwargs


@pytest.fixture(scope="module")
def emu(tls_dir: Path) -> Iterator[KeyVaultEmulator]:
    with run_emulator_in_thread(data_dir=tls_dir) as emulator:
        yield emulator


def _client(emu: KeyVaultEmulator) -> CertificateClient:
    return CertificateClient(emu.url, FakeCredential(), **client_kwargs(emu))


def test_a_missing_issuer_in_the_services_words(emu: KeyVaultEmulator) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        _client(emu).get_issuer("nobody-here")
    assert caught.value.error.code == "CertificateIssuerNotFound"
    assert caught.value.error.message == "Issuer not found"
    assert emu.unhandled_errors == []


def test_the_password_is_write_only_and_a_patch_keeps_the_credentials(
        emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    admin = AdministratorContact(first_name="John", last_name="Doe",
                                 email="admin@contoso.com", phone="4255555555")
    created = client.create_issuer("shape-issuer", "DigiCert", account_id="acct",
                                   password="api-key-1", organization_id="org",
                                   admin_contacts=[admin])
    assert created.password is None and client.get_issuer("shape-issuer").password is None
    updated = client.update_issuer("shape-issuer", enabled=False)  # no credentials sent
    assert updated.account_id == "acct" and updated.organization_id == "org"
    assert [a.email for a in updated.admin_contacts] == ["admin@contoso.com"]
    assert emu.options["issuers"]["shape-issuer"]["credentials"]["pwd"] == "api-key-1"
    assert emu.unhandled_errors == []


def test_deleting_contacts_that_are_not_there_is_not_found(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    with pytest.raises(ResourceNotFoundError) as caught:
        client.delete_contacts()
    assert caught.value.error.code == "ContactsNotFound"
    assert emu.unhandled_errors == []
