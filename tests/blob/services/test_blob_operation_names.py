"""Blob Storage names its own requests in the audit trail ("list blobs", "set blob tier"), by
their comp and restype and their method, whatever the account's or container's names."""

from __future__ import annotations

import pytest

from vaultbrowser.blob.services.operation_names import blob_operation_name

BLOB = "https://a.blob.core.windows.net/c/x.txt"


@pytest.mark.parametrize(("method", "url", "operation"), [
    ("GET", "http://127.0.0.1:1/devstoreaccount1/?comp=list", "list containers"),
    ("GET", "https://a.blob.core.windows.net/c?restype=container&comp=list&prefix=x/",
     "list blobs"),
    ("HEAD", BLOB, "get blob properties"),
    ("GET", BLOB, "download blob"),
    ("PUT", BLOB, "set blob"),
    ("GET", f"{BLOB}?comp=tags", "get blob tags"),
    ("PUT", f"{BLOB}?comp=metadata", "set blob metadata"),
    ("PUT", "https://a.blob.core.windows.net/c?restype=container", "set container"),
    ("POST", "https://a.blob.core.windows.net/?comp=batch", "blob batch"),
    # a container called like another service's collection is still a container
    ("GET", "https://a.blob.core.windows.net/secrets/x", "download blob"),
    ("GET", "https://a.blob.core.windows.net/tenants?restype=container&comp=list",
     "list blobs"),
])
def test_blob_requests_are_named(method: str, url: str, operation: str) -> None:
    assert blob_operation_name(method, url, {}) == operation
