"""Fuzz: X.509 certificates (DER and PEM) and certificate files (PKCS#12 and PEM with a key):
mutated real certificates, hostile ones, and noise."""

from __future__ import annotations

import base64
import datetime as dt
import ssl
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.certificates.file_inspection import inspect_certificate_file
from vaultbrowser.keyvault.services.certificates.x509 import parse_certificate
from vaultbrowser.keyvault.services.certificates.x509_der import certificate_layout
from vaultbrowser.keyvault.services.demo.hostile import HostileExtension, hostile_certificate
from vaultbrowser.keyvault.services.records import X509Details

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def _certificate(key: Any, *, extensions: bool = True) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fuzz.example"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Fuzz Ltd")])
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
               .public_key(key.public_key()).serial_number(12345)
               .not_valid_before(NOW).not_valid_after(dt.datetime(9999, 12, 31, tzinfo=dt.UTC)))
    if extensions:
        builder = (builder
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.DNSName("fuzz.example"), x509.RFC822Name("a@fuzz.example")]), False)
                   .add_extension(x509.KeyUsage(True, False, True, False, False, False, False,
                                                False, False), True)
                   .add_extension(x509.ExtendedKeyUsage([x509.ExtendedKeyUsageOID.SERVER_AUTH]),
                                  False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), True))
    return builder.sign(key, hashes.SHA256())


SEEDS = [
    _certificate(RSA_KEY).public_bytes(Encoding.DER),
    _certificate(EC_KEY).public_bytes(Encoding.DER),
    _certificate(RSA_KEY, extensions=False).public_bytes(Encoding.DER),
    hostile_certificate(HostileExtension.DUPLICATE, RSA_KEY, "dup", "dup.example", NOW,
                        NOW + dt.timedelta(days=1)),
    hostile_certificate(HostileExtension.UNDECODABLE, RSA_KEY, "bad", "bad.example", NOW,
                        NOW + dt.timedelta(days=1)),
]


@st.composite
def mutated(draw: Any, seeds: list[bytes]) -> bytes:
    """A seed with a few byte flips, insertions, deletions or a truncation."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 4))):
        if not data:
            break
        action = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "set"]))
        at = draw(st.integers(0, len(data) - 1))
        if action == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
        elif action == "delete":
            del data[at:at + draw(st.integers(1, 4))]
        elif action == "truncate":
            del data[at:]
        else:  # a length or tag byte set to an extreme
            data[at] = draw(st.sampled_from([0x00, 0x7F, 0x80, 0x81, 0x84, 0xFF, 0x30, 0xA3]))
    return bytes(data)


DER = st.one_of(mutated(SEEDS), st.binary(max_size=300), st.sampled_from(SEEDS))


def _pem(der: bytes) -> bytes:
    return ssl.DER_cert_to_PEM_cert(der).encode("ascii")


@given(der=DER, as_pem=st.booleans())
def test_certificates(der: bytes, as_pem: bool, fed: Any) -> None:
    fed("X.509 certificates (DER/PEM)")
    data = _pem(der) if as_pem else der
    try:
        details = parse_certificate(data)
    except InvalidInput:
        return
    assert isinstance(details, X509Details)
    assert all(isinstance(problem, str) and problem for problem in details.problems)
    assert len(details.thumbprint_sha256) == 64


@given(der=DER)
def test_der_layout(der: bytes, fed: Any) -> None:
    fed("X.509 DER layout (extensions)")
    try:
        layout = certificate_layout(der)
    except ValueError:
        return
    assert layout.with_extensions(layout.extensions) == der or layout.tbs_after


def _pfx(key: Any, password: bytes | None) -> bytes:
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(b"fuzz", key, _certificate(key), None,
                                                 encryption)


def _pem_file(key: Any) -> bytes:
    return (_certificate(key).public_bytes(Encoding.PEM)
            + key.private_bytes(Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()))


FILES = [_pfx(RSA_KEY, None), _pfx(EC_KEY, b"pw"), _pem_file(RSA_KEY), _pem_file(EC_KEY)]


@given(data=st.one_of(mutated(FILES), st.binary(max_size=200), st.sampled_from(FILES),
                      st.builds(lambda b: b"-----BEGIN PRIVATE KEY-----\n"
                                + base64.encodebytes(b) + b"-----END PRIVATE KEY-----\n",
                                st.binary(max_size=100))),
       password=st.sampled_from([None, "pw", "wrong", ""]))
def test_certificate_files(data: bytes, password: str | None, fed: Any) -> None:
    fed("certificate files (PKCS#12, PEM with key)")
    try:
        inspect_certificate_file(data, SecretValue(password) if password is not None else None)
    except InvalidInput as error:
        assert "pw" not in error.message.split()  # never echoes the password
