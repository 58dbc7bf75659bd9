"""Tokens: kept in memory unless the user opts in to azure-identity's encrypted persistent
cache; with it off, a real sign-in writes nothing credential-like under HOME."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from azure.identity import TokenCachePersistenceOptions

from tests.security.support import files_under, find_leaks, loopback_only
from vaultbrowser.app import build_parser
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.core.services.signin import credentials
from vaultbrowser.emulators.keyvault import LOCAL_TOKEN
from vaultbrowser.keyvault.services.opener import open_vault

CACHING_METHODS = (AuthMethod.SERVICE_PRINCIPAL_SECRET, AuthMethod.SERVICE_PRINCIPAL_CERTIFICATE,
                   AuthMethod.INTERACTIVE_BROWSER, AuthMethod.DEVICE_CODE)


class Recorder:
    """Stands in for an azure-identity credential class: records its keyword arguments."""

    calls: ClassVar[list[dict[str, Any]]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        Recorder.calls.append(kwargs)

    async def close(self) -> None:
        pass

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise AssertionError("no sign-in in this test")


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    from azure import identity
    from azure.identity import aio

    Recorder.calls = []
    for name in ("ClientSecretCredential", "CertificateCredential"):
        monkeypatch.setattr(aio, name, Recorder)
    for name in ("InteractiveBrowserCredential", "DeviceCodeCredential"):
        monkeypatch.setattr(identity, name, Recorder)
    return Recorder.calls


def connection(auth: AuthMethod) -> Connection:
    return Connection("keyvault", "https://contoso.vault.azure.net", auth,
                      tenant_id="tenant", client_id="client", certificate_path="/nonexistent.pem",
                      secret=SecretValue("pw"))


def test_off_by_default_in_the_session_and_the_command_line() -> None:
    assert ServiceSession().persistent_token_cache is False
    assert build_parser().parse_args([]).persistent_token_cache is False
    assert build_parser().parse_args(["--persistent-token-cache"]).persistent_token_cache


@pytest.mark.parametrize("auth", CACHING_METHODS)
def test_no_persistent_cache_unless_asked(auth: AuthMethod,
                                          recorded: list[dict[str, Any]]) -> None:
    session = ServiceSession()
    session.token_credential(connection(auth))
    assert recorded and "cache_persistence_options" not in recorded[-1]


@pytest.mark.parametrize("auth", CACHING_METHODS)
def test_opted_in_cache_is_azure_identity_s_encrypted_one(
        auth: AuthMethod, recorded: list[dict[str, Any]]) -> None:
    session = ServiceSession(persistent_token_cache=True)
    session.token_credential(connection(auth))
    options = recorded[-1]["cache_persistence_options"]
    assert isinstance(options, TokenCachePersistenceOptions)
    assert options.name == credentials.TOKEN_CACHE_NAME
    assert options.allow_unencrypted_storage is False


def test_real_credential_accepts_the_cache_options() -> None:
    # Constructing does not touch the cache; the options are the library's own.
    credential = credentials.build_token_credential(
        connection(AuthMethod.SERVICE_PRINCIPAL_SECRET), persistent_cache=True)
    assert type(credential).__module__.startswith("azure.identity")


def test_a_real_sign_in_with_the_cache_off_writes_nothing_credential_like(
        run: Any, kv_emulator: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Managed identity against the emulator's loopback endpoint: a real token is fetched and
    used, and nothing in HOME (msal caches, ~/.IdentityService, ~/.azure…) holds it."""
    home = tmp_path / "home"
    home.mkdir()
    for name, sub in (("HOME", ""), ("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", "data"),
                      ("XDG_CACHE_HOME", ".cache"), ("LOCALAPPDATA", "local"),
                      ("VAULTBROWSER_DATA_DIR", "vb")):
        monkeypatch.setenv(name, str(home / sub))
    for var in ("MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT",
                "AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET",
                "AZURE_FEDERATED_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("IDENTITY_ENDPOINT", kv_emulator.identity_endpoint)
    monkeypatch.setenv("IDENTITY_HEADER", kv_emulator.identity_header)

    async def body() -> None:
        session = ServiceSession()
        try:
            vault = open_vault(session, Connection(
                "keyvault", kv_emulator.url, AuthMethod.MANAGED_IDENTITY,
                ca_path=str(kv_emulator.ca_path)))
            page = await vault.secrets.list()
            assert page.response is not None and page.response.status == 200
            assert any(record.authorized for record in session.journal.records())
        finally:
            await session.aclose()

    with loopback_only(monkeypatch) as outside:
        run(body())
    assert outside == []
    written = files_under(home)
    assert find_leaks({"token": LOCAL_TOKEN, "identity header": kv_emulator.identity_header},
                      files=written) == []
    assert not any("cache" in path.name.lower() or "msal" in path.name.lower()
                   for path in written), written
