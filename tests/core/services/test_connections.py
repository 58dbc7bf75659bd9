"""Connections: validation of what users type, and persistence without secrets."""

from __future__ import annotations

import json

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.connections import (
    storage_connection_from_connection_string,
    storage_connection_from_sas_url,
)
from vaultbrowser.blob.services.opener import account_name_of
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import url_normalizer
from vaultbrowser.keyvault.services.connections import normalize_vault_url

KEY = "c2VjcmV0LWtleS1ub3QtdG8tbGVhaw=="


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("myvault", "https://myvault.vault.azure.net"),
        ("https://MyVault.vault.azure.net/", "https://myvault.vault.azure.net"),
        ("https://v.vault.azure.cn", "https://v.vault.azure.cn"),
        ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
    ],
)
def test_vault_urls_are_normalized(typed: str, expected: str) -> None:
    assert normalize_vault_url(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["", "http://myvault.vault.azure.net", "https://example.com", "https://v.vault.azure.net/x",
     "https://v.vault.azure.net?x=1", "ftp://v.vault.azure.net", "https://[::1"],
)
def test_bad_vault_urls_are_typed_errors(typed: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_vault_url(typed)


def test_connection_string_is_parsed_and_never_persisted() -> None:
    text = (f"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={KEY};"
            "EndpointSuffix=core.windows.net")
    connection = storage_connection_from_connection_string(text)
    assert connection.url == "https://acct.blob.core.windows.net"
    assert connection.auth is AuthMethod.CONNECTION_STRING
    assert connection.resolve_secret().reveal() == text
    stored = json.dumps(connection.to_settings())
    assert KEY not in stored and "AccountKey" not in stored
    assert KEY not in repr(connection)
    assert Connection.from_settings(connection.to_settings(),
                                    url_normalizer(KINDS)).secret is None


@pytest.mark.parametrize("text", ["AccountName=acct", "garbage", f"AccountKey={KEY}", ";=;"])
def test_malformed_connection_strings_never_echo_the_key(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        storage_connection_from_connection_string(text)
    assert KEY not in str(caught.value)


SIGNATURE = "SIGNATURE" + "x" * 34 + "="  # base64, as a real signature is


def test_sas_url_keeps_signature_in_memory_only() -> None:
    connection = storage_connection_from_sas_url(
        f"https://acct.blob.core.windows.net/?sv=2024-08-04&ss=b&srt=sco&sp=rl&sig={SIGNATURE}")
    assert connection.url == "https://acct.blob.core.windows.net"
    assert "SIGNATURE" in connection.resolve_secret().reveal()
    assert "SIGNATURE" not in json.dumps(connection.to_settings())
    with pytest.raises(InvalidInput):
        storage_connection_from_sas_url("https://acct.blob.core.windows.net/?sv=1")


def test_secret_from_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    connection = Connection("blob", "https://acct.blob.core.windows.net",
                            AuthMethod.CONNECTION_STRING, secret_env="VB_TEST_CS")
    with pytest.raises(InvalidInput, match="VB_TEST_CS"):
        connection.resolve_secret()
    monkeypatch.setenv("VB_TEST_CS", "AccountName=a;AccountKey=k")
    assert connection.resolve_secret().reveal() == "AccountName=a;AccountKey=k"
    assert connection.to_settings()["secret_env"] == "VB_TEST_CS"


def test_account_names() -> None:
    assert account_name_of("https://acct.blob.core.windows.net") == "acct"
    assert account_name_of("http://127.0.0.1:10000/devstoreaccount1") == "devstoreaccount1"
