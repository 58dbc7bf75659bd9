"""A backup restores only into a vault of the same subscription and geography, as on the service:
elsewhere the official client gets 400 BadParameter "Cannot decrypt backup blob."."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient

from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import FakeCredential, client_kwargs, unique

HOME = {"subscription_id": "11111111-1111-1111-1111-111111111111", "geography": "europe"}


@pytest.fixture(scope="module")
def vaults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, KeyVaultEmulator]]:
    placements = {"home": HOME, "sibling": HOME,
                  "other-geography": {**HOME, "geography": "unitedstates"},
                  "other-subscription": {**HOME, "subscription_id": "2" * 8 + "-2222-2222-2222-"
                                                                   + "2" * 12}}
    with contextlib.ExitStack() as stack:
        yield {name: stack.enter_context(run_emulator_in_thread(
            data_dir=Path(tmp_path_factory.mktemp(f"placement-{name}")), **placement))
            for name, placement in placements.items()}


def test_a_key_backup_restores_only_in_the_same_subscription_and_geography(
        vaults: dict[str, KeyVaultEmulator]) -> None:
    home = KeyClient(vaults["home"].url, FakeCredential(), **client_kwargs(vaults["home"]))
    name = unique("placed")
    made = home.create_rsa_key(name)
    blob = home.backup_key(name)
    for elsewhere in ("other-geography", "other-subscription"):
        emulator = vaults[elsewhere]
        client = KeyClient(emulator.url, FakeCredential(), **client_kwargs(emulator))
        with pytest.raises(HttpResponseError) as refused:
            client.restore_key_backup(blob)
        assert refused.value.status_code == 400
        assert refused.value.error is not None and refused.value.error.code == "BadParameter"
        assert "Cannot decrypt backup blob." in str(refused.value)
        assert emulator.store.keys.get(name) is None
        assert emulator.unhandled_errors == []
    sibling = vaults["sibling"]
    restored = KeyClient(sibling.url, FakeCredential(),
                         **client_kwargs(sibling)).restore_key_backup(blob)
    assert restored.name == name and restored.key.n == made.key.n


def test_a_secret_backup_follows_the_same_rule(vaults: dict[str, KeyVaultEmulator]) -> None:
    home = SecretClient(vaults["home"].url, FakeCredential(), **client_kwargs(vaults["home"]))
    name = unique("placed-secret")
    home.set_secret(name, "v")
    blob = home.backup_secret(name)
    far = vaults["other-geography"]
    with pytest.raises(HttpResponseError) as refused:
        SecretClient(far.url, FakeCredential(), **client_kwargs(far)).restore_secret_backup(blob)
    assert refused.value.status_code == 400
