"""Certificates through the real SDK clients: create + poll, import, policy, soft delete."""

from __future__ import annotations

import base64
import datetime as dt
import time

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.keyvault.certificates import (
    CertificateClient,
    CertificateContentType,
    CertificatePolicy,
    KeyType,
    WellKnownIssuerNames,
)
from azure.keyvault.certificates.aio import CertificateClient as AsyncCertificateClient
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import AsyncFakeCredential, FakeCredential, Raw, client_kwargs, run, unique


def _client(emu: KeyVaultEmulator) -> CertificateClient:
    return CertificateClient(emu.url, FakeCredential(), **client_kwargs(emu))


def _self_signed() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "imported.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("imported.example")]), False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def test_create_default_policy(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    name = unique("cert")
    cert = client.begin_create_certificate(name, CertificatePolicy.get_default()).result()
    version = cert.properties.version
    assert cert.id == f"{emu.url}/certificates/{name}/{version}"
    assert cert.key_id == f"{emu.url}/keys/{name}/{version}"
    assert cert.secret_id == f"{emu.url}/secrets/{name}/{version}"
    parsed = x509.load_der_x509_certificate(bytes(cert.cer or b""))
    assert parsed.subject.rfc4514_string() == "CN=DefaultPolicy"
    assert cert.properties.x509_thumbprint == parsed.fingerprint(hashes.SHA1())
    policy = cert.policy
    assert policy is not None and policy.issuer_name == "Self"
    assert policy.key_type == KeyType.rsa and policy.key_size == 2048 and policy.exportable
    assert policy.content_type == CertificateContentType.pkcs12
    assert policy.validity_in_months == 12
    assert policy.lifetime_actions[0].lifetime_percentage == 80
    assert policy.lifetime_actions[0].action == "AutoRenew"
    wire = raw("GET", f"/certificates/{name}").json()
    assert base64.urlsafe_b64decode(wire["x5t"] + "=") == parsed.fingerprint(hashes.SHA1())
    assert wire["attributes"]["exp"] == int(parsed.not_valid_after_utc.timestamp())
    secret = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu)).get_secret(name)
    assert secret.properties.managed and secret.properties.key_id == cert.key_id
    assert secret.properties.content_type == "application/x-pkcs12"
    key, leaf, _ = pkcs12.load_key_and_certificates(base64.b64decode(secret.value or ""), None)
    assert key is not None and leaf == parsed
    backing = KeyClient(emu.url, FakeCredential(), **client_kwargs(emu)).get_key(name)
    assert backing.properties.managed and backing.properties.version == version
    assert name in {p.name for p in client.list_properties_of_certificates()}


def test_create_custom_ec_policy(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    policy = CertificatePolicy(
        issuer_name=WellKnownIssuerNames.self, subject="CN=app.example, O=Contoso",
        san_dns_names=["app.example", "www.app.example"], san_emails=["ops@app.example"],
        san_user_principal_names=["svc@app.example"], key_type=KeyType.ec, key_curve_name="P-384",
        extended_key_usage=["1.3.6.1.5.5.7.3.1"], key_usage=["digitalSignature"],
        validity_in_months=3, content_type=CertificateContentType.pem,
    )
    cert = client.begin_create_certificate(unique("ec"), policy).result()
    parsed = x509.load_der_x509_certificate(bytes(cert.cer or b""))
    san = parsed.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["app.example", "www.app.example"]
    assert san.get_values_for_type(x509.RFC822Name) == ["ops@app.example"]
    assert parsed.public_key().curve.name == "secp384r1"  # type: ignore[union-attr]
    days = (parsed.not_valid_after_utc - parsed.not_valid_before_utc).days
    assert 85 <= days <= 93
    assert cert.policy is not None and cert.policy.key_curve_name == "P-384"
    assert cert.policy.san_user_principal_names == ["svc@app.example"]
    secret = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu)).get_secret(cert.name)
    assert secret.properties.content_type == "application/x-pem-file"
    assert "PRIVATE KEY-----" in (secret.value or "") and "BEGIN CERTIFICATE" in (secret.value
                                                                                 or "")


def test_pending_then_completed(tls_dir: object) -> None:
    with run_emulator_in_thread(data_dir=tls_dir, cert_issuance_delay=0.3) as emu:
        raw = Raw(emu)
        created = raw("POST", "/certificates/slow/create",
                      json={"policy": {"x509_props": {"subject": "CN=slow"},
                                       "issuer": {"name": "Self"}}})
        assert created.status_code == 202
        assert created.json()["status"] == "inProgress"
        assert created.headers["Location"].startswith(f"{emu.url}/certificates/slow/pending?")
        assert created.headers["Retry-After"] == "10"
        assert raw("GET", "/certificates/slow/pending").json()["status"] == "inProgress"
        time.sleep(0.35)
        done = raw("GET", "/certificates/slow/pending").json()
        assert done["status"] == "completed"
        assert done["target"] == f"{emu.url}/certificates/slow"
        client = _client(emu)
        poller = client.begin_create_certificate("slow2", CertificatePolicy.get_default(),
                                                 _polling_interval=0.1)
        assert poller.result().cer


