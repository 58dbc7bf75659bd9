"""X.509 for certificates: self-signed issuance from a policy, CSRs, PFX/PEM import and the
PKCS#12/PEM value of a certificate's backing secret."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID, ObjectIdentifier

from vaultbrowser.emulators.keyvault.crypto.jwk import PrivateKey, b64url
from vaultbrowser.emulators.keyvault.errors import bad_parameter

PKCS12 = "application/x-pkcs12"
PEM = "application/x-pem-file"
UPN_OID = ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
_PEM_KEY = re.compile(
    r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?-----END \1PRIVATE KEY-----", re.DOTALL
)
_ATTRS = {
    "CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "L": NameOID.LOCALITY_NAME,
    "S": NameOID.STATE_OR_PROVINCE_NAME, "ST": NameOID.STATE_OR_PROVINCE_NAME,
    "C": NameOID.COUNTRY_NAME, "E": NameOID.EMAIL_ADDRESS, "DC": NameOID.DOMAIN_COMPONENT,
}
_USAGES = (
    ("digitalSignature", "digital_signature"), ("nonRepudiation", "content_commitment"),
    ("keyEncipherment", "key_encipherment"), ("dataEncipherment", "data_encipherment"),
    ("keyAgreement", "key_agreement"), ("keyCertSign", "key_cert_sign"),
    ("cRLSign", "crl_sign"), ("encipherOnly", "encipher_only"), ("decipherOnly", "decipher_only"),
)


def parse_subject(subject: str) -> x509.Name:
    """``"CN=a, O=b"`` → Name. Raises KvError 400 for an unknown attribute."""
    attrs = []
    for part in (p.strip() for p in subject.replace(";", ",").split(",")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        oid = _ATTRS.get(key.strip().upper())
        if not sep or oid is None:
            raise bad_parameter(f"The subject name {subject} is invalid.")
        attrs.append(x509.NameAttribute(oid, value.strip()))
    return x509.Name(attrs)


def _sans(sans: dict[str, Any] | None) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    sans = sans or {}
    names += [x509.DNSName(d) for d in sans.get("dns_names") or []]
    names += [x509.RFC822Name(e) for e in sans.get("emails") or []]
    for upn in sans.get("upns") or []:
        der = b"\x0c" + bytes([len(upn.encode())]) + upn.encode()  # UTF8String
        names.append(x509.OtherName(UPN_OID, der))
    return names


def _key_usage(usages: list[str]) -> x509.KeyUsage:
    flags = {attr: name in usages for name, attr in _USAGES}
    # RFC 5280 gives encipherOnly/decipherOnly a meaning only beside keyAgreement, and
    # cryptography refuses them alone: the certificate's extension carries keyAgreement too.
    if flags["encipher_only"] or flags["decipher_only"]:
        flags["key_agreement"] = True
    return x509.KeyUsage(**flags)


def _months_later(start: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(start.month - 1 + months, 12)
    day = min(start.day, 28)
    return start.replace(year=start.year + year, month=month + 1, day=day)


def self_signed(key: PrivateKey, x509_props: dict[str, Any]) -> x509.Certificate:
    """Issue a self-signed certificate for ``key`` following the policy's x509_props."""
    subject = parse_subject(x509_props.get("subject") or "")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=10))
        .not_valid_after(_months_later(now - dt.timedelta(minutes=10),
                                       int(x509_props.get("validity_months") or 12)))
    )
    sans = _sans(x509_props.get("sans"))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    ekus = x509_props.get("ekus") or []
    if ekus:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ObjectIdentifier(e) for e in ekus]), critical=False
        )
    usages = x509_props.get("key_usage") or []
    if usages:
        builder = builder.add_extension(_key_usage(usages), critical=True)
    is_ca = bool((x509_props.get("basic_constraints") or {}).get("ca"))
    builder = builder.add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), False)
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
    )
    return builder.sign(key, hashes.SHA256())


def csr(key: PrivateKey, x509_props: dict[str, Any]) -> str:
    """Base64 DER of a CSR for the pending operation."""
    builder = x509.CertificateSigningRequestBuilder().subject_name(
        parse_subject(x509_props.get("subject") or "")
    )
    sans = _sans(x509_props.get("sans"))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    der = builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    return base64.b64encode(der).decode()


