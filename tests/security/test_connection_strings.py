"""Connection strings and SAS: parsed once, strictly; the SDK gets our parts, never the text.

Unit tests of every rule of ``connection_strings`` / ``connections``, then end to end against
Azurite through ``ServiceSession.open_storage``: what connects is exactly the parsed endpoint
(the session's journal holds every request URL), and a string the Azure SDK would have read
differently is refused before any request.
"""

from __future__ import annotations

import base64
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.security.support import loopback_only
from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.connection_strings import (
    CONNECTION_STRING_KEYS,
    parse_account_key,
    parse_sas_token,
)
from vaultbrowser.blob.services.connections import (
    normalize_blob_endpoint,
    parse_storage_connection_string,
    storage_connection_from_connection_string,
    storage_connection_from_sas_url,
)
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import url_normalizer
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.connections import normalize_vault_url

KEY = base64.b64encode(b"Sentinel-Account-Key-do-not-echo-0451!").decode()  # valid base64
SIG = base64.b64encode(b"Sentinel-Signature-do-not-echo!!").decode()  # 32 bytes, as HMAC
SAS = f"sv=2024-08-04&ss=b&srt=sco&sp=rl&se=2030-01-01T00:00:00Z&sig={SIG}"
ACCT = f"AccountName=acct;AccountKey={KEY}"
ATTACKER = "http://attacker.example/x"


def refused(call: Any, *sentinels: str) -> InvalidInput:
    """``call()`` raises InvalidInput whose texts repeat no sentinel, in any letter case."""
    with pytest.raises(InvalidInput) as info:
        call()
    error = info.value
    shown = f"{error}\n{error.message}\n{error.advice}\n{error!r}".lower()
    for sentinel in (KEY, SIG, *sentinels):
        assert sentinel.lower() not in shown, shown
        assert sentinel.lower()[:24] not in shown, shown  # nor a truncated copy
    return error


# --- the connection string parser -------------------------------------------------------------


@pytest.mark.parametrize(("text", "endpoint", "account", "credential"), [
    (f"DefaultEndpointsProtocol=https;{ACCT};EndpointSuffix=core.windows.net",
     "https://acct.blob.core.windows.net", "acct", "key"),
    (f"ACCOUNTNAME=acct;accountkey={KEY};endpointsuffix=CORE.CHINACLOUDAPI.CN;",
     "https://acct.blob.core.chinacloudapi.cn", "acct", "key"),
    (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={KEY};"
     "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
     "QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;"
     "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;",
     "http://127.0.0.1:10000/devstoreaccount1", "devstoreaccount1", "key"),
    (f"BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=?{SAS}",
     "https://acct.blob.core.windows.net", "acct", "sas"),
    (f"BlobEndpoint=https://files.contoso.com;SharedAccessSignature={SAS}",
     "https://files.contoso.com", None, "sas"),
    ("UseDevelopmentStorage=true", "http://127.0.0.1:10000/devstoreaccount1",
     "devstoreaccount1", "emulator"),
])
def test_good_connection_strings_become_our_parts(text: str, endpoint: str,
                                                  account: str | None, credential: str) -> None:
    parts = parse_storage_connection_string(text)
    assert (parts.blob_endpoint, parts.account_name) == (endpoint, account)
    kinds = {"key": parts.account_key is not None, "sas": parts.sas is not None,
             "emulator": parts.development_storage}
    assert [name for name, present in kinds.items() if present] == [credential]  # exactly one
    if parts.account_key is not None:
        assert parts.account_key.reveal() == KEY
    assert KEY not in repr(parts) and SIG not in repr(parts)


@pytest.mark.parametrize("text", [
    f"{ACCT};AccountName=evil",  # the SDK keeps the last one
    f"{ACCT};accountname=evil", f"{ACCT};ACCOUNTNAME=acct",
    f"{ACCT};AccountKey={KEY}",
    f"BlobEndpoint=https://acct.blob.core.windows.net;{ACCT};blobENDPOINT={ATTACKER}",
    f"{ACCT};SharedAccessSignature={SAS};sharedaccesssignature={SAS}",
])
def test_a_key_given_twice_in_any_case_is_refused(text: str) -> None:
    assert "more than once" in refused(lambda: parse_storage_connection_string(text)).message


