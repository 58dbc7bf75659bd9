"""Paging: SDK ``by_page`` with every page size, ``maxresults`` bounds, nextLink shape, 10k."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
from azure.keyvault.secrets import SecretClient

from vaultbrowser.emulators.keyvault import KeyVaultEmulator

from .helpers import FakeCredential, Raw, client_kwargs


def _seed(emu: KeyVaultEmulator, count: int, prefix: str = "s") -> set[str]:
    names = {f"{prefix}{i:05d}" for i in range(count)}
    emu.seed({"secrets": {name: "v" for name in names}})
    return names


def test_every_page_size(fresh_emu: KeyVaultEmulator) -> None:
    names = _seed(fresh_emu, 60)
    client = SecretClient(fresh_emu.url, FakeCredential(), **client_kwargs(fresh_emu))
    for size in range(1, 26):
        pages = list(client.list_properties_of_secrets(max_page_size=size).by_page())
        seen = [p.name for page in pages for p in page]
        assert len(seen) == 60 and set(seen) == names, size
        assert len(pages) == -(-60 // size), size
    page_calls = [e for e in fresh_emu.request_log if e.path == "/secrets" and e.status == 200]
    assert all(1 <= int(e.query.get("maxresults", 25)) <= 25 for e in page_calls)


def test_next_link_shape(fresh_emu: KeyVaultEmulator) -> None:
    _seed(fresh_emu, 30)
    raw = Raw(fresh_emu)
    first = raw("GET", "/secrets", params={"maxresults": "10"}).json()
    assert len(first["value"]) == 10
    link = urlparse(first["nextLink"])
    assert f"{link.scheme}://{link.netloc}" == fresh_emu.url
    query = parse_qs(link.query)
    assert query["api-version"] == ["7.5"] and query["maxresults"] == ["10"]
    token = query["$skiptoken"][0]
    assert token.replace("-", "").replace("_", "").isalnum()
    collected = list(first["value"])
    url = first["nextLink"]
    while url:
        page = raw("GET", url, api_version=None).json()
        collected += page["value"]
        url = page["nextLink"]
    assert len({i["id"] for i in collected}) == 30
    assert page["nextLink"] is None
    ids = [i["id"] for i in collected]
    assert ids == sorted(ids)


@pytest.mark.parametrize("value", ["0", "26", "-1", "abc"])
def test_maxresults_out_of_range(emu: KeyVaultEmulator, raw: Raw, value: str) -> None:
    response = raw("GET", "/secrets", params={"maxresults": value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BadParameter"


def test_versions_and_deleted_paging(fresh_emu: KeyVaultEmulator) -> None:
    fresh_emu.seed({"secrets": [{"name": "many", "versions": [{"value": str(i)} for i in
                                                             range(7)]}]})
    fresh_emu.seed({"secrets": [{"name": f"gone{i}", "value": "x", "deleted": True}
                                for i in range(5)]})
    client = SecretClient(fresh_emu.url, FakeCredential(), **client_kwargs(fresh_emu))
    pages = list(client.list_properties_of_secret_versions("many", max_page_size=3).by_page())
    assert [len(list(p)) for p in pages] == [3, 3, 1]
    deleted = list(client.list_deleted_secrets(max_page_size=2).by_page())
    assert sum(len(list(p)) for p in deleted) == 5


def test_ten_thousand_secrets(fresh_emu: KeyVaultEmulator) -> None:
    started = time.monotonic()
    names = _seed(fresh_emu, 10_000)
    client = SecretClient(fresh_emu.url, FakeCredential(), **client_kwargs(fresh_emu))
    seen = [p.name for p in client.list_properties_of_secrets()]
    assert len(seen) == 10_000 and set(seen) == names
    assert time.monotonic() - started < 20
