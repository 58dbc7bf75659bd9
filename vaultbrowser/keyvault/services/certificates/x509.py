"""Parse an X.509 certificate (DER or PEM) into our ``X509Details`` record, eagerly.

Certificates in real vaults were issued by anyone: unknown key or signature algorithms,
duplicate extensions, malformed subjectAltNames. ``cryptography`` parses lazily (the subject on
first access, all extensions at once on first access), so an odd certificate used to fail
later, untyped, wherever a field was first read. Here every part is read inside this function,
each on its own: what cannot be decoded becomes a readable entry in ``X509Details.problems``
("extension 2.5.29.17 (subjectAltName): could not be decoded: …") and the rest still shows.
Only bytes that are not a certificate at all raise (``InvalidInput``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.keyvault.services.certificates.x509_der import (
    CertificateLayout,
    RawExtension,
    certificate_layout,
)
from vaultbrowser.keyvault.services.records import X509Details

T = TypeVar("T")

# Friendly names for the EKUs people meet; others show their dotted OID.
_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH.dotted_string: "Server Authentication (1.3.6.1.5.5.7.3.1)",
    ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string: "Client Authentication (1.3.6.1.5.5.7.3.2)",
    ExtendedKeyUsageOID.CODE_SIGNING.dotted_string: "Code Signing (1.3.6.1.5.5.7.3.3)",
    ExtendedKeyUsageOID.EMAIL_PROTECTION.dotted_string: "Email Protection (1.3.6.1.5.5.7.3.4)",
    ExtendedKeyUsageOID.TIME_STAMPING.dotted_string: "Time Stamping (1.3.6.1.5.5.7.3.8)",
    ExtendedKeyUsageOID.OCSP_SIGNING.dotted_string: "OCSP Signing (1.3.6.1.5.5.7.3.9)",
}

_KEY_USAGE_FLAGS = (
    ("digital_signature", "digitalSignature"),
    ("content_commitment", "nonRepudiation"),
    ("key_encipherment", "keyEncipherment"),
    ("data_encipherment", "dataEncipherment"),
    ("key_agreement", "keyAgreement"),
    ("key_cert_sign", "keyCertSign"),
    ("crl_sign", "cRLSign"),
)

# Names of the extensions people meet, for problem texts ("2.5.29.17 (subjectAltName)").
_EXTENSION_NAMES = {
    "2.5.29.14": "subjectKeyIdentifier", "2.5.29.15": "keyUsage",
    "2.5.29.17": "subjectAltName", "2.5.29.18": "issuerAltName",
    "2.5.29.19": "basicConstraints", "2.5.29.30": "nameConstraints",
    "2.5.29.31": "cRLDistributionPoints", "2.5.29.32": "certificatePolicies",
    "2.5.29.35": "authorityKeyIdentifier", "2.5.29.37": "extKeyUsage",
    "1.3.6.1.5.5.7.1.1": "authorityInfoAccess",
    "1.3.6.1.4.1.11129.2.4.2": "signedCertificateTimestamps",
}
_MESSAGE_LIMIT = 200


def extension_label(oid: str) -> str:
    name = _EXTENSION_NAMES.get(oid)
    return f"{oid} ({name})" if name else oid


def _reason(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= _MESSAGE_LIMIT else text[:_MESSAGE_LIMIT] + "…"


class _Problems:
    """Runs each part of the parse on its own and notes what failed."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def read(self, what: str, reader: Callable[[], T], fallback: T) -> T:
        try:
            return reader()
        except Exception as error:  # cryptography raises ValueError, UnsupportedAlgorithm, …
            self.found.append(f"{what}: could not be decoded: {_reason(error)}")
            return fallback


def _key_usages(usage: x509.KeyUsage | None) -> tuple[str, ...]:
    if usage is None:
        return ()
    names = [label for attr, label in _KEY_USAGE_FLAGS if getattr(usage, attr)]
    if usage.key_agreement:
        if usage.encipher_only:
            names.append("encipherOnly")
        if usage.decipher_only:
            names.append("decipherOnly")
    return tuple(names)


def _public_key_facts(cert: x509.Certificate) -> tuple[str, int | None, str | None]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", key.key_size, None
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "EC", key.curve.key_size, key.curve.name
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256, None
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448", 456, None
    if isinstance(key, dsa.DSAPublicKey):
        return "DSA", key.key_size, None
    return type(key).__name__, None, None


def _unknown_key(cert: x509.Certificate) -> tuple[str, int | None, str | None]:
    try:
        return f"unknown ({cert.public_key_algorithm_oid.dotted_string})", None, None
    except Exception:
        return "unknown", None, None


def _signature_algorithm(cert: x509.Certificate) -> str:
    try:
        hash_algorithm = cert.signature_hash_algorithm
    except Exception:  # an algorithm cryptography does not know: its OID says what it is
        return cert.signature_algorithm_oid.dotted_string
    return hash_algorithm.name if hash_algorithm else cert.signature_algorithm_oid.dotted_string


