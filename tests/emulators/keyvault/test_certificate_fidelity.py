"""Certificate corners through the official clients: issuers and contacts, the backing
secret as PEM (``outContentType``), every key usage, the pending operation of an ``Unknown``
issuer, listing order, empty subject alternative names and versions of a missing name."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError, ResourceExistsError, ResourceNotFoundError
from azure.keyvault.certificates import (
    AdministratorContact,
    CertificateClient,
    CertificateContact,
    CertificateContentType,
    CertificatePolicy,
    KeyUsageType,
    WellKnownIssuerNames,
)
from azure.keyvault.certificates.aio import CertificateClient as AsyncCertificateClient
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient
from azure.keyvault.secrets.aio import SecretClient as AsyncSecretClient
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import AsyncFakeCredential, FakeCredential, Raw, client_kwargs, run, unique

PEM = "application/x-pem-file"
PFX = "application/x-pkcs12"
MERGE_DETAILS = "Pending certificate created. Please Perform Merge to complete the request."


def _client(emu: KeyVaultEmulator) -> CertificateClient:
    return CertificateClient(emu.url, FakeCredential(), **client_kwargs(emu))


def _secrets(emu: KeyVaultEmulator) -> SecretClient:
    return SecretClient(emu.url, FakeCredential(), **client_kwargs(emu))


@pytest.fixture(scope="module")
def emu(tls_dir: Path) -> Iterator[KeyVaultEmulator]:
    """This module's own vault: its many certificates stay out of the session's listings."""
    with run_emulator_in_thread(data_dir=tls_dir) as emulator:
        yield emulator


@pytest.fixture
def raw(emu: KeyVaultEmulator) -> Raw:
    return Raw(emu)


@pytest.fixture(autouse=True)
def _no_unhandled(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every emulator these tests use must answer each request without a bug of its own."""
    # fetched before the test so that the emulators outlive this check
    used = [request.getfixturevalue(name) for name in ("emu", "fresh_emu")
            if name in request.fixturenames]
    before = [len(emulator.unhandled_errors) for emulator in used]
    yield
    for emulator, count in zip(used, before, strict=True):
        assert emulator.unhandled_errors[count:] == []


# -- issuers ---------------------------------------------------------------------------------


def test_issuer_create_get_update_list_delete(fresh_emu: KeyVaultEmulator) -> None:
    client = _client(fresh_emu)
    admin = AdministratorContact(first_name="Ada", last_name="Lovelace", email="ada@contoso.com",
                                 phone="4255550100")
    created = client.create_issuer("myissuer", "Test", account_id="keyvaultuser",
                                   password="s3cret", organization_id="org-1",
                                   admin_contacts=[admin], enabled=True)
    assert created.name == "myissuer" and created.provider == "Test"
    assert created.id == f"{fresh_emu.url}/certificates/issuers/myissuer"
    assert created.account_id == "keyvaultuser"
    assert created.password is None  # write-only on the service
    assert created.organization_id == "org-1"
    assert created.enabled is True and created.created_on is not None
    contacts = created.admin_contacts or []
    assert [(c.first_name, c.last_name, c.email, c.phone) for c in contacts] == [
        ("Ada", "Lovelace", "ada@contoso.com", "4255550100")]

    fetched = client.get_issuer("MyIssuer")  # names are case-insensitive
    assert fetched.id == created.id and fetched.account_id == "keyvaultuser"

    updated = client.update_issuer("myissuer", enabled=False, account_id="other")
    assert updated.enabled is False and updated.account_id == "other"
    assert updated.provider == "Test" and updated.organization_id == "org-1"  # kept
    assert client.get_issuer("myissuer").enabled is False

    client.create_issuer("another", "OneCertV2-PublicCA")
    listed = [(p.name, p.provider) for p in client.list_properties_of_issuers()]
    assert listed == [("another", "OneCertV2-PublicCA"), ("myissuer", "Test")]
    # the issuer is no certificate of that name
    assert list(client.list_properties_of_certificates()) == []

    deleted = client.delete_issuer("myissuer")
    assert deleted.name == "myissuer" and deleted.provider == "Test"
    with pytest.raises(ResourceNotFoundError) as err:
        client.get_issuer("myissuer")
    assert err.value.error is not None and err.value.error.code == "CertificateIssuerNotFound"
    with pytest.raises(ResourceNotFoundError):
        client.delete_issuer("myissuer")
    with pytest.raises(ResourceNotFoundError):
        client.update_issuer("myissuer", provider="Test")
    assert [p.name for p in client.list_properties_of_issuers()] == ["another"]


