"""Backup and restore of secrets, keys and certificates.

A backup blob is URL-safe base64 of a JSON document holding every version (key material as
PEM). It is opaque to clients, like the service's, and only this emulator can restore it. A
certificate's blob also carries its backing key and secret, which are restored with it.

The blob names the vault's subscription and geography (``KeyVaultEmulator(subscription_id=,
geography=)``): the service restores a backup only into a vault of the same subscription and
geography, and answers any other with 400 BadParameter "Cannot decrypt backup blob." (the
words the service and its users report; the status and code are the service's usual ones for a
bad blob).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from vaultbrowser.emulators.keyvault.crypto import jwk
from vaultbrowser.emulators.keyvault.errors import (
    KvError,
    bad_parameter,
    deleted_conflict,
    not_found,
)
from vaultbrowser.emulators.keyvault.objects import certificates, keys
from vaultbrowser.emulators.keyvault.objects import secrets as kv_secrets
from vaultbrowser.emulators.keyvault.routing import Ctx, Reply, Route
from vaultbrowser.emulators.keyvault.store import Attributes, Collection, Entry, Version

_MAGIC = "vaultbrowser-emulator-backup-v1"
_COLLECTIONS = {"secrets": "secret", "keys": "key", "certificates": "certificate"}


def _data_out(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, value in data.items():
        if field in ("private", "key"):
            out[field] = {"pem": jwk.to_pem(value)}
        elif field == "chain":
            out[field] = [c.public_bytes(serialization.Encoding.PEM).decode() for c in value]
        else:
            out[field] = value
    return out


def _data_in(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, value in data.items():
        if field in ("private", "key"):
            out[field] = jwk.from_pem(value["pem"])
        elif field == "chain":
            out[field] = [x509.load_pem_x509_certificate(c.encode()) for c in value]
        else:
            out[field] = value
    return out


def dump_entry(entry: Entry) -> dict[str, Any]:
    """JSON-ready form of an entry (pending operations are not backed up)."""
    return {
        "name": entry.name,
        "extra": {k: v for k, v in entry.extra.items() if k != "pending"},
        "latest": entry.latest,
        "versions": [
            {
                "version": v.version,
                "attributes": {"enabled": v.attributes.enabled, "nbf": v.attributes.nbf,
                               "exp": v.attributes.exp, "created": v.attributes.created,
                               "updated": v.attributes.updated, "extra": v.attributes.extra},
                "tags": v.tags,
                "data": _data_out(v.data),
                "managed": v.managed,
            }
            for v in (entry.versions[k] for k in entry.versions)
        ],
    }


def load_entry(doc: dict[str, Any]) -> Entry:
    """The inverse of :func:`dump_entry`."""
    entry = Entry(name=doc["name"], extra=dict(doc.get("extra") or {}))
    for v in doc["versions"]:
        attrs = v["attributes"]
        entry.add(Version(
            version=v["version"],
            attributes=Attributes(enabled=attrs["enabled"], nbf=attrs["nbf"], exp=attrs["exp"],
                                  created=attrs["created"], updated=attrs["updated"],
                                  extra=attrs.get("extra") or {}),
            tags=v.get("tags"),
            data=_data_in(v["data"]),
            managed=v.get("managed", False),
        ))
    entry.latest = doc.get("latest") or entry.latest
    return entry


def _placement(ctx: Ctx) -> dict[str, Any]:
    """Where the vault is: a blob restores only where these are the same."""
    return {"subscription": ctx.options.get("subscription_id"),
            "geography": ctx.options.get("geography")}


def _collection(ctx: Ctx, plural: str) -> Collection:
    return getattr(ctx.store, plural)


async def backup(ctx: Ctx, collection: str, name: str) -> Reply:
    col = _collection(ctx, collection)
    entry = col.get(name)
    if entry is None:
        raise not_found(_COLLECTIONS[collection], name)
    doc: dict[str, Any] = {"magic": _MAGIC, "collection": collection, "entry": dump_entry(entry),
                           **_placement(ctx)}
    if collection == "certificates":
        backing = {"keys": ctx.store.keys.get(name), "secrets": ctx.store.secrets.get(name)}
        doc["backing"] = {k: dump_entry(e) for k, e in backing.items() if e is not None}
    blob = base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    return Reply(200, {"value": blob})


async def restore(ctx: Ctx, collection: str) -> Reply:
    body = await ctx.json()
    try:
        raw = str(body["value"])
        doc = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        if doc.get("magic") != _MAGIC or doc.get("collection") != collection:
            raise ValueError("not a backup of this collection")
        entry = load_entry(doc["entry"])
        backing = {k: load_entry(v) for k, v in (doc.get("backing") or {}).items()}
    except (KeyError, ValueError, TypeError, binascii.Error) as exc:
        raise bad_parameter("Backup blob contains invalid or corrupt version.") from exc
    if any(doc.get(field, mine) != mine for field, mine in _placement(ctx).items()):
        raise bad_parameter("Cannot decrypt backup blob.")
    kind = _COLLECTIONS[collection]
    targets = [(collection, entry), *backing.items()]
    for plural, item in targets:
        col = _collection(ctx, plural)
        if col.get_deleted(item.name) is not None:
            raise deleted_conflict(_COLLECTIONS[plural], item.name)
        if col.get(item.name) is not None:
            raise KvError(409, "Conflict", f"{kind.capitalize()} {item.name} already exists.")
    for plural, item in targets:
        _collection(ctx, plural).put(item)
    ver = entry.current()
    if collection == "secrets":
        return Reply(200, kv_secrets.render(ctx.base_url, entry, ver, with_value=False))
    if collection == "keys":
        return Reply(200, keys.render(ctx.base_url, entry, ver))
    return Reply(200, certificates.render(ctx.base_url, entry, ver))


def _routes() -> list[Route]:
    routes: list[Route] = []
    for plural in _COLLECTIONS:

        async def do_backup(ctx: Ctx, name: str, _plural: str = plural) -> Reply:
            return await backup(ctx, _plural, name)

        async def do_restore(ctx: Ctx, _plural: str = plural) -> Reply:
            return await restore(ctx, _plural)

        routes += [("POST", f"/{plural}/restore", do_restore),
                   ("POST", f"/{plural}/{{name}}/backup", do_backup)]
    return routes


ROUTES: list[Route] = _routes()
