"""TLS: verification is never off; Azure endpoints use the OS trust store, a private CA is for a
loopback emulator only and is the only root that connection trusts."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
import truststore

from tests.security.support import loopback_only
from vaultbrowser.blob.services.opener import open_storage
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, NetworkError
from vaultbrowser.core.services.http import transport as http
from vaultbrowser.core.services.http.transport import tls_context_of
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.opener import open_vault

REPO = Path(__file__).resolve().parents[2]


def emulator_connection(emulator: Any, *, ca: bool = True) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="tls-vault", ca_path=str(emulator.ca_path) if ca else None)


def assert_verifies(context: ssl.SSLContext | None) -> ssl.SSLContext:
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    return context


def test_azure_endpoints_verify_with_the_os_trust_store(run: Any) -> None:
    async def body() -> None:
        session = ServiceSession()
        try:
            vault = open_vault(session, Connection(
                "keyvault", "https://contoso.vault.azure.net", AuthMethod.AZURE_CLI))
            storage = open_storage(session, Connection(
                "blob", "https://contoso.blob.core.windows.net", AuthMethod.AZURE_CLI))
            for transport in (vault.clients._options["transport"],
                              storage._client._config.transport):
                context = assert_verifies(tls_context_of(transport))
                assert isinstance(context, truststore.SSLContext)
        finally:
            await session.aclose()

    run(body())


def test_a_private_ca_is_the_only_root_of_its_loopback_connection(run: Any,
                                                                  kv_emulator: Any) -> None:
    async def body() -> None:
        session = ServiceSession()
        try:
            vault = open_vault(session, emulator_connection(kv_emulator))
            context = assert_verifies(tls_context_of(vault.clients._options["transport"]))
            assert not isinstance(context, truststore.SSLContext)
            roots = context.get_ca_certs()
            expected = ssl._ssl._test_decode_cert(str(kv_emulator.ca_path))  # type: ignore[attr-defined]
            assert [root["subject"] for root in roots] == [expected["subject"]]
            # And it works: the emulator's certificate chains to that CA.
            page = await vault.secrets.list()
            assert page.response is not None and page.response.status == 200
        finally:
            await session.aclose()

    run(body())


def test_a_private_ca_is_refused_for_a_non_loopback_host(kv_emulator: Any) -> None:
    session = ServiceSession()
    for url in ("https://contoso.vault.azure.net", "https://10.1.2.3"):
        connection = Connection("keyvault", url, AuthMethod.AZURE_CLI,
                                ca_path=str(kv_emulator.ca_path))
        with pytest.raises(InvalidInput, match="only allowed for loopback"):
            open_vault(session, connection)
    blob = Connection("blob", "https://contoso.blob.core.windows.net",
                      AuthMethod.AZURE_CLI, ca_path=str(kv_emulator.ca_path))
    with pytest.raises(InvalidInput, match="only allowed for loopback"):
        open_storage(session, blob)


def test_a_certificate_the_trust_store_does_not_know_is_refused_even_if_a_call_says_not_to_verify(
        run: Any, kv_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulator without its CA: the OS trust store does not know it, so the request fails
    with the typed TLS error; ``connection_verify=False`` on the call changes nothing."""
    async def body() -> None:
        session = ServiceSession()
        try:
            vault = open_vault(session, emulator_connection(kv_emulator, ca=False))
            with pytest.raises(NetworkError, match="certificate is not trusted"):
                await vault.secrets.list()
            client = vault.clients.secret_client
            with pytest.raises(Exception) as info:
                await client.get_secret("anything", connection_verify=False)
            assert "certificate verify failed" in repr(info.value) + repr(
                getattr(info.value, "inner_exception", None))
        finally:
            await session.aclose()

    with loopback_only(monkeypatch):
        run(body())


def test_a_context_that_does_not_verify_is_refused() -> None:
    lax = ssl.create_default_context()
    lax.check_hostname = False
    lax.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError, match="may not be turned off"):
        http._context_transport(lax)
    with pytest.raises(InvalidInput, match="cannot be used"):
        http.private_ca_transport(str(REPO / "pyproject.toml"))


