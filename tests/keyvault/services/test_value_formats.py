"""The secret value detector (``value_formats.analyse``): JSON, PEM, base64, text; private
keys never echoed; hostile input never raises."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from vaultbrowser.keyvault.services.value_formats import analyse, format_hint

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP384R1())


def certificate(common_name: str, key: object, issuer: str | None = None) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer or common_name)])
    now = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(7)  # type: ignore[attr-defined]
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=90))
            .sign(RSA_KEY, hashes.SHA256()))  # type: ignore[arg-type]


LEAF = certificate("leaf.example.com", EC_KEY, issuer="Example CA")
ROOT = certificate("Example CA", RSA_KEY)


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def private_pem(key: object, fmt: serialization.PrivateFormat) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt,  # type: ignore[attr-defined]
                             serialization.NoEncryption()).decode()


def everything_shown(analysis: object) -> str:
    parts = [repr(analysis), analysis.name]  # type: ignore[attr-defined]
    for block in analysis.pem_blocks:  # type: ignore[attr-defined]
        parts += [block.label, block.summary, *(f"{k} {v}" for k, v in block.rows)]
    parts += [f"{k} {v}" for k, v in analysis.decoded_rows]  # type: ignore[attr-defined]
    return "\n".join(parts)


def test_json_object_and_array() -> None:
    value = json.dumps({"user": "app", "password": "p4ss", "nested": {"port": 5432}})
    found = analyse(value, "application/json")
    assert found.format == "json" and found.views == ("json", "text")
    assert found.json_value["nested"] == {"port": 5432} and "3 members" in found.name
    assert "p4ss" not in repr(found)
    assert analyse(" [1, 2, {\"a\": null}] ").name == "JSON array (3 items)"
    assert analyse("42", "application/json").format == "text"  # a bare scalar is text
    assert analyse('{"broken": ').format == "text"


def test_pem_certificate_chain_summarised_per_block() -> None:
    found = analyse(pem(LEAF) + "\n" + pem(ROOT), "application/x-pem-file")
    assert found.format == "pem" and found.views[0] == "pem"
    assert found.name == "PEM: 2 certificates"
    leaf, root = found.pem_blocks
    rows = dict(leaf.rows)
    assert rows["Subject"] == "CN=leaf.example.com" and rows["Issuer"] == "CN=Example CA"
    assert rows["Valid from"] == "2026-01-02 03:04 UTC"
    assert rows["Key"] == "EC 384 (secp384r1)"
    fingerprint = LEAF.fingerprint(hashes.SHA1()).hex().upper()
    assert rows["Thumbprint (SHA-1)"] == fingerprint
    assert "self-signed" in dict(root.rows)["Issuer"]


@pytest.mark.parametrize("fmt", [serialization.PrivateFormat.PKCS8,
                                 serialization.PrivateFormat.TraditionalOpenSSL])
def test_pem_private_key_is_never_echoed(fmt: serialization.PrivateFormat) -> None:
    key_pem = private_pem(RSA_KEY, fmt)
    found = analyse(key_pem + pem(ROOT))
    shown = everything_shown(found)
    body = "".join(key_pem.strip().splitlines()[1:-1])
    for chunk in (body[i:i + 16] for i in range(0, len(body) - 16, 16)):
        assert chunk not in shown
    assert found.name == "PEM: 1 private key, 1 certificate"
    assert found.pem_blocks[0].summary == "Private key: RSA 2048 bits"
    ec_found = analyse(private_pem(EC_KEY, serialization.PrivateFormat.PKCS8))
    assert ec_found.pem_blocks[0].rows == (("Key", "EC secp384r1 (384 bits)"),)


def test_pem_public_and_encrypted_and_broken_blocks() -> None:
    public = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    encrypted = RSA_KEY.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw")).decode()
    broken = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----"
    found = analyse("\n".join([public, encrypted, broken]))
    assert [b.summary for b in found.pem_blocks] == [
        "Public key: RSA 2048 bits", "Private key (encrypted: its type needs the password)",
        "Certificate (could not be decoded)"]


def test_base64_of_der_certificate_and_pkcs12() -> None:
    der = base64.b64encode(LEAF.public_bytes(serialization.Encoding.DER)).decode()
    found = analyse(der)
    assert found.format == "base64" and found.views[0] == "base64"
    rows = dict(found.decoded_rows)
    assert rows["Decodes to"] == "a DER certificate" and rows["Subject"] == "CN=leaf.example.com"
    pfx = pkcs12.serialize_key_and_certificates(b"x", RSA_KEY, ROOT, None,
                                                serialization.NoEncryption())
    found = analyse(base64.b64encode(pfx).decode(), "application/x-pkcs12")
    rows = dict(found.decoded_rows)
    assert found.name.startswith("Base64 of PKCS#12") and rows["Private key"] == "RSA 2048 bits"
    assert rows["Subject"] == "CN=Example CA"
    body = private_pem(RSA_KEY, serialization.PrivateFormat.PKCS8)
    assert "".join(body.splitlines()[1:3]) not in everything_shown(found)
    locked = pkcs12.serialize_key_and_certificates(
        b"x", RSA_KEY, ROOT, None, serialization.BestAvailableEncryption(b"pw"))
    assert "password" in dict(analyse(base64.b64encode(locked).decode()).decoded_rows)[
        "Contents"]


def test_base64_text_and_binary() -> None:
    text = analyse(base64.b64encode(b"hello, this is plain text").decode())
    assert dict(text.decoded_rows)["Text"] == "hello, this is plain text"
    assert text.views == ("base64", "text")
    blob = analyse(base64.b64encode(bytes(range(200))).decode())
    rows = dict(blob.decoded_rows)
    assert blob.views == ("text", "base64") and rows["Decodes to"] == "binary"
    assert rows["First 48 bytes (hex)"].startswith("00 01 02 03") and "152 more bytes" in \
        rows["First 48 bytes (hex)"]
    inner_json = analyse(base64.b64encode(b'{"a": 1}' * 3).decode())
    assert inner_json.format == "base64"


def test_plain_text_and_content_type_hints() -> None:
    assert analyse("correct horse battery staple").format == "text"
    assert analyse("word " * 5000).format == "text"  # letters only, but words
    assert analyse("Abcd1234Efgh5678Ijkl").format == "text"  # a password, not base64
    assert analyse(base64.b64encode(bytes(range(12))).decode() + "AAAA",
                   "application/base64").format == "base64"  # unless announced
    assert analyse("short").name == "Text (5 characters, 1 lines)"
    assert format_hint("application/x-pem-file") == "PEM"
    assert format_hint("Application/JSON; charset=utf-8") == "JSON"
    assert format_hint("application/x-pkcs12") == "PKCS#12 (base64)"
    assert format_hint("image/png") is None and format_hint(None) is None


@pytest.mark.parametrize("value", [
    "[" * 20000 + "]" * 20000,  # deep nesting
    "{" * 25000,
    "-----BEGIN CERTIFICATE-----" * 1000,
    "-----BEGIN CERTIFICATE-----\n" + "A" * 24000 + "\n-----END CERTIFICATE-----",
    ("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n") * 100,
    "MIIB" * 6000,  # base64 of a truncated DER
    base64.b64encode(b"\x30\x82\xff\xff" + os.urandom(3000)).decode(),
    base64.b64encode(b"\x30\x82\x01\x00\x02\x01\x03\x30" + bytes.fromhex(
        "06092a864886f70d010701") + os.urandom(200)).decode(),
    "\x00\ud800\uffff" * 100,
    "x" * 200_000,
    "",
    "   ",
])
def test_hostile_values_never_raise(value: str) -> None:
    found = analyse(value, "application/x-pem-file")
    assert found.format in ("text", "json", "pem", "base64")
    assert len(found.pem_blocks) <= 33


def test_random_garbage_never_raises() -> None:
    rng = random.Random(20)
    alphabet = "{}[]\",:-=+/ABCDEFGHIJKLMNOPabc0123456789 \n"
    for _ in range(300):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400)))
        analyse(value, rng.choice([None, "application/json", "application/x-pkcs12"]))