def cer(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def x5t(cert: x509.Certificate) -> str:
    """Base64url SHA-1 thumbprint."""
    return b64url(hashlib.sha1(cer(cert)).digest())


def secret_value(key: PrivateKey, chain: list[x509.Certificate], content_type: str,
                 exportable: bool = True) -> str:
    """The backing secret's value: base64 PFX without password, or PEM (key then certs).

    A certificate whose policy makes the key non-exportable keeps the key out of it: the
    value then holds the certificates only, as the service's does.
    """
    if content_type == PEM:
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode() if exportable else ""
        return pem + "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain)
    pfx = pkcs12.serialize_key_and_certificates(
        None, key if exportable else None, chain[0], chain[1:] or None,
        serialization.NoEncryption(),
    )
    return base64.b64encode(pfx).decode()


def pfx_value_as_pem(value: str) -> str:
    """A PKCS#12 secret value (base64 PFX without password) as PEM: the key (when the PFX
    holds one) then the certificates, leaf first — what the service hands out for
    ``outContentType=application/x-pem-file``."""
    key, leaf, extra = pkcs12.load_key_and_certificates(base64.b64decode(value), None)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode() if key is not None else ""
    chain = [leaf, *extra] if leaf is not None else list(extra)
    return pem + "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain)


def load_import(value: str, password: str | None,
                content_type: str = PKCS12) -> tuple[PrivateKey, list[x509.Certificate]]:
    """Key and chain (leaf first) of an import's ``value``, read as the request's policy says
    (``secret_props.contentType``; PKCS#12 when the request has none, like the service: PEM
    needs a policy naming it).

    Raises:
        KvError: 400 BadParameter when it is not a usable PFX, or PEM with a private key.
    """
    text = value.strip()
    if content_type == PEM and not text.startswith("-----BEGIN"):
        # the SDKs send PEM base64-encoded like PFX
        try:
            text = base64.b64decode(text, validate=False).decode("utf-8", "replace").strip()
        except (ValueError, binascii.Error):
            text = ""
    if content_type == PEM:
        try:
            certs = x509.load_pem_x509_certificates(text.encode())
            found = _PEM_KEY.search(text)
            key = (
                serialization.load_pem_private_key(
                    found.group(0).encode(), password.encode() if password else None
                )
                if found
                else None
            )
        except Exception as exc:  # ValueError, TypeError, UnsupportedAlgorithm
            raise bad_parameter("The specified PEM X.509 certificate content is invalid.") from exc
        if key is None:
            raise bad_parameter(
                "The specified PEM X.509 certificate content does not contain a private key."
            )
        return _checked(key), _leaf_first(certs, key)
    try:
        raw = base64.b64decode(text, validate=False)
        key, leaf, extra = pkcs12.load_key_and_certificates(
            raw, password.encode() if password else None
        )
    except Exception as exc:  # ValueError, binascii.Error, UnsupportedAlgorithm
        raise bad_parameter(
            "The specified PKCS#12 X.509 certificate content can not be read. Please check if "
            "certificate is in valid PKCS#12 format."
        ) from exc
    if key is None or leaf is None:
        raise bad_parameter("The specified PKCS#12 content does not contain a private key.")
    return _checked(key), [leaf, *extra]


def _checked(key: object) -> PrivateKey:
    from cryptography.hazmat.primitives.asymmetric import rsa

    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise bad_parameter("Only RSA and EC certificate keys are supported.")
    return key


def _leaf_first(certs: list[x509.Certificate], key: PrivateKey) -> list[x509.Certificate]:
    if not certs:
        raise bad_parameter("The specified PEM content does not contain a certificate.")
    pub = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for i, cert in enumerate(certs):
        try:
            spki = cert.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        except Exception:  # a chain certificate with a key of an unknown algorithm
            continue
        if spki == pub:
            return [cert, *certs[:i], *certs[i + 1:]]
    raise bad_parameter("The private key does not match the certificate.")


def describe(cert: x509.Certificate) -> dict[str, Any]:
    """x509_props as the service infers them from an imported certificate."""
    # the service spells the subject in X.500 order ("CN=a, O=b"); rfc4514 is reversed
    try:
        subject = ", ".join(f"{_short(a.oid)}={a.value}" for a in cert.subject)
    except ValueError:  # an undecodable name: the policy names none
        subject = ""
    props: dict[str, Any] = {"subject": subject}
    try:
        extensions = cert.extensions
    except (ValueError, x509.DuplicateExtension):
        # Certificates from elsewhere may hold a duplicate or undecodable extension; the vault
        # imports them as they are and infers nothing from their extensions.
        extensions = x509.Extensions([])
    try:
        san = extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        sans: dict[str, Any] = {}
        if san.get_values_for_type(x509.DNSName):
            sans["dns_names"] = san.get_values_for_type(x509.DNSName)
        if san.get_values_for_type(x509.RFC822Name):
            sans["emails"] = san.get_values_for_type(x509.RFC822Name)
        if sans:
            props["sans"] = sans
    except x509.ExtensionNotFound:
        pass
    try:
        eku = extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        props["ekus"] = [o.dotted_string for o in eku]
    except x509.ExtensionNotFound:
        pass
    try:
        ku = extensions.get_extension_for_class(x509.KeyUsage).value
        props["key_usage"] = [name for name, attr in _USAGES if _usage_set(ku, attr)]
    except x509.ExtensionNotFound:
        pass
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    props["validity_months"] = max(1, round(days / 30.4))
    return props


def _usage_set(ku: x509.KeyUsage, attr: str) -> bool:
    try:
        return bool(getattr(ku, attr))
    except ValueError:  # encipher_only/decipher_only without key_agreement
        return False


def _short(oid: ObjectIdentifier) -> str:
    for short, known in _ATTRS.items():
        if known == oid and short != "ST":
            return short
    return oid.dotted_string