def test_issuer_async(emu: KeyVaultEmulator) -> None:
    name = unique("aissuer")

    async def scenario() -> None:
        async with AsyncCertificateClient(emu.url, AsyncFakeCredential(),
                                          **client_kwargs(emu)) as c:
            issuer = await c.create_issuer(name, "Test", account_id="acct")
            assert issuer.name == name and issuer.enabled is True
            assert (await c.get_issuer(name)).account_id == "acct"
            assert name in [p.name async for p in c.list_properties_of_issuers()]
            assert (await c.update_issuer(name, provider="Other")).provider == "Other"
            await c.delete_issuer(name)
            with pytest.raises(ResourceNotFoundError):
                await c.get_issuer(name)

    run(scenario())


def test_issuer_paths_are_not_certificates(emu: KeyVaultEmulator, raw: Raw) -> None:
    missing = raw("GET", "/certificates/issuers/nobody")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "CertificateIssuerNotFound"
    listing = raw("GET", "/certificates/issuers")
    assert listing.status_code == 200 and "value" in listing.json()
    no_provider = raw("PUT", "/certificates/issuers/bare", json={})
    assert no_provider.status_code == 400
    assert no_provider.json()["error"]["code"] == "BadParameter"
    client = _client(emu)
    for reserved in ("issuers", "contacts", "Issuers"):
        with pytest.raises(HttpResponseError) as err:
            client.begin_create_certificate(reserved, CertificatePolicy.get_default())
        assert err.value.status_code == 400


def test_contacts_async_and_missing(fresh_emu: KeyVaultEmulator, raw: Raw) -> None:
    raw = Raw(fresh_emu)
    missing = raw("GET", "/certificates/contacts")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ContactsNotFound"

    async def scenario() -> None:
        async with AsyncCertificateClient(fresh_emu.url, AsyncFakeCredential(),
                                          **client_kwargs(fresh_emu)) as c:
            contacts = [CertificateContact(email="a@contoso.com", name="A", phone="1"),
                        CertificateContact(email="b@contoso.com")]
            stored = await c.set_contacts(contacts)
            assert [x.email for x in stored] == ["a@contoso.com", "b@contoso.com"]
            assert [x.name for x in await c.get_contacts()] == ["A", None]
            removed = await c.delete_contacts()
            assert [x.email for x in removed] == ["a@contoso.com", "b@contoso.com"]
            with pytest.raises(ResourceNotFoundError):
                await c.get_contacts()

    run(scenario())
    assert raw("GET", "/certificates/contacts").status_code == 404


# -- the backing secret as PEM -------------------------------------------------------------


def test_pkcs12_secret_as_pem(emu: KeyVaultEmulator) -> None:
    name = unique("pem-out")
    cert = _client(emu).begin_create_certificate(name, CertificatePolicy.get_default()).result()
    secrets = _secrets(emu)
    as_stored = secrets.get_secret(name)
    assert as_stored.properties.content_type == PFX
    key, leaf, _ = pkcs12.load_key_and_certificates(base64.b64decode(as_stored.value or ""),
                                                     None)
    assert key is not None and leaf is not None

    converted = secrets.get_secret(name, out_content_type=PEM)
    assert converted.properties.content_type == PEM
    text = converted.value or ""
    assert text.startswith("-----BEGIN PRIVATE KEY-----")
    pem_key = serialization.load_pem_private_key(text.encode(), None)
    chain = x509.load_pem_x509_certificates(text.encode())
    assert chain[0].public_bytes(serialization.Encoding.DER) == bytes(cert.cer or b"")
    assert pem_key.public_key() == chain[0].public_key()
    # the version named explicitly converts the same way; asking for what it is changes nothing
    version = cert.properties.version
    assert secrets.get_secret(name, version, out_content_type=PEM).value == text
    assert secrets.get_secret(name, out_content_type=PFX).value == as_stored.value


