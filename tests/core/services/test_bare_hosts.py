"""A host typed without https:// ("myvault.vault.azure.net"): taken as https for an Azure
cloud's host of each kind (and, where the kind is known, loopback with a port), never for any
other host; in the kinds' URL rules, the address bar and the connection dialog."""

from __future__ import annotations

from typing import Any

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.blob.services.connections import normalize_blob_endpoint
from vaultbrowser.core.services.connections import with_assumed_https
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import parse_address
from vaultbrowser.core.services.signin.clouds import is_cloud_host
from vaultbrowser.core.ui.connection_dialog import ConnectionDialog
from vaultbrowser.cosmos.services.addresses import normalize_cosmos_url
from vaultbrowser.keyvault.services.connections import normalize_vault_url

# kind, typed, the connection's URL
BARE_AZURE_HOSTS = [
    ("keyvault", "myvault.vault.azure.net", "https://myvault.vault.azure.net"),
    ("keyvault", "MyVault.vault.azure.cn", "https://myvault.vault.azure.cn"),
    ("blob", "acct.blob.core.windows.net", "https://acct.blob.core.windows.net"),
    ("blob", "acct.blob.core.usgovcloudapi.net", "https://acct.blob.core.usgovcloudapi.net"),
    ("cosmos", "myacct.documents.azure.com", "https://myacct.documents.azure.com/"),
    ("cosmos", "myacct.documents.azure.cn:443", "https://myacct.documents.azure.cn/"),
]
NOT_AZURE = ["example.com", "vault.azure.net.evil.com", "evil.com/x.vault.azure.net",
             "user@myvault.vault.azure.net", "my_vault.vault.azure.net", "localhost"]


def test_the_kinds_url_rules_take_their_public_host_as_https() -> None:
    assert normalize_vault_url("myvault.vault.azure.net") == "https://myvault.vault.azure.net"
    assert normalize_blob_endpoint("acct.blob.core.windows.net") == (
        "https://acct.blob.core.windows.net")
    assert normalize_cosmos_url("myacct.documents.azure.com") == (
        "https://myacct.documents.azure.com/")
    assert normalize_cosmos_url("myacct.documents.azure.us") == (
        "https://myacct.documents.azure.us/")  # Cosmos DB names its clouds' suffixes
    # loopback with a port: the kind is known here, so https://
    assert normalize_vault_url("localhost:8443") == "https://localhost:8443"
    assert normalize_cosmos_url("127.0.0.1:8081") == "https://127.0.0.1:8081/"


@pytest.mark.parametrize(("kind", "typed", "url"), BARE_AZURE_HOSTS)
def test_the_address_bar_reads_a_bare_azure_host(kind: str, typed: str, url: str) -> None:
    address = parse_address(KINDS, typed)
    assert address.connection is not None
    assert (address.kind, address.connection.url) == (kind, url)


@pytest.mark.parametrize("typed", [*NOT_AZURE, "localhost:8081", "127.0.0.1:10000"])
def test_the_address_bar_guesses_no_other_host(typed: str) -> None:
    # a bare loopback host could be any kind's local server: the address bar does not guess
    with pytest.raises(InvalidInput):
        parse_address(KINDS, typed)


@pytest.mark.parametrize("typed", NOT_AZURE)
def test_only_cloud_hosts_and_loopback_with_a_port_get_https(typed: str) -> None:
    assert with_assumed_https(typed, is_cloud_host) == typed
    assert with_assumed_https("[::1]:8081/x", is_cloud_host) == "https://[::1]:8081/x"
    assert with_assumed_https("[::1]:8081", is_cloud_host, loopback=False) == "[::1]:8081"
    assert with_assumed_https("http://myvault.vault.azure.net", is_cloud_host) == (
        "http://myvault.vault.azure.net")  # a scheme typed is the user's (and refused there)


@pytest.mark.parametrize(("kind", "typed", "url"), BARE_AZURE_HOSTS)
def test_the_connection_dialog_takes_a_bare_azure_host(qtbot: Any, kind: str, typed: str,
                                                       url: str) -> None:
    dialog = ConnectionDialog(kinds=KINDS, kind=kind)
    qtbot.addWidget(dialog)
    dialog.url_edit.clear()  # a kind may start from a preset
    qtbot.keyClicks(dialog.url_edit, typed)
    assert dialog.is_valid, dialog.message
    assert dialog.connection().url == url


@pytest.mark.parametrize("typed", ["example.com", "vault.azure.net.evil.com",
                                   "acct.blob.core.windows.net"])
def test_the_connection_dialog_refuses_another_host(qtbot: Any, typed: str) -> None:
    dialog = ConnectionDialog(kinds=KINDS, kind="keyvault")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.url_edit, typed)
    assert not dialog.is_valid
    assert "not an Azure address" in dialog.message or "not a Key Vault address" in dialog.message