@pytest.mark.parametrize("text", [
    f"{ACCT};BlobEndpo\u0131nt={ATTACKER}",  # dotless ı: the SDK's upper() makes it BLOBENDPOINT
    f"AccountN\u0131me=evil;AccountName=acct;AccountKey={KEY}",
    f"{ACCT};\u017fharedAccessSignature={SAS}",  # long s: upper() is S
    f"AccountName=acct;Account\u212aey={KEY}",  # Kelvin sign: lower() is k
    f"{ACCT};\uff22lobEndpoint={ATTACKER}",  # fullwidth B
])
def test_a_key_with_a_non_ascii_letter_is_refused_not_folded(text: str) -> None:
    error = refused(lambda: parse_storage_connection_string(text))
    assert "non-ASCII" in error.message


def test_the_sdk_would_have_read_these_strings_differently() -> None:
    """Why the rules exist: the SDK's own parser folds look-alikes and lets the last key win."""
    from azure.storage.blob._shared.base_client import parse_connection_str

    for text in (f"{ACCT};BlobEndpo\u0131nt={ATTACKER}",
                 f"BlobEndpoint=https://acct.blob.core.windows.net;{ACCT};blobendpoint={ATTACKER}",
                 f"UseDevelopmentStorage=True;BlobEndpoint={ATTACKER}"):
        assert parse_connection_str(text, None, "blob")[0] == ATTACKER
        refused(lambda t=text: parse_storage_connection_string(t))


@pytest.mark.parametrize("text", [
    f"UseDevelopmentStorage=true;BlobEndpoint={ATTACKER}",
    f"UseDevelopmentStorage=True;BlobEndpoint={ATTACKER}",
    f"UseDevelopmentStorage=true;AccountName=devstoreaccount1;AccountKey={KEY}",
    "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;UseDevelopmentStorage=true",
])
def test_development_storage_is_refused_with_anything_else_and_says_why(text: str) -> None:
    error = refused(lambda: parse_storage_connection_string(text))
    assert "cannot be combined" in error.message and "ignores every other setting" in error.advice


@pytest.mark.parametrize(("text", "words"), [
    (f"{ACCT};Foo=bar", "not a setting vaultbrowser knows"),
    (f"{ACCT};{KEY}", "not a setting vaultbrowser knows"),  # a key pasted as a setting
    (f"{ACCT};BlobSecondaryEndpoint=https://acct-secondary.blob.core.windows.net",
     "primary endpoint only"),
    ("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1:8888",
     "not supported"),
    ("UseDevelopmentStorage=false", "can only be true"),
    (f"{ACCT};EndpointSuffix=", "is empty"), (f"AccountName=;AccountKey={KEY}", "is empty"),
    (f"{ACCT};SharedAccessSignature=", "is empty"),
    ("AccountName=acct;AccountKey=not-base64!", "not valid base64"),
    (f"AccountName=acct;AccountKey={KEY[:-2]}", "not valid base64"),  # padding cut off
    (f"{ACCT};SharedAccessSignature={SAS}", "both AccountKey and SharedAccessSignature"),
    (f"AccountKey={KEY};BlobEndpoint=https://acct.blob.core.windows.net", "without its "),
    ("AccountName=acct", "neither AccountKey nor"),
    (f"AccountName=acct;AccountKey={KEY};BlobEndpoint=https://other.blob.core.windows.net",
     "not the account of its BlobEndpoint"),
    (f"{ACCT};BlobEndpoint=http://acct.blob.core.windows.net", "https://"),
    (f"DefaultEndpointsProtocol=http;{ACCT}", "https://"),
    (f"{ACCT};BlobEndpoint={ATTACKER}", "https://"),
    (f"{ACCT};BlobEndpoint=acct", "not a URL"),
    (f"{ACCT};BlobEndpoint=http://127.0.0.1:10000/acct/container", "account name alone"),
    (f"{ACCT};BlobEndpoint=https://acct.blob.core.windows.net?{SAS}", "query"),
    (f"{ACCT};BlobEndpoint=https://{KEY}", "not a valid host name"),
    (f"{ACCT};BlobEndpoint=https://[{KEY}", "not a valid URL"),
    (f"{ACCT};BlobEndpoint=https://{KEY.lower()}.blob.core.windows.net", "host name"),
    (f"AccountName={KEY};AccountKey={KEY}", "not a storage account name"),
    (f"{ACCT};DefaultEndpointsProtocol={KEY}", "DefaultEndpointsProtocol"),
    (f"AccountName=acct; AccountKey={KEY}", "spaces"),
    (f"{ACCT};;", "not a Key=Value pair"),
])
def test_each_rule_refuses_with_a_message_that_repeats_no_value(text: str, words: str) -> None:
    error = refused(lambda: parse_storage_connection_string(text))
    assert words in f"{error.message} {error.advice}", error.message


