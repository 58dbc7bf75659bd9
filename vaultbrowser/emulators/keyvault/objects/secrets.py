"""Secrets: ``/secrets`` and ``/deletedsecrets`` (set, get, update, list, versions, delete,
recover, purge, backup, restore)."""

from __future__ import annotations

from typing import Any

from vaultbrowser.emulators.keyvault import paging
from vaultbrowser.emulators.keyvault.errors import (
    KvError,
    bad_parameter,
    deleted_conflict,
    not_found,
)
from vaultbrowser.emulators.keyvault.objects import secretformat
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
from vaultbrowser.emulators.keyvault.routing import Ctx, Reply, Route
from vaultbrowser.emulators.keyvault.store import (
    Attributes,
    Entry,
    Store,
    Version,
    new_version,
    now,
)

KIND = "secret"


def render(base: str, entry: Entry, ver: Version, with_value: bool = True) -> dict[str, Any]:
    """A SecretBundle (``with_value=False`` for PATCH, delete and recover answers)."""
    out: dict[str, Any] = {}
    if with_value:
        out["value"] = ver.data.get("value", "")
    if ver.data.get("contentType") is not None:
        out["contentType"] = ver.data["contentType"]
    out["id"] = f"{base}/secrets/{entry.name}/{ver.version}"
    add_common(out, ver)
    kid = ver.data.get("kid")
    if kid:
        out["kid"] = base + kid if kid.startswith("/") else kid
    return out


def render_item(base: str, entry: Entry, ver: Version, versioned: bool) -> dict[str, Any]:
    """A SecretItem: no value; ``id`` without version in the main listing."""
    out: dict[str, Any] = {
        "id": f"{base}/secrets/{entry.name}" + (f"/{ver.version}" if versioned else "")
    }
    add_common(out, ver)
    if ver.data.get("contentType") is not None:
        out["contentType"] = ver.data["contentType"]
    return out


def render_deleted(base: str, entry: Entry, item: bool = False) -> dict[str, Any]:
    """A DeletedSecretBundle (or item): deletion fields first, never the value."""
    ver = entry.current()
    body = render_item(base, entry, ver, False) if item else render(base, entry, ver, False)
    return {**deleted_fields(base, "secrets", entry), **body}


def set_secret(
    store: Store,
    name: str,
    value: str,
    content_type: str | None = None,
    attributes: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    managed: bool = False,
    kid: str | None = None,
    version: str | None = None,
) -> tuple[Entry, Version]:
    """Add a version (creating the secret if needed). Used by handlers, certificates, seed.

    Raises:
        KvError: 409 when the name is soft-deleted.
    """
    if store.secrets.get_deleted(name) is not None:
        raise deleted_conflict(KIND, name)
    entry = store.secrets.get(name)
    if entry is None:
        entry = Entry(name=name)
        store.secrets.put(entry)
    data: dict[str, Any] = {"value": value, "contentType": content_type}
    if kid:
        data["kid"] = kid
    ver = Version(
        version=version or new_version(),
        attributes=Attributes.from_request(attributes),
        tags=tags,
        data=data,
        managed=managed,
    )
    entry.add(ver)
    return entry, ver


def _active(ctx: Ctx, name: str, version: str | None = None) -> Entry:
    entry = ctx.store.secrets.get(name)
    if entry is None:
        raise not_found(KIND, name, version)
    return entry


async def put_secret(ctx: Ctx, name: str) -> Reply:
    check_name(name)
    body = await ctx.json()
    value = body.get("value")
    if not isinstance(value, str):
        raise bad_parameter("Property 'value' is required and must be a string.")
    existing = ctx.store.secrets.get(name)
    if existing is not None and existing.current().managed:
        raise KvError(
            403, "Forbidden", f"Secret {name} is managed by a certificate and cannot be set."
        )
    entry, ver = set_secret(
        ctx.store, name, value, body.get("contentType"), json_obj(body.get("attributes"),
        "attributes"), check_tags(body.get("tags")),
    )
    return Reply(200, render(ctx.base_url, entry, ver))


