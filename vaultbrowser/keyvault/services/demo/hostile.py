"""Hostile-but-real data for the demo and the tests: what real tenants hold and nobody here wrote.

- Certificates that ``cryptography`` cannot fully decode, correctly signed: one with its
  subjectAltName extension twice, one whose issuerAltName is malformed DER. Built by issuing a
  certificate with a placeholder extension (an unassigned OID of the same encoded length),
  renaming that OID in the to-be-signed bytes and signing them again.
- A "never expires" expiry as scripts write it: 9999-12-31T23:59:59Z.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier

NEVER_EXPIRES = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC)
NEVER_EXPIRES_EPOCH = 253_402_300_799

_PLACEHOLDER_OID = "2.5.29.99"  # unassigned; encodes as 06 03 55 1D 63, like 2.5.29.17
_OID_BYTES = {"2.5.29.99": b"\x06\x03\x55\x1d\x63", "2.5.29.17": b"\x06\x03\x55\x1d\x11",
              "2.5.29.18": b"\x06\x03\x55\x1d\x12"}


class HostileExtension(StrEnum):
    DUPLICATE = "duplicate"  # subjectAltName appears twice
    UNDECODABLE = "undecodable"  # issuerAltName holds truncated DER


def hostile_certificate(kind: HostileExtension, key: rsa.RSAPrivateKey, common_name: str,
                        dns_name: str, not_before: dt.datetime, not_after: dt.datetime,
                        issuer: x509.Name | None = None,
                        issuer_key: rsa.RSAPrivateKey | None = None) -> bytes:
    """A certificate's DER with one hostile extension, signed by ``issuer_key`` (the
    certificate's own key when None: self-signed). RSA keys only (PKCS#1 v1.5, SHA-256)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    signer = issuer_key or key
    if kind is HostileExtension.DUPLICATE:
        placeholder_value = x509.SubjectAlternativeName(
            [x509.DNSName("alias." + dns_name)]).public_bytes()
        target = "2.5.29.17"
    else:
        placeholder_value = b"\x30\x05\x82\x09bad."  # claims 9 bytes of name, holds 4
        target = "2.5.29.18"
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer or subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), False)
        .add_extension(x509.UnrecognizedExtension(ObjectIdentifier(_PLACEHOLDER_OID),
                                                  placeholder_value), False)
        .sign(signer, hashes.SHA256())
    )
    old, new = _OID_BYTES[_PLACEHOLDER_OID], _OID_BYTES[target]
    der = cert.public_bytes(serialization.Encoding.DER)
    tbs = cert.tbs_certificate_bytes
    if tbs.count(old) != 1 or der.count(tbs) != 1:
        raise ValueError("the placeholder extension is not where it was expected")
    renamed = tbs.replace(old, new)
    signature = signer.sign(renamed, padding.PKCS1v15(), hashes.SHA256())
    if len(signature) != len(cert.signature) or not der.endswith(cert.signature):
        raise ValueError("the signature does not sit at the end of the certificate")
    return der.replace(tbs, renamed)[: -len(signature)] + signature


def hostile_pfx(kind: HostileExtension, name: str, dns_name: str,
                not_before: dt.datetime, not_after: dt.datetime) -> bytes:
    """A PFX (no password) of a self-signed hostile certificate and its RSA 2048 key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = hostile_certificate(kind, key, name, dns_name, not_before, not_after)
    cert = x509.load_der_x509_certificate(der)  # parsed lazily: its extensions are not read
    return pkcs12.serialize_key_and_certificates(name.encode(), key, cert, None,
                                                 serialization.NoEncryption())
