"""Errors in plain words first: a host that does not resolve says what that usually means."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from azure.core.exceptions import ServiceRequestError

from vaultbrowser.core.services.config import NetworkSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import NetworkError
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.translate import translate_error
from vaultbrowser.keyvault.services.opener import open_vault


@pytest.mark.parametrize(("host", "words"), [
    ("kv-typo.vault.azure.net", "the vault probably does not exist"),
    ("acct-typo.blob.core.windows.net", "the storage account probably does not exist"),
    ("files.example.com", "the address is probably misspelled"),
])
def test_a_name_that_does_not_resolve_says_what_it_means(host: str, words: str) -> None:
    inner = socket.gaierror(-2, "Name or service not known")
    wrapped = ServiceRequestError(f"Cannot connect to host {host}:443 ssl:default [{inner}]")
    wrapped.__cause__ = inner
    error = translate_error(wrapped)
    assert isinstance(error, NetworkError)
    assert error.message.startswith(f"No such host {host}: {words}")
    assert "Technical detail" in (error.advice or "")


def test_a_vault_that_does_not_exist_through_the_sdk(run: Any) -> None:
    async def list_secrets() -> Any:
        session = ServiceSession(network=NetworkSettings(retry_total=0))
        try:
            vault = open_vault(session, Connection(
                "keyvault", "https://no-such-vault-4f2a.vault.azure.net",
                AuthMethod.LOCAL_EMULATOR))
            return await vault.secrets.list()
        finally:
            await session.aclose()

    with pytest.raises(NetworkError) as caught:
        run(list_secrets())
    assert "the vault probably does not exist" in caught.value.message
    assert "no-such-vault-4f2a.vault.azure.net" in caught.value.message
