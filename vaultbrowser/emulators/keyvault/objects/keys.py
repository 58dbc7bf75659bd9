"""Keys: ``/keys`` and ``/deletedkeys`` (create RSA/EC, import, get, update, list, versions,
delete, recover, purge, rotation policy, rotate). Responses carry the public JWK only."""

from __future__ import annotations

import re
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from vaultbrowser.emulators.keyvault import paging
from vaultbrowser.emulators.keyvault.crypto import jwk
from vaultbrowser.emulators.keyvault.errors import (
    KvError,
    bad_parameter,
    deleted_conflict,
    not_found,
)
from vaultbrowser.emulators.keyvault.objects.common import (
    add_common,
    check_name,
    check_purge,
    check_tags,
    deleted_entry,
    deleted_fields,
    json_obj,
    list_deleted_of,
    version_of,
)
from vaultbrowser.emulators.keyvault.objects.keyops import ROUTES as OPERATION_ROUTES
from vaultbrowser.emulators.keyvault.routing import Ctx, Reply, Route
from vaultbrowser.emulators.keyvault.store import (
    Attributes,
    Entry,
    Store,
    Version,
    new_version,
    now,
)

KIND = "key"
RSA_OPS = ["encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey"]
EC_OPS = ["sign", "verify"]
VALID_OPS = frozenset([*RSA_OPS, "import", "export"])
KTYS = frozenset({"RSA", "RSA-HSM", "EC", "EC-HSM"})


def render_key(base: str, entry: Entry, ver: Version) -> dict[str, Any]:
    key: jwk.PrivateKey = ver.data["private"]
    out: dict[str, Any] = {
        "kid": f"{base}/keys/{entry.name}/{ver.version}",
        "kty": ver.data["kty"],
        "key_ops": list(ver.data["key_ops"]),
    }
    out.update(jwk.public_jwk(key))
    return out


def render(base: str, entry: Entry, ver: Version) -> dict[str, Any]:
    """A KeyBundle."""
    out: dict[str, Any] = {"key": render_key(base, entry, ver)}
    add_common(out, ver)
    if ver.data.get("release_policy"):
        out["release_policy"] = ver.data["release_policy"]
    return out


def render_item(base: str, entry: Entry, ver: Version, versioned: bool) -> dict[str, Any]:
    """A KeyItem."""
    out: dict[str, Any] = {
        "kid": f"{base}/keys/{entry.name}" + (f"/{ver.version}" if versioned else "")
    }
    return add_common(out, ver)


def render_deleted(base: str, entry: Entry, item: bool = False) -> dict[str, Any]:
    ver = entry.current()
    body = render_item(base, entry, ver, False) if item else render(base, entry, ver)
    return {**deleted_fields(base, "keys", entry), **body}


def add_key(
    store: Store,
    name: str,
    private: jwk.PrivateKey,
    kty: str | None = None,
    key_ops: list[str] | None = None,
    attributes: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    managed: bool = False,
    version: str | None = None,
) -> tuple[Entry, Version]:
    """Add a key version (creating the key if needed). Used by handlers, certificates, seed.

    Raises:
        KvError: 409 when the name is soft-deleted.
    """
    if store.keys.get_deleted(name) is not None:
        raise deleted_conflict(KIND, name)
    is_rsa = isinstance(private, rsa.RSAPrivateKey)
    kty = kty or ("RSA" if is_rsa else "EC")
    ops = key_ops if key_ops is not None else (RSA_OPS if is_rsa else EC_OPS)
    attrs = Attributes.from_request(attributes)
    attrs.extra["exportable"] = False
    entry = store.keys.get(name)
    if entry is None:
        entry = Entry(name=name)
        store.keys.put(entry)
    ver = Version(
        version=version or new_version(),
        attributes=attrs,
        tags=tags,
        data={"private": private, "kty": kty, "key_ops": list(ops)},
        managed=managed,
    )
    entry.add(ver)
    return entry, ver


def _active(ctx: Ctx, name: str, version: str | None = None) -> Entry:
    entry = ctx.store.keys.get(name)
    if entry is None:
        raise not_found(KIND, name, version)
    return entry


