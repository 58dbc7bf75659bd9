"""The wire: headers, ARM's error envelope and status codes, bounds, faults and crashes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.mgmt.resource.subscriptions import SubscriptionClient

from vaultbrowser.emulators.arm import directory
from vaultbrowser.emulators.arm.seed import CONTOSO_TENANT_ID, PRODUCTION_SUBSCRIPTION_ID
from vaultbrowser.emulators.arm.server import ArmEmulator
from vaultbrowser.emulators.arm.tokens import EmulatorArmSyncCredential

from .helpers import Raw, kw

VAULT = (f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/resourceGroups/rg-prod-secrets/providers/"
         "Microsoft.KeyVault/vaults/demo-vault")
GRAPH = "/providers/Microsoft.ResourceGraph/resources"


def _envelope(response: object, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    uuid.UUID(headers["x-ms-request-id"])
    uuid.UUID(headers["x-ms-correlation-request-id"])
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == code and error["message"]
    return error


def test_success_headers_and_any_api_version(raw: Raw) -> None:
    response = raw("GET", "/subscriptions", api_version="1999-01-01-preview")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["x-ms-request-id"] != response.headers["x-ms-correlation-request-id"]
    uuid.UUID(response.headers["x-ms-request-id"])


def test_missing_api_version(raw: Raw) -> None:
    error = _envelope(raw("GET", "/subscriptions", api_version=None), 400,
                      "MissingApiVersionParameter")
    assert error["message"] == ("The api-version query parameter (?api-version=) is required "
                                "for all requests.")


@pytest.mark.parametrize(("token", "code"), [
    ("", "AuthenticationFailed"),
    ("garbage", "AuthenticationFailed"),
    ("a.b.c", "AuthenticationFailed"),
])
def test_bad_bearer(raw: Raw, token: str, code: str) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = raw("GET", "/tenants", token="", headers=headers)
    _envelope(response, 401, code)
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer authorization_uri="https://login.microsoftonline.com/')
    assert 'error="invalid_token"' in challenge


def test_expired_token_through_the_sdk(emu: ArmEmulator, raw: Raw) -> None:
    _envelope(raw("GET", "/tenants", token=emu.token(lifetime=-5)), 401,
              "ExpiredAuthenticationToken")
    client = SubscriptionClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID, lifetime=-5),
                                **kw(emu))
    with pytest.raises(ClientAuthenticationError) as caught:
        list(client.tenants.list())
    assert caught.value.error.code == "ExpiredAuthenticationToken"


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/providers/Microsoft.Compute/"
     "virtualMachines", 404, "InvalidResourceType"),
    ("GET", "/nothing/here", 404, "NotFound"),
    ("DELETE", VAULT, 405, "MethodNotAllowed"),
    ("PUT", "/subscriptions", 405, "MethodNotAllowed"),
    ("GET", "/subscriptions/not-a-guid/providers/Microsoft.KeyVault/vaults", 400,
     "InvalidSubscriptionId"),
])
def test_routing_errors(raw: Raw, method: str, path: str, status: int, code: str) -> None:
    _envelope(raw(method, path), status, code)


def test_unknown_resource_type_message(raw: Raw) -> None:
    error = _envelope(raw("GET", f"/subscriptions/{PRODUCTION_SUBSCRIPTION_ID}/providers/"
                                 "Microsoft.Compute/virtualMachines"), 404, "InvalidResourceType")
    assert error["message"] == ("The resource type 'virtualMachines' could not be found in the "
                                "namespace 'Microsoft.Compute' for api version '2022-12-01'.")


def test_bad_skiptoken(raw: Raw) -> None:
    _envelope(raw("GET", "/subscriptions", params={"$skiptoken": "%%%"}), 400, "InvalidSkipToken")


def test_request_bodies_are_bounded(raw: Raw) -> None:
    big = b"x" * (1024 * 1024 + 1)
    _envelope(raw("POST", GRAPH, data=big), 413, "RequestEntityTooLarge")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the bound applies while reading
        for _ in range(3):
            yield b" " * (512 * 1024)

    _envelope(raw("POST", GRAPH, data=chunks()), 413, "RequestEntityTooLarge")
    _envelope(raw("POST", GRAPH, data=b"{not json"), 400, "InvalidRequestContent")


def test_unhandled_exception_is_an_arm_500(emu: ArmEmulator, raw: Raw,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(directory, "tenant_json", boom)
    before = len(emu.unhandled_errors)
    _envelope(raw("GET", "/tenants"), 500, "InternalServerError")
    assert "KeyError" in emu.unhandled_errors[-1] and len(emu.unhandled_errors) == before + 1
    emu.faults.crash_next("/subscriptions")
    client = SubscriptionClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), retry_total=0,
                                **kw(emu))
    with pytest.raises(HttpResponseError) as caught:
        list(client.subscriptions.list())
    assert caught.value.status_code == 500 and caught.value.error.code == "InternalServerError"
    assert "InjectedCrash" in emu.unhandled_errors[-1]
    emu.unhandled_errors.clear()


def test_fail_next_and_latency(emu: ArmEmulator) -> None:
    emu.faults.fail_next("/subscriptions", 429, retry_after=0)
    client = SubscriptionClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), **kw(emu))
    assert len(list(client.subscriptions.list())) == 3  # the SDK retried past the 429
    statuses = [(e.status, e.error_code) for e in emu.requests[-2:]]
    assert statuses == [(429, "TooManyRequests"), (200, None)]
    emu.faults.fail_next("/tenants", 503, "ServerBusy", "Try later.")
    quiet = SubscriptionClient(EmulatorArmSyncCredential(CONTOSO_TENANT_ID), retry_total=0,
                               **kw(emu))
    with pytest.raises(HttpResponseError) as caught:
        list(quiet.tenants.list())
    assert (caught.value.status_code, caught.value.error.code) == (503, "ServerBusy")
    emu.faults.latency_ms = 60
    started = time.perf_counter()
    list(quiet.tenants.list())
    assert time.perf_counter() - started >= 0.06
    entry = emu.requests[-1]
    assert (entry.method, entry.path, entry.status, entry.tenant_id) == (
        "GET", "/tenants", 200, CONTOSO_TENANT_ID)
