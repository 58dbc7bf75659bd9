"""Seeding the store from a JSON document (see the package docstring for the format)."""

from __future__ import annotations

from typing import Any

from vaultbrowser.emulators.keyvault.crypto import jwk
from vaultbrowser.emulators.keyvault.crypto.x509make import self_signed
from vaultbrowser.emulators.keyvault.errors import bad_parameter
from vaultbrowser.emulators.keyvault.objects import certissue, certpolicy
from vaultbrowser.emulators.keyvault.objects import keys as kv_keys
from vaultbrowser.emulators.keyvault.objects import secrets as kv_secrets
from vaultbrowser.emulators.keyvault.objects.common import check_name
from vaultbrowser.emulators.keyvault.store import Entry, Store


def _versions(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """A spec's versions, oldest first; the spec itself is the single version otherwise."""
    versions = spec.get("versions")
    if not versions:
        return [spec]
    return [{**{k: v for k, v in spec.items() if k != "versions"}, **v} for v in versions]


def _seed_secret(store: Store, spec: dict[str, Any]) -> None:
    name = spec["name"]
    check_name(name)
    for v in _versions(spec):
        kv_secrets.set_secret(
            store, name, str(v.get("value", "")), v.get("contentType"), v.get("attributes"),
            v.get("tags"), version=v.get("version"),
        )
    _timestamps(store.secrets.get(name), spec)
    if spec.get("deleted"):
        store.secrets.soft_delete(name)


def _seed_key(store: Store, spec: dict[str, Any]) -> None:
    name = spec["name"]
    check_name(name)
    for v in _versions(spec):
        kty = v.get("kty", "RSA")
        private = jwk.generate(kty, v.get("key_size"), v.get("crv"), None)
        kv_keys.add_key(store, name, private, kty, v.get("key_ops"), v.get("attributes"),
                        v.get("tags"), version=v.get("version"))
    _timestamps(store.keys.get(name), spec)
    if spec.get("deleted"):
        store.keys.soft_delete(name)


def _seed_certificate(store: Store, spec: dict[str, Any]) -> None:
    name = spec["name"]
    check_name(name)
    entry = Entry(name=name)
    store.certificates.put(entry)
    for v in _versions(spec):
        policy_in = v.get("policy") or {
            "key_props": {k: v[k] for k in ("kty", "key_size", "crv") if k in v},
            "secret_props": {"contentType": v.get("content_type", "application/x-pkcs12")},
            "x509_props": {
                "subject": v.get("subject", f"CN={name}"),
                "sans": {"dns_names": v.get("dns_names", [])},
                "validity_months": v.get("validity_months", 12),
            },
            "issuer": {"name": "Self"},
        }
        policy = certpolicy.fill(policy_in)
        key = certissue.new_key(policy, None)
        cert = self_signed(key, policy["x509_props"])
        entry.extra["policy"] = policy
        certissue.store_version(store, entry, key, [cert], policy, v.get("attributes"),
                                v.get("tags"), v.get("version"))
    if spec.get("deleted"):
        store.certificates.soft_delete(name)
        store.keys.soft_delete(name)
        store.secrets.soft_delete(name)


def _timestamps(entry: Entry | None, spec: dict[str, Any]) -> None:
    """Let a seed pin ``created``/``updated`` (useful for audit fixtures)."""
    if entry is None:
        return
    attrs = spec.get("attributes") or {}
    for ver in entry.versions.values():
        for field in ("created", "updated"):
            if field in attrs:
                setattr(ver.attributes, field, int(attrs[field]))


def apply_seed(store: Store, data: dict[str, Any]) -> None:
    """Load secrets, keys and certificates from a seed document.

    Raises:
        KvError: 400 BadParameter (or a 409 conflict) for an invalid document.
    """
    if not isinstance(data, dict):
        raise bad_parameter("A seed document must be a JSON object.")
    secrets = data.get("secrets") or []
    if isinstance(secrets, dict):
        secrets = [{"name": k, "value": v} for k, v in secrets.items()]
    for spec in secrets:
        _seed_secret(store, spec)
    for spec in data.get("keys") or []:
        _seed_key(store, spec)
    for spec in data.get("certificates") or []:
        _seed_certificate(store, spec)
