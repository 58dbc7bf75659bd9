"""Certificate issuers: ``/certificates/issuers`` (set, get, update, delete, list).

Issuers are vault-wide settings, not versioned objects: they live in the emulator's options
next to the certificate contacts. Their routes are registered before the certificates' so that
``/certificates/issuers/{name}`` never reads as a certificate named ``issuers``.
"""

from __future__ import annotations

import copy
from typing import Any

from vaultbrowser.emulators.keyvault import paging
from vaultbrowser.emulators.keyvault.errors import KvError, bad_parameter
from vaultbrowser.emulators.keyvault.objects.common import check_name, json_obj
from vaultbrowser.emulators.keyvault.routing import Ctx, Reply, Route
from vaultbrowser.emulators.keyvault.store import now

# Path segments under /certificates that are the vault's settings, never certificate names.
RESERVED_NAMES = frozenset({"issuers", "contacts"})


def _issuers(ctx: Ctx) -> dict[str, dict[str, Any]]:
    return ctx.options.setdefault("issuers", {})


def _not_found(name: str) -> KvError:
    # The service's own words, without the name (its recordings say exactly this).
    return KvError(404, "CertificateIssuerNotFound", "Issuer not found")


def _render(base: str, issuer: dict[str, Any]) -> dict[str, Any]:
    """An IssuerBundle. The password is write-only: the service never sends it back."""
    out: dict[str, Any] = {
        "id": f"{base}/certificates/issuers/{issuer['name']}",
        "provider": issuer["provider"],
    }
    credentials = {k: v for k, v in issuer.get("credentials", {}).items() if k != "pwd"}
    if credentials:
        out["credentials"] = credentials
    if issuer.get("org_details"):
        out["org_details"] = copy.deepcopy(issuer["org_details"])
    out["attributes"] = dict(issuer["attributes"])
    return out


def _check_admins(org: dict[str, Any]) -> None:
    admins = org.get("admin_details")
    if admins is None:
        return
    if not isinstance(admins, list) or not all(isinstance(a, dict) for a in admins):
        raise bad_parameter("Property 'admin_details' must be an array of objects.")


def _apply(issuer: dict[str, Any], body: dict[str, Any]) -> None:
    """Merge a set/update body into ``issuer`` (only the parts it carries)."""
    provider = body.get("provider")
    if provider is not None:
        if not isinstance(provider, str) or not provider:
            raise bad_parameter("Property 'provider' must be a non-empty string.")
        issuer["provider"] = provider
    credentials = json_obj(body.get("credentials"), "credentials")
    if credentials is not None:
        issuer["credentials"] = {**issuer.get("credentials", {}), **credentials}
    org = json_obj(body.get("org_details"), "org_details")
    if org is not None:
        _check_admins(org)
        issuer["org_details"] = {**issuer.get("org_details", {}), **copy.deepcopy(org)}
    attributes = json_obj(body.get("attributes"), "attributes")
    if attributes is not None and attributes.get("enabled") is not None:
        issuer["attributes"]["enabled"] = bool(attributes["enabled"])
    issuer["attributes"]["updated"] = now()


async def set_issuer(ctx: Ctx, name: str) -> Reply:
    check_name(name)
    body = await ctx.json()
    if not body.get("provider"):
        raise bad_parameter("Property 'provider' is required.")
    stamp = now()
    issuer: dict[str, Any] = {
        "name": name, "attributes": {"enabled": True, "created": stamp, "updated": stamp},
    }
    _apply(issuer, body)
    _issuers(ctx)[name.lower()] = issuer
    return Reply(200, _render(ctx.base_url, issuer))


def _existing(ctx: Ctx, name: str) -> dict[str, Any]:
    issuer = _issuers(ctx).get(name.lower())
    if issuer is None:
        raise _not_found(name)
    return issuer


async def get_issuer(ctx: Ctx, name: str) -> Reply:
    return Reply(200, _render(ctx.base_url, _existing(ctx, name)))


async def update_issuer(ctx: Ctx, name: str) -> Reply:
    issuer = _existing(ctx, name)
    _apply(issuer, await ctx.json())
    return Reply(200, _render(ctx.base_url, issuer))


async def delete_issuer(ctx: Ctx, name: str) -> Reply:
    issuer = _existing(ctx, name)
    del _issuers(ctx)[name.lower()]
    return Reply(200, _render(ctx.base_url, issuer))


async def list_issuers(ctx: Ctx) -> Reply:
    issuers = _issuers(ctx)

    def item(key: str) -> dict[str, Any]:
        issuer = issuers[key]
        return {"id": f"{ctx.base_url}/certificates/issuers/{issuer['name']}",
                "provider": issuer["provider"]}

    return Reply(200, paging.page(sorted(issuers), ctx.query, ctx.base_url,
                                  "/certificates/issuers", item))


def check_certificate_name(name: str) -> None:
    """Raises KvError 400 for a certificate name that the vault's settings paths shadow
    (``/certificates/issuers`` and ``/certificates/contacts`` are not certificates)."""
    if name.lower() in RESERVED_NAMES:
        raise bad_parameter(
            f"The request URI contains an invalid name: {name}. Follow this link for more "
            "information on Key Vault object names: https://aka.ms/KeyVaultNaming"
        )


ROUTES: list[Route] = [
    ("GET", "/certificates/issuers", list_issuers),
    ("PUT", "/certificates/issuers/{name}", set_issuer),
    ("GET", "/certificates/issuers/{name}", get_issuer),
    ("PATCH", "/certificates/issuers/{name}", update_issuer),
    ("DELETE", "/certificates/issuers/{name}", delete_issuer),
]
