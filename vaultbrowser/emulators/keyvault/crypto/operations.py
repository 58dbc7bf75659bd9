"""The key operations of a standard vault (encrypt, decrypt, wrap, unwrap, sign, verify) with
``cryptography``, in the service's formats: RSA with RSA1_5 / RSA-OAEP / RSA-OAEP-256 and
RS*/PS* signatures, EC with ES* signatures as raw ``r || s`` over a digest the caller made.

Every refusal is the service's 400 ``BadParameter``; nothing here raises anything else.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from vaultbrowser.emulators.keyvault.crypto import jwk
from vaultbrowser.emulators.keyvault.errors import KvError, bad_parameter

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512,
}
ENCRYPTION_ALGS = frozenset({"RSA1_5", "RSA-OAEP", "RSA-OAEP-256"})
# ES256K is SHA-256 on secp256k1; each ES* names the one curve it may be used with.
EC_SIGN_CURVES = {"ES256": "P-256", "ES256K": "P-256K", "ES384": "P-384", "ES512": "P-521"}
RSA_SIGN_ALGS = frozenset({f"{p}{n}" for p in ("RS", "PS") for n in _HASHES})
# PKCS#1 v1.5 over the caller's bytes as they are (no DigestInfo), for TLS-style signing.
RSNULL = "RSNULL"


def _hash_of(alg: str) -> hashes.HashAlgorithm:
    return _HASHES[alg[2:5]]()


def _incompatible(alg: str, key: jwk.PrivateKey) -> KvError:
    kty = "RSA" if isinstance(key, rsa.RSAPrivateKey) else "EC"
    return bad_parameter(f"Algorithm '{alg}' is not supported for a key of type {kty}.")


def _rsa_padding(alg: str) -> padding.AsymmetricPadding:
    if alg == "RSA1_5":
        return padding.PKCS1v15()
    algorithm: hashes.HashAlgorithm = hashes.SHA256() if alg == "RSA-OAEP-256" else hashes.SHA1()
    return padding.OAEP(mgf=padding.MGF1(algorithm), algorithm=algorithm, label=None)


def _rsa_for_encryption(key: jwk.PrivateKey, alg: str) -> rsa.RSAPrivateKey:
    if alg not in ENCRYPTION_ALGS:
        raise bad_parameter(f"Invalid algorithm: {alg}.")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise _incompatible(alg, key)
    return key


def encrypt(key: jwk.PrivateKey, alg: str, plaintext: bytes) -> bytes:
    """``encrypt`` and ``wrapKey`` (the same transform in a standard vault).

    Raises:
        KvError: 400 for an unknown or incompatible algorithm, or a value too long for it.
    """
    rsa_key = _rsa_for_encryption(key, alg)
    try:
        return rsa_key.public_key().encrypt(plaintext, _rsa_padding(alg))
    except ValueError as exc:
        raise bad_parameter(
            f"Invalid length of 'value': {len(plaintext)} bytes is too long for {alg} with a "
            f"{rsa_key.key_size}-bit key."
        ) from exc


def decrypt(key: jwk.PrivateKey, alg: str, ciphertext: bytes) -> bytes:
    """``decrypt`` and ``unwrapKey``.

    Raises:
        KvError: 400 for an unknown or incompatible algorithm, or a value that does not
        decrypt (wrong length, tampered, made with another key or padding).
    """
    rsa_key = _rsa_for_encryption(key, alg)
    size = (rsa_key.key_size + 7) // 8
    if len(ciphertext) != size:
        raise bad_parameter(
            f"Invalid length of 'value': {len(ciphertext)} bytes. {alg} with this key requires "
            f"{size} bytes, encoded with base64url."
        )
    try:
        return rsa_key.decrypt(ciphertext, _rsa_padding(alg))
    except ValueError as exc:
        raise bad_parameter("The specified value could not be decrypted with this key.") from exc


def _check_sign_alg(key: jwk.PrivateKey, alg: str, digest: bytes, field: str) -> None:
    if alg not in RSA_SIGN_ALGS and alg not in EC_SIGN_CURVES and alg != RSNULL:
        raise bad_parameter(f"Invalid algorithm: {alg}.")
    if isinstance(key, rsa.RSAPrivateKey):
        if alg == RSNULL:
            room = (key.key_size + 7) // 8 - 11  # what PKCS#1 v1.5 padding leaves
            if not 0 < len(digest) <= room:
                raise bad_parameter(
                    f"Invalid length of '{field}': {len(digest)} bytes. {alg} with this key "
                    f"takes 1 to {room} bytes, encoded with base64url."
                )
            return
        if alg not in RSA_SIGN_ALGS:
            raise _incompatible(alg, key)
    elif alg not in EC_SIGN_CURVES:
        raise _incompatible(alg, key)
    elif EC_SIGN_CURVES[alg] != jwk.curve_name(key):
        raise bad_parameter(
            f"Algorithm '{alg}' is not supported for a key on curve {jwk.curve_name(key)}."
        )
    need = _hash_of(alg).digest_size
    if len(digest) != need:
        raise bad_parameter(
            f"Invalid length of '{field}': {len(digest)} bytes. {alg} requires {need} bytes, "
            "encoded with base64url."
        )


def _prehashed(alg: str) -> utils.Prehashed | utils.NoDigestInfo:
    return utils.NoDigestInfo() if alg == RSNULL else utils.Prehashed(_hash_of(alg))


def _pss(alg: str) -> padding.AsymmetricPadding:
    if alg.startswith("PS"):
        # The service's PSS salt is as long as the digest.
        return padding.PSS(mgf=padding.MGF1(_hash_of(alg)), salt_length=_hash_of(alg).digest_size)
    return padding.PKCS1v15()


def sign(key: jwk.PrivateKey, alg: str, digest: bytes) -> bytes:
    """A signature over ``digest`` (PKCS#1 / PSS for RSA, raw ``r || s`` for EC).

    Raises:
        KvError: 400 for an unknown or incompatible algorithm or a digest of the wrong size.
    """
    _check_sign_alg(key, alg, digest, "value")
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(digest, _pss(alg), _prehashed(alg))
    r, s = utils.decode_dss_signature(key.sign(digest, ec.ECDSA(utils.Prehashed(_hash_of(alg)))))
    length = (key.curve.key_size + 7) // 8
    return r.to_bytes(length, "big") + s.to_bytes(length, "big")


def verify(key: jwk.PrivateKey, alg: str, digest: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``key``'s over ``digest`` (a bad signature is False, not an
    error, like the service).

    Raises:
        KvError: 400 for an unknown or incompatible algorithm or a digest of the wrong size.
    """
    _check_sign_alg(key, alg, digest, "digest")
    try:
        if isinstance(key, rsa.RSAPrivateKey):
            key.public_key().verify(signature, digest, _pss(alg), _prehashed(alg))
            return True
        length = (key.curve.key_size + 7) // 8
        if len(signature) != 2 * length:
            return False
        r = int.from_bytes(signature[:length], "big")
        s = int.from_bytes(signature[length:], "big")
        der = utils.encode_dss_signature(r, s)
        key.public_key().verify(der, digest, ec.ECDSA(utils.Prehashed(_hash_of(alg))))
        return True
    except (InvalidSignature, ValueError):
        return False