async def get_secret(ctx: Ctx, name: str, version: str | None = None) -> Reply:
    entry = _active(ctx, name, version)
    ver = version_of(entry, version, KIND)
    if not ver.attributes.enabled:
        # The service never hands out a disabled version's value (listings still show it).
        raise KvError(403, "Forbidden", "Operation get is not allowed on a disabled secret.",
                      inner="SecretDisabled")
    out = render(ctx.base_url, entry, ver)
    wanted = ctx.query.get("outContentType")
    if wanted:
        secretformat.convert(out, ver, wanted)
    return Reply(200, out)


async def update_secret(ctx: Ctx, name: str, version: str | None = None) -> Reply:
    entry = _active(ctx, name, version)
    ver = version_of(entry, version, KIND)
    body = await ctx.json()
    if "contentType" in body and not ver.managed:
        ver.data["contentType"] = body["contentType"]
    if "tags" in body:
        ver.tags = check_tags(body["tags"])
    ver.attributes.apply(json_obj(body.get("attributes"), "attributes"))
    ver.attributes.updated = now()
    return Reply(200, render(ctx.base_url, entry, ver, with_value=False))


async def list_secrets(ctx: Ctx) -> Reply:
    col = ctx.store.secrets

    def item(key: str) -> dict[str, Any]:
        entry = col.active[key]
        return render_item(ctx.base_url, entry, entry.current(), False)

    return Reply(200, paging.page(col.active_names.keys, ctx.query, ctx.base_url, "/secrets", item))


async def list_versions(ctx: Ctx, name: str) -> Reply:
    entry = ctx.store.secrets.get(name)
    if entry is None:
        # The service answers an empty listing for a name it does not hold, not a 404.
        return Reply(200, {"value": [], "nextLink": None})

    def item(key: str) -> dict[str, Any]:
        return render_item(ctx.base_url, entry, entry.versions[key], True)

    path = f"/secrets/{entry.name}/versions"
    return Reply(200, paging.page(entry.sorted_versions, ctx.query, ctx.base_url, path, item))


async def delete_secret(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    if entry.current().managed:
        raise KvError(
            403, "Forbidden", f"Secret {name} is managed by a certificate; delete the certificate."
        )
    ctx.store.secrets.soft_delete(name)
    return Reply(200, render_deleted(ctx.base_url, entry))


async def list_deleted(ctx: Ctx) -> Reply:
    return list_deleted_of(ctx, ctx.store.secrets, "/deletedsecrets", render_deleted)


async def get_deleted(ctx: Ctx, name: str) -> Reply:
    return Reply(200, render_deleted(ctx.base_url, deleted_entry(ctx.store.secrets, name)))


async def recover_deleted(ctx: Ctx, name: str) -> Reply:
    deleted_entry(ctx.store.secrets, name)
    if ctx.store.secrets.get(name) is not None:
        raise KvError(409, "Conflict", f"Secret {name} already exists.")
    entry = ctx.store.secrets.recover(name)
    assert entry is not None
    return Reply(200, render(ctx.base_url, entry, entry.current(), with_value=False))


async def purge_deleted(ctx: Ctx, name: str) -> Reply:
    check_purge(ctx.store.secrets, name, ctx.request.host)
    ctx.store.secrets.purge(name)
    return Reply(204)


ROUTES: list[Route] = [
    ("GET", "/secrets", list_secrets),
    ("GET", "/secrets/{name}/versions", list_versions),
    ("PUT", "/secrets/{name}", put_secret),
    ("GET", "/secrets/{name}", get_secret),
    ("PATCH", "/secrets/{name}", update_secret),
    ("DELETE", "/secrets/{name}", delete_secret),
    ("GET", "/secrets/{name}/{version}", get_secret),
    ("PATCH", "/secrets/{name}/{version}", update_secret),
    ("GET", "/deletedsecrets", list_deleted),
    ("GET", "/deletedsecrets/{name}", get_deleted),
    ("DELETE", "/deletedsecrets/{name}", purge_deleted),
    ("POST", "/deletedsecrets/{name}/recover", recover_deleted),
]