def test_pem_out_content_type_refusals(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    name = unique("pem-cert")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.self, subject="CN=pem",
                               content_type=CertificateContentType.pem)
    client.begin_create_certificate(name, policy).result()
    secrets = _secrets(emu)
    assert secrets.get_secret(name, out_content_type=PEM).properties.content_type == PEM
    with pytest.raises(HttpResponseError) as err:
        secrets.get_secret(name, out_content_type=PFX)  # only PFX → PEM converts
    assert err.value.status_code == 400
    plain = unique("plain")
    secrets.set_secret(plain, "not a certificate", content_type="text/plain")
    with pytest.raises(HttpResponseError) as err:
        secrets.get_secret(plain, out_content_type=PEM)
    assert err.value.status_code == 400
    unknown = raw("GET", f"/secrets/{name}", params={"outContentType": "text/html"},
                  api_version="2025-07-01")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "BadParameter"


def test_pem_out_content_type_async(emu: KeyVaultEmulator) -> None:
    name = unique("apem")
    _client(emu).begin_create_certificate(name, CertificatePolicy.get_default()).result()

    async def scenario() -> str:
        async with AsyncSecretClient(emu.url, AsyncFakeCredential(),
                                     **client_kwargs(emu)) as s:
            return (await s.get_secret(name, out_content_type=PEM)).value or ""

    text = run(scenario())
    assert "-----BEGIN PRIVATE KEY-----" in text and "-----BEGIN CERTIFICATE-----" in text


# -- key usages ---------------------------------------------------------------------------

_FLAGS = {
    "digitalSignature": "digital_signature", "nonRepudiation": "content_commitment",
    "keyEncipherment": "key_encipherment", "dataEncipherment": "data_encipherment",
    "keyAgreement": "key_agreement", "keyCertSign": "key_cert_sign", "cRLSign": "crl_sign",
    "encipherOnly": "encipher_only", "decipherOnly": "decipher_only",
}


@pytest.mark.parametrize("usage", list(KeyUsageType), ids=lambda u: u.value)
def test_every_key_usage(emu: KeyVaultEmulator, usage: KeyUsageType) -> None:
    client = _client(emu)
    name = unique("usage")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.self, subject="CN=usage",
                               key_usage=[usage])
    cert = client.begin_create_certificate(name, policy).result()
    assert cert.policy is not None and cert.policy.key_usage == [usage]
    extension = x509.load_der_x509_certificate(bytes(cert.cer or b"")).extensions
    ku = extension.get_extension_for_class(x509.KeyUsage).value
    assert getattr(ku, _FLAGS[usage.value]) is True


def test_all_key_usages_at_once(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    name = unique("usages")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.self, subject="CN=all",
                               key_usage=list(KeyUsageType))
    cert = client.begin_create_certificate(name, policy).result()
    assert cert.policy is not None
    assert sorted(cert.policy.key_usage or []) == sorted(KeyUsageType)
    ku = x509.load_der_x509_certificate(bytes(cert.cer or b"")).extensions.get_extension_for_class(
        x509.KeyUsage).value
    assert all(getattr(ku, flag) for flag in _FLAGS.values())
    updated = client.update_certificate_policy(name, CertificatePolicy(
        key_usage=[KeyUsageType.decipher_only]))
    assert updated.key_usage == [KeyUsageType.decipher_only]


# -- pending operation, listing order, empty SANs, versions of a missing name --------------


