"""A key version's public key as PEM, JWK or OpenSSH (Qt-free).

Key Vault never hands out a key's private half; ``get_key`` returns the public JWK (``n``/``e``
for RSA, ``crv``/``x``/``y`` for EC). ``public_key_from_jwk`` treats that JWK as untrusted
input: only the public members are read (a ``d``, ``p``, ``k``… a hostile server sends is
ignored, never copied), sizes are bounded before any arithmetic, the base64url is decoded
strictly, and ``cryptography`` checks the numbers (an EC point must lie on its curve). Every
refusal is a typed ``KeyExportError``; nothing here raises anything else.

The exported JWK is rebuilt from the parsed numbers, so it holds exactly ``kty``, ``n``,
``e`` / ``crv``, ``x``, ``y`` and ``kid``.

``cryptography`` (~90 ms to import) is imported where a function first needs it: the window
imports this module before its first paint, which needs none of it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import Result
from vaultbrowser.keyvault.services.keys import VaultKeys

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

ExportFormat = Literal["pem", "jwk", "openssh"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("pem", "jwk", "openssh")
FORMAT_NAMES: Mapping[ExportFormat, str] = {
    "pem": "PEM (SubjectPublicKeyInfo)", "jwk": "JWK (JSON Web Key)", "openssh": "OpenSSH"}
FILE_SUFFIXES: Mapping[ExportFormat, str] = {"pem": ".pem", "jwk": ".jwk.json",
                                             "openssh": ".pub"}

# Key Vault's RSA keys are 2048-4096 bits; a little headroom, but no 1 MB modulus to square.
MIN_RSA_BITS = 1024
MAX_RSA_BITS = 8192
MAX_EXPONENT_BYTES = 8
PUBLIC_MEMBERS = ("kty", "kid", "crv", "n", "e", "x", "y")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*={0,2}")
_MAX_KID = 2048


@functools.cache
def _curves() -> Mapping[str, tuple[ec.EllipticCurve, int, str | None]]:
    """JWK name → (curve, coordinate bytes, OpenSSH key type or None: no OpenSSH form)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    return {"P-256": (ec.SECP256R1(), 32, "ecdsa-sha2-nistp256"),
            "P-384": (ec.SECP384R1(), 48, "ecdsa-sha2-nistp384"),
            "P-521": (ec.SECP521R1(), 66, "ecdsa-sha2-nistp521"),
            "P-256K": (ec.SECP256K1(), 32, None)}


class KeyExportError(InvalidInput):
    """The key's public part cannot be exported (in the form asked for)."""

    title = "Cannot export the public key"
    default_advice = "Choose another key or format."


class NoPublicKey(KeyExportError):
    default_advice = ("A symmetric (oct) key has no public half: there is nothing to export. "
                      "Use an RSA or EC key.")


class NoOpenSshForm(KeyExportError):
    default_advice = "Export it as PEM or JWK instead."


class MalformedKey(KeyExportError):
    default_advice = ("The vault returned a key this program cannot read; check the key in "
                      "the portal or with the Azure CLI.")


@dataclass(frozen=True, slots=True)
class PublicKeyExport:
    """A key version's parsed public key, ready to serialise."""

    kid: str | None
    public_key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey
    curve: str | None  # the JWK curve name for EC keys

    @property
    def description(self) -> str:
        from cryptography.hazmat.primitives.asymmetric import rsa

        if isinstance(self.public_key, rsa.RSAPublicKey):
            return f"RSA {self.public_key.key_size}"
        return f"EC {self.curve}"

    @property
    def name(self) -> str:
        """The key's name from its id (``…/keys/{name}/{version}``), else "key"."""
        parts = (self.kid or "").rstrip("/").split("/")
        if "keys" in parts and parts.index("keys") + 1 < len(parts):
            return parts[parts.index("keys") + 1]
        return "key"

    def pem(self) -> bytes:
        from cryptography.hazmat.primitives import serialization

        return self.public_key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)

    def jwk(self) -> dict[str, str]:
        """The public JWK members only, rebuilt from the numbers."""
        from cryptography.hazmat.primitives.asymmetric import rsa

        if isinstance(self.public_key, rsa.RSAPublicKey):
            numbers = self.public_key.public_numbers()
            out = {"kty": "RSA", "n": _b64url_int(numbers.n), "e": _b64url_int(numbers.e)}
        else:
            assert self.curve is not None
            size = _curves()[self.curve][1]
            point = self.public_key.public_numbers()
            out = {"kty": "EC", "crv": self.curve, "x": _b64url_int(point.x, size),
                   "y": _b64url_int(point.y, size)}
        if self.kid:
            out["kid"] = self.kid
        return out

    def jwk_text(self) -> bytes:
        return (json.dumps(self.jwk(), indent=2) + "\n").encode("ascii")

    def openssh(self) -> bytes:
        """``ssh-rsa …`` / ``ecdsa-sha2-nistp… …`` with the key's name as the comment.

        Raises:
            NoOpenSshForm: a P-256K (secp256k1) key: OpenSSH has no such key type.
        """
        if self.curve is not None and _curves()[self.curve][2] is None:
            raise NoOpenSshForm(f"A {self.curve} (secp256k1) key has no OpenSSH form: OpenSSH "
                                "knows the NIST curves P-256, P-384 and P-521 only.")
        from cryptography.hazmat.primitives import serialization

        line = self.public_key.public_bytes(serialization.Encoding.OpenSSH,
                                            serialization.PublicFormat.OpenSSH)
        comment = re.sub(r"[^A-Za-z0-9._-]", "", self.name)[:127]
        return line + (b" " + comment.encode("ascii") if comment else b"") + b"\n"

    def export(self, fmt: ExportFormat) -> bytes:
        """The key in ``fmt`` (text, ending with a newline).

        Raises:
            NoOpenSshForm: OpenSSH of a P-256K key. KeyExportError: an unknown format.
        """
        if fmt == "pem":
            return self.pem()
        if fmt == "jwk":
            return self.jwk_text()
        if fmt == "openssh":
            return self.openssh()
        raise KeyExportError(f"Unknown export format {str(fmt)[:20]!r}; use PEM, JWK or "
                             "OpenSSH.")


