"""Endpoints, keys and connection strings: parsed once, strictly; no message quotes a key."""

from __future__ import annotations

import pytest

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.cosmos.services.addresses import (
    account_key,
    account_name,
    normalize_cosmos_url,
    parse_connection_string,
)

KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


@pytest.mark.parametrize(("text", "canonical"), [
    ("https://contoso.documents.azure.com:443/", "https://contoso.documents.azure.com/"),
    ("https://Contoso.Documents.Azure.com", "https://contoso.documents.azure.com/"),
    ("contoso", "https://contoso.documents.azure.com/"),
    ("https://gov.documents.azure.us/", "https://gov.documents.azure.us/"),
    ("https://127.0.0.1:8081/", "https://127.0.0.1:8081/"),
    ("http://localhost:8081", "http://localhost:8081/"),
])
def test_endpoints_become_one_canonical_form(text: str, canonical: str) -> None:
    assert normalize_cosmos_url(text) == canonical


@pytest.mark.parametrize("text", [
    "http://contoso.documents.azure.com/",  # http off loopback
    "https://contoso.documents.azure.com/dbs/shop",  # a path
    "https://contoso.documents.azure.com/?x=1",
    "https://contoso.blob.core.windows.net/",  # not a Cosmos host
    "https://a.b.documents.azure.com/",
    "https://user:pw@contoso.documents.azure.com/",
    "ftp://contoso.documents.azure.com/",
    "https://contoso.documents.azure.com.evil.example/",
])
def test_what_is_not_an_account_endpoint_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_cosmos_url(text)


def test_account_name() -> None:
    assert account_name("https://contoso.documents.azure.com/") == "contoso"


def test_a_connection_string_parses_and_its_key_is_a_secret() -> None:
    parsed = parse_connection_string(
        f"AccountEndpoint=https://contoso.documents.azure.com:443/;AccountKey={KEY};")
    assert parsed.endpoint == "https://contoso.documents.azure.com/"
    assert isinstance(parsed.key, SecretValue) and parsed.key.reveal() == KEY
    assert KEY not in repr(parsed)
    same = parse_connection_string(SecretValue(
        f" accountkey={KEY} ; ACCOUNTENDPOINT=https://contoso.documents.azure.com/;Database=x"))
    assert same == parsed


@pytest.mark.parametrize("text", [
    f"AccountKey={KEY};",
    "AccountEndpoint=https://contoso.documents.azure.com/;",
    f"AccountEndpoint=https://contoso.documents.azure.com/;AccountKey={KEY};AccountKey={KEY}",
    f"AccountEndpoint=http://contoso.documents.azure.com/;AccountKey={KEY}",
    f"AccountEndpoint=https://contoso.documents.azure.com/;AccountKey={KEY};garbage",
    "AccountEndpoint=https://contoso.documents.azure.com/;AccountKey=not base64!;",
    f"AccountEndpoint=https://{KEY[:20]}.example/;AccountKey={KEY}",
])
def test_a_bad_connection_string_is_refused_without_quoting_it(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_connection_string(text)
    shown = f"{refused.value.message} {refused.value.advice} {refused.value!r}"
    assert KEY[:20] not in shown and "not base64!" not in shown


@pytest.mark.parametrize("text", ["", "with space", "tab\tkey", "not-base64!"])
def test_a_bad_key_is_refused_without_quoting_it(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        account_key(text)
    assert not text.strip() or text not in refused.value.message
