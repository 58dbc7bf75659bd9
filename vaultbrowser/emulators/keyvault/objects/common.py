"""Helpers shared by the secrets, keys and certificates handlers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from vaultbrowser.emulators.keyvault.errors import (
    KvError,
    bad_parameter,
    deleted_not_found,
    purge_forbidden,
)
from vaultbrowser.emulators.keyvault.paging import page
from vaultbrowser.emulators.keyvault.routing import Ctx, Reply
from vaultbrowser.emulators.keyvault.store import Collection, Entry, Version

_NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")


def check_name(name: str) -> None:
    """Raises KvError 400 for a name the service would refuse."""
    if not _NAME.match(name):
        raise bad_parameter(
            f"The request URI contains an invalid name: {name}. Follow this link for more "
            "information on Key Vault object names: https://aka.ms/KeyVaultNaming"
        )


def check_purge(collection: Collection, name: str, host: str) -> None:
    """Raises KvError 404 when ``name`` is not deleted, 403 under purge protection."""
    if collection.get_deleted(name) is None:
        raise deleted_not_found(collection.kind, name)
    if not collection.recovery.purgeable:
        raise purge_forbidden(vault_name(host))


def vault_name(host: str) -> str:
    """The vault's name as the service says it in messages (``myvault`` of
    ``myvault.vault.azure.net``; the bare address of a loopback emulator)."""
    bare = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    return bare.split(".", 1)[0] if bare[:1].isalpha() else bare


def check_tags(tags: Any) -> dict[str, str] | None:
    """Validate a ``tags`` object from a request."""
    if tags is None:
        return None
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise bad_parameter("Tags must be a JSON object of string values.")
    if len(tags) > 15:
        raise bad_parameter("The number of tags exceeds the maximum of 15.")
    return dict(tags)


def deleted_fields(ctx_base: str, collection: str, entry: Entry) -> dict[str, Any]:
    """``recoveryId``, ``deletedDate`` and ``scheduledPurgeDate`` of a deleted bundle (none
    when the vault has no soft delete and the delete was final)."""
    if entry.deleted_date is None:
        return {}
    return {
        "recoveryId": f"{ctx_base}/deleted{collection}/{entry.name}",
        "deletedDate": entry.deleted_date,
        "scheduledPurgeDate": entry.scheduled_purge_date,
    }


def version_of(entry: Entry, version: str | None, kind: str) -> Version:
    """The named version (latest for None/empty).

    Raises:
        KvError: 404 ``<Kind>NotFound`` naming ``name/version``.
    """
    from vaultbrowser.emulators.keyvault.errors import not_found

    if not version:
        return entry.current()
    found = entry.versions.get(version.lower())
    if found is None:
        raise not_found(kind, entry.name, version)
    return found


def add_common(out: dict[str, Any], ver: Version) -> dict[str, Any]:
    """Append ``attributes``, ``tags`` (when set) and ``managed`` (when true)."""
    out["attributes"] = ver.attributes.to_json()
    if ver.tags is not None:
        out["tags"] = ver.tags
    if ver.managed:
        out["managed"] = True
    return out


def json_obj(value: Any, what: str) -> dict[str, Any] | None:
    """An optional JSON object from a request body."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise KvError(400, "BadParameter", f"Property '{what}' must be a JSON object.")
    return value


RenderDeleted = Callable[..., dict[str, Any]]  # (base_url, entry, *, item=False) → JSON


def list_deleted_of(ctx: Ctx, collection: Collection, path: str,
                    render_deleted: RenderDeleted) -> Reply:
    """A page of ``collection``'s deleted items (``GET /deleted<kind>s``)."""

    def item(key: str) -> dict[str, Any]:
        return render_deleted(ctx.base_url, collection.deleted[key], item=True)

    return Reply(200, page(collection.deleted_names.keys, ctx.query, ctx.base_url, path, item))


def deleted_entry(collection: Collection, name: str) -> Entry:
    """The deleted item ``name``.

    Raises:
        KvError: 404 ``<Kind>NotFound`` when it is not deleted.
    """
    entry = collection.get_deleted(name)
    if entry is None:
        raise deleted_not_found(collection.kind, name)
    return entry
