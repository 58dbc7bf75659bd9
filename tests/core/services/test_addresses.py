"""Every address form the address bar and ``vaultbrowser URL`` accept, read by its kind through
the registry — and the typed errors of the ones that are wrong."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.addresses import parse_blob_address
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import parse_address

VERSION = "3f2a9c1e5b7d4f6a8c0e2b4d6f8a0c1e"
SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
SIG = "SECRETSIGNATURE%2Fabc%3D"
CONTAINER_SAS = f"sv=2023-11-03&sr=c&sp=rl&se=2099-01-01T00:00:00Z&sig={SIG}"
BLOB_SAS = f"sv=2023-11-03&sr=b&sp=r&se=2099-01-01T00:00:00Z&sig={SIG}"
ACCOUNT_SAS = f"sv=2023-11-03&ss=b&srt=sco&sp=rl&se=2099-01-01T00:00:00Z&sig={SIG}"
EXPIRED_SAS = f"sv=2023-11-03&sr=c&sp=rl&se=2020-01-01T00:00:00Z&sig={SIG}"


@pytest.mark.parametrize(("text", "url", "path"), [
    ("https://kv1.vault.azure.net", "https://kv1.vault.azure.net", ()),
    ("https://KV1.vault.azure.net/", "https://kv1.vault.azure.net", ()),
    ("https://kv1.vault.azure.net/secrets/db-password", "https://kv1.vault.azure.net",
     ("secrets", "db-password")),
    (f"https://kv1.vault.azure.net/secrets/db-password/{VERSION}",
     "https://kv1.vault.azure.net", ("secrets", "db-password", VERSION)),
    ("https://kv1.vault.usgovcloudapi.net/keys/signing", "https://kv1.vault.usgovcloudapi.net",
     ("keys", "signing")),
    ("https://kv1.vault.azure.net/certificates/tls", "https://kv1.vault.azure.net",
     ("certificates", "tls")),
    ("https://127.0.0.1:8443/secrets/app", "https://127.0.0.1:8443", ("secrets", "app")),
])
def test_key_vault_addresses(text: str, url: str, path: tuple[str, ...]) -> None:
    address = parse_address(KINDS, text)
    assert address.kind == "keyvault" and address.connection is not None
    assert address.connection.url == url and address.path == path


@pytest.mark.parametrize(("text", "url", "path", "auth", "scope"), [
    ("https://acme.blob.core.windows.net", "https://acme.blob.core.windows.net", (),
     AuthMethod.DEFAULT, ""),
    ("https://acme.blob.core.windows.net/logs", "https://acme.blob.core.windows.net",
     ("logs",), AuthMethod.DEFAULT, ""),
    ("https://acme.blob.core.windows.net/logs/2026/12/app%20one.log",
     "https://acme.blob.core.windows.net", ("logs", "2026/12/app one.log"),
     AuthMethod.DEFAULT, ""),
    (f"https://acme.blob.core.windows.net/logs?{CONTAINER_SAS}",
     "https://acme.blob.core.windows.net", ("logs",), AuthMethod.SAS, "logs"),
    (f"https://acme.blob.core.windows.net/logs/a/b.txt?{BLOB_SAS}",
     "https://acme.blob.core.windows.net", ("logs", "a/b.txt"), AuthMethod.SAS, "logs"),
    (f"https://acme.blob.core.windows.net/?{ACCOUNT_SAS}",
     "https://acme.blob.core.windows.net", (), AuthMethod.SAS, ""),
    ("http://127.0.0.1:10000/devstoreaccount1/logs/x.txt",
     "http://127.0.0.1:10000/devstoreaccount1", ("logs", "x.txt"),
     AuthMethod.LOCAL_EMULATOR, ""),
])
def test_blob_addresses(text: str, url: str, path: tuple[str, ...], auth: AuthMethod,
                        scope: str) -> None:
    address = parse_address(KINDS, text)
    assert address.kind == "blob" and address.connection is not None
    connection = address.connection
    assert (connection.url, address.path, connection.auth, connection.scope) == (
        url, path, auth, scope)
    if auth is AuthMethod.SAS:
        assert connection.secret is not None and "sig=" in connection.secret.reveal()
        assert "SECRETSIGNATURE" not in repr(connection) + connection.display_name
        assert "SECRETSIGNATURE" not in str(connection.to_settings())


def test_resource_ids_and_portal_links_go_to_the_azure_kind() -> None:
    vault_id = f"/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1"
    for text in (vault_id, f"https://portal.azure.com/#@contoso.com/resource{vault_id}/overview"):
        address = parse_address(KINDS, text)
        assert address.kind == "azure" and address.connection is None
        assert address.path == (vault_id,)


@pytest.mark.parametrize(("text", "words"), [
    ("", "Paste an Azure address"),
    ("hello world", "does not know this address"),
    ("https://example.com/x", "does not know this address"),
    ("http://kv1.vault.azure.net/secrets/x", "only reachable over https"),
    ("https://kv1.vault.azure.net/secret/x", "is not a secret, key or certificate id"),
    ("https://kv1.vault.azure.net/secrets/bad_name", "name"),
    ("https://kv1.vault.azure.net/secrets/x/not-a-version", "is not a Key Vault version id"),
    (f"/subscriptions/{SUB}/resourcegroup/rg/providers/Microsoft.KeyVault/vaults/kv1",
     "expected 'resourceGroups'"),
    (f"https://acme.blob.core.windows.net/logs?{EXPIRED_SAS}", "This SAS has expired"),
    (f"https://acme.blob.core.windows.net/?{CONTAINER_SAS}", "needs its container"),
    ("https://acme.blob.core.windows.net/Bad_Container", "container"),
    (f"https://acme.blob.core.windows.net/logs?sv=2023-11-03&bogus=1&sig={SIG}",
     "not a SAS parameter"),
])
def test_wrong_addresses_get_typed_errors_that_never_quote_the_signature(
        text: str, words: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_address(KINDS, text)
    message = f"{caught.value.message} {caught.value.advice}"
    assert words.lower() in message.lower()
    assert "SECRETSIGNATURE" not in message


def test_an_expired_sas_says_what_it_allowed_and_until_when() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_blob_address(f"https://acme.blob.core.windows.net/logs?{EXPIRED_SAS}",
                           now=datetime(2026, 12, 4, tzinfo=UTC))
    assert "permissions: read, list; expires 2020-01-01 00:00 UTC" in caught.value.message


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=160) | st.builds(
    lambda tail: f"https://acme.blob.core.windows.net/{tail}", st.text(max_size=80)) | st.builds(
    lambda tail: f"https://kv1.vault.azure.net/{tail}", st.text(max_size=80)))
def test_any_text_gives_an_address_or_invalid_input(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        parse_address(KINDS, text)
