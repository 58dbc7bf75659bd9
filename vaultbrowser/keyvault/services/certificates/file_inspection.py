"""A certificate file to import (PFX or PEM), opened locally so a bad file or password fails
before any request (Qt-free; the SDK is not imported). Every check raises ``InvalidInput`` in our
own words; no message ever quotes a password or key material.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.certificates.inputs import PEM

_PEM_KEY = re.compile(rb"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.+?-----END \1PRIVATE KEY-----",
                      re.DOTALL)


@dataclass(frozen=True, slots=True)
class CertificateFile:
    """A certificate file checked for import: its format and what to send."""

    is_pem: bool
    payload: bytes  # the file (PFX as DER) exactly as the SDK sends it
    send_password: bool  # False when the key turned out not to be encrypted


def inspect_certificate_file(data: bytes, password: SecretValue | None) -> CertificateFile:
    """Tell PFX from PEM and open it locally, so a bad file or password fails before a request.

    Raises:
        InvalidInput: not a certificate file, the password is wrong or missing, no private key,
            a key that does not belong to the certificate, or a key type Key Vault lacks. The
            message never contains the password.
    """
    if not isinstance(data, bytes | bytearray) or not data:
        raise InvalidInput("The certificate file is empty.")
    if password is not None and not isinstance(password, SecretValue):
        raise InvalidInput("A certificate password must be given as a SecretValue.")
    secret = password.reveal().encode() if password is not None and len(password) else None
    data = bytes(data)
    if b"-----BEGIN" in data:
        return _inspect_pem(data, secret)
    return _inspect_pfx(_pfx_bytes(data), secret)


def _pfx_bytes(data: bytes) -> bytes:
    """DER PFX bytes; a base64 text export of one is decoded."""
    if data[:1] == b"\x30":
        return data
    try:
        decoded = base64.b64decode(b"".join(data.split()), validate=True)
    except (ValueError, binascii.Error):
        return data
    return decoded if decoded[:1] == b"\x30" else data


def _unusable_password(kind: str) -> InvalidInput:
    return InvalidInput(
        f"The {kind} could not be opened: the password is wrong or missing, or the file is "
        "damaged.", advice="Check the password (it is case-sensitive) and the file.")


def _inspect_pfx(data: bytes, secret: bytes | None) -> CertificateFile:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, leaf, _ = pkcs12.load_key_and_certificates(data, secret)
    except Exception:  # ValueError, TypeError, UnsupportedAlgorithm (an unknown cipher)
        raise _unusable_password("PFX file") from None
    if key is None:
        raise InvalidInput("The PFX file holds no private key; Key Vault imports a certificate "
                           "together with its key.")
    if leaf is None:
        raise InvalidInput("The PFX file holds no certificate.")
    _check_key_type(key)
    return CertificateFile(is_pem=False, payload=data, send_password=secret is not None)


def _inspect_pem(data: bytes, secret: bytes | None) -> CertificateFile:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        certificates = x509.load_pem_x509_certificates(data)
    except Exception:
        raise InvalidInput("The PEM file holds no readable certificate.") from None
    found = _PEM_KEY.search(data)
    if found is None:
        raise InvalidInput("The PEM file holds no private key; Key Vault imports a certificate "
                           "together with its key (key and certificates in one file).")
    send_password = secret is not None
    try:
        key = serialization.load_pem_private_key(found.group(0), secret)
    except TypeError:
        if secret is None:  # the key is encrypted and no password was given
            raise _unusable_password("PEM file's private key") from None
        try:
            key = serialization.load_pem_private_key(found.group(0), None)  # not encrypted
        except Exception:
            raise _unusable_password("PEM file's private key") from None
        send_password = False
    except Exception:  # ValueError, UnsupportedAlgorithm: damaged or of an unknown type
        raise _unusable_password("PEM file's private key") from None
    _check_key_type(key)
    public = _public_key_der(key)
    if public is None or not any(_public_key_der(c) == public for c in certificates):
        raise InvalidInput("The PEM file's private key does not belong to any of its "
                           "certificates.")
    return CertificateFile(is_pem=True, payload=data, send_password=send_password)


def _public_key_der(holder: Any) -> bytes | None:
    """The SubjectPublicKeyInfo of a key or certificate; None when it cannot be decoded (a
    certificate of another's making may hold a key of an unknown algorithm)."""
    from cryptography.hazmat.primitives import serialization

    try:
        return holder.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    except Exception:
        return None


def _check_key_type(key: object) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise InvalidInput("Key Vault certificates have RSA or EC keys; this file's key is "
                           f"{type(key).__name__.removeprefix('_')}.")


def holds_private_key(data: bytes, content_type: str) -> bool:
    """Whether a certificate's secret value (PFX bytes or PEM text) carries its private key."""
    if content_type == PEM:
        return _PEM_KEY.search(data) is not None
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, _, _ = pkcs12.load_key_and_certificates(data, None)
    except Exception:
        return True  # unreadable here (e.g. a protected PFX): let the user have the file
    return key is not None