def test_no_code_turns_verification_off() -> None:
    """A reviewable rule: no source line disables certificate checks."""
    forbidden = ("CERT_NONE", "verify=False", "check_hostname = False",
                 "check_hostname=False", "ssl=False", "_create_unverified_context")
    offenders = []
    for path in sorted((REPO / "vaultbrowser").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if any(word in line for word in forbidden):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


@pytest.mark.parametrize("auth", [AuthMethod.SERVICE_PRINCIPAL_SECRET,
                                  AuthMethod.SERVICE_PRINCIPAL_CERTIFICATE])
def test_service_principal_sign_in_verifies_with_the_os_trust_store(
        auth: AuthMethod, monkeypatch: pytest.MonkeyPatch) -> None:
    """Token requests (to login.microsoftonline.com) go through the same kind of transport as
    the data requests, with the session's timeouts and retries."""
    from azure.identity import aio

    from vaultbrowser.core.services.config import NetworkSettings
    from vaultbrowser.core.services.records import SecretValue

    seen: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.append(kwargs)

    monkeypatch.setattr(aio, "ClientSecretCredential", Recorder)
    monkeypatch.setattr(aio, "CertificateCredential", Recorder)
    network = NetworkSettings(retry_total=1, connection_timeout=3.0, read_timeout=7.0)
    session = ServiceSession(network=network)
    session.token_credential(Connection(
        "keyvault", "https://contoso.vault.azure.net", auth, tenant_id="t",
        client_id="c", certificate_path="/nonexistent.pem", secret=SecretValue("s")))
    options = seen[-1]
    transport = options["transport"]
    context = assert_verifies(tls_context_of(transport))
    assert isinstance(context, truststore.SSLContext)
    assert options["retry_total"] == 1
    assert transport.connection_config.timeout == 3.0
    assert transport.connection_config.read_timeout == 7.0


@pytest.mark.parametrize("auth", [AuthMethod.INTERACTIVE_BROWSER, AuthMethod.DEVICE_CODE])
def test_interactive_sign_in_verifies_with_the_os_trust_store(
        auth: AuthMethod, monkeypatch: pytest.MonkeyPatch) -> None:
    import azure.identity
    from azure.core.pipeline.transport import RequestsTransport

    seen: list[dict[str, Any]] = []

    class Recorder:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            seen.append(kwargs)

    monkeypatch.setattr(azure.identity, "InteractiveBrowserCredential", Recorder)
    monkeypatch.setattr(azure.identity, "DeviceCodeCredential", Recorder)
    ServiceSession().token_credential(Connection(
        "keyvault", "https://contoso.vault.azure.net", auth, tenant_id="t"))
    transport = seen[-1]["transport"]
    assert isinstance(transport, RequestsTransport)
    assert isinstance(assert_verifies(tls_context_of(transport)), truststore.SSLContext)


def _sync_get(transport: Any, url: str, **kwargs: Any) -> Any:
    from azure.core.rest import HttpRequest

    with transport:
        return transport.send(HttpRequest("GET", url), **kwargs)


def test_the_sync_transport_verifies_with_its_context_only(
        kv_emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Against the emulator (its CA is in no trust store): refused, even with verify=False;
    accepted once the transport's context trusts that CA (so the context, not certifi or a
    flag, decides)."""
    from azure.core.exceptions import ServiceRequestError

    url = f"{kv_emulator.url}/secrets?api-version=7.5"
    with loopback_only(monkeypatch):
        for kwargs in ({}, {"connection_verify": False}):
            with pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
                _sync_get(http.os_trust_sync_transport(), url, **kwargs)
        monkeypatch.setattr(http, "os_trust_context", lambda: ssl.create_default_context(
            cafile=str(kv_emulator.ca_path)))
        response = _sync_get(http.os_trust_sync_transport(), url, connection_verify=False)
    assert response.status_code == 401  # the bearer challenge: TLS was accepted
