"""Issuing a certificate version: the pending operation, its completion, and the backing key
and secret (same name and version, ``managed: true``)."""

from __future__ import annotations

import time
import uuid
from typing import Any

from cryptography import x509

from vaultbrowser.emulators.keyvault.crypto.jwk import PrivateKey, generate
from vaultbrowser.emulators.keyvault.crypto.x509make import csr, secret_value, self_signed
from vaultbrowser.emulators.keyvault.errors import KvError, deleted_conflict
from vaultbrowser.emulators.keyvault.objects import keys as kv_keys
from vaultbrowser.emulators.keyvault.objects import secrets as kv_secrets
from vaultbrowser.emulators.keyvault.store import Attributes, Entry, Store, Version, new_version

IN_PROGRESS_DETAILS = (
    "Pending certificate created. Certificate request is in progress. This may take some time "
    "based on the issuer provider. Please check again later."
)
# An ``Unknown`` issuer means a CA outside the vault: the operation waits for a merge.
MERGE_DETAILS = "Pending certificate created. Please Perform Merge to complete the request."


def _managed_conflicts(store: Store, name: str) -> None:
    """A certificate's name cannot be reused while its key or secret is soft-deleted."""
    if store.keys.get_deleted(name) is not None:
        raise deleted_conflict("key", name)
    if store.secrets.get_deleted(name) is not None:
        raise deleted_conflict("secret", name)


def new_key(policy: dict[str, Any], previous: PrivateKey | None) -> PrivateKey:
    props = policy["key_props"]
    if props.get("reuse_key") and previous is not None:
        return previous
    return generate(props["kty"], props.get("key_size"), props.get("crv"), None)


def store_version(
    store: Store,
    entry: Entry,
    key: PrivateKey,
    chain: list[x509.Certificate],
    policy: dict[str, Any],
    attributes: dict[str, Any] | None,
    tags: dict[str, str] | None,
    version: str | None = None,
) -> Version:
    """Add an issued version to the certificate and its backing key and secret."""
    _managed_conflicts(store, entry.name)
    version = version or new_version()
    leaf = chain[0]
    attrs = Attributes.from_request(attributes)
    attrs.nbf = int(leaf.not_valid_before_utc.timestamp())
    attrs.exp = int(leaf.not_valid_after_utc.timestamp())
    ver = entry.versions.get(version)
    if ver is None:
        ver = Version(version=version, attributes=attrs, tags=tags)
        entry.add(ver)
    else:
        ver.attributes = attrs
        ver.tags = tags if tags is not None else ver.tags
    ver.data.update({"chain": chain, "key": key})
    entry.latest = version
    key_attrs = {"enabled": attrs.enabled, "nbf": attrs.nbf, "exp": attrs.exp}
    kty = policy["key_props"]["kty"]
    ops = ["sign", "verify"] if kty.startswith("EC") else kv_keys.RSA_OPS
    kv_keys.add_key(store, entry.name, key, kty, ops, key_attrs, tags, managed=True,
                    version=version)
    content_type = policy["secret_props"]["contentType"]
    kid = f"/keys/{entry.name}/{version}"
    kv_secrets.set_secret(
        store, entry.name,
        secret_value(key, chain, content_type, bool(policy["key_props"].get("exportable", True))),
        content_type, key_attrs,
        tags, managed=True, kid=kid, version=version,
    )
    return ver


def start_pending(entry: Entry, policy: dict[str, Any], key: PrivateKey, delay: float,
                  attributes: dict[str, Any] | None, tags: dict[str, str] | None) -> None:
    """Record a new pending operation on ``entry``."""
    entry.extra["pending"] = {
        "issuer": policy["issuer"]["name"],
        "csr": csr(key, policy["x509_props"]),
        "key": key,
        "policy": policy,
        "request_id": uuid.uuid4().hex,
        "status": "inProgress",
        "complete_at": time.time() + delay,
        "cancellation_requested": False,
        "attributes": attributes,
        "tags": tags,
        "version": new_version(),
    }


def check_not_in_progress(entry: Entry) -> None:
    """Raises KvError 409 while ``entry`` has an operation in progress: a new version can be
    created or imported only once it is merged, finished, cancelled or deleted."""
    op = entry.extra.get("pending")
    if op and op["status"] == "inProgress":
        raise KvError(409, "Forbidden", "A new key vault certificate can not be created or "
                      "imported while a pending key vault certificate's status is inProgress.")


def check_mergeable(op: dict[str, Any]) -> None:
    """Raises KvError 403 for a merge into an operation that an issuer is still serving
    (only a manual, ``Unknown``-issuer request waits for one)."""
    if op["status"] == "inProgress" and op["issuer"].lower() != "unknown":
        raise KvError(403, "Forbidden", "Merge is forbidden on pending object created with "
                      f"issuer : {op['issuer']} while it is in progress.")


def settle(store: Store, entry: Entry) -> None:
    """Move a pending operation on (called before reading a certificate): a requested
    cancellation takes effect, a due self-signed issuance completes."""
    op = entry.extra.get("pending")
    if not op or op["status"] != "inProgress":
        return
    if op["cancellation_requested"]:
        op["status"] = "cancelled"
        return
    if op["issuer"].lower() != "self" or time.time() < op["complete_at"]:
        return
    cert = self_signed(op["key"], op["policy"]["x509_props"])
    store_version(store, entry, op["key"], [cert], op["policy"], op["attributes"], op["tags"],
                  op["version"])
    op["status"] = "completed"


def render_pending(base: str, entry: Entry) -> dict[str, Any]:
    """The CertificateOperation body."""
    op = entry.extra["pending"]
    out: dict[str, Any] = {
        "id": f"{base}/certificates/{entry.name}/pending",
        "issuer": {"name": op["issuer"]},
        "csr": op["csr"],
        "cancellation_requested": op["cancellation_requested"],
        "status": op["status"],
    }
    if op["status"] == "inProgress":
        manual = op["issuer"].lower() == "unknown"
        out["status_details"] = MERGE_DETAILS if manual else IN_PROGRESS_DETAILS
    elif op["status"] == "completed":
        out["target"] = f"{base}/certificates/{entry.name}"
    elif op["status"] == "cancelled":
        out["status_details"] = "Pending certificate operation was cancelled."
    out["request_id"] = op["request_id"]
    return out