def _ops(value: Any, kty: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(op in VALID_OPS for op in value):
        raise bad_parameter(f"Invalid key operations: {value}.")
    if kty.startswith("EC"):
        # An EC key can only sign and verify; the service names what it refuses.
        refused = [op for op in value if op not in EC_OPS]
        if refused:
            raise bad_parameter(
                "Unsupported key operation(s): " + ", ".join(f'"{op}"' for op in refused)
                + ". Supported values are " + ", ".join(f'"{op}"' for op in EC_OPS) + "."
            )
    return list(value)


def _check_not_managed(entry: Entry | None, name: str) -> None:
    if entry is not None and entry.current().managed:
        raise KvError(403, "Forbidden", f"Key {name} is managed by a certificate.")


async def create_key(ctx: Ctx, name: str) -> Reply:
    check_name(name)
    body = await ctx.json()
    kty = body.get("kty")
    if kty not in KTYS:
        raise bad_parameter(
            f"The specified key type ({kty}) is not supported." if kty else
            "Property 'kty' is required."
        )
    _check_not_managed(ctx.store.keys.get(name), name)
    private = jwk.generate(kty, body.get("key_size"), body.get("crv"), body.get("public_exponent"))
    entry, ver = add_key(
        ctx.store, name, private, kty, _ops(body.get("key_ops"), kty),
        json_obj(body.get("attributes"), "attributes"), check_tags(body.get("tags")),
    )
    if body.get("release_policy"):
        ver.data["release_policy"] = body["release_policy"]
    return Reply(200, render(ctx.base_url, entry, ver))


async def import_key(ctx: Ctx, name: str) -> Reply:
    check_name(name)
    body = await ctx.json()
    key = json_obj(body.get("key"), "key")
    if not key:
        raise bad_parameter("Property 'key' is required.")
    _check_not_managed(ctx.store.keys.get(name), name)
    private = jwk.from_jwk(key)
    kty = str(key.get("kty"))
    if body.get("Hsm") and not kty.endswith("-HSM"):
        kty += "-HSM"
    entry, ver = add_key(
        ctx.store, name, private, kty, _ops(key.get("key_ops"), kty),
        json_obj(body.get("attributes"), "attributes"), check_tags(body.get("tags")),
    )
    return Reply(200, render(ctx.base_url, entry, ver))


async def get_key(ctx: Ctx, name: str, version: str | None = None) -> Reply:
    entry = _active(ctx, name, version)
    return Reply(200, render(ctx.base_url, entry, version_of(entry, version, KIND)))


async def update_key(ctx: Ctx, name: str, version: str | None = None) -> Reply:
    entry = _active(ctx, name, version)
    ver = version_of(entry, version, KIND)
    body = await ctx.json()
    if body.get("key_ops") is not None:
        ver.data["key_ops"] = _ops(body["key_ops"], ver.data["kty"])
    if "tags" in body:
        ver.tags = check_tags(body["tags"])
    if body.get("release_policy"):
        ver.data["release_policy"] = body["release_policy"]
    ver.attributes.apply(json_obj(body.get("attributes"), "attributes"))
    ver.attributes.updated = now()
    return Reply(200, render(ctx.base_url, entry, ver))


async def list_keys(ctx: Ctx) -> Reply:
    col = ctx.store.keys

    def item(key: str) -> dict[str, Any]:
        entry = col.active[key]
        return render_item(ctx.base_url, entry, entry.current(), False)

    return Reply(200, paging.page(col.active_names.keys, ctx.query, ctx.base_url, "/keys", item))


async def list_versions(ctx: Ctx, name: str) -> Reply:
    entry = ctx.store.keys.get(name)
    if entry is None:
        # As for secrets and certificates: an empty listing, not a 404 (Managed HSM once
        # answered 404 here; the service made it agree with Key Vault).
        return Reply(200, {"value": [], "nextLink": None})

    def item(key: str) -> dict[str, Any]:
        return render_item(ctx.base_url, entry, entry.versions[key], True)

    path = f"/keys/{entry.name}/versions"
    return Reply(200, paging.page(entry.sorted_versions, ctx.query, ctx.base_url, path, item))


async def delete_key(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    _check_not_managed(entry, name)
    ctx.store.keys.soft_delete(name)
    return Reply(200, render_deleted(ctx.base_url, entry))


async def list_deleted(ctx: Ctx) -> Reply:
    return list_deleted_of(ctx, ctx.store.keys, "/deletedkeys", render_deleted)


async def get_deleted(ctx: Ctx, name: str) -> Reply:
    return Reply(200, render_deleted(ctx.base_url, deleted_entry(ctx.store.keys, name)))


async def recover_deleted(ctx: Ctx, name: str) -> Reply:
    deleted_entry(ctx.store.keys, name)
    entry = ctx.store.keys.recover(name)
    assert entry is not None
    return Reply(200, render(ctx.base_url, entry, entry.current()))


async def purge_deleted(ctx: Ctx, name: str) -> Reply:
    check_purge(ctx.store.keys, name, ctx.request.host)
    ctx.store.keys.purge(name)
    return Reply(204)


def _default_policy(base: str, entry: Entry) -> dict[str, Any]:
    return {
        "id": f"{base}/keys/{entry.name}/rotationpolicy",
        "lifetimeActions": [
            {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}
        ],
        "attributes": {},
    }


async def get_rotation_policy(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    policy = entry.extra.get("rotation_policy")
    return Reply(200, policy or _default_policy(ctx.base_url, entry))


async def put_rotation_policy(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    body = await ctx.json()
    actions = body.get("lifetimeActions", [])
    if not isinstance(actions, list):
        raise bad_parameter("Property 'lifetimeActions' must be an array.")
    old = entry.extra.get("rotation_policy") or {}
    created = old.get("attributes", {}).get("created", now())
    attributes: dict[str, Any] = {}
    expiry = (body.get("attributes") or {}).get("expiryTime")
    if expiry:
        attributes["expiryTime"] = expiry
    attributes.update({"created": created, "updated": now()})
    policy = {
        "id": f"{ctx.base_url}/keys/{entry.name}/rotationpolicy",
        "lifetimeActions": actions,
        "attributes": attributes,
    }
    entry.extra["rotation_policy"] = policy
    return Reply(200, policy)


async def rotate_key(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    _check_not_managed(entry, name)
    cur = entry.current()
    old: jwk.PrivateKey = cur.data["private"]
    if isinstance(old, rsa.RSAPrivateKey):
        private: jwk.PrivateKey = jwk.generate(cur.data["kty"], old.key_size, None, None)
    else:
        private = jwk.generate(cur.data["kty"], None, jwk.curve_name(old), None)
    # The policy's expiryTime (an ISO 8601 duration) dates the new version, as the service does.
    policy = entry.extra.get("rotation_policy") or {}
    lifetime = _duration_seconds(policy.get("attributes", {}).get("expiryTime"))
    attributes = {"exp": now() + lifetime} if lifetime else None
    _, ver = add_key(ctx.store, entry.name, private, cur.data["kty"], cur.data["key_ops"],
                     attributes=attributes, tags=cur.tags)
    return Reply(200, render(ctx.base_url, entry, ver))


_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def _duration_seconds(text: Any) -> int:
    """Seconds of a rotation policy's date-only ISO 8601 duration ("P90D", "P1Y2M"); 0 when
    absent or not one (the PUT keeps what it was given, as the service echoes it)."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if match is None or text == "P":
        return 0
    years, months, weeks, days = (int(part or 0) for part in match.groups())
    return ((years * 365 + months * 30 + weeks * 7 + days) * 86_400)


ROUTES: list[Route] = [
    ("GET", "/keys", list_keys),
    ("GET", "/keys/{name}/versions", list_versions),
    ("POST", "/keys/{name}/create", create_key),
    ("POST", "/keys/{name}/rotate", rotate_key),
    ("GET", "/keys/{name}/rotationpolicy", get_rotation_policy),
    ("PUT", "/keys/{name}/rotationpolicy", put_rotation_policy),
    ("PUT", "/keys/{name}", import_key),
    ("GET", "/keys/{name}", get_key),
    ("PATCH", "/keys/{name}", update_key),
    ("DELETE", "/keys/{name}", delete_key),
    ("GET", "/keys/{name}/{version}", get_key),
    ("PATCH", "/keys/{name}/{version}", update_key),
    ("GET", "/deletedkeys", list_deleted),
    ("GET", "/deletedkeys/{name}", get_deleted),
    ("DELETE", "/deletedkeys/{name}", purge_deleted),
    ("POST", "/deletedkeys/{name}/recover", recover_deleted),
    *OPERATION_ROUTES,  # encrypt, decrypt, wrapkey, unwrapkey, sign, verify (keyops.py)
]
