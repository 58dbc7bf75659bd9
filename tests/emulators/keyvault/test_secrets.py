"""Secrets through the real SDK clients (sync and async) and on the wire."""

from __future__ import annotations

import re

import pytest
from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.keyvault.secrets import SecretClient
from azure.keyvault.secrets.aio import SecretClient as AsyncSecretClient

from vaultbrowser.emulators.keyvault import KeyVaultEmulator

from .helpers import AsyncFakeCredential, FakeCredential, Raw, client_kwargs, run, unique

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def _client(emu: KeyVaultEmulator) -> SecretClient:
    return SecretClient(emu.url, FakeCredential(), **client_kwargs(emu))


def test_set_get_update_versions(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    name = unique("sec")
    first = client.set_secret(name, "one", content_type="text/plain", tags={"a": "1"})
    assert first.value == "one"
    assert first.id == f"{emu.url}/secrets/{name}/{first.properties.version}"
    assert HEX32.match(first.properties.version or "")
    assert first.properties.recovery_level == "Recoverable+Purgeable"
    assert first.properties.recoverable_days == 90
    second = client.set_secret(name, "two", enabled=True)
    assert client.get_secret(name).value == "two"
    assert client.get_secret(name, first.properties.version).value == "one"
    updated = client.update_secret_properties(
        name, first.properties.version, content_type="x", tags={"b": "2"}, enabled=False
    )
    assert updated.content_type == "x" and updated.tags == {"b": "2"} and not updated.enabled
    versions = {p.version for p in client.list_properties_of_secret_versions(name)}
    assert versions == {first.properties.version, second.properties.version}
    listed = [p for p in client.list_properties_of_secrets() if p.name == name]
    assert len(listed) == 1 and listed[0].version is None


def test_wire_shapes(emu: KeyVaultEmulator, raw: Raw) -> None:
    name = unique("wire")
    put = raw("PUT", f"/secrets/{name}", json={"value": "v", "attributes": {"exp": 2000000000}})
    assert put.status_code == 200
    body = put.json()
    assert set(body) == {"value", "id", "attributes"}
    attrs = body["attributes"]
    assert attrs["exp"] == 2000000000 and "nbf" not in attrs
    assert isinstance(attrs["created"], int) and attrs["enabled"] is True
    version = body["id"].rsplit("/", 1)[1]
    for path in (f"/secrets/{name}", f"/secrets/{name}/", f"/secrets/{name}/{version}"):
        assert raw("GET", path).json()["id"] == body["id"]
    patched = raw("PATCH", f"/secrets/{name}/{version}", json={"tags": {"t": "1"}}).json()
    assert "value" not in patched and patched["tags"] == {"t": "1"}
    listing = raw("GET", "/secrets").json()
    item = next(i for i in listing["value"] if i["id"] == f"{emu.url}/secrets/{name}")
    assert "value" not in item
    assert listing["nextLink"] is None or listing["nextLink"].startswith(emu.url)


def test_not_found_messages(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    with pytest.raises(ResourceNotFoundError) as info:
        client.get_secret("does-not-exist")
    assert info.value.error is not None and info.value.error.code == "SecretNotFound"
    body = raw("GET", "/secrets/nope").json()["error"]
    assert body["code"] == "SecretNotFound"
    assert body["message"].startswith(
        "A secret with (name/id) nope was not found in this key vault."
    )
    body = raw("GET", "/secrets/nope/0123456789abcdef0123456789abcdef").json()["error"]
    assert "(name/id) nope/0123456789abcdef0123456789abcdef" in body["message"]
    deleted = raw("GET", "/deletedsecrets/nope")
    assert deleted.status_code == 404
    assert deleted.json()["error"] == {"code": "SecretNotFound",
                                       "message": "Deleted Secret not found: nope"}


def test_soft_delete_round_trip(emu: KeyVaultEmulator, raw: Raw) -> None:
    client = _client(emu)
    name = unique("del")
    client.set_secret(name, "v")
    deleted = client.begin_delete_secret(name).result()
    assert deleted.recovery_id == f"{emu.url}/deletedsecrets/{name}"
    assert deleted.deleted_date and deleted.scheduled_purge_date
    with pytest.raises(ResourceNotFoundError):
        client.get_secret(name)
    assert name in {d.name for d in client.list_deleted_secrets()}
    assert client.get_deleted_secret(name).name == name
    with pytest.raises(ResourceExistsError) as info:
        client.set_secret(name, "again")
    assert info.value.status_code == 409
    conflict = raw("PUT", f"/secrets/{name}", json={"value": "x"}).json()["error"]
    assert conflict["code"] == "Conflict"
    assert conflict["innererror"] == {"code": "ObjectIsDeletedButRecoverable"}
    recovered = client.begin_recover_deleted_secret(name).result()
    assert recovered.name == name
    assert client.get_secret(name).value == "v"
    client.begin_delete_secret(name).wait()
    purge = raw("DELETE", f"/deletedsecrets/{name}")
    assert purge.status_code == 204 and purge.content == b""
    with pytest.raises(ResourceNotFoundError):
        client.get_deleted_secret(name)
    client.set_secret(name, "reborn")


def test_backup_restore(emu: KeyVaultEmulator) -> None:
    client = _client(emu)
    name = unique("bak")
    client.set_secret(name, "v1")
    blob = client.backup_secret(name)
    client.begin_delete_secret(name).wait()
    client.purge_deleted_secret(name)
    restored = client.restore_secret_backup(blob)
    assert restored.name == name
    assert client.get_secret(name).value == "v1"


def test_async_client(emu: KeyVaultEmulator) -> None:
    name = unique("async")

    async def scenario() -> None:
        async with AsyncSecretClient(emu.url, AsyncFakeCredential(), **client_kwargs(emu)) as c:
            made = await c.set_secret(name, "value")
            assert (await c.get_secret(name)).value == "value"
            names = [p.name async for p in c.list_properties_of_secrets()]
            assert name in names
            versions = [p.version async for p in c.list_properties_of_secret_versions(name)]
            assert versions == [made.properties.version]
            await c.update_secret_properties(name, tags={"k": "v"})
            deleted = await c.delete_secret(name)
            assert deleted.recovery_id
            assert (await c.get_deleted_secret(name)).name == name
            await c.recover_deleted_secret(name)
            assert (await c.get_secret(name)).properties.tags == {"k": "v"}
            await c.delete_secret(name)
            await c.purge_deleted_secret(name)
            with pytest.raises(ResourceNotFoundError):
                await c.get_deleted_secret(name)

    run(scenario())