def test_the_message_for_an_unknown_key_lists_the_accepted_ones() -> None:
    error = refused(lambda: parse_storage_connection_string(f"{ACCT};Foo=bar"))
    assert "setting 3 of 3" in error.message
    assert all(key in error.advice for key in CONNECTION_STRING_KEYS)


# --- SAS tokens and SAS URLs -------------------------------------------------------------------


def test_a_sas_becomes_its_facts_and_one_canonical_token() -> None:
    token = parse_sas_token(f"?sig={SIG.replace('+', '%2B').replace('/', '%2f')}&sp=rl"
                            "&se=2030-01-01T00%3A00%3A00.1234567Z&st=2029-12-31&spr=https"
                            "&srt=sco&ss=b&sv=2024-08-04")
    assert token.version == "2024-08-04" and token.permissions == "rl"
    assert (token.services, token.resource_types, token.protocol) == ("b", "sco", "https")
    assert token.expires == datetime(2030, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)
    assert token.starts == datetime(2029, 12, 31, tzinfo=UTC)
    canonical = token.token.reveal()
    assert [name for name, _ in parse_qsl(canonical)] == ["sv", "ss", "srt", "sp", "st", "se",
                                                          "spr", "sig"]
    assert dict(parse_qsl(canonical))["sig"] == SIG
    assert "+" not in canonical and "/" not in canonical  # every value percent-encoded
    assert SIG not in repr(token)
    assert parse_sas_token(canonical) == token  # canonical is a fixed point


@pytest.mark.parametrize(("text", "words"), [
    (f"sv=2024-08-04&sp=rl&sig={SIG}&sig={SIG}", "more than once"),
    (f"sv=2024-08-04&sv=2020-01-01&sig={SIG}", "more than once"),
    (f"sv=2024-08-04&comp=list&sig={SIG}", "not a SAS parameter"),
    (f"sv=2024-08-04&SIG={SIG}", "not a SAS parameter"),  # names are exact, lowercase
    (f"sv=2024-08-04&spk=a&sig={SIG}", "not a SAS parameter"),  # table only
    (f"sv=2024-08-04&srh=x-ms-foo&sig={SIG}", "not a SAS parameter"),  # cannot be honoured
    (f"sv=2024-08-04&{SIG}", "not a SAS parameter"),  # a signature without its name
    ("sv=2024-08-04&sp=rl", "no signature"), ("sv=2024-08-04&sig=", "is empty"),
    ("sv=2024-08-04&sig=not-base64!!", "not valid base64"),
    (f"sv=2024-08-04&sig={SIG[:-1]}", "not valid base64"),
    (f"sv=2024-08-04&sig={SIG.replace('=', '')}A+B=", "raw '+'"),
    (f"sv=2024-08-04&sp=r%zzl&sig={SIG}", "not allowed"),
    (f"sv=2024-08-04&si=%ff%fe&sig={SIG}", "UTF-8"),
    (f"sv=2024-08-04&si=a%0Ab&sig={SIG}", "control characters"),
    (f"sv=2024-08-04&sp=r l&sig={SIG}", "not allowed"),
    (f"sp=rl&sig={SIG}", "service version"), (f"sv=latest&sig={SIG}", "service version"),
    (f"sv=2024-08-04&se=tomorrow&sig={SIG}", "expiry (se)"),
    (f"sv=2024-08-04&st=2024-02-30&sig={SIG}", "start (st)"),
    (f"sv=2024-08-04&se=2030-01-01T00:00:00%2B01:00&sig={SIG}", "expiry (se)"),
    (f"sv=2024-08-04&&sig={SIG}", "not name=value"), ("?", "empty"),
])
def test_a_hostile_sas_is_refused_without_echoing_it(text: str, words: str) -> None:
    assert words in refused(lambda: parse_sas_token(text)).message