def test_unknown_issuer_stays_pending(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    name = unique("unk")
    policy = CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject="CN=unknown")
    result = client.begin_create_certificate(name, policy).result()
    operation = client.get_certificate_operation(name)
    assert operation.status == "inProgress" and operation.issuer_name == "Unknown"
    assert result is not None
    assert operation.csr
    csr = x509.load_der_x509_csr(bytes(operation.csr))
    signer = rsa.generate_private_key(65537, 2048)
    now = dt.datetime.now(dt.UTC)
    signed = (
        x509.CertificateBuilder().subject_name(csr.subject)
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Some CA")]))
        .public_key(csr.public_key()).serial_number(1).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30)).sign(signer, hashes.SHA256())
    )
    merged = client.merge_certificate(name, [signed.public_bytes(serialization.Encoding.DER)])
    assert merged.cer == signed.public_bytes(serialization.Encoding.DER)
    assert client.get_certificate_operation(name).status == "completed"


def test_import_pfx_and_pem(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    key, cert = _self_signed()
    pfx = pkcs12.serialize_key_and_certificates(
        b"x", key, cert, None, serialization.BestAvailableEncryption(b"pw"))
    name = unique("pfx")
    imported = client.import_certificate(name, pfx, password="pw")
    assert imported.cer == cert.public_bytes(serialization.Encoding.DER)
    assert imported.policy is not None and imported.policy.issuer_name == "Unknown"
    assert imported.policy.san_dns_names == ["imported.example"]
    pem = (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())
           + cert.public_bytes(serialization.Encoding.PEM))
    pem_policy = CertificatePolicy(content_type=CertificateContentType.pem,
                                   subject="CN=imported.example")
    pem_name = unique("pem")
    got = client.import_certificate(pem_name, pem, policy=pem_policy)
    assert got.cer == cert.public_bytes(serialization.Encoding.DER)
    secret = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu)).get_secret(pem_name)
    assert secret.properties.content_type == "application/x-pem-file"
    with pytest.raises(Exception) as info:
        client.import_certificate(unique("bad"), pfx, password="wrong")
    assert getattr(info.value, "status_code", None) == 400


def test_policy_update_and_versions(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    name = unique("pol")
    first = client.begin_create_certificate(name, CertificatePolicy.get_default()).result()
    policy = client.get_certificate_policy(name)
    assert policy.subject == "CN=DefaultPolicy"
    updated = client.update_certificate_policy(
        name, CertificatePolicy(subject="CN=renewed", validity_in_months=24))
    assert updated.subject == "CN=renewed" and updated.validity_in_months == 24
    assert updated.issuer_name == "Self" and updated.key_size == 2048
    second = client.begin_create_certificate(name, client.get_certificate_policy(name)).result()
    parsed = x509.load_der_x509_certificate(bytes(second.cer or b""))
    assert parsed.subject.rfc4514_string() == "CN=renewed"
    versions = {p.version for p in client.list_properties_of_certificate_versions(name)}
    assert versions == {first.properties.version, second.properties.version}
    props = client.update_certificate_properties(name, enabled=False, tags={"t": "1"})
    assert props.properties.tags == {"t": "1"} and not props.properties.enabled


def test_soft_delete_round_trip(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    name = unique("cdel")
    client.begin_create_certificate(name, CertificatePolicy.get_default()).result()
    deleted = client.begin_delete_certificate(name).result()
    assert deleted.recovery_id == f"{emu.url}/deletedcertificates/{name}"
    assert name in {c.name for c in client.list_deleted_certificates()}
    error = raw("GET", f"/certificates/{name}").json()["error"]
    assert error["code"] == "CertificateNotFound"
    with pytest.raises(ResourceExistsError):
        client.begin_create_certificate(name, CertificatePolicy.get_default())
    client.begin_recover_deleted_certificate(name).wait()
    assert client.get_certificate(name).name == name
    SecretClient(emu.url, FakeCredential(), **client_kwargs(emu)).get_secret(name)
    client.begin_delete_certificate(name).wait()
    client.purge_deleted_certificate(name)
    with pytest.raises(ResourceNotFoundError):
        client.get_deleted_certificate(name)
    assert raw("GET", f"/deletedsecrets/{name}").status_code == 404


def test_contacts(emu: KeyVaultEmulator) -> None:
    from azure.keyvault.certificates import CertificateContact

    client = _client(emu)
    contacts = client.set_contacts([CertificateContact(email="a@b.c", name="A", phone="1")])
    assert contacts[0].email == "a@b.c"
    assert client.get_contacts()[0].name == "A"
    client.delete_contacts()
    with pytest.raises(ResourceNotFoundError):
        client.get_contacts()


def test_async_certificates(emu: KeyVaultEmulator) -> None:
    name = unique("acert")

    async def scenario() -> None:
        async with AsyncCertificateClient(emu.url, AsyncFakeCredential(),
                                          **client_kwargs(emu)) as c:
            cert = await c.create_certificate(name, CertificatePolicy.get_default())
            assert cert.cer
            assert (await c.get_certificate(name)).id == cert.id
            assert name in [p.name async for p in c.list_properties_of_certificates()]
            op = await c.get_certificate_operation(name)
            assert op.status == "completed"
            await c.delete_certificate(name)
            await c.recover_deleted_certificate(name)
            assert (await c.get_certificate_policy(name)).issuer_name == "Self"

    run(scenario())
