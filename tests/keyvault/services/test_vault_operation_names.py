"""Key Vault names its own requests in the audit trail ("list secrets", "rotate key"), by the
vault's collections; a path of no collection gets no name (the trail's generic one)."""

from __future__ import annotations

import pytest

from vaultbrowser.keyvault.services.operation_names import vault_operation_name

VAULT = "https://v.vault.azure.net"


@pytest.mark.parametrize(("method", "url", "operation"), [
    ("GET", f"{VAULT}/secrets?api-version=7.6", "list secrets"),
    ("GET", f"{VAULT}/secrets/db/versions?maxresults=25", "list secret versions"),
    ("GET", f"{VAULT}/secrets/db/", "get secret"),
    ("PUT", f"{VAULT}/secrets/db", "set secret"),
    ("GET", f"{VAULT}/certificates/web/abc", "get certificate"),
    ("POST", f"{VAULT}/keys/k/rotate", "rotate key"),
    ("GET", f"{VAULT}/keys/k/rotationpolicy", "key rotationpolicy"),
    ("POST", f"{VAULT}/secrets/restore", "restore secret"),
    ("GET", f"{VAULT}/deletedsecrets", "list deleted secrets"),
    ("DELETE", f"{VAULT}/deletedkeys/k", "delete deleted key"),
    ("GET", "https://127.0.0.1:8443/secrets/a%20b", "get secret"),  # the emulator's
])
def test_vault_requests_are_named(method: str, url: str, operation: str) -> None:
    assert vault_operation_name(method, url, {}) == operation


def test_a_path_of_no_collection_has_no_vault_name() -> None:
    assert vault_operation_name("GET", f"{VAULT}/", {}) is None
    assert vault_operation_name("GET", f"{VAULT}/dbs/x", {}) is None