@pytest.mark.parametrize("text", [
    f"https://acct.blob.core.windows.net/container?{SAS}",
    f"http://127.0.0.1:10000/devstoreaccount1/container?{SAS}",
    f"https://acct.blob.core.windows.net/?{SAS}#frag",
    f"https://acct.blob.core.windows.net/?{SAS}&comp=list",
    f"http://acct.blob.core.windows.net/?{SAS}",
])
def test_a_sas_url_beyond_an_account_is_refused(text: str) -> None:
    refused(lambda: storage_connection_from_sas_url(text))


def test_a_sas_url_keeps_the_canonical_token_as_its_secret() -> None:
    connection = storage_connection_from_sas_url(
        f"https://ACCT.blob.core.windows.net/?sig={SIG}&sv=2024-08-04&sp=rl")
    assert connection.url == "https://acct.blob.core.windows.net"
    assert connection.secret == parse_sas_token(f"sv=2024-08-04&sp=rl&sig={SIG}").token


# --- addresses: one canonical URL everywhere ---------------------------------------------------


@pytest.mark.parametrize("text", ["https://\u212aeyvault.vault.azure.net",  # Kelvin → k
                                  "https://myvault.vau\u0131t.azure.net"])
def test_a_vault_url_with_look_alike_letters_is_refused(text: str) -> None:
    refused(lambda: normalize_vault_url(text))


def test_every_entry_point_shows_the_canonical_vault_url() -> None:
    from vaultbrowser.app import build_parser, connections_from_args

    args = build_parser().parse_args(["--vault", "MyVault", "--vault",
                                      "https://Other.vault.azure.net/"])
    assert [c.url for c in connections_from_args(args)] == [
        "https://myvault.vault.azure.net", "https://other.vault.azure.net"]
    saved = Connection.from_settings({"kind": "keyvault", "url": "HTTPS://X.Vault.Azure.Net/"},
                                     url_normalizer(KINDS))
    assert saved.url == "https://x.vault.azure.net"


def test_a_blob_endpoint_is_one_account_and_nothing_more() -> None:
    assert normalize_blob_endpoint("http://127.0.0.1:10000/devstoreaccount1/",
                                   allow_http=True) == "http://127.0.0.1:10000/devstoreaccount1"
    for text in ("http://127.0.0.1:10000/devstoreaccount1/c", "http://127.0.0.1:10000/A_b",
                 "https://acct.blob.core.windows.net/?sv=1", "https://acct.blob.core.windows.net#x"):
        refused(lambda t=text: normalize_blob_endpoint(t, allow_http=True))


def test_an_account_key_must_be_base64() -> None:
    assert parse_account_key(f" {KEY}\n").reveal() == KEY
    for text in ("", "abc", "not base64!", KEY + "A", KEY.replace("=", "")):
        refused(lambda t=text: parse_account_key(t))


# --- end to end against Azurite ----------------------------------------------------------------


