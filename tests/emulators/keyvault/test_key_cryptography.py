"""Key operations through the official ``CryptographyClient`` (sync and aio) against the
emulator: remote and SDK-default (local where it can) paths, and the service's refusals."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.certificates import CertificateClient, CertificatePolicy
from azure.keyvault.keys import KeyClient, KeyCurveName, KeyVaultKey
from azure.keyvault.keys.crypto import (
    CryptographyClient,
    EncryptionAlgorithm,
    KeyWrapAlgorithm,
    SignatureAlgorithm,
)
from azure.keyvault.keys.crypto.aio import CryptographyClient as AsyncCryptographyClient
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import AsyncFakeCredential, FakeCredential, Raw, client_kwargs, run, unique

_HASH = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_CURVES = {
    SignatureAlgorithm.es256: (KeyCurveName.p_256, ec.SECP256R1),
    SignatureAlgorithm.es256_k: (KeyCurveName.p_256_k, ec.SECP256K1),
    SignatureAlgorithm.es384: (KeyCurveName.p_384, ec.SECP384R1),
    SignatureAlgorithm.es512: (KeyCurveName.p_521, ec.SECP521R1),
}


@pytest.fixture(scope="module")
def emu(tls_dir: Path) -> Iterator[KeyVaultEmulator]:
    """An emulator of this module's own: its many keys would page the shared one's listings."""
    with run_emulator_in_thread(data_dir=tls_dir) as emulator:
        yield emulator


@pytest.fixture(autouse=True)
def _no_unhandled(emu: KeyVaultEmulator) -> Iterator[None]:
    before = len(emu.unhandled_errors)
    yield
    assert emu.unhandled_errors[before:] == []


def _keys(emu: KeyVaultEmulator) -> KeyClient:
    return KeyClient(emu.url, FakeCredential(), **client_kwargs(emu))


def _remote(emu: KeyVaultEmulator, key_id: str) -> CryptographyClient:
    """A client that does everything on the service: its principal may not read the key (as
    one with only the crypto permissions), so the SDK never gets key material."""
    name = key_id.split("/keys/")[1].split("/")[0]
    emu.faults.forbid(path_prefix=f"/keys/{name}", method="GET", code="AccessDenied")
    return CryptographyClient(key_id, FakeCredential(), **client_kwargs(emu))


def _digest(alg: str, data: bytes = b"message") -> bytes:
    return hashlib.new(f"sha{alg[2:5]}", data).digest()


def _public(key: KeyVaultKey) -> rsa.RSAPublicKey:
    n, e = (int.from_bytes(v or b"", "big") for v in (key.key.n, key.key.e))
    return rsa.RSAPublicNumbers(e, n).public_key()


def _error(excinfo: pytest.ExceptionInfo[HttpResponseError]) -> tuple[int, str, str]:
    err = excinfo.value
    assert err.error is not None
    return err.status_code or 0, err.error.code or "", err.error.message or ""


@pytest.mark.parametrize("alg", list(EncryptionAlgorithm)[:3])
def test_encrypt_decrypt_remote_and_local(emu: KeyVaultEmulator, alg: EncryptionAlgorithm) -> None:
    assert alg in (EncryptionAlgorithm.rsa1_5, EncryptionAlgorithm.rsa_oaep,
                   EncryptionAlgorithm.rsa_oaep_256)
    key = _keys(emu).create_rsa_key(unique("enc"))
    remote = _remote(emu, key.id)
    sent = emu.request_log[-1:]
    encrypted = remote.encrypt(alg, b"plain text")
    assert encrypted.key_id == key.id and len(encrypted.ciphertext) == 256
    assert remote.decrypt(alg, encrypted.ciphertext).plaintext == b"plain text"
    paths = [e.path for e in emu.request_log if e not in sent and e.method == "POST"]
    assert f"/keys/{key.name}/{key.properties.version}/encrypt" in paths
    assert f"/keys/{key.name}/{key.properties.version}/decrypt" in paths
    # What the SDK encrypts locally with the public key, the service decrypts.
    local = CryptographyClient.from_jwk(key.key).encrypt(alg, b"made locally")
    assert remote.decrypt(alg, local.ciphertext).plaintext == b"made locally"


@pytest.mark.parametrize("alg", [KeyWrapAlgorithm.rsa1_5, KeyWrapAlgorithm.rsa_oaep,
                                 KeyWrapAlgorithm.rsa_oaep_256])
def test_wrap_unwrap(emu: KeyVaultEmulator, alg: KeyWrapAlgorithm) -> None:
    key = _keys(emu).create_rsa_key(unique("wrap"), size=3072)
    cek = os.urandom(32)
    default = CryptographyClient(key, FakeCredential(), **client_kwargs(emu))
    wrapped = default.wrap_key(alg, cek)  # local: the SDK has the public key
    assert default.unwrap_key(alg, wrapped.encrypted_key).key == cek  # remote
    remote = _remote(emu, key.id)
    again = remote.wrap_key(alg, cek)
    assert len(again.encrypted_key) == 384
    assert remote.unwrap_key(alg, again.encrypted_key).key == cek


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"])
def test_rsa_sign_verify(emu: KeyVaultEmulator, alg: str) -> None:
    key = _keys(emu).create_rsa_key(unique("rsasig"))
    digest = _digest(alg)
    remote = _remote(emu, key.id)
    signed = remote.sign(SignatureAlgorithm(alg), digest)
    assert signed.key_id == key.id
    hash_algorithm = _HASH[alg[2:]]()
    pad: padding.AsymmetricPadding = (
        padding.PSS(padding.MGF1(hash_algorithm), hash_algorithm.digest_size)
        if alg.startswith("PS") else padding.PKCS1v15()
    )
    _public(key).verify(signed.signature, digest, pad, utils.Prehashed(hash_algorithm))
    assert remote.verify(SignatureAlgorithm(alg), digest, signed.signature).is_valid
    assert not remote.verify(SignatureAlgorithm(alg), _digest(alg, b"other"),
                             signed.signature).is_valid
    local = CryptographyClient.from_jwk(key.key)
    assert local.verify(SignatureAlgorithm(alg), digest, signed.signature).is_valid


@pytest.mark.parametrize("alg", list(_CURVES))
def test_ec_sign_verify(emu: KeyVaultEmulator, alg: SignatureAlgorithm) -> None:
    curve, curve_cls = _CURVES[alg]
    key = _keys(emu).create_ec_key(unique("ecsig"), curve=curve)
    digest = _digest(alg.value)
    client = CryptographyClient(key, FakeCredential(), **client_kwargs(emu))
    signed = client.sign(alg, digest)  # the SDK has no private key: remote
    length = len(key.key.x or b"")
    assert len(signed.signature) == 2 * length
    r = int.from_bytes(signed.signature[:length], "big")
    s = int.from_bytes(signed.signature[length:], "big")
    x, y = (int.from_bytes(v or b"", "big") for v in (key.key.x, key.key.y))
    public = ec.EllipticCurvePublicNumbers(x, y, curve_cls()).public_key()
    public.verify(utils.encode_dss_signature(r, s), digest,
                  ec.ECDSA(utils.Prehashed(_HASH[alg.value[2:5]]())))
    assert client.verify(alg, digest, signed.signature).is_valid  # local
    assert _remote(emu, key.id).verify(alg, digest, signed.signature).is_valid
    bad = bytes([signed.signature[0] ^ 1]) + signed.signature[1:]
    assert not _remote(emu, key.id).verify(alg, digest, bad).is_valid


def test_key_ops_are_enforced(emu: KeyVaultEmulator, raw: Raw) -> None:
    key = _keys(emu).create_rsa_key(unique("ops"), key_operations=["sign", "verify"])
    remote = _remote(emu, key.id)
    with pytest.raises(HttpResponseError) as excinfo:
        remote.encrypt(EncryptionAlgorithm.rsa_oaep, b"x")
    assert _error(excinfo) == (403, "Forbidden", "Operation encrypt is not permitted on this key.")
    with pytest.raises(HttpResponseError) as excinfo:
        remote.unwrap_key(KeyWrapAlgorithm.rsa_oaep, b"\0" * 256)
    assert _error(excinfo)[2] == "Operation unwrapKey is not permitted on this key."
    assert remote.sign(SignatureAlgorithm.rs256, _digest("RS256")).signature
    wire = raw("POST", f"/keys/{key.name}/{key.properties.version}/decrypt",
               json={"alg": "RSA-OAEP", "value": "AA"})
    assert wire.status_code == 403
    assert wire.json()["error"]["innererror"] == {"code": "KeyOperationForbidden"}


def test_disabled_and_out_of_window_keys(emu: KeyVaultEmulator, raw: Raw) -> None:
    keys = _keys(emu)
    disabled = keys.create_rsa_key(unique("off"))
    keys.update_key_properties(disabled.name, enabled=False)
    with pytest.raises(HttpResponseError) as excinfo:
        _remote(emu, disabled.id).sign(SignatureAlgorithm.rs256, _digest("RS256"))
    assert _error(excinfo) == (403, "Forbidden", "Operation sign is not allowed on a disabled key.")
    wire = raw("POST", f"/keys/{disabled.name}/{disabled.properties.version}/verify",
               json={"alg": "RS256", "digest": "AA", "value": "AA"})
    assert wire.json()["error"]["innererror"] == {"code": "KeyDisabled"}

    past = datetime.now(UTC) - timedelta(days=1)
    expired = keys.create_rsa_key(unique("exp"), expires_on=past)
    cek = os.urandom(16)
    wrapped = CryptographyClient.from_jwk(expired.key).wrap_key(KeyWrapAlgorithm.rsa_oaep, cek)
    remote = _remote(emu, expired.id)
    with pytest.raises(HttpResponseError) as excinfo:
        remote.wrap_key(KeyWrapAlgorithm.rsa_oaep, cek)
    assert _error(excinfo)[:2] == (403, "Forbidden")
    # What an expired key made while valid can still be opened.
    assert remote.unwrap_key(KeyWrapAlgorithm.rsa_oaep, wrapped.encrypted_key).key == cek
    # The SDK itself refuses local work with a key it knows is expired.
    with pytest.raises(ValueError, match="expired"):
        CryptographyClient(expired, FakeCredential(), **client_kwargs(emu)).encrypt(
            EncryptionAlgorithm.rsa_oaep, b"x")

    future = keys.create_ec_key(unique("nbf"), not_before=datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(HttpResponseError) as excinfo:
        _remote(emu, future.id).sign(SignatureAlgorithm.es256, _digest("ES256"))
    assert _error(excinfo)[:2] == (403, "Forbidden")


def test_bad_algorithms_and_lengths(emu: KeyVaultEmulator, raw: Raw) -> None:
    keys = _keys(emu)
    rsa_key = keys.create_rsa_key(unique("badrsa"))
    ec_key = keys.create_ec_key(unique("badec"), curve=KeyCurveName.p_256)
    rsa_remote, ec_remote = _remote(emu, rsa_key.id), _remote(emu, ec_key.id)
    with pytest.raises(HttpResponseError) as excinfo:
        rsa_remote.sign(SignatureAlgorithm.rs256, b"short")
    assert _error(excinfo) == (
        400, "BadParameter",
        "Invalid length of 'value': 5 bytes. RS256 requires 32 bytes, encoded with base64url.")
    with pytest.raises(HttpResponseError) as excinfo:
        rsa_remote.sign(SignatureAlgorithm.es256, _digest("ES256"))
    assert _error(excinfo)[:2] == (400, "BadParameter")
    with pytest.raises(HttpResponseError) as excinfo:
        ec_remote.sign(SignatureAlgorithm.es384, _digest("ES384"))
    assert _error(excinfo)[:2] == (400, "BadParameter")
    with pytest.raises(HttpResponseError) as excinfo:
        ec_remote.verify(SignatureAlgorithm.es256, b"\0" * 20, b"\0" * 64)
    assert _error(excinfo)[:2] == (400, "BadParameter")
    with pytest.raises(HttpResponseError) as excinfo:
        rsa_remote.encrypt(EncryptionAlgorithm.a256_gcm, b"x")  # an HSM-only algorithm
    assert _error(excinfo)[:2] == (400, "BadParameter")
    with pytest.raises(HttpResponseError) as excinfo:
        rsa_remote.encrypt(EncryptionAlgorithm.rsa_oaep, b"x" * 300)
    assert _error(excinfo)[:2] == (400, "BadParameter")
    # A tampered ciphertext is the service's 400, never a 500.
    ciphertext = bytearray(rsa_remote.encrypt(EncryptionAlgorithm.rsa_oaep, b"x").ciphertext)
    ciphertext[10] ^= 0xFF
    with pytest.raises(HttpResponseError) as excinfo:
        rsa_remote.decrypt(EncryptionAlgorithm.rsa_oaep, bytes(ciphertext))
    assert _error(excinfo)[:2] == (400, "BadParameter")
    path = f"/keys/{rsa_key.name}/{rsa_key.properties.version}"
    assert raw("POST", f"{path}/sign", json={"value": "AA"}).status_code == 400
    assert raw("POST", f"{path}/encrypt", json={"alg": "RSA-OAEP", "value": "!!"}
               ).json()["error"]["code"] == "BadParameter"
    assert raw("POST", f"{path}/decrypt", data=b"[1]").status_code == 400


def test_versioned_and_versionless_ids(emu: KeyVaultEmulator, raw: Raw) -> None:
    keys = _keys(emu)
    name = unique("ver")
    first = keys.create_rsa_key(name)
    second = keys.create_rsa_key(name)
    digest = _digest("RS256")
    latest = _remote(emu, f"{emu.url}/keys/{name}")
    signed = latest.sign(SignatureAlgorithm.rs256, digest)
    _public(second).verify(signed.signature, digest, padding.PKCS1v15(),
                           utils.Prehashed(hashes.SHA256()))
    assert [e.status for e in emu.request_log if e.path == f"/keys/{name}//sign"] == [200]
    old = CryptographyClient(first.id, FakeCredential(), **client_kwargs(emu))
    old_signed = old.sign(SignatureAlgorithm.rs256, digest)
    _public(first).verify(old_signed.signature, digest, padding.PKCS1v15(),
                          utils.Prehashed(hashes.SHA256()))
    wire = raw("POST", f"/keys/{name}/sign", json={"alg": "RS256", "value": "A" * 43})
    assert wire.json()["kid"] == second.id
    with pytest.raises(ResourceNotFoundError):
        _remote(emu, f"{emu.url}/keys/{name}/{'0' * 32}").sign(SignatureAlgorithm.rs256, digest)
    with pytest.raises(ResourceNotFoundError):
        _remote(emu, f"{emu.url}/keys/{unique('none')}").sign(SignatureAlgorithm.rs256, digest)
    ok = raw("POST", f"/keys/{name}/{first.properties.version}/verify",
             json={"alg": "RS256", "digest": "A" * 43, "value": "AA"})
    assert ok.status_code == 200 and ok.json() == {"value": False}


def test_async_client(emu: KeyVaultEmulator) -> None:
    key = _keys(emu).create_rsa_key(unique("aio"))
    ec_key = _keys(emu).create_ec_key(unique("aioec"), curve=KeyCurveName.p_384)

    async def go() -> None:
        kwargs = client_kwargs(emu)
        async with AsyncCryptographyClient(key, AsyncFakeCredential(), **kwargs) as client:
            encrypted = await client.encrypt(EncryptionAlgorithm.rsa_oaep_256, b"async")
            decrypted = await client.decrypt(EncryptionAlgorithm.rsa_oaep_256,
                                             encrypted.ciphertext)
            assert decrypted.plaintext == b"async"
        async with AsyncCryptographyClient(ec_key.id, AsyncFakeCredential(), **kwargs) as client:
            digest = _digest("ES384")
            signed = await client.sign(SignatureAlgorithm.es384, digest)
            assert (await client.verify(SignatureAlgorithm.es384, digest,
                                        signed.signature)).is_valid
            with pytest.raises(HttpResponseError) as excinfo:
                await client.sign(SignatureAlgorithm.es384, b"short")
            assert excinfo.value.status_code == 400

    run(go())


def test_faults_and_request_log(emu: KeyVaultEmulator) -> None:
    key = _keys(emu).create_ec_key(unique("fault"))
    path = f"/keys/{key.name}/{key.properties.version}/sign"
    emu.faults.add(503, retry_after=0, path_prefix=path, method="POST")
    client = CryptographyClient(key, FakeCredential(), **client_kwargs(emu))
    assert client.sign(SignatureAlgorithm.es256, _digest("ES256")).signature
    assert [(e.status, e.error_code) for e in emu.request_log if e.path == path][-2:] == [
        (503, "ServiceUnavailable"), (200, None)]
    emu.faults.forbid(path_prefix=path, method="POST", times=1)
    with pytest.raises(HttpResponseError) as excinfo:
        client.sign(SignatureAlgorithm.es256, _digest("ES256"))
    assert excinfo.value.status_code == 403
    assert "Action: 'Microsoft.KeyVault/vaults/keys/sign/action'" in _error(excinfo)[2]
    rsa_key = _keys(emu).create_rsa_key(unique("faultrsa"))
    emu.faults.forbid(path_prefix=f"/keys/{rsa_key.name}/{rsa_key.properties.version}/unwrapkey",
                      code="AccessDenied", times=1)
    with pytest.raises(HttpResponseError) as excinfo:
        _remote(emu, rsa_key.id).unwrap_key(KeyWrapAlgorithm.rsa_oaep, b"\0" * 256)
    assert "does not have keys unwrapKey permission" in _error(excinfo)[2]
    assert emu.request_log[-1].error_code == "Forbidden"


def test_rsnull_signs_the_bytes_as_given(emu: KeyVaultEmulator) -> None:
    key = _keys(emu).create_rsa_key(unique("rsnull"))
    remote = _remote(emu, key.id)
    data = b"tls-handshake-hash-of-any-length"[:20]
    signed = remote.sign("RSNULL", data)  # type: ignore[arg-type]  # not in the SDK's enum
    _public(key).verify(signed.signature, data, padding.PKCS1v15(), utils.NoDigestInfo())
    assert remote.verify("RSNULL", data, signed.signature).is_valid  # type: ignore[arg-type]
    with pytest.raises(HttpResponseError) as excinfo:
        remote.sign("RSNULL", b"x" * 246)  # type: ignore[arg-type]  # past 2048-bit room
    assert _error(excinfo)[:2] == (400, "BadParameter")


def test_key_client_crypto_client_and_cryptography_interfaces(emu: KeyVaultEmulator) -> None:
    keys = _keys(emu)
    key = keys.create_rsa_key(unique("iface"))
    client = keys.get_cryptography_client(key.name, key_version=key.properties.version)
    private = client.create_rsa_private_key()  # cryptography's RSAPrivateKey, signing remotely
    assert private.key_size == 2048
    signature = private.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    _public(key).verify(signature, b"data", padding.PKCS1v15(), hashes.SHA256())
    pss = padding.PSS(padding.MGF1(hashes.SHA384()), padding.PSS.DIGEST_LENGTH)
    signature = private.sign(b"data", pss, hashes.SHA384())
    client.create_rsa_public_key().verify(signature, b"data", pss, hashes.SHA384())
    oaep = padding.OAEP(padding.MGF1(hashes.SHA256()), hashes.SHA256(), None)
    ciphertext = _public(key).encrypt(b"secret", oaep)
    assert private.decrypt(ciphertext, oaep) == b"secret"  # decrypted by the emulator


def test_certificate_key_signs_for_its_certificate(emu: KeyVaultEmulator) -> None:
    certs = CertificateClient(emu.url, FakeCredential(), **client_kwargs(emu))
    cert = certs.begin_create_certificate(unique("certkey"), CertificatePolicy.get_default()
                                          ).result()
    assert cert.key_id and cert.cer
    client = CryptographyClient(cert.key_id, FakeCredential(), **client_kwargs(emu))
    digest = _digest("RS256")
    signature = client.sign(SignatureAlgorithm.rs256, digest).signature
    public = x509.load_der_x509_certificate(cert.cer).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))


def test_ec_keys_take_only_signing_operations(emu: KeyVaultEmulator) -> None:
    keys = _keys(emu)
    with pytest.raises(HttpResponseError) as excinfo:
        keys.create_ec_key(unique("ecops"), key_operations=["sign", "wrapKey", "unwrapKey"])
    assert _error(excinfo) == (400, "BadParameter", 'Unsupported key operation(s): "wrapKey", '
                               '"unwrapKey". Supported values are "sign", "verify".')
    key = keys.create_ec_key(unique("ecops"), key_operations=["verify"])
    with pytest.raises(HttpResponseError) as excinfo:
        keys.update_key_properties(key.name, key_operations=["encrypt"])
    assert _error(excinfo)[:2] == (400, "BadParameter")
    with pytest.raises(HttpResponseError) as excinfo:
        _remote(emu, key.id).sign(SignatureAlgorithm.es256, _digest("ES256"))
    assert _error(excinfo)[:2] == (403, "Forbidden")
