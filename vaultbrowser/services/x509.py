"""Parse an X.509 certificate (DER) into our ``X509Details`` record with ``cryptography``."""

from __future__ import annotations

import hashlib
from datetime import UTC

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from vaultbrowser.errors import InvalidInput
from vaultbrowser.services.records import X509Details

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


def _extension(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.ExtensionType | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


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


def _name(name: x509.Name) -> str:
    """"CN=host, O=Org" in the certificate's own order, as the Portal and OpenSSL show it
    (RFC 4514 strings run backwards)."""
    return ", ".join(rdn.rfc4514_string() for rdn in name.rdns)


def parse_certificate(der: bytes) -> X509Details:
    """Parse DER bytes (PEM is accepted too).

    Raises:
        InvalidInput: the bytes are not an X.509 certificate.
    """
    try:
        if der.lstrip().startswith(b"-----BEGIN"):
            cert = x509.load_pem_x509_certificate(der)
            der = cert.public_bytes(Encoding.DER)
        else:
            cert = x509.load_der_x509_certificate(der)
    except ValueError as exc:
        raise InvalidInput(f"This is not a valid X.509 certificate: {exc}") from None

    sans = _extension(cert, x509.SubjectAlternativeName)
    ekus = _extension(cert, x509.ExtendedKeyUsage)
    constraints = _extension(cert, x509.BasicConstraints)
    key_type, key_size, curve = _public_key_facts(cert)
    try:
        hash_algorithm = cert.signature_hash_algorithm
        signature_algorithm = hash_algorithm.name if hash_algorithm else ""
    except Exception:  # unsupported algorithm: show its OID instead of failing the parse
        signature_algorithm = cert.signature_algorithm_oid.dotted_string
    return X509Details(
        subject=_name(cert.subject),
        issuer=_name(cert.issuer),
        serial_number=format(cert.serial_number, "X"),
        not_before=cert.not_valid_before_utc.astimezone(UTC),
        not_after=cert.not_valid_after_utc.astimezone(UTC),
        thumbprint_sha1=hashlib.sha1(der).hexdigest().upper(),
        thumbprint_sha256=hashlib.sha256(der).hexdigest().upper(),
        signature_algorithm=signature_algorithm,
        key_type=key_type,
        key_size=key_size,
        curve=curve,
        dns_names=tuple(sans.get_values_for_type(x509.DNSName)) if sans else (),
        ip_addresses=tuple(str(ip) for ip in sans.get_values_for_type(x509.IPAddress))
        if sans
        else (),
        emails=tuple(sans.get_values_for_type(x509.RFC822Name)) if sans else (),
        uris=tuple(sans.get_values_for_type(x509.UniformResourceIdentifier)) if sans else (),
        extended_key_usages=tuple(_EKU_NAMES.get(o.dotted_string, o.dotted_string) for o in ekus)
        if ekus
        else (),
        key_usages=_key_usages(_extension(cert, x509.KeyUsage)),
        is_ca=bool(constraints.ca) if constraints else False,
        self_signed=cert.subject == cert.issuer,
    )

