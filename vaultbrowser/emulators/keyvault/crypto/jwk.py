"""Key material <-> JSON Web Key, with ``cryptography``."""

from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vaultbrowser.emulators.keyvault.errors import bad_parameter

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
CURVES: dict[str, type[ec.EllipticCurve]] = {
    "P-256": ec.SECP256R1,
    "P-384": ec.SECP384R1,
    "P-521": ec.SECP521R1,
    "P-256K": ec.SECP256K1,
}
_CURVE_NAMES = {cls.name: crv for crv, cls in CURVES.items()}
RSA_SIZES = (2048, 3072, 4096)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int_bytes(value: int, length: int | None = None) -> bytes:
    length = length or max(1, (value.bit_length() + 7) // 8)
    return value.to_bytes(length, "big")


def generate(kty: str, size: int | None, crv: str | None, exponent: int | None) -> PrivateKey:
    """A new private key for a create request.

    Raises:
        KvError: 400 BadParameter for an unsupported type, size or curve.
    """
    if kty.startswith("RSA"):
        size = size or 2048
        if size not in RSA_SIZES:
            raise bad_parameter(f"The specified key size ({size}) is not supported.")
        return rsa.generate_private_key(exponent or 65537, size)
    if kty.startswith("EC"):
        curve = CURVES.get(crv or "P-256")
        if curve is None:
            raise bad_parameter(f"The specified curve ({crv}) is not supported.")
        return ec.generate_private_key(curve())
    raise bad_parameter(f"The specified key type ({kty}) is not supported.")


def curve_name(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> str:
    return _CURVE_NAMES.get(key.curve.name, key.curve.name)


def public_jwk(key: PrivateKey) -> dict[str, Any]:
    """The public members of a key (``n``/``e`` or ``crv``/``x``/``y``)."""
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.public_key().public_numbers()
        return {"n": b64url(_int_bytes(numbers.n)), "e": b64url(_int_bytes(numbers.e))}
    pub = key.public_key().public_numbers()
    length = (key.curve.key_size + 7) // 8
    return {
        "crv": curve_name(key),
        "x": b64url(_int_bytes(pub.x, length)),
        "y": b64url(_int_bytes(pub.y, length)),
    }


def from_jwk(jwk: dict[str, Any]) -> PrivateKey:
    """A private key from an import request's JWK.

    Raises:
        KvError: 400 BadParameter when the JWK is not a usable private RSA/EC key.
    """
    try:
        kty = str(jwk.get("kty", ""))
        if kty.startswith("RSA"):
            n, e = (int.from_bytes(unb64url(jwk[k]), "big") for k in ("n", "e"))
            d, p, q = (int.from_bytes(unb64url(jwk[k]), "big") for k in ("d", "p", "q"))
            dp = int.from_bytes(unb64url(jwk["dp"]), "big") if "dp" in jwk else d % (p - 1)
            dq = int.from_bytes(unb64url(jwk["dq"]), "big") if "dq" in jwk else d % (q - 1)
            qi = int.from_bytes(unb64url(jwk["qi"]), "big") if "qi" in jwk else pow(q, -1, p)
            pub = rsa.RSAPublicNumbers(e, n)
            return rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, pub).private_key()
        if kty.startswith("EC"):
            curve = CURVES[jwk["crv"]]()
            d = int.from_bytes(unb64url(jwk["d"]), "big")
            return ec.derive_private_key(d, curve)
    except (KeyError, ValueError, TypeError) as exc:
        raise bad_parameter("The specified JSON Web Key is not valid.") from exc
    raise bad_parameter(f"The specified key type ({jwk.get('kty')}) is not supported.")


def to_pem(key: PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def from_pem(pem: str) -> PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise bad_parameter("Only RSA and EC keys are supported.")
    return key
