"""The fault matrix at the service level: what azure-core's retry policy does with each fault
(through the app's own ServiceSession and NetworkSettings), and the typed error when it gives
up. Key Vault faults come from the emulator; broken bodies on Blob Storage from the TCP proxy
in front of Azurite."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError

from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.blob.services.transfers.plans import plan_download
from vaultbrowser.blob.services.transfers.runs import download_many
from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    NetworkError,
    ServiceUnavailable,
    Throttled,
    VaultBrowserError,
)
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.vault_service import KeyVaultService

from .conftest import (
    BIG_BLOB,
    BIG_SIZE,
    BLOBS,
    CONTAINER,
    FAST,
    storage_connection,
    vault_connection,
)

ATTEMPTS = FAST.retry_status + 1  # a status azure-core retries: first try + retry_status


async def on_vault(emulator: Any, body: Callable[[KeyVaultService], Awaitable[Any]]) -> Any:
    session = ServiceSession(network=FAST)
    try:
        return await body(open_vault(session, vault_connection(emulator)))
    finally:
        await session.aclose()


def attempts(emulator: Any, since: int, prefix: str = "/secrets") -> list[int]:
    """Statuses of the authorized attempts at ``prefix`` after log entry ``since``."""
    return [e.status for e in emulator.request_log[since:]
            if e.authorized and e.path.startswith(prefix)]


def list_page(emulator: Any, run: Any) -> tuple[Any, float, list[int]]:
    """One page of secrets: (page or typed error, seconds taken, statuses of the attempts)."""
    since = len(emulator.request_log)
    started = time.perf_counter()

    async def body(vault: KeyVaultService) -> Any:
        try:
            return await vault.secrets.list(page_size=10)
        except VaultBrowserError as error:
            return error

    outcome = run(on_vault(emulator, body))
    return outcome, time.perf_counter() - started, attempts(emulator, since)


# --- statuses azure-core retries ---------------------------------------------------------------

@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_passing_fault_is_retried_and_the_page_arrives(emulator: Any, run: Any,
                                                         status: int) -> None:
    emulator.faults.add(status, times=ATTEMPTS - 1, path_prefix="/secrets")
    page, _, statuses = list_page(emulator, run)
    assert not isinstance(page, VaultBrowserError), page
    assert len(page.items) == 10 and page.response.status == 200
    assert statuses == [status] * (ATTEMPTS - 1) + [200]


@pytest.mark.parametrize(("status", "error_type"), [(429, Throttled), (500, ServiceUnavailable),
                                                    (503, ServiceUnavailable)])
def test_a_lasting_fault_gives_up_with_the_typed_error(emulator: Any, run: Any, status: int,
                                                       error_type: type) -> None:
    emulator.faults.add(status, times=None, path_prefix="/secrets")
    error, _, statuses = list_page(emulator, run)
    assert type(error) is error_type
    assert statuses == [status] * ATTEMPTS  # retried, then given up (no endless loop)
    assert error.status == status and error.request_id and error.advice
    assert error.method == "GET" and "/secrets" in error.url


def test_retry_after_is_honoured(emulator: Any, run: Any) -> None:
    emulator.faults.add(429, retry_after=0.6, times=1, path_prefix="/secrets")
    page, took, statuses = list_page(emulator, run)
    assert statuses == [429, 200] and len(page.items) == 10
    # The backoff factor alone would wait ~0.01 s: the wait is the service's 0.6 s.
    assert took >= 0.6


def test_without_retry_after_the_backoff_applies(emulator: Any, run: Any) -> None:
    emulator.faults.add(429, times=1, path_prefix="/secrets")
    page, took, statuses = list_page(emulator, run)
    assert statuses == [429, 200] and len(page.items) == 10
    assert took < 0.5


def test_throttled_error_carries_the_services_retry_after(emulator: Any, run: Any) -> None:
    emulator.faults.add(429, retry_after=0.05, times=None, path_prefix="/secrets")
    error, _, statuses = list_page(emulator, run)
    assert isinstance(error, Throttled) and statuses == [429] * ATTEMPTS
    assert error.retry_after == 0.05 and "0.05 s" in error.message


# --- slow, stalled and broken answers ----------------------------------------------------------

def test_a_slow_answer_within_the_read_timeout_arrives(emulator: Any, run: Any) -> None:
    emulator.faults.slow(FAST.read_timeout * 0.5, path_prefix="/secrets")
    page, took, statuses = list_page(emulator, run)
    assert statuses == [200] and len(page.items) == 10
    assert took >= FAST.read_timeout * 0.5


def test_an_answer_slower_than_the_read_timeout_fails_as_a_timeout(emulator: Any,
                                                                  run: Any) -> None:
    emulator.faults.slow(FAST.read_timeout * 3, path_prefix="/secrets", times=None)
    error, took, _ = list_page(emulator, run)
    assert isinstance(error, NetworkError)
    assert "did not answer in time" in error.message and "read timeout" in error.message
    attempts_made = FAST.retry_read + 1
    assert attempts_made * FAST.read_timeout <= took < attempts_made * FAST.read_timeout + 1.0


def test_a_page_that_never_finishes_times_out(emulator: Any, run: Any) -> None:
    emulator.faults.stall("/secrets", times=None, seconds=30)
    since = len(emulator.request_log)
    error, took, _ = list_page(emulator, run)
    assert isinstance(error, NetworkError) and "did not answer in time" in error.message
    stalls = [e for e in emulator.request_log[since:] if e.error_code == "InjectedStall"]
    assert len(stalls) == FAST.retry_read + 1  # read errors: retry_read retries
    assert took < (FAST.retry_read + 1) * FAST.read_timeout + 1.0  # bounded: never a hang


def test_a_reset_mid_page_is_retried_transparently(emulator: Any, run: Any) -> None:
    emulator.faults.reset("/secrets", times=1)
    since = len(emulator.request_log)
    page, _, statuses = list_page(emulator, run)
    assert len(page.items) == 10
    codes = [e.error_code for e in emulator.request_log[since:] if e.authorized]
    assert codes == ["InjectedReset", None] and statuses == [200, 200]


def test_a_lasting_reset_gives_a_network_error(emulator: Any, run: Any) -> None:
    emulator.faults.reset("/secrets", times=None)
    error, _, statuses = list_page(emulator, run)
    assert isinstance(error, NetworkError)
    assert "connection broke" in error.message
    assert len(statuses) == FAST.retry_total + 1


# --- sign-in and permissions ---------------------------------------------------------------------

def test_a_rejected_token_asks_to_sign_in_again(emulator: Any, run: Any) -> None:
    emulator.faults.reject_token = True
    error, _, _ = list_page(emulator, run)
    assert isinstance(error, AuthenticationRequired) and error.status == 401
    assert "sign" in error.advice.lower()


def test_an_expired_sign_in_asks_to_sign_in_again(emulator: Any, run: Any) -> None:
    class Expired:
        async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
            raise ClientAuthenticationError("AADSTS700082: The refresh token has expired.")

        async def close(self) -> None:
            return None

    async def body() -> Any:
        session = ServiceSession(network=FAST)
        vault = open_vault(session, vault_connection(emulator))
        vault.clients._credential = Expired()  # what a cached sign-in does once it has expired
        try:
            await vault.secrets.list(page_size=10)
        except VaultBrowserError as error:
            return error
        finally:
            await session.aclose()

    error = run(body())
    assert isinstance(error, AuthenticationRequired)
    assert "refresh token has expired" in error.message and "az login" in error.advice


def test_403_on_one_item_among_many(emulator: Any, run: Any) -> None:
    emulator.faults.forbid("/secrets/item-007", code="ForbiddenByRbac")

    async def body(vault: KeyVaultService) -> tuple[Any, ...]:
        page = await vault.secrets.list(page_size=25)
        outcomes = {}
        for name in ("item-006", "item-007", "item-008"):
            try:
                outcomes[name] = await vault.secrets.get(name)
            except VaultBrowserError as error:
                outcomes[name] = error
        return page, outcomes

    page, outcomes = run(on_vault(emulator, body))
    assert len(page.items) == 25
    denied = outcomes["item-007"]
    assert isinstance(denied, AccessDenied) and denied.error_code == "ForbiddenByRbac"
    assert "Key Vault Secrets User" in denied.advice
    assert outcomes["item-006"].value.name == "item-006"
    assert outcomes["item-008"].value.name == "item-008"


# --- Blob Storage through the TCP proxy ---------------------------------------------------------

async def on_storage(proxy: Any, azurite: Any, body: Callable[[Any], Awaitable[Any]]) -> Any:
    session = ServiceSession(network=FAST)
    try:
        return await body(open_storage(session, storage_connection(proxy, azurite)))
    finally:
        await session.aclose()


def list_blobs(proxy: Any, azurite: Any, run: Any) -> tuple[Any, float, list[str]]:
    since = len(proxy.requests)
    started = time.perf_counter()

    async def body(storage: Any) -> Any:
        try:
            return await storage.list_folder(CONTAINER, "dir/", page_size=BLOBS)
        except VaultBrowserError as error:
            return error

    outcome = run(on_storage(proxy, azurite, body))
    return outcome, time.perf_counter() - started, [
        r for r in proxy.requests[since:] if "comp=list" in r]


def test_blob_listing_through_the_proxy_is_intact(proxy: Any, azurite: Any, run: Any) -> None:
    page, _, requests = list_blobs(proxy, azurite, run)
    assert len(page.items) == BLOBS and len(requests) == 1


@pytest.mark.parametrize("action", ["reset", "truncate"])
def test_a_blob_page_broken_mid_body_is_a_network_error(proxy: Any, azurite: Any, run: Any,
                                                        action: str) -> None:
    getattr(proxy, action)("comp=list", times=1, after_body_bytes=500)
    error, _, requests = list_blobs(proxy, azurite, run)
    # The storage SDK does not retry a listing whose body broke: the typed error says so.
    assert isinstance(error, NetworkError) and "connection broke" in error.message
    assert len(requests) == 1
    page, _, _ = list_blobs(proxy, azurite, run)  # the next try (Retry) gets the page
    assert len(page.items) == BLOBS


def test_a_blob_page_that_never_finishes_times_out(proxy: Any, azurite: Any, run: Any) -> None:
    proxy.stall("comp=list", times=None, after_body_bytes=500)
    error, took, _ = list_blobs(proxy, azurite, run)
    assert isinstance(error, NetworkError) and "did not answer in time" in error.message
    assert took < (FAST.retry_read + 1) * FAST.read_timeout + 1.0


def test_a_download_reset_mid_body_leaves_no_file(proxy: Any, azurite: Any, run: Any,
                                                  tmp_path: Path) -> None:
    proxy.reset(f"/{CONTAINER}/{BIG_BLOB}", times=None, after_body_bytes=100_000)

    async def body(storage: Any) -> Any:
        blob = await storage.get_blob_properties(CONTAINER, BIG_BLOB)
        return await download_many(storage, CONTAINER, plan_download([blob.value]), tmp_path)

    report = run(on_storage(proxy, azurite, body))
    assert not report.done and len(report.failed) == 1
    assert isinstance(report.failed[0][1], NetworkError)
    assert list(tmp_path.iterdir()) == []  # neither a partial file nor the temporary one


def test_a_download_reset_once_is_resumed_whole(proxy: Any, azurite: Any, run: Any,
                                               tmp_path: Path) -> None:
    proxy.reset(f"/{CONTAINER}/{BIG_BLOB}", method="GET", times=1, after_body_bytes=100_000)

    async def body(storage: Any) -> Any:
        blob = await storage.get_blob_properties(CONTAINER, BIG_BLOB)
        return await download_many(storage, CONTAINER, plan_download([blob.value]), tmp_path)

    report = run(on_storage(proxy, azurite, body))
    assert report.done and not report.failed
    data = (tmp_path / BIG_BLOB).read_bytes()
    assert len(data) == BIG_SIZE and data[:256] == bytes(range(256))
    assert [p.name for p in tmp_path.iterdir()] == [BIG_BLOB]


# --- Blob Storage statuses (answered by the proxy): the storage SDK's own retry policy ------------

def test_a_passing_blob_503_waits_the_storage_backoff_and_recovers(proxy: Any, azurite: Any,
                                                                    run: Any) -> None:
    settings = replace(FAST, storage_initial_backoff=0.4, storage_jitter=0.0)
    proxy.respond(503, "comp=list", times=1)
    since = len(proxy.requests)
    started = time.perf_counter()

    async def body() -> Any:
        session = ServiceSession(network=settings)
        try:
            storage = open_storage(session, storage_connection(proxy, azurite))
            return await storage.list_folder(CONTAINER, "dir/", page_size=BLOBS)
        finally:
            await session.aclose()

    page = run(body())
    took = time.perf_counter() - started
    assert len(page.items) == BLOBS
    assert len([r for r in proxy.requests[since:] if "comp=list" in r]) == 2
    assert 0.4 <= took < 2.0  # the app's storage backoff (the SDK's default is 15 s)


@pytest.mark.parametrize("status", [500, 503])
def test_a_lasting_blob_5xx_gives_up_with_the_typed_error(proxy: Any, azurite: Any, run: Any,
                                                          status: int) -> None:
    proxy.respond(status, "comp=list", times=None)
    error, took, requests = list_blobs(proxy, azurite, run)
    assert isinstance(error, ServiceUnavailable) and error.status == status
    assert error.error_code in ("ServerBusy", "InternalError") and error.request_id
    assert len(requests) == FAST.retry_total + 1 and took < 2.0


def test_a_blob_429_is_not_retried_by_the_storage_sdk(proxy: Any, azurite: Any,
                                                      run: Any) -> None:
    # Blob Storage throttles with 503 ServerBusy; its SDK neither retries a 429 nor reads
    # Retry-After. The user gets the typed error at once, with the service's wait.
    proxy.respond(429, "comp=list", times=1, retry_after=3)
    error, _, requests = list_blobs(proxy, azurite, run)
    assert isinstance(error, Throttled) and error.retry_after == 3
    assert len(requests) == 1