def _open(azurite: Any, connection: Connection, run: Any,
          monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """Open the connection in a fresh session, list containers: (names, request URLs)."""
    from vaultbrowser.core.services.session import ServiceSession

    async def body() -> tuple[list[str], list[str]]:
        session = ServiceSession()
        try:
            page = await open_storage(session, connection).list_containers(page_size=100)
            return ([c.name for c in page.items],
                    [record.url for record in session.journal.records()])
        finally:
            await session.aclose()

    with loopback_only(monkeypatch):
        return run(body())


@pytest.fixture(scope="module")
def cs_container(azurite: Any) -> str:
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import BlobServiceClient

    with (BlobServiceClient.from_connection_string(azurite.connection_string) as client,
          contextlib.suppress(ResourceExistsError)):
        client.create_container("parsed-once")
    return "parsed-once"


def _azurite_string(azurite: Any) -> str:
    from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

    return (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
            f"AccountKey={AZURITE_ACCOUNT_KEY};BlobEndpoint={azurite.blob_endpoint}")


def _only_to(endpoint: str, urls: list[str]) -> None:
    assert urls, "no request was made"
    for url in urls:
        assert url.startswith((endpoint + "?", endpoint + "/")), url


def test_an_azurite_connection_string_connects_to_exactly_the_parsed_endpoint(
        azurite: Any, cs_container: str, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    connection = storage_connection_from_connection_string(_azurite_string(azurite))
    assert connection.url == azurite.blob_endpoint
    names, urls = _open(azurite, connection, run, monkeypatch)
    assert cs_container in names
    _only_to(parse_storage_connection_string(_azurite_string(azurite)).blob_endpoint, urls)


def test_an_azurite_sas_connects_with_exactly_the_validated_token(
        azurite: Any, cs_container: str, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from azure.storage.blob import AccountSasPermissions, ResourceTypes, generate_account_sas

    from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

    sas = generate_account_sas(
        "devstoreaccount1", AZURITE_ACCOUNT_KEY, ResourceTypes(service=True, container=True),
        AccountSasPermissions(read=True, list=True), datetime.now(UTC) + timedelta(hours=1))
    token = parse_sas_token(sas)
    url_connection = storage_connection_from_sas_url(f"{azurite.blob_endpoint}/?{sas}")
    monkeypatch.setenv("VB_TEST_SAS_TOKEN", sas)
    env_connection = Connection("blob", azurite.blob_endpoint, AuthMethod.SAS,
                                secret_env="VB_TEST_SAS_TOKEN")
    for connection in (url_connection, env_connection):
        names, urls = _open(azurite, connection, run, monkeypatch)
        assert cs_container in names
        _only_to(azurite.blob_endpoint, urls)
        sent = [name for name, _ in parse_qsl(urlsplit(urls[0]).query)]
        assert sent[-len(parse_qsl(token.token.reveal())):] == [
            name for name, _ in parse_qsl(token.token.reveal())]  # our canonical token, in order
        assert token.expires is not None and token.permissions == "rl"


def _bypasses(azurite: Any) -> list[str]:
    """Strings naming Azurite's account that the SDK would have sent elsewhere (127.0.0.2, or an
    attacker's host) or used with another credential."""
    good, other = _azurite_string(azurite), azurite.blob_endpoint.replace("127.0.0.1",
                                                                          "127.0.0.2")
    return [f"{good};BlobEndpoint={other}", f"{good};blobendpoint={other}",
            f"{good};BlobEndpo\u0131nt={other}", f"{good};BlobSecondaryEndpoint={other}",
            f"UseDevelopmentStorage=True;BlobEndpoint={azurite.blob_endpoint}",
            f"{good};\u017fharedAccessSignature={SAS}", f"{good};Unknown=1"]


def test_a_string_the_sdk_reads_differently_is_refused_before_any_request(azurite: Any) -> None:
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

    for text in _bypasses(azurite):
        connection = Connection("blob", azurite.blob_endpoint,
                                AuthMethod.CONNECTION_STRING, secret=SecretValue(text))
        session = ServiceSession()
        refused(lambda c=connection, s=session: open_storage(s, c), AZURITE_ACCOUNT_KEY)
        assert len(session.journal) == 0 and not session._services  # nothing opened or sent
        refused(lambda t=text: storage_connection_from_connection_string(t), AZURITE_ACCOUNT_KEY)


def test_an_environment_variable_naming_another_account_is_refused(
        azurite: Any, cs_container: str, run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from vaultbrowser.blob.services.connections import DEVSTORE_ENDPOINT
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.emulators.azurite import AZURITE_ACCOUNT_KEY

    monkeypatch.setenv("VB_TEST_CS", _azurite_string(azurite))
    saved = Connection.from_settings(
        {"kind": "blob", "url": azurite.blob_endpoint, "auth": "connection-string",
         "secret_env": "VB_TEST_CS"}, url_normalizer(KINDS))
    names, _urls = _open(azurite, saved, run, monkeypatch)
    assert cs_container in names
    moved = _azurite_string(azurite).replace("127.0.0.1", "127.0.0.2")
    texts = [moved, moved.replace("devstoreaccount1", "otheraccount")]
    if azurite.blob_endpoint != DEVSTORE_ENDPOINT:
        texts.append("UseDevelopmentStorage=true")
    for text in texts:
        monkeypatch.setenv("VB_TEST_CS", text)
        session = ServiceSession()
        error = refused(lambda s=session: open_storage(s, saved), AZURITE_ACCOUNT_KEY)
        assert "VB_TEST_CS" in error.message and azurite.blob_endpoint in error.message
        assert len(session.journal) == 0


def test_a_malformed_account_key_is_refused_before_any_request(azurite: Any) -> None:
    from vaultbrowser.core.services.session import ServiceSession

    for key in ("not base64!", KEY[:-1]):
        session = ServiceSession()
        connection = Connection("blob", azurite.blob_endpoint, AuthMethod.ACCOUNT_KEY,
                                secret=SecretValue(key))
        assert "base64" in refused(lambda s=session, c=connection: open_storage(s, c)).message
        assert len(session.journal) == 0 and not session._services
