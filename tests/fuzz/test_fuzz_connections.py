"""Fuzz: what users paste — connection strings, SAS URLs and tokens, vault and account URLs,
saved settings — generated from the real grammars, mutated, and as noise. Each becomes our own
value or ``InvalidInput``, and no message ever repeats a secret."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.connection_strings import CONNECTION_STRING_KEYS, parse_sas_token
from vaultbrowser.blob.services.connections import (
    normalize_blob_endpoint,
    parse_storage_connection_string,
    storage_connection_from_connection_string,
    storage_connection_from_sas_url,
)
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import url_normalizer
from vaultbrowser.keyvault.services.connections import normalize_vault_url

SENTINEL_KEY = "Zm9vYmFyU2VudGluZWxLZXk5OTk="  # base64, distinctive
SENTINEL_SIG = "U2VudGluZWxTaWduYXR1cmU="
NORMALIZE = url_normalizer(KINDS)  # the saved-connection URL rules of every kind
TEXT = st.text(max_size=40)
HOSTS = st.sampled_from(["acct.blob.core.windows.net", "127.0.0.1:10000", "evil.example",
                         "v.vault.azure.net", "localhost", "[::1]:8443", "xn--pple-43d.com",
                         "аpple.com", "acct.blob.core.windows.net.evil", "", "a@b.c"])
PATHS = st.sampled_from(["", "/", "/devstoreaccount1", "/c/b", "/%2e%2e/x", "/?x", "#f"])
SCHEMES = st.sampled_from(["https://", "http://", "ftp://", "", "HTTPS://", "https:/"])
URLS = st.one_of(st.builds(lambda s, h, p: s + h + p, SCHEMES, HOSTS, PATHS), TEXT)
KEYS = st.one_of(st.sampled_from(CONNECTION_STRING_KEYS),
                 st.sampled_from(["AccountNıme", "ACCOUNTKEY", "accountkey", "BlobEndpoınt",
                                  "DevelopmentStorageProxyUri", "Foo", ""]), TEXT)
VALUES = st.one_of(st.sampled_from([SENTINEL_KEY, "acct", "true", "https", "core.windows.net",
                                    "http://evil.example/x", "http://127.0.0.1:10000/acct",
                                    f"sv=2024-01-01&sig={SENTINEL_SIG}", ""]), URLS, TEXT)


def _joined(pairs: list[tuple[str, str]], trailing: bool) -> str:
    return ";".join(f"{k}={v}" for k, v in pairs) + (";" if trailing else "")


CONNECTION_STRINGS = st.one_of(
    st.builds(_joined, st.lists(st.tuples(KEYS, VALUES), max_size=7), st.booleans()),
    TEXT)
SAS_PAIRS = st.lists(st.tuples(
    st.sampled_from(["sv", "ss", "srt", "sp", "se", "st", "spr", "sip", "sig", "sr", "skoid",
                     "SIG", "foo", "sig ", ""]),
    st.sampled_from(["2024-08-04", "b", "sco", "rl", "2099-01-01T00:00:00Z", "2026-13-40",
                     "https", SENTINEL_SIG, "%2B", "+", "%ZZ", "%C0%80", ""])), max_size=9)
SAS_TOKENS = st.one_of(st.builds(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs),
                                 SAS_PAIRS), TEXT)


def _no_secret_in(error: InvalidInput) -> None:
    text = f"{error.message} {error.advice} {error!r}"
    assert SENTINEL_KEY not in text and SENTINEL_SIG not in text


@given(text=CONNECTION_STRINGS)
def test_connection_strings(text: str, fed: Any) -> None:
    fed("connection strings")
    try:
        parts = parse_storage_connection_string(text)
    except InvalidInput as error:
        _no_secret_in(error)
        return
    assert parts.blob_endpoint == normalize_blob_endpoint(parts.blob_endpoint,
                                                         allow_http=True)
    assert SENTINEL_KEY not in repr(parts) and SENTINEL_SIG not in repr(parts)
    connection = storage_connection_from_connection_string(text)
    assert connection.url == parts.blob_endpoint  # what is shown is what is connected to


@given(token=SAS_TOKENS)
def test_sas_tokens(token: str, fed: Any) -> None:
    fed("SAS tokens")
    try:
        sas = parse_sas_token(token)
    except InvalidInput as error:
        _no_secret_in(error)
        return
    assert parse_sas_token(sas.token.reveal()).token == sas.token  # canonical is a fixpoint
    assert SENTINEL_SIG not in repr(sas)


@given(base=URLS, token=SAS_TOKENS)
def test_sas_urls(base: str, token: str, fed: Any) -> None:
    fed("SAS URLs")
    try:
        connection = storage_connection_from_sas_url(f"{base}?{token}")
    except InvalidInput as error:
        _no_secret_in(error)
        return
    assert "?" not in connection.url and SENTINEL_SIG not in repr(connection)


@given(text=URLS)
def test_vault_and_account_urls(text: str, fed: Any) -> None:
    fed("vault and account URLs")
    for normalize in (normalize_vault_url, normalize_blob_endpoint):
        try:
            url = normalize(text)
        except InvalidInput:
            continue
        assert url.isascii() and "@" not in url and "?" not in url
        assert normalize(url) == url  # one canonical URL


@given(data=st.one_of(
    st.fixed_dictionaries({"kind": st.sampled_from(["keyvault", "blob", "x", 1]),
                           "url": st.one_of(URLS, st.integers()),
                           "auth": st.one_of(st.sampled_from(["default", "sas", "bogus"]),
                                             st.none())},
                          optional={"name": TEXT, "read_only": st.booleans(),
                                    "ca_path": TEXT, "secret_env": TEXT}),
    st.dictionaries(TEXT, TEXT, max_size=4), TEXT, st.lists(TEXT, max_size=2)))
def test_saved_settings(data: Any, fed: Any) -> None:
    fed("saved connection settings")
    try:
        connection = Connection.from_settings(data, NORMALIZE)
    except InvalidInput:
        return
    assert Connection.from_settings(connection.to_settings(), NORMALIZE) == connection
