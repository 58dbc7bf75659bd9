"""Certificates: ``/certificates`` and ``/deletedcertificates`` (create with a pending
operation, get, versions, list, update, policy get/update, import PFX/PEM, merge, delete,
recover, purge, contacts)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography import x509

from vaultbrowser.emulators.keyvault import paging
from vaultbrowser.emulators.keyvault.crypto.x509make import PKCS12, cer, load_import, x5t
from vaultbrowser.emulators.keyvault.errors import (
    KvError,
    bad_parameter,
    deleted_conflict,
    not_found,
)
from vaultbrowser.emulators.keyvault.objects import certissue, certissuers, certpolicy
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
from vaultbrowser.emulators.keyvault.store import Entry, Store, Version, now

KIND = "certificate"


def render(base: str, entry: Entry, ver: Version, with_policy: bool = True) -> dict[str, Any]:
    """A CertificateBundle (``cer``/``x5t`` absent while the first version is pending)."""
    name = entry.name
    out: dict[str, Any] = {
        "id": f"{base}/certificates/{name}/{ver.version}",
        "kid": f"{base}/keys/{name}/{ver.version}",
        "sid": f"{base}/secrets/{name}/{ver.version}",
    }
    chain: list[x509.Certificate] | None = ver.data.get("chain")
    if chain:
        out["x5t"] = x5t(chain[0])
        out["cer"] = base64.b64encode(cer(chain[0])).decode()
    add_common(out, ver)
    out.pop("managed", None)
    if with_policy and entry.extra.get("policy"):
        out["policy"] = certpolicy.render(base, name, entry.extra["policy"])
    if with_policy and entry.extra.get("pending"):
        out["pending"] = {"id": f"{base}/certificates/{name}/pending"}
    return out


def render_item(base: str, entry: Entry, ver: Version, versioned: bool) -> dict[str, Any]:
    """A CertificateItem."""
    out: dict[str, Any] = {
        "id": f"{base}/certificates/{entry.name}" + (f"/{ver.version}" if versioned else "")
    }
    chain = ver.data.get("chain")
    if chain:
        out["x5t"] = x5t(chain[0])
    add_common(out, ver)
    out.pop("managed", None)
    return out


def render_deleted(base: str, entry: Entry, item: bool = False) -> dict[str, Any]:
    ver = entry.current()
    body = render_item(base, entry, ver, False) if item else render(base, entry, ver)
    return {**deleted_fields(base, "certificates", entry), **body}


def _active(ctx: Ctx, name: str, version: str | None = None) -> Entry:
    entry = ctx.store.certificates.get(name)
    if entry is None:
        raise not_found(KIND, name, version)
    certissue.settle(ctx.store, entry)
    return entry


def _check_reusable(store: Store, name: str) -> None:
    check_name(name)
    certissuers.check_certificate_name(name)
    if store.certificates.get_deleted(name) is not None:
        raise deleted_conflict(KIND, name)
    entry = store.certificates.get(name)
    if entry is not None:
        certissue.settle(store, entry)
        certissue.check_not_in_progress(entry)


async def create_certificate(ctx: Ctx, name: str) -> Reply:
    _check_reusable(ctx.store, name)
    body = await ctx.json()
    entry = ctx.store.certificates.get(name)
    request_policy = json_obj(body.get("policy"), "policy")
    if request_policy is None and entry is None:
        raise bad_parameter("Property 'policy' is required.")
    policy = (
        certpolicy.fill(request_policy) if request_policy is not None
        else entry.extra["policy"]  # type: ignore[union-attr]
    )
    attributes = json_obj(body.get("attributes"), "attributes")
    tags = check_tags(body.get("tags"))
    previous = None
    if entry is not None:
        certissue.settle(ctx.store, entry)
        previous = entry.current().data.get("key")
    key = certissue.new_key(policy, previous)
    if entry is None:
        entry = Entry(name=name)
        ctx.store.certificates.put(entry)
    entry.extra["policy"] = policy
    certissue.start_pending(entry, policy, key, float(ctx.options.get("cert_issuance_delay", 0)),
                            attributes, tags)
    if not entry.versions:
        op = entry.extra["pending"]
        placeholder = Version(version=op["version"], attributes=_pending_attrs(attributes),
                              tags=tags)
        entry.add(placeholder)
    op = entry.extra["pending"]
    location = (
        f"{ctx.base_url}/certificates/{entry.name}/pending?api-version={ctx.api_version}"
        f"&request_id={op['request_id']}"
    )
    body_out = certissue.render_pending(ctx.base_url, entry)
    return Reply(202, body_out, {"Location": location, "Retry-After": "10"})


def _pending_attrs(attributes: dict[str, Any] | None) -> Any:
    from vaultbrowser.emulators.keyvault.store import Attributes

    attrs = Attributes.from_request(attributes)
    attrs.enabled = False if attributes is None else attrs.enabled
    return attrs


async def get_certificate(ctx: Ctx, name: str, version: str | None = None) -> Reply:
    entry = _active(ctx, name, version)
    return Reply(200, render(ctx.base_url, entry, version_of(entry, version, KIND)))


async def update_certificate(ctx: Ctx, name: str, version: str | None = None) -> Reply:
    entry = _active(ctx, name, version)
    ver = version_of(entry, version, KIND)
    body = await ctx.json()
    if "tags" in body:
        ver.tags = check_tags(body["tags"])
    ver.attributes.apply(json_obj(body.get("attributes"), "attributes"))
    ver.attributes.updated = now()
    if body.get("policy"):
        entry.extra["policy"] = certpolicy.update(entry.extra["policy"], body["policy"])
    return Reply(200, render(ctx.base_url, entry, ver))


async def list_certificates(ctx: Ctx) -> Reply:
    col = ctx.store.certificates
    include_pending = ctx.query.get("includePending", "").lower() == "true"

    def item(key: str) -> dict[str, Any] | None:
        entry = col.active[key]
        certissue.settle(ctx.store, entry)
        ver = entry.current()
        if not ver.data.get("chain") and not include_pending:
            return None
        return render_item(ctx.base_url, entry, ver, False)

    path = "/certificates"
    return Reply(200, paging.page(col.active_names.keys, ctx.query, ctx.base_url, path, item))


async def list_versions(ctx: Ctx, name: str) -> Reply:
    entry = ctx.store.certificates.get(name)
    if entry is None:
        # The service answers an empty listing for a name it does not hold, not a 404.
        return Reply(200, {"value": [], "nextLink": None})
    certissue.settle(ctx.store, entry)

    def item(key: str) -> dict[str, Any]:
        return render_item(ctx.base_url, entry, entry.versions[key], True)

    path = f"/certificates/{entry.name}/versions"
    return Reply(200, paging.page(entry.sorted_versions, ctx.query, ctx.base_url, path, item))


async def get_policy(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    return Reply(200, certpolicy.render(ctx.base_url, entry.name, entry.extra["policy"]))


async def update_policy(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    entry.extra["policy"] = certpolicy.update(entry.extra["policy"], await ctx.json())
    return Reply(200, certpolicy.render(ctx.base_url, entry.name, entry.extra["policy"]))


async def import_certificate(ctx: Ctx, name: str) -> Reply:
    _check_reusable(ctx.store, name)
    body = await ctx.json()
    value = body.get("value")
    if not isinstance(value, str) or not value:
        raise bad_parameter("Property 'value' is required.")
    request_policy = json_obj(body.get("policy"), "policy") or {}
    secret_props = request_policy.get("secret_props") or {}
    content_type = secret_props.get("contentType") or PKCS12
    key, chain = load_import(value, body.get("pwd"), content_type)
    request_policy = {**request_policy, "secret_props": {"contentType": content_type}}
    policy = certpolicy.fill(request_policy, imported=chain[0], key=key)
    entry = ctx.store.certificates.get(name)
    if entry is None:
        entry = Entry(name=name)
        ctx.store.certificates.put(entry)
    entry.extra["policy"] = policy
    entry.extra.pop("pending", None)
    attributes = json_obj(body.get("attributes"), "attributes")
    ver = certissue.store_version(ctx.store, entry, key, chain, policy, attributes,
                                  check_tags(body.get("tags")))
    return Reply(200, render(ctx.base_url, entry, ver))


def _pending(ctx: Ctx, name: str) -> Entry:
    entry = _active(ctx, name)
    if not entry.extra.get("pending"):
        raise KvError(404, "PendingCertificateNotFound", f"Pending certificate not found: {name}")
    return entry


async def get_pending(ctx: Ctx, name: str) -> Reply:
    return Reply(200, certissue.render_pending(ctx.base_url, _pending(ctx, name)))


async def update_pending(ctx: Ctx, name: str) -> Reply:
    entry = _pending(ctx, name)
    body = await ctx.json()
    op = entry.extra["pending"]
    if op["status"] != "inProgress":
        raise KvError(403, "Forbidden", "Pending status must be in progress to allow update.")
    if body.get("cancellation_requested"):
        # Like the service: the answer still says inProgress; the next read says cancelled.
        op["cancellation_requested"] = True
    return Reply(200, certissue.render_pending(ctx.base_url, entry))


async def delete_pending(ctx: Ctx, name: str) -> Reply:
    entry = _pending(ctx, name)
    out = certissue.render_pending(ctx.base_url, entry)
    entry.extra.pop("pending")
    return Reply(200, out)


async def merge_certificate(ctx: Ctx, name: str) -> Reply:
    entry = _pending(ctx, name)
    op = entry.extra["pending"]
    certissue.check_mergeable(op)
    body = await ctx.json()
    try:
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in body["x5c"]]
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise bad_parameter("Property 'x5c' must hold base64 DER certificates.") from exc
    if not chain or chain[0].public_key() != op["key"].public_key():
        raise bad_parameter("Public key from x509 certificate and key of this instance doesn't "
                            "match")
    ver = certissue.store_version(
        ctx.store, entry, op["key"], chain, op["policy"],
        json_obj(body.get("attributes"), "attributes") or op["attributes"],
        check_tags(body.get("tags")) or op["tags"], op["version"],
    )
    op["status"] = "completed"
    return Reply(201, render(ctx.base_url, entry, ver))


async def delete_certificate(ctx: Ctx, name: str) -> Reply:
    entry = _active(ctx, name)
    ctx.store.certificates.soft_delete(name)
    ctx.store.keys.soft_delete(name)
    ctx.store.secrets.soft_delete(name)
    return Reply(200, render_deleted(ctx.base_url, entry))


async def list_deleted(ctx: Ctx) -> Reply:
    return list_deleted_of(ctx, ctx.store.certificates, "/deletedcertificates", render_deleted)


async def get_deleted(ctx: Ctx, name: str) -> Reply:
    return Reply(200, render_deleted(ctx.base_url, deleted_entry(ctx.store.certificates, name)))


async def recover_deleted(ctx: Ctx, name: str) -> Reply:
    deleted_entry(ctx.store.certificates, name)
    entry = ctx.store.certificates.recover(name)
    assert entry is not None
    ctx.store.keys.recover(name)
    ctx.store.secrets.recover(name)
    return Reply(200, render(ctx.base_url, entry, entry.current()))


async def purge_deleted(ctx: Ctx, name: str) -> Reply:
    check_purge(ctx.store.certificates, name, ctx.request.host)
    ctx.store.certificates.purge(name)
    ctx.store.keys.purge(name)
    ctx.store.secrets.purge(name)
    return Reply(204)


async def get_contacts(ctx: Ctx) -> Reply:
    contacts = ctx.options.get("contacts")
    if not contacts:
        raise KvError(404, "ContactsNotFound", "Contacts not found")
    return Reply(200, {"id": f"{ctx.base_url}/certificates/contacts", "contacts": contacts})


async def set_contacts(ctx: Ctx) -> Reply:
    body = await ctx.json()
    contacts = body.get("contacts")
    if not isinstance(contacts, list):
        raise bad_parameter("Property 'contacts' must be an array.")
    ctx.options["contacts"] = contacts
    return Reply(200, {"id": f"{ctx.base_url}/certificates/contacts", "contacts": contacts})


async def delete_contacts(ctx: Ctx) -> Reply:
    reply = await get_contacts(ctx)
    ctx.options.pop("contacts", None)
    return reply


ROUTES: list[Route] = [
    ("GET", "/certificates", list_certificates),
    ("GET", "/certificates/contacts", get_contacts),
    ("PUT", "/certificates/contacts", set_contacts),
    ("DELETE", "/certificates/contacts", delete_contacts),
    ("POST", "/certificates/{name}/create", create_certificate),
    ("POST", "/certificates/{name}/import", import_certificate),
    ("GET", "/certificates/{name}/versions", list_versions),
    ("GET", "/certificates/{name}/policy", get_policy),
    ("PATCH", "/certificates/{name}/policy", update_policy),
    ("GET", "/certificates/{name}/pending", get_pending),
    ("PATCH", "/certificates/{name}/pending", update_pending),
    ("DELETE", "/certificates/{name}/pending", delete_pending),
    ("POST", "/certificates/{name}/pending/merge", merge_certificate),
    ("GET", "/certificates/{name}", get_certificate),
    ("PATCH", "/certificates/{name}", update_certificate),
    ("DELETE", "/certificates/{name}", delete_certificate),
    ("GET", "/certificates/{name}/{version}", get_certificate),
    ("PATCH", "/certificates/{name}/{version}", update_certificate),
    ("GET", "/deletedcertificates", list_deleted),
    ("GET", "/deletedcertificates/{name}", get_deleted),
    ("DELETE", "/deletedcertificates/{name}", purge_deleted),
    ("POST", "/deletedcertificates/{name}/recover", recover_deleted),
]
