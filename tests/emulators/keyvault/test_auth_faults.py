"""Challenge auth, api-version validation, the request log and fault injection."""

from __future__ import annotations

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.keyvault.certificates import ApiVersion as CertApiVersion
from azure.keyvault.certificates import CertificateClient
from azure.keyvault.keys import ApiVersion as KeyApiVersion
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import ApiVersion as SecretApiVersion
from azure.keyvault.secrets import SecretClient

from vaultbrowser.emulators.keyvault import KeyVaultEmulator

from .helpers import FakeCredential, Raw, client_kwargs, unique


def _challenge_ok(emu: KeyVaultEmulator, header: str) -> None:
    port = emu.url.rsplit(":", 1)[1]
    assert header.startswith("Bearer authorization=\"https://login.microsoftonline.com/")
    assert f'resource="https://0.0.1:{port}"' in header
    assert emu.tenant_id in header


def test_first_request_is_challenged(fresh_emu: KeyVaultEmulator) -> None:
    cred = FakeCredential()
    client = SecretClient(fresh_emu.url, cred, **client_kwargs(fresh_emu))
    client.set_secret("first", "v")
    first, second = fresh_emu.request_log[:2]
    assert (first.method, first.status, first.authorized) == ("PUT", 401, False)
    assert (second.method, second.status, second.authorized) == ("PUT", 200, True)
    assert second.api_version and second.query["api-version"] == second.api_version
    port = fresh_emu.url.rsplit(":", 1)[1]
    assert cred.scopes[0] == (f"https://0.0.1:{port}/.default",)


@pytest.mark.parametrize(
    ("method", "headers", "data"),
    [
        ("GET", {}, None),
        ("PUT", {}, b"not json at all"),
        ("POST", {"Authorization": "Bearer "}, b"{}"),
        ("GET", {"Authorization": "Basic abc"}, None),
    ],
)
def test_every_401_carries_the_challenge(
    emu: KeyVaultEmulator, raw: Raw, method: str, headers: dict[str, str], data: bytes | None
) -> None:
    response = raw(method, "/secrets/x", api_version=None, token=None, headers=headers, data=data)
    assert response.status_code == 401
    _challenge_ok(emu, response.headers["WWW-Authenticate"])
    assert response.json()["error"]["code"] == "Unauthorized"


def test_reject_token_fault(emu: KeyVaultEmulator, raw: Raw) -> None:
    emu.faults.reject_token = True
    response = raw("GET", "/secrets")
    assert response.status_code == 401
    _challenge_ok(emu, response.headers["WWW-Authenticate"])
    client = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu))
    with pytest.raises(ClientAuthenticationError):
        client.get_secret("anything")
    emu.faults.clear()
    with pytest.raises(HttpResponseError) as info:
        client.get_secret("anything")
    assert info.value.status_code == 404


def test_api_version_validation(raw: Raw) -> None:
    missing = raw("GET", "/secrets", api_version=None)
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "BadParameter"
    unknown = raw("GET", "/secrets", api_version="1999-01-01")
    assert unknown.status_code == 400
    assert unknown.json()["error"] == {
        "code": "BadParameter",
        "message": "The specified version (1999-01-01) is not recognized. Consider using the "
        "latest supported version (2026-04-01).",
    }
    for version in ("7.0", "7.4", "7.6-preview.2", "2025-07-01", "2026-04-01"):
        assert raw("GET", "/secrets", api_version=version).status_code == 200, version


def test_every_sdk_api_version(emu: KeyVaultEmulator) -> None:
    kwargs = client_kwargs(emu)
    for version in SecretApiVersion:
        client = SecretClient(emu.url, FakeCredential(), api_version=version, **kwargs)
        next(iter(client.list_properties_of_secrets()), None)
    for version in KeyApiVersion:
        client_k = KeyClient(emu.url, FakeCredential(), api_version=version, **kwargs)
        next(iter(client_k.list_properties_of_keys()), None)
    for version in CertApiVersion:
        client_c = CertificateClient(emu.url, FakeCredential(), api_version=version, **kwargs)
        next(iter(client_c.list_properties_of_certificates()), None)
    versions = {e.api_version for e in emu.request_log if e.status == 200}
    assert {"7.0", "2016-10-01", "2025-07-01", "2026-04-01"} <= versions


def test_throttling_is_retried(emu: KeyVaultEmulator) -> None:
    name = unique("thr")
    client = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu))
    client.set_secret(name, "v")
    emu.faults.add(status=429, retry_after=0.2, times=1, path_prefix=f"/secrets/{name}")
    assert client.get_secret(name).value == "v"
    statuses = [e.status for e in emu.request_log if e.path.rstrip("/") == f"/secrets/{name}"]
    assert statuses[-2:] == [429, 200]


def test_429_and_503_bodies(emu: KeyVaultEmulator, raw: Raw) -> None:
    emu.faults.add(status=429, retry_after=2, method="GET")
    throttled = raw("GET", "/secrets")
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert throttled.json()["error"]["code"] == "Throttled"
    emu.faults.add(status=503, times=2)
    client = SecretClient(emu.url, FakeCredential(), retry_total=0, **client_kwargs(emu))
    with pytest.raises(HttpResponseError) as info:
        client.get_secret("x")
    assert info.value.status_code == 503
    assert raw("GET", "/secrets").status_code == 503
    assert raw("GET", "/secrets").status_code == 200


def test_forbidden(emu: KeyVaultEmulator, raw: Raw) -> None:
    emu.faults.forbid("/secrets")
    body = raw("GET", "/secrets/abc").json()["error"]
    assert body["code"] == "Forbidden"
    assert body["innererror"] == {"code": "ForbiddenByRbac"}
    assert "Caller is not authorized to perform action on resource." in body["message"]
    client = SecretClient(emu.url, FakeCredential(), **client_kwargs(emu))
    with pytest.raises(HttpResponseError) as info:
        client.get_secret("abc")
    assert info.value.status_code == 403
    assert raw("GET", "/keys").status_code == 200
    emu.faults.clear()
    emu.faults.forbid("/keys", code="AccessDenied", times=1)
    denied = raw("GET", "/keys").json()["error"]
    assert denied["innererror"] == {"code": "AccessDenied"}
    assert "does not have keys get permission" in denied["message"]
    assert raw("GET", "/keys").status_code == 200


def test_latency(emu: KeyVaultEmulator, raw: Raw) -> None:
    emu.faults.latency_ms = 150
    response = raw("GET", "/secrets")
    assert response.status_code == 200
    assert response.elapsed.total_seconds() >= 0.14


def test_unknown_path_and_trailing_slash(raw: Raw) -> None:
    assert raw("GET", "/nothing-here").status_code == 404
    assert raw("GET", "/secrets/").status_code == 200
