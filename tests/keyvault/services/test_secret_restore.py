"""Restoring an older secret version as the current one (``secret_restore``) against the emulator:
the new version's value, content type, tags and dates, the confirmation's text, refusals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, ReadOnlyRefused
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.inputs import PropertyChanges
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.secret_restore import prepare_restore, restore_version
from vaultbrowser.keyvault.services.vault_service import KeyVaultService

OLD_VALUE = "old-restore-value-never-shown-77c1"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
_names = iter(range(1_000_000))


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-restore")) as instance:
        yield instance


def with_vault(run: Any, emulator: Any, body: Callable[[KeyVaultService], Awaitable[Any]], *,
               read_only: bool = False) -> Any:
    async def go() -> Any:
        session = ServiceSession()
        try:
            return await body(open_vault(session, Connection(
                "keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR, name="restore-vault",
                ca_path=str(emulator.ca_path), read_only=read_only)))
        finally:
            await session.aclose()

    return run(go())


async def two_versions(vault: KeyVaultService, name: str, *, old_expiry: dt.datetime) -> str:
    old = (await vault.secrets.create(name, SecretValue(OLD_VALUE), content_type="text/old",
                                      expires_on=old_expiry, tags={"era": "old"})).value
    await vault.secrets.add_version(name, SecretValue("newer"), content_type="text/new",
                                    tags={"era": "new"})
    assert old.version is not None
    return old.version


def test_restore_adds_a_version_with_the_old_value_content_type_and_tags(
        run: Any, emulator: Any) -> None:
    name = f"restore-{next(_names)}"
    expiry = NOW + dt.timedelta(days=30)

    async def body(vault: KeyVaultService) -> None:
        version = await two_versions(vault, name, old_expiry=expiry)
        restore = await prepare_restore(vault.secrets, name, version)
        result = await restore_version(vault.secrets, restore)
        latest = (await vault.secrets.get(name)).value
        assert latest.version == result.value.version
        assert latest.version not in (version, restore.current.version)
        assert (await vault.secrets.get_value(name)).value.reveal() == OLD_VALUE
        assert latest.content_type == "text/old" and dict(latest.tags) == {"era": "old"}
        assert latest.expires_on == expiry and latest.enabled is True
        assert len((await vault.secrets.list_versions(name)).items) == 3
        assert "keeps the old version's expiry" in restore.text

    with_vault(run, emulator, body)


def test_confirmation_shows_both_versions_dates_and_a_past_expiry_is_dropped(
        run: Any, emulator: Any) -> None:
    name = f"restore-{next(_names)}"
    expired = NOW - dt.timedelta(days=3)

    async def body(vault: KeyVaultService) -> None:
        version = await two_versions(vault, name, old_expiry=expired)
        restore = await prepare_restore(vault.secrets, name, version)
        text = restore.text
        old, current = restore.old, restore.current
        assert old.created_on is not None and current.created_on is not None
        assert f"Old version {old.version}: created {old.created_on:%Y-%m-%d %H:%M}" in text
        assert f"Current version {current.version}: created " \
               f"{current.created_on:%Y-%m-%d %H:%M}" in text
        assert f"expires {expired:%Y-%m-%d %H:%M} UTC" in text
        assert "has passed: the new version has no expiry" in text
        assert OLD_VALUE not in text and OLD_VALUE not in repr(restore)
        result = await restore_version(vault.secrets, restore)
        assert result.value.expires_on is None

    with_vault(run, emulator, body)


def test_restore_refusals_before_any_write(run: Any, emulator: Any) -> None:
    name = f"restore-{next(_names)}"

    async def body(vault: KeyVaultService) -> None:
        version = await two_versions(vault, name, old_expiry=NOW + dt.timedelta(days=9))
        latest = (await vault.secrets.get(name)).value
        with pytest.raises(InvalidInput, match="already the current version"):
            await prepare_restore(vault.secrets, name, latest.version or "")
        await vault.secrets.update_properties(name, version, PropertyChanges(enabled=False))
        with pytest.raises(InvalidInput, match="disabled"):
            await prepare_restore(vault.secrets, name, version)
        with pytest.raises(InvalidInput):
            await prepare_restore(vault.secrets, name, "")

    with_vault(run, emulator, body)


def test_read_only_connection_refuses_the_restore_in_the_transport(
        run: Any, emulator: Any) -> None:
    name = f"restore-{next(_names)}"

    async def seed(vault: KeyVaultService) -> str:
        return await two_versions(vault, name, old_expiry=NOW + dt.timedelta(days=9))

    version = with_vault(run, emulator, seed)

    async def body(vault: KeyVaultService) -> None:
        restore = await prepare_restore(vault.secrets, name, version)
        mark = len(emulator.request_log)
        with pytest.raises(ReadOnlyRefused) as caught:
            await restore_version(vault.secrets, restore)
        assert OLD_VALUE not in str(caught.value)
        assert [e for e in emulator.request_log[mark:] if e.method != "GET"] == []
        assert len((await vault.secrets.list_versions(name)).items) == 2

    with_vault(run, emulator, body, read_only=True)