def public_key_from_jwk(jwk: Mapping[str, Any]) -> PublicKeyExport:
    """Parse a JWK's public members (values as bytes, or base64url text as on the wire).

    Raises:
        NoPublicKey: a symmetric (oct) key. MalformedKey: anything not a sound RSA or EC
            public key (missing, oversized or badly encoded members, a point off its curve).
    """
    if not isinstance(jwk, Mapping):
        raise MalformedKey("The key has no JSON Web Key.")
    kty = jwk.get("kty")
    kty = getattr(kty, "value", kty)
    if not isinstance(kty, str):
        raise MalformedKey("The key's type (kty) is missing.")
    kid = jwk.get("kid")
    kid = kid if isinstance(kid, str) and len(kid) <= _MAX_KID and kid.isprintable() else None
    family = kty.upper().removesuffix("-HSM")
    if family == "OCT":
        raise NoPublicKey(f"This is a symmetric key ({kty}): it has no public key to export.")
    if family == "RSA":
        return PublicKeyExport(kid, _rsa_key(jwk), None)
    if family == "EC":
        curve_name, key = _ec_key(jwk)
        return PublicKeyExport(kid, key, curve_name)
    raise MalformedKey(f"Unsupported key type {kty[:20]!r}: only RSA and EC keys have a "
                       "public key to export.")


def _rsa_key(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey:
    from cryptography.hazmat.primitives.asymmetric import rsa

    modulus = _member(jwk, "n", MAX_RSA_BITS // 8 + 1)
    exponent = _member(jwk, "e", MAX_EXPONENT_BYTES)
    n, e = int.from_bytes(modulus, "big"), int.from_bytes(exponent, "big")
    if not MIN_RSA_BITS <= n.bit_length() <= MAX_RSA_BITS:
        raise MalformedKey(f"The RSA modulus has {n.bit_length()} bits: expected "
                           f"{MIN_RSA_BITS}-{MAX_RSA_BITS}.")
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except (ValueError, TypeError) as exc:
        raise MalformedKey("The RSA public numbers are not a valid key.") from exc


def _ec_key(jwk: Mapping[str, Any]) -> tuple[str, ec.EllipticCurvePublicKey]:
    from cryptography.hazmat.primitives.asymmetric import ec

    crv = jwk.get("crv")
    crv = getattr(crv, "value", crv)
    if not isinstance(crv, str) or crv not in _curves():
        shown = crv[:20] if isinstance(crv, str) else "none"
        raise MalformedKey(f"Unsupported curve {shown!r}: expected one of "
                           f"{', '.join(_curves())}.")
    curve, size, _ = _curves()[crv]
    x = int.from_bytes(_member(jwk, "x", size), "big")
    y = int.from_bytes(_member(jwk, "y", size), "big")
    try:
        return crv, ec.EllipticCurvePublicNumbers(x, y, curve).public_key()
    except (ValueError, TypeError) as exc:
        raise MalformedKey(f"The EC point is not on the {crv} curve.") from exc


def _member(jwk: Mapping[str, Any], name: str, max_bytes: int) -> bytes:
    value = jwk.get(name)
    if isinstance(value, bytes | bytearray):
        data = bytes(value)
    elif isinstance(value, str):
        if len(value) > (max_bytes * 4) // 3 + 4 or not _BASE64URL.fullmatch(value):
            raise MalformedKey(f"The key's {name!r} is not base64url of at most {max_bytes} "
                               "bytes.")
        try:
            data = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError) as exc:
            raise MalformedKey(f"The key's {name!r} is not valid base64url.") from exc
    else:
        raise MalformedKey(f"The key has no {name!r}.")
    if not data or len(data) > max_bytes:
        raise MalformedKey(f"The key's {name!r} is {len(data)} bytes: expected 1-{max_bytes}.")
    return data


def _b64url_int(value: int, size: int | None = None) -> str:
    length = size if size is not None else max(1, (value.bit_length() + 7) // 8)
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).rstrip(b"=").decode("ascii")


async def fetch_public_key(keys: VaultKeys, name: str, version: str | None = None
                           ) -> Result[PublicKeyExport]:
    """Get the key version (one GET) and parse its public key.

    Raises:
        NoPublicKey, MalformedKey: see ``public_key_from_jwk``. NotFound, AccessDenied,
            VaultBrowserError: the GET's typed error.
    """
    result = await keys.get_public_jwk(name, version)
    return Result(public_key_from_jwk(result.value), result.response)
