"""Keys through the real SDK clients (sync and async) and on the wire."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.keyvault.keys import JsonWebKey, KeyClient, KeyCurveName, KeyType
from azure.keyvault.keys.aio import KeyClient as AsyncKeyClient
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vaultbrowser.emulators.keyvault import KeyVaultEmulator

from .helpers import AsyncFakeCredential, FakeCredential, Raw, client_kwargs, run, unique


def _client(emu: KeyVaultEmulator) -> KeyClient:
    return KeyClient(emu.url, FakeCredential(), **client_kwargs(emu))


@pytest.mark.parametrize("size", [2048, 3072, 4096])
def test_rsa_sizes(emu: KeyVaultEmulator, size: int) -> None:
    key = _client(emu).create_rsa_key(unique("rsa"), size=size)
    assert key.key_type == KeyType.rsa
    assert len(key.key.n or b"") * 8 == size and key.key.e == b"\x01\x00\x01"
    assert key.key.d is None
    assert set(key.key_operations or []) == {"encrypt", "decrypt", "sign", "verify", "wrapKey",
                                              "unwrapKey"}


@pytest.mark.parametrize(
    ("curve", "length"),
    [(KeyCurveName.p_256, 32), (KeyCurveName.p_384, 48), (KeyCurveName.p_521, 66),
     (KeyCurveName.p_256_k, 32)],
)
def test_ec_curves(emu: KeyVaultEmulator, curve: KeyCurveName, length: int) -> None:
    key = _client(emu).create_ec_key(unique("ec"), curve=curve)
    assert key.key_type == KeyType.ec and key.key.crv == curve
    assert len(key.key.x or b"") == length and len(key.key.y or b"") == length


def test_hsm_key_and_ops(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    key = client.create_rsa_key(unique("hsm"), hardware_protected=True, key_operations=["sign"])
    assert key.key_type == KeyType.rsa_hsm and key.key_operations == ["sign"]


def test_crud_versions_update(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    name = unique("key")
    first = client.create_rsa_key(name, tags={"a": "b"})
    second = client.create_rsa_key(name)
    assert client.get_key(name).properties.version == second.properties.version
    assert client.get_key(name, first.properties.version).key.n == first.key.n
    versions = {p.version for p in client.list_properties_of_key_versions(name)}
    assert versions == {first.properties.version, second.properties.version}
    updated = client.update_key_properties(name, enabled=False, key_operations=["verify"],
                                           tags={"x": "y"})
    assert updated.key_operations == ["verify"] and not updated.properties.enabled
    assert name in {p.name for p in client.list_properties_of_keys()}
    wire = raw("GET", f"/keys/{name}").json()
    assert set(wire["key"]) == {"kid", "kty", "key_ops", "n", "e"}
    assert wire["key"]["kid"] == f"{emu.url}/keys/{name}/{second.properties.version}"
    assert "=" not in wire["key"]["n"]
    item = next(i for i in raw("GET", "/keys").json()["value"]
                if i["kid"] == f"{emu.url}/keys/{name}")
    assert "key" not in item
    error = raw("GET", "/keys/missing-key").json()["error"]
    assert error["code"] == "KeyNotFound"
    assert error["message"].startswith("A key with (name/id) missing-key was not found")


def test_soft_delete_round_trip(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    name = unique("kdel")
    client.create_ec_key(name)
    deleted = client.begin_delete_key(name).result()
    assert deleted.recovery_id == f"{emu.url}/deletedkeys/{name}"
    assert name in {k.name for k in client.list_deleted_keys()}
    with pytest.raises(ResourceExistsError):
        client.create_rsa_key(name)
    client.begin_recover_deleted_key(name).wait()
    assert client.get_key(name).name == name
    client.begin_delete_key(name).wait()
    client.purge_deleted_key(name)
    with pytest.raises(ResourceNotFoundError):
        client.get_deleted_key(name)


def test_import_key(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    private = rsa.generate_private_key(65537, 2048)
    numbers = private.private_numbers()

    def b(value: int) -> bytes:
        return value.to_bytes((value.bit_length() + 7) // 8, "big")

    jwk = JsonWebKey(kty="RSA", n=b(numbers.public_numbers.n), e=b(numbers.public_numbers.e),
                     d=b(numbers.d), p=b(numbers.p), q=b(numbers.q), dp=b(numbers.dmp1),
                     dq=b(numbers.dmq1), qi=b(numbers.iqmp))
    imported = client.import_key(unique("imp"), jwk)
    assert imported.key.n == b(numbers.public_numbers.n) and imported.key.d is None
    ec_key = ec.generate_private_key(ec.SECP256R1())
    nums = ec_key.private_numbers()
    ec_jwk = JsonWebKey(kty="EC", crv="P-256", d=nums.private_value.to_bytes(32, "big"),
                        x=nums.public_numbers.x.to_bytes(32, "big"),
                        y=nums.public_numbers.y.to_bytes(32, "big"))
    assert client.import_key(unique("impec"), ec_jwk).key.x == ec_jwk.x


def test_rotation_policy(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    name = unique("rot")
    client.create_rsa_key(name)
    default = raw("GET", f"/keys/{name}/rotationpolicy").json()
    assert default["id"] == f"{emu.url}/keys/{name}/rotationpolicy"
    assert default["lifetimeActions"] == [
        {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}
    ]
    policy = client.get_key_rotation_policy(name)
    assert policy.lifetime_actions[0].time_before_expiry == "P30D"
    from azure.keyvault.keys import KeyRotationLifetimeAction, KeyRotationPolicyAction

    updated = client.update_key_rotation_policy(
        name,
        client.get_key_rotation_policy(name),
        lifetime_actions=[KeyRotationLifetimeAction(KeyRotationPolicyAction.rotate,
                                                    time_after_create="P90D")],
        expires_in="P1Y",
    )
    assert updated.expires_in == "P1Y" and updated.created_on is not None
    rotated = client.rotate_key(name)
    assert len(list(client.list_properties_of_key_versions(name))) == 2
    assert rotated.properties.version == client.get_key(name).properties.version
    # The policy's expires_in dates the new version (P1Y: 365 days from now).
    from datetime import UTC, datetime, timedelta

    expires = rotated.properties.expires_on
    assert expires is not None
    assert abs(expires - (datetime.now(UTC) + timedelta(days=365))) < timedelta(minutes=5)


def test_async_keys(emu: KeyVaultEmulator) -> None:
    name = unique("akey")

    async def scenario() -> None:
        async with AsyncKeyClient(emu.url, AsyncFakeCredential(), **client_kwargs(emu)) as c:
            made = await c.create_rsa_key(name, size=2048)
            assert (await c.get_key(name)).id == made.id
            assert name in [p.name async for p in c.list_properties_of_keys()]
            await c.update_key_properties(name, tags={"t": "1"})
            await c.delete_key(name)
            assert name in [k.name async for k in c.list_deleted_keys()]
            await c.recover_deleted_key(name)
            assert (await c.get_key(name)).properties.tags == {"t": "1"}

    run(scenario())
