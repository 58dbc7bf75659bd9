"""What a secret's value looks like: JSON, PEM, base64 or plain text (Qt-free).

``analyse`` looks at a revealed value and says which viewers suit it: a JSON object or array
(the parsed value, for a tree), PEM blocks (certificates summarised by our own X.509 parsing;
a private key only by its type and size, never its body), base64 that decodes cleanly (its
size, and what it decodes to: PKCS#12, a DER certificate, text, or binary shown as the hex of
its first bytes), and plain text otherwise. ``format_hint`` names the format a content type
announces, without the value.

Values come from anyone who could write to the vault: everything is bounded (Key Vault's
secrets are at most 25 KB; longer values are plain text here) and ``analyse`` never raises.
``ValueAnalysis``'s repr names the format only: the value and what was decoded from it stay
out of logs and tracebacks.

``cryptography`` (~90 ms to import) is imported by the functions that decode PEM, DER and
PKCS#12: the window imports this module before its first paint, which needs none of it (the
Key Vault kind's ``SDK_MODULES`` import it in the background once the window shows).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ValueFormat = Literal["text", "json", "pem", "base64"]
Rows = tuple[tuple[str, str], ...]

MAX_ANALYSED_CHARS = 64 * 1024  # Key Vault's limit is 25 KB; anything longer is text here
MAX_PEM_BLOCKS = 32
MIN_BASE64_CHARS = 16
MIN_BINARY_BASE64_CHARS = 64
HEX_PREVIEW_BYTES = 48
TEXT_PREVIEW_CHARS = 2000

CONTENT_TYPE_NAMES: Mapping[str, str] = {
    "application/json": "JSON",
    "text/json": "JSON",
    "application/x-pem-file": "PEM",
    "application/x-pkcs12": "PKCS#12 (base64)",
    "application/pkcs12": "PKCS#12 (base64)",
    "application/base64": "Base64",
    "text/plain": "Text",
}

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 #]{1,64})-----\s*(.*?)\s*-----END \1-----",
                        re.DOTALL)
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")
_WHITESPACE = re.compile(r"\s+")
_PKCS7_DATA_OID = bytes.fromhex("06092a864886f70d010701")


@dataclass(frozen=True, slots=True)
class PemBlock:
    """One PEM block: its label ("CERTIFICATE", "PRIVATE KEY"…), a one-line summary and the
    rows to show (a private key's rows never hold its body)."""

    label: str
    summary: str
    rows: Rows = ()


@dataclass(frozen=True, slots=True)
class ValueAnalysis:
    """What ``analyse`` found (see the module docstring). ``views`` lists the suitable viewers,
    the first being the one to open with."""

    format: ValueFormat
    name: str  # "JSON object (3 members)", "PEM: 2 certificates, 1 private key", …
    views: tuple[ValueFormat, ...] = ("text",)
    json_value: Any = field(default=None, repr=False)
    pem_blocks: tuple[PemBlock, ...] = field(default=(), repr=False)
    decoded_rows: Rows = field(default=(), repr=False)

    def __repr__(self) -> str:
        return f"ValueAnalysis(format={self.format!r}, name={self.name!r})"


def format_hint(content_type: str | None) -> str | None:
    """The format a content type announces ("JSON", "PEM"…), or None (no value needed)."""
    if not isinstance(content_type, str):
        return None
    return CONTENT_TYPE_NAMES.get(content_type.split(";", 1)[0].strip().lower()[:100])


def analyse(value: str, content_type: str | None = None) -> ValueAnalysis:
    """Which viewers suit ``value``; never raises (anything odd is plain text)."""
    try:
        return _analyse(value, (format_hint(content_type) or "").lower())
    except Exception:  # hostile input must never break the detail pane
        return _text(value if isinstance(value, str) else "")


def _text(value: str) -> ValueAnalysis:
    lines = value.count("\n") + 1 if value else 0
    return ValueAnalysis("text", f"Text ({len(value):,} characters, {lines:,} lines)")


def _analyse(value: str, hint: str) -> ValueAnalysis:
    if not isinstance(value, str) or len(value) > MAX_ANALYSED_CHARS:
        return _text(value if isinstance(value, str) else "")
    stripped = value.strip()
    if stripped[:1] in ("{", "[") or hint == "json":
        found = _json(stripped)
        if found is not None:
            return found
    if "-----BEGIN " in stripped:
        found = _pem(stripped)
        if found is not None:
            return found
    found = _base64(stripped, hint)
    if found is not None:
        return found
    return _text(value)


# --- JSON --------------------------------------------------------------------------------------


def _json(text: str) -> ValueAnalysis | None:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(parsed, dict):
        name = f"JSON object ({len(parsed):,} members)"
    elif isinstance(parsed, list):
        name = f"JSON array ({len(parsed):,} items)"
    else:
        return None  # a bare number or string reads best as text
    return ValueAnalysis("json", name, ("json", "text"), json_value=parsed)


# --- PEM ---------------------------------------------------------------------------------------


def _pem(text: str) -> ValueAnalysis | None:
    blocks: list[PemBlock] = []
    for match in _PEM_BLOCK.finditer(text):
        if len(blocks) == MAX_PEM_BLOCKS:
            blocks.append(PemBlock("…", f"more blocks after the first {MAX_PEM_BLOCKS} "
                                        "are not shown"))
            break
        blocks.append(_pem_block(match.group(1), match.group(0)))
    if not blocks:
        return None
    counts: dict[str, int] = {}
    for block in blocks:
        counts[_kind_of(block.label)] = counts.get(_kind_of(block.label), 0) + 1
    summary = ", ".join(f"{count} {kind}" + ("s" if count > 1 and not kind.endswith("s")
                                              else "") for kind, count in counts.items())
    return ValueAnalysis("pem", f"PEM: {summary}", ("pem", "text"), pem_blocks=tuple(blocks))


def _kind_of(label: str) -> str:
    if label == "…":
        return "more"
    if "PRIVATE KEY" in label:
        return "private key"
    if "PUBLIC KEY" in label:
        return "public key"
    if "CERTIFICATE REQUEST" in label:
        return "certificate request"
    if "CERTIFICATE" in label:
        return "certificate"
    return label.lower()


def _pem_block(label: str, block: str) -> PemBlock:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    data = block.encode("ascii", "replace")
    kind = _kind_of(label)
    try:
        if kind == "certificate":
            der = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
            rows = _certificate_rows(der)
            return PemBlock(label, f"Certificate: {dict(rows).get('Subject', '?')}", rows)
        if kind == "private key":
            return _private_key_block(label, data)
        if kind == "public key":
            described = _key_text(serialization.load_pem_public_key(data))
            return PemBlock(label, f"Public key: {described}", (("Key", described),))
        if kind == "certificate request":
            request = x509.load_pem_x509_csr(data)
            subject = request.subject.rfc4514_string()[:300]
            return PemBlock(label, f"Certificate request: {subject}", (("Subject", subject),))
    except Exception:
        return PemBlock(label, f"{kind.capitalize()} (could not be decoded)")
    return PemBlock(label, f"{label.title()} block ({len(data):,} characters)")


def _private_key_block(label: str, data: bytes) -> PemBlock:
    """Only the key's type and size: the body is never kept or shown."""
    if "ENCRYPTED" in label:
        return PemBlock(label, "Private key (encrypted: its type needs the password)",
                        (("Key", "encrypted"),))
    from cryptography.hazmat.primitives import serialization

    try:
        key = serialization.load_pem_private_key(data, password=None,
                                                 unsafe_skip_rsa_key_validation=True)
    except Exception:
        return PemBlock(label, "Private key (could not be decoded)", (("Key", "unreadable"),))
    described = _key_text(key)
    return PemBlock(label, f"Private key: {described}", (("Key", described),))


def _key_text(key: Any) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return f"RSA {key.key_size} bits"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name} ({key.curve.key_size} bits)"
    if isinstance(key, dsa.DSAPrivateKey | dsa.DSAPublicKey):
        return f"DSA {key.key_size} bits"
    if isinstance(key, ed25519.Ed25519PrivateKey | ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PrivateKey | ed448.Ed448PublicKey):
        return "Ed448"
    return type(key).__name__