def _name(name: x509.Name) -> str:
    """"CN=host, O=Org" in the certificate's own order, as the Portal and OpenSSL show it
    (RFC 4514 strings run backwards)."""
    return ", ".join(rdn.rfc4514_string() for rdn in name.rdns)


def _load(data: bytes) -> tuple[x509.Certificate, bytes]:
    """The certificate and its DER.

    Raises:
        InvalidInput: the bytes are not an X.509 certificate.
    """
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            cert = x509.load_pem_x509_certificate(data)
            return cert, cert.public_bytes(Encoding.DER)
        return x509.load_der_x509_certificate(data), bytes(data)
    except Exception as error:
        raise InvalidInput(f"This is not a valid X.509 certificate: {_reason(error)}") from None


def _decodable_extensions(der: bytes, problems: _Problems) -> x509.Extensions:
    """The extensions that decode, when the set as a whole does not: duplicates keep their
    first occurrence; each other extension is tried alone in a copy of the certificate."""
    try:
        layout: CertificateLayout = certificate_layout(der)
    except ValueError as error:
        problems.found.append(f"extensions: could not be decoded: {_reason(error)}")
        return x509.Extensions([])
    kept: list[RawExtension] = []
    seen: set[str] = set()
    for extension in layout.extensions:
        label = extension_label(extension.oid)
        if extension.oid in seen:
            problems.found.append(f"extension {label}: appears more than once; the first "
                                  "is shown")
            continue
        seen.add(extension.oid)
        try:
            _ = x509.load_der_x509_certificate(layout.with_extensions((extension,))).extensions
        except Exception as error:
            problems.found.append(f"extension {label}: could not be decoded: {_reason(error)}")
            continue
        kept.append(extension)
    try:
        return x509.load_der_x509_certificate(layout.with_extensions(tuple(kept))).extensions
    except Exception as error:  # each decodes alone but not together: show none
        problems.found.append(f"extensions: could not be decoded: {_reason(error)}")
        return x509.Extensions([])


def _extension_value(extensions: x509.Extensions, kind: type[Any]) -> Any:
    try:
        return extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _time(reader: Callable[[], datetime]) -> datetime:
    return reader().astimezone(UTC)


def parse_certificate(data: bytes) -> X509Details:
    """Parse DER bytes (PEM is accepted too), every part eagerly; see the module docstring.

    Raises:
        InvalidInput: the bytes are not an X.509 certificate at all.
    """
    cert, der = _load(data)
    problems = _Problems()
    extensions = problems.read("extensions", lambda: cert.extensions, None)
    if extensions is None:
        problems.found.pop()  # said per extension instead
        extensions = _decodable_extensions(der, problems)
    sans = _extension_value(extensions, x509.SubjectAlternativeName)
    ekus = _extension_value(extensions, x509.ExtendedKeyUsage)
    constraints = _extension_value(extensions, x509.BasicConstraints)
    key_type, key_size, curve = problems.read("public key", lambda: _public_key_facts(cert),
                                              _unknown_key(cert))
    subject = problems.read("subject", lambda: _name(cert.subject), "(undecodable)")
    issuer = problems.read("issuer", lambda: _name(cert.issuer), "(undecodable)")
    return X509Details(
        subject=subject,
        issuer=issuer,
        serial_number=problems.read("serial number", lambda: format(cert.serial_number, "X"),
                                    ""),
        not_before=problems.read("validity start",
                                 lambda: _time(lambda: cert.not_valid_before_utc), None),
        not_after=problems.read("validity end",
                                lambda: _time(lambda: cert.not_valid_after_utc), None),
        thumbprint_sha1=hashlib.sha1(der).hexdigest().upper(),
        thumbprint_sha256=hashlib.sha256(der).hexdigest().upper(),
        signature_algorithm=problems.read("signature algorithm",
                                          lambda: _signature_algorithm(cert), ""),
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        dns_names=tuple(sans.get_values_for_type(x509.DNSName)) if sans else (),
        ip_addresses=tuple(str(ip) for ip in sans.get_values_for_type(x509.IPAddress))
        if sans else (),
        emails=tuple(sans.get_values_for_type(x509.RFC822Name)) if sans else (),
        uris=tuple(sans.get_values_for_type(x509.UniformResourceIdentifier)) if sans else (),
        extended_key_usages=tuple(_EKU_NAMES.get(o.dotted_string, o.dotted_string)
                                  for o in ekus) if ekus else (),
        key_usages=_key_usages(_extension_value(extensions, x509.KeyUsage)),
        is_ca=bool(constraints.ca) if constraints else False,
        self_signed=subject == issuer and subject != "(undecodable)",
        problems=tuple(problems.found),
    )