def test_unknown_issuer_asks_for_a_merge(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    name = unique("manual")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=manual")
    client.begin_create_certificate(name, policy).result()
    operation = client.get_certificate_operation(name)
    assert operation.status == "inProgress"
    assert operation.status_details == MERGE_DETAILS
    assert operation.issuer_name == "Unknown"
    # a self-signed one still reports the issuer's progress while it is in flight
    self_name = unique("selfop")
    poller = client.begin_create_certificate(self_name, CertificatePolicy.get_default())
    assert poller.result().cer


def test_listing_orders(fresh_emu: KeyVaultEmulator) -> None:
    client = _client(fresh_emu)
    for name in ("zeta", "Alpha", "mid", "beta"):
        client.begin_create_certificate(name, CertificatePolicy.get_default()).result()
    names = [p.name for p in client.list_properties_of_certificates()]
    assert names == ["Alpha", "beta", "mid", "zeta"]  # by name, case-insensitively
    for _ in range(3):
        client.begin_create_certificate("mid", CertificatePolicy.get_default()).result()
    versions = [p.version for p in client.list_properties_of_certificate_versions("mid")]
    assert len(versions) == 4 and versions == sorted(versions)  # by version id


def test_empty_subject_alternative_names_omitted(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    name = unique("nosan")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.self, subject="CN=nosan",
                               san_dns_names=[], san_emails=[])
    client.begin_create_certificate(name, policy).result()
    wire = raw("GET", f"/certificates/{name}/policy").json()
    assert "sans" not in wire["x509_props"]
    fetched = client.get_certificate_policy(name)
    assert not fetched.san_dns_names and not fetched.san_emails

    partial = unique("somesan")
    made = raw("POST", f"/certificates/{partial}/create", json={"policy": {
        "x509_props": {"subject": "CN=x", "sans": {"dns_names": ["x.contoso.com"], "emails": [],
                                                   "upns": []}}}})
    assert made.status_code == 202
    assert raw("GET", f"/certificates/{partial}/policy").json()["x509_props"]["sans"] == {
        "dns_names": ["x.contoso.com"]}
    bad = raw("POST", f"/certificates/{unique('badsan')}/create", json={"policy": {
        "x509_props": {"subject": "CN=x", "sans": ["x.contoso.com"]}}})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "BadParameter"


def test_versions_of_a_missing_name_are_empty(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    assert list(client.list_properties_of_certificate_versions(unique("ghost"))) == []
    wire = raw("GET", f"/certificates/{unique('ghost')}/versions")
    assert wire.status_code == 200 and wire.json()["value"] == []

    async def scenario() -> list[object]:
        async with AsyncCertificateClient(emu.url, AsyncFakeCredential(),
                                          **client_kwargs(emu)) as c:
            return [p async for p in c.list_properties_of_certificate_versions(unique("g"))]

    assert run(scenario()) == []
    # a certificate's backing secret follows the same rule
    assert list(_secrets(emu).list_properties_of_secret_versions(unique("ghost"))) == []


def test_no_new_version_while_an_operation_is_in_progress(emu: KeyVaultEmulator,
                                                          raw: Raw) -> None:
    client = _client(emu)
    name = unique("busy")
    manual = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=busy")
    client.begin_create_certificate(name, manual).result()
    with pytest.raises(ResourceExistsError) as err:
        client.begin_create_certificate(name, CertificatePolicy.get_default())
    assert err.value.status_code == 409
    imported = raw("POST", f"/certificates/{name}/import", json={"value": "AAAA"})
    assert imported.status_code == 409
    client.delete_certificate_operation(name)  # a deleted operation frees the name again
    assert client.begin_create_certificate(name, CertificatePolicy.get_default()).result().cer


def test_merge_refused_while_an_issuer_serves_the_request(tls_dir: Path) -> None:
    with run_emulator_in_thread(data_dir=tls_dir, cert_issuance_delay=30) as slow:
        raw = Raw(slow)
        created = raw("POST", "/certificates/served/create",
                      json={"policy": {"x509_props": {"subject": "CN=served"}}})
        assert created.status_code == 202
        merge = raw("POST", "/certificates/served/pending/merge", json={"x5c": ["AAAA"]})
        assert merge.status_code == 403
        assert merge.json()["error"]["code"] == "Forbidden"
        assert "Self" in merge.json()["error"]["message"]
        assert slow.unhandled_errors == []


def test_issuers_page_by_name(fresh_emu: KeyVaultEmulator) -> None:
    client = _client(fresh_emu)
    for name in ("c-issuer", "A-issuer", "b-issuer"):
        client.create_issuer(name, "Test")
    pages = [[p.name for p in page]
             for page in client.list_properties_of_issuers(max_page_size=2).by_page()]
    assert pages == [["A-issuer", "b-issuer"], ["c-issuer"]]
    # setting an existing name again replaces it
    again = client.create_issuer("b-issuer", "OneCertV2-PrivateCA", account_id="x")
    assert again.provider == "OneCertV2-PrivateCA" and again.account_id == "x"
    assert [p.provider for p in client.list_properties_of_issuers()] == [
        "Test", "OneCertV2-PrivateCA", "Test"]


def test_key_and_secret_versions_of_a_missing_name_are_empty(emu: KeyVaultEmulator,
                                                               raw: Raw) -> None:
    keys = KeyClient(emu.url, FakeCredential(), **client_kwargs(emu))
    assert list(keys.list_properties_of_key_versions(unique("ghostkey"))) == []
    secrets = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu))
    assert list(secrets.list_properties_of_secret_versions(unique("ghostsecret"))) == []
    for collection in ("keys", "secrets"):
        wire = raw("GET", f"/{collection}/{unique('ghost')}/versions")
        assert wire.status_code == 200 and wire.json()["value"] == []
