"""Certificates nobody here issued: duplicate and undecodable extensions, unknown key and
signature algorithms, damaged DER. Each becomes readable problems while the rest still shows;
the raw certificate still downloads; the audit reports it and carries on."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from vaultbrowser.app import KINDS
from vaultbrowser.core.audit.report import collect_report
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.models.details import describe_certificate
from vaultbrowser.keyvault.services.certificates.x509 import parse_certificate
from vaultbrowser.keyvault.services.certificates.x509_der import certificate_layout, decode_oid
from vaultbrowser.keyvault.services.demo.hostile import (
    HostileExtension,
    hostile_certificate,
    hostile_pfx,
)
from vaultbrowser.keyvault.services.opener import open_vault

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_OID = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01"  # rsaEncryption
SHA256_RSA_OID = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b"  # sha256WithRSAEncryption


def _plain_certificate() -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "plain.example")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(KEY.public_key()).serial_number(7)
            .not_valid_before(NOW).not_valid_after(NOW + dt.timedelta(days=90))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("plain.example")]), False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .sign(KEY, hashes.SHA256()))
    return cert.public_bytes(Encoding.DER)


def _hostile(kind: HostileExtension) -> bytes:
    return hostile_certificate(kind, KEY, "odd.example", "odd.example", NOW,
                               NOW + dt.timedelta(days=90))


def test_a_duplicate_extension_is_a_problem_and_the_rest_shows() -> None:
    der = _hostile(HostileExtension.DUPLICATE)
    with pytest.raises(x509.DuplicateExtension):  # what used to escape untyped
        _ = x509.load_der_x509_certificate(der).extensions
    details = parse_certificate(der)
    assert details.problems == ("extension 2.5.29.17 (subjectAltName): appears more than "
                                "once; the first is shown",)
    assert details.subject == "CN=odd.example" and details.dns_names == ("odd.example",)
    assert details.key_type == "RSA" and details.key_size == 2048
    assert details.thumbprint_sha256 == hashlib.sha256(der).hexdigest().upper()


def test_an_undecodable_extension_is_a_problem_and_the_rest_shows() -> None:
    der = _hostile(HostileExtension.UNDECODABLE)
    with pytest.raises(ValueError):
        _ = x509.load_der_x509_certificate(der).extensions
    details = parse_certificate(der)
    (problem,) = details.problems
    assert problem.startswith("extension 2.5.29.18 (issuerAltName): could not be decoded: ")
    assert details.dns_names == ("odd.example",)  # the good subjectAltName still decodes
    assert details.not_after is not None and details.signature_algorithm == "sha256"


def test_an_unknown_key_algorithm_shows_its_oid() -> None:
    der = _plain_certificate()
    unknown = der.replace(RSA_OID, RSA_OID[:-1] + b"\x63")  # 1.2.840.113549.1.1.99
    details = parse_certificate(unknown)
    assert details.key_type == "unknown (1.2.840.113549.1.1.99)" and details.key_size is None
    assert [p.split(":")[0] for p in details.problems] == ["public key"]
    assert details.dns_names == ("plain.example",) and details.subject == "CN=plain.example"


def test_an_unknown_signature_algorithm_shows_its_oid() -> None:
    der = _plain_certificate()
    unknown = der.replace(SHA256_RSA_OID, SHA256_RSA_OID[:-1] + b"\x63")
    details = parse_certificate(unknown)
    assert details.signature_algorithm == "1.2.840.113549.1.1.99"
    assert details.problems == ()


@pytest.mark.parametrize("data", [b"", b"not a certificate", b"\x30\x03\x02\x01\x01",
                                  b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
                                  _plain_certificate()[:200]])
def test_bytes_that_are_no_certificate_are_refused_typed(data: bytes) -> None:
    with pytest.raises(InvalidInput, match=r"not a valid X\.509 certificate"):
        parse_certificate(data)


def test_the_der_walker_lists_and_rebuilds_extensions() -> None:
    der = _hostile(HostileExtension.DUPLICATE)
    layout = certificate_layout(der)
    assert [(e.oid, e.critical) for e in layout.extensions] == [
        ("2.5.29.17", False), ("2.5.29.17", False)]
    assert layout.with_extensions(layout.extensions) == der  # a faithful round trip
    rebuilt = x509.load_der_x509_certificate(layout.with_extensions(layout.extensions[:1]))
    assert len(rebuilt.extensions) == 1
    assert decode_oid(b"\x2a\x86\x48\x86\xf7\x0d\x01\x01\x0b") == "1.2.840.113549.1.1.11"
    with pytest.raises(ValueError):
        certificate_layout(der[:-1])


# --- through the emulator, the service, the detail pane and the audit ------------------------

@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": [{"name": "plain-secret", "value": "v"}]}
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-certs"),
                                seed=seed) as emulator:
        yield emulator


def _connection(emulator: Any) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="hostile-certs", ca_path=str(emulator.ca_path))


def test_hostile_certificates_import_show_download_and_audit(vault: Any, run: Any) -> None:
    async def body() -> dict[str, Any]:
        session = ServiceSession()
        try:
            service = open_vault(session, _connection(vault))
            out: dict[str, Any] = {}
            for kind in HostileExtension:
                name = f"hostile-{kind.value}"
                pfx = hostile_pfx(kind, name, f"{name}.example", NOW,
                                  NOW + dt.timedelta(days=120))
                await service.certificates.files.import_file(name, pfx)
                details = (await service.certificates.get(name)).value
                cer = (await service.certificates.files.download(name, fmt="cer")).value
                out[name] = (details, cer)
            report = await collect_report(session, [_connection(vault)], kinds=KINDS, now=NOW)
            out["report"] = report
            return out
        finally:
            await session.aclose()

    found = run(body())
    for kind in HostileExtension:
        details, cer = found[f"hostile-{kind.value}"]
        assert details.certificate_problems, kind
        assert details.x509.subject == f"CN=hostile-{kind.value}"
        assert details.x509.thumbprint_sha256 == hashlib.sha256(cer).hexdigest().upper()
        x509.load_der_x509_certificate(cer)  # the raw DER came back intact
        shown = describe_certificate(details, None)
        problems = [s for s in shown.sections if s.title == "Could not be decoded"]
        assert problems and problems[0].rows[0][1] == details.certificate_problems[0]
    report = found["report"]
    undecodable = [f for f in report.findings if f.code == "undecodable-certificate"]
    assert {item.name for f in undecodable for item in f.items} == {
        "hostile-duplicate", "hostile-undecodable"}
    assert any(item.name == "plain-secret" for item in report.items)  # the rest is audited
    assert report.errors == ()
    assert vault.unhandled_errors == []
