"""Public key export (PEM, JWK, OpenSSH) and rotate now, against the Key Vault emulator through
the official client; hostile JWKs as unit inputs and from a mock transport."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, ReadOnlyRefused, VaultBrowserError
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.key_export import (
    EXPORT_FORMATS,
    KeyExportError,
    MalformedKey,
    NoOpenSshForm,
    NoPublicKey,
    fetch_public_key,
    public_key_from_jwk,
)
from vaultbrowser.keyvault.services.key_rotation_policy import RotationPolicyInput
from vaultbrowser.keyvault.services.opener import open_vault

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-key-export")) as instance:
        yield instance


def connection_for(emulator: Any, *, read_only: bool = False) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR, name="export-vault",
                      ca_path=str(emulator.ca_path), read_only=read_only)


async def with_vault(emulator: Any, body: Any, *, read_only: bool = False) -> Any:
    session = ServiceSession()
    try:
        return await body(open_vault(session, connection_for(emulator, read_only=read_only)))
    finally:
        await session.aclose()


def b64(value: int, size: int | None = None) -> str:
    size = size or (value.bit_length() + 7) // 8
    return base64.urlsafe_b64encode(value.to_bytes(size, "big")).rstrip(b"=").decode()


@pytest.mark.parametrize(("key_type", "size", "curve"), [
    ("RSA", 2048, None), ("RSA", 3072, None), ("RSA", 4096, None),
    ("EC", None, "P-256"), ("EC", None, "P-384"), ("EC", None, "P-521")])
def test_every_format_round_trips_with_cryptography(emulator: Any, run: Any, key_type: str,
                                                    size: int | None, curve: str | None) -> None:
    name = f"export-{key_type}-{size or curve}".lower()

    async def body(vault: Any) -> Any:
        await vault.keys.create(name, key_type=key_type, size=size, curve=curve)
        return await fetch_public_key(vault.keys, name)

    result = run(with_vault(emulator, body))
    exported = result.value
    assert result.response is not None and result.response.method == "GET"
    key = exported.public_key
    pem = serialization.load_pem_public_key(exported.export("pem"))
    ssh = serialization.load_ssh_public_key(exported.export("openssh"))
    jwk = json.loads(exported.export("jwk"))
    assert pem.public_numbers() == key.public_numbers() == ssh.public_numbers()
    assert exported.export("openssh").endswith(f" {name}\n".encode())
    assert not set(PRIVATE_MEMBERS) & set(jwk)
    assert jwk["kid"].endswith(f"/keys/{name}/" + jwk["kid"].rsplit("/", 1)[-1])
    if key_type == "RSA":
        assert isinstance(key, rsa.RSAPublicKey) and key.key_size == size
        assert exported.description == f"RSA {size}"
        assert set(jwk) == {"kty", "n", "e", "kid"} and jwk["kty"] == "RSA"
        assert public_key_from_jwk(jwk).public_key.public_numbers() == key.public_numbers()
        assert exported.export("openssh").startswith(b"ssh-rsa ")
    else:
        assert isinstance(key, ec.EllipticCurvePublicKey)
        assert set(jwk) == {"kty", "crv", "x", "y", "kid"} and jwk["crv"] == curve
        assert public_key_from_jwk(jwk).public_key.public_numbers() == key.public_numbers()
        bits = {"P-256": "256", "P-384": "384", "P-521": "521"}[curve or ""]
        assert exported.export("openssh").startswith(f"ecdsa-sha2-nistp{bits} ".encode())


def test_p256k_exports_pem_and_jwk_but_refuses_openssh(emulator: Any, run: Any) -> None:
    async def body(vault: Any) -> Any:
        await vault.keys.create("export-secp256k1", key_type="EC", curve="P-256K")
        return await fetch_public_key(vault.keys, "export-secp256k1")

    exported = run(with_vault(emulator, body)).value
    assert isinstance(serialization.load_pem_public_key(exported.export("pem")).curve,
                      ec.SECP256K1)
    assert json.loads(exported.export("jwk"))["crv"] == "P-256K"
    with pytest.raises(NoOpenSshForm) as refusal:
        exported.export("openssh")
    assert "no OpenSSH form" in refusal.value.message and refusal.value.advice


def test_rotate_adds_a_current_version_and_keeps_the_old(emulator: Any, run: Any) -> None:
    async def body(vault: Any) -> Any:
        created = await vault.keys.create("rotate-me", key_type="RSA", size=2048)
        rotated = await vault.keys.rotate("rotate-me")
        latest = await vault.keys.get("rotate-me")
        versions = await vault.keys.list_versions("rotate-me")
        return created.value, rotated, latest.value, versions.items

    created, rotated, latest, versions = run(with_vault(emulator, body))
    assert rotated.response.method == "POST" and "/keys/rotate-me/rotate" in rotated.response.url
    assert rotated.value.version != created.version
    assert latest.version == rotated.value.version and rotated.value.key_size == 2048
    assert {v.version for v in versions} == {created.version, rotated.value.version}


def test_rotate_is_refused_by_a_read_only_connection(emulator: Any, run: Any) -> None:
    async def create(vault: Any) -> None:
        await vault.keys.create("rotate-ro", key_type="EC")

    run(with_vault(emulator, create))
    mark = len(emulator.request_log)

    async def body(vault: Any) -> BaseException:
        try:
            await vault.keys.rotate("rotate-ro")
        except VaultBrowserError as exc:
            return exc
        raise AssertionError("rotated")

    error = run(with_vault(emulator, body, read_only=True))
    assert isinstance(error, ReadOnlyRefused)
    assert not [e for e in emulator.request_log[mark:] if e.method == "POST"]


# --- hostile and unusual JWKs (unit inputs) --------------------------------------------------

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_N, RSA_E = RSA_KEY.public_key().public_numbers().n, 65537


def test_private_members_a_server_sends_never_reach_the_export() -> None:
    numbers = RSA_KEY.private_numbers()
    hostile = {"kty": "RSA", "n": b64(RSA_N), "e": b64(RSA_E), "d": b64(numbers.d),
               "p": b64(numbers.p), "q": b64(numbers.q), "dp": b64(numbers.dmp1),
               "dq": b64(numbers.dmq1), "qi": b64(numbers.iqmp), "k": "c2VjcmV0"}
    exported = public_key_from_jwk(hostile)
    for fmt in EXPORT_FORMATS:
        text = exported.export(fmt)
        assert b64(numbers.d).encode() not in text and b64(numbers.p).encode() not in text
    assert not set(PRIVATE_MEMBERS) & set(json.loads(exported.export("jwk")))
    assert b"PRIVATE" not in exported.export("pem")


@pytest.mark.parametrize(("jwk", "error"), [
    ({"kty": "oct", "k": "c2VjcmV0"}, NoPublicKey),
    ({"kty": "oct-HSM"}, NoPublicKey),
    ({"kty": "RSA", "n": b64(1 << 20000 | 1), "e": "AQAB"}, MalformedKey),  # 20,001 bits
    ({"kty": "RSA", "n": "A" * 1_000_000, "e": "AQAB"}, MalformedKey),  # huge text
    ({"kty": "RSA", "n": b64((1 << 511) | 1), "e": "AQAB"}, MalformedKey),  # 512 bits
    ({"kty": "RSA", "n": b64(RSA_N), "e": "AA"}, MalformedKey),  # e = 0
    ({"kty": "RSA", "n": b64(RSA_N), "e": "AQAB" * 10}, MalformedKey),  # e too long
    ({"kty": "RSA", "n": "not base64!", "e": "AQAB"}, MalformedKey),
    ({"kty": "RSA", "n": "A", "e": "AQAB"}, MalformedKey),  # impossible length
    ({"kty": "RSA", "n": 12345, "e": "AQAB"}, MalformedKey),
    ({"kty": "RSA", "e": "AQAB"}, MalformedKey),
    ({"kty": "EC", "crv": "P-192", "x": "AA", "y": "AA"}, MalformedKey),
    ({"kty": "EC", "crv": "Ed25519", "x": "AA"}, MalformedKey),
    ({"kty": "EC", "crv": "P-256", "x": b64(1, 32), "y": b64(2, 32)}, MalformedKey),  # off curve
    ({"kty": "EC", "crv": "P-256", "x": b64(1, 40), "y": b64(2, 32)}, MalformedKey),  # too long
    ({"kty": "EC", "crv": None}, MalformedKey),
    ({"kty": "OKP", "crv": "Ed25519", "x": "AA"}, MalformedKey),
    ({"kty": 7}, MalformedKey),
    ({}, MalformedKey),
])
def test_hostile_jwks_give_typed_errors(jwk: dict[str, Any], error: type) -> None:
    with pytest.raises(error) as raised:
        public_key_from_jwk(jwk)
    assert isinstance(raised.value, KeyExportError) and len(raised.value.message) < 300


def test_not_a_mapping_and_unknown_format() -> None:
    with pytest.raises(MalformedKey):
        public_key_from_jwk("RSA")  # type: ignore[arg-type]
    exported = public_key_from_jwk({"kty": "RSA-HSM", "n": b64(RSA_N), "e": b64(RSA_E),
                                    "kid": "bad\nkid"})
    assert exported.kid is None and exported.name == "key"
    with pytest.raises(KeyExportError):
        exported.export("der")  # type: ignore[arg-type]


def test_a_hostile_server_jwk_through_the_official_client() -> None:
    """A mock service answers get_key with private members and a huge modulus: the export
    never holds the private members, and the huge modulus is a typed refusal."""
    import asyncio

    from tests.mock_transport import MockResponse, MockTransport

    numbers = RSA_KEY.private_numbers()
    bodies = iter([
        {"key": {"kid": "https://v.vault.azure.net/keys/k/1", "kty": "RSA", "n": b64(RSA_N),
                 "e": b64(RSA_E), "d": b64(numbers.d), "p": b64(numbers.p)},
         "attributes": {"enabled": True}},
        {"key": {"kid": "https://v.vault.azure.net/keys/k/1", "kty": "RSA",
                 "n": b64((1 << 70000) | 1), "e": "AQAB"}, "attributes": {"enabled": True}},
    ])

    def handler(request: Any) -> MockResponse:
        return MockResponse(200, body=json.dumps(next(bodies)).encode(),
                            headers={"content-type": "application/json"})

    async def body() -> tuple[Any, BaseException]:
        from azure.core.credentials import AccessToken
        from azure.keyvault.keys.aio import KeyClient

        from vaultbrowser.keyvault.services.keys import VaultKeys

        class Token:
            async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
                return AccessToken("t", 2**31)

            async def close(self) -> None:
                pass

        client = KeyClient("https://v.vault.azure.net", Token(),  # type: ignore[arg-type]
                           transport=MockTransport(handler), verify_challenge_resource=False)

        class Clients:
            vault_url = "https://v.vault.azure.net"
            key_client = client

        keys = VaultKeys(Clients())  # type: ignore[arg-type]
        first = await fetch_public_key(keys, "k")
        try:
            await fetch_public_key(keys, "k")
        except KeyExportError as exc:
            return first, exc
        finally:
            await client.close()
        raise AssertionError("the huge modulus was accepted")

    first, error = asyncio.run(body())
    text = b"".join(first.value.export(fmt) for fmt in EXPORT_FORMATS)
    assert b64(numbers.d).encode() not in text and b64(numbers.p).encode() not in text
    assert isinstance(error, MalformedKey)


# --- the rotation policy ----------------------------------------------------------------------


@pytest.mark.parametrize(("policy", "problem"), [
    (RotationPolicyInput(rotate_after_create_days=30, rotate_before_expiry_days=30,
                         expires_in_days=365), "not both"),
    (RotationPolicyInput(expires_in_days=27), "at least 28 days"),
    (RotationPolicyInput(rotate_after_create_days=6), "at least 7 days"),
    (RotationPolicyInput(notify_before_expiry_days=3), "at least 7 days"),
    (RotationPolicyInput(rotate_after_create_days=60, expires_in_days=60), "before the expiry"),
    (RotationPolicyInput(rotate_before_expiry_days=30), "needs an expiry time"),
    (RotationPolicyInput(expires_in_days=True), "whole number"),  # type: ignore[arg-type]
    (RotationPolicyInput(expires_in_days=10**9), "whole number"),
    (RotationPolicyInput(notify_before_expiry_days="30"), "whole number"),  # type: ignore
])
def test_rotation_policy_rules_refuse_before_any_request(emulator: Any, run: Any, policy: Any,
                                                        problem: str) -> None:
    mark = len(emulator.request_log)

    async def body(vault: Any) -> BaseException:
        try:
            await vault.keys.set_rotation_policy("rotate-me", policy)
        except InvalidInput as exc:
            return exc
        raise AssertionError("accepted")

    error = run(with_vault(emulator, body))
    assert problem in error.message
    assert emulator.request_log[mark:] == []


def test_rotation_policy_saves_and_reads_back(emulator: Any, run: Any) -> None:
    policy = RotationPolicyInput(rotate_before_expiry_days=30, notify_before_expiry_days=14,
                                 expires_in_days=180)

    async def body(vault: Any) -> Any:
        await vault.keys.create("policy-key", key_type="RSA")
        await vault.keys.set_rotation_policy("policy-key", policy)
        return (await vault.keys.get_rotation_policy("policy-key")).value

    saved = run(with_vault(emulator, body))
    assert saved.rotates and saved.expires_in == "P180D"
    assert [(a.action, a.time_before_expiry) for a in saved.lifetime_actions] == [
        ("Rotate", "P30D"), ("Notify", "P14D")]