def time_text_utc(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else "(undecodable)"


def _certificate_rows(der: bytes) -> Rows:
    from vaultbrowser.keyvault.services.certificates.x509 import parse_certificate

    details = parse_certificate(der)
    key = details.key_type + (f" {details.key_size}" if details.key_size else "")
    if details.curve:
        key += f" ({details.curve})"
    return (("Subject", details.subject),
            ("Issuer", details.issuer + ("  (self-signed)" if details.self_signed else "")),
            ("Valid from", time_text_utc(details.not_before)),
            ("Valid to", time_text_utc(details.not_after)),
            ("Key", key),
            ("Thumbprint (SHA-1)", details.thumbprint_sha1),
            ("Thumbprint (SHA-256)", details.thumbprint_sha256))


# --- base64 ------------------------------------------------------------------------------------


def _base64(text: str, hint: str) -> ValueAnalysis | None:
    if " " in text or "\t" in text:  # words, not base64 (which wraps at line ends only)
        return None
    compact = _WHITESPACE.sub("", text)
    if len(compact) < MIN_BASE64_CHARS or len(compact) % 4 or not _BASE64.fullmatch(compact):
        return None
    try:
        if "-" in compact or "_" in compact:
            data = base64.urlsafe_b64decode(compact)
        else:
            data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    what, rows = _decoded(data, hint)
    if what == "binary" and len(compact) < MIN_BINARY_BASE64_CHARS and not hint:
        return None  # a short password of letters and digits decodes too: it is text
    size = ("Size", f"{len(data):,} bytes")
    # Recognised contents open in the decoded view; random-looking bytes (a password made of
    # letters and digits also decodes) keep the text view first.
    views: tuple[ValueFormat, ...] = (("text", "base64") if what == "binary"
                                      else ("base64", "text"))
    return ValueAnalysis("base64", f"Base64 of {what} ({len(data):,} bytes)", views,
                         decoded_rows=(size, ("Decodes to", what), *rows))


def _decoded(data: bytes, hint: str) -> tuple[str, Rows]:
    if data[:1] == b"\x30":
        if _PKCS7_DATA_OID in data[:64] or "pkcs#12" in hint:
            return "PKCS#12", _pkcs12_rows(data)
        try:
            return "a DER certificate", _certificate_rows(data)
        except Exception:
            pass
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text and sum(ch.isprintable() or ch in "\r\n\t"
                                         for ch in text) >= 0.95 * len(text):
        inner = _analyse(text, "") if len(text) <= MAX_ANALYSED_CHARS else _text(text)
        kind = "text" if inner.format in ("text", "base64") else inner.name
        return kind, (("Text", text[:TEXT_PREVIEW_CHARS]
                       + ("…" if len(text) > TEXT_PREVIEW_CHARS else "")),)
    preview = data[:HEX_PREVIEW_BYTES].hex(" ")
    more = f" … ({len(data) - HEX_PREVIEW_BYTES:,} more bytes)" if len(
        data) > HEX_PREVIEW_BYTES else ""
    return "binary", ((f"First {min(len(data), HEX_PREVIEW_BYTES)} bytes (hex)",
                       preview + more),)


def _pkcs12_rows(data: bytes) -> Rows:
    """The PFX's certificates and its private key's type and size (never the key)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, certificate, extra = pkcs12.load_key_and_certificates(data, None)
    except Exception:
        return (("Contents", "password-protected or unreadable without a password"),)
    rows: list[tuple[str, str]] = [
        ("Private key", _key_text(key) if key is not None else "none"),
        ("Certificates", f"{(certificate is not None) + len(extra or ()):,}"),
    ]
    if certificate is not None:
        der = certificate.public_bytes(serialization.Encoding.DER)
        rows.extend(_certificate_rows(der))
    return tuple(rows)
