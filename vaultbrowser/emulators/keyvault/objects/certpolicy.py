"""Certificate policies: the service's default filling, partial updates and wire form."""

from __future__ import annotations

import copy
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from vaultbrowser.emulators.keyvault.crypto.jwk import CURVES, RSA_SIZES, PrivateKey, curve_name
from vaultbrowser.emulators.keyvault.crypto.x509make import PEM, PKCS12, describe
from vaultbrowser.emulators.keyvault.errors import bad_parameter
from vaultbrowser.emulators.keyvault.store import now

SERVER_AND_CLIENT_AUTH = ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]
_KTYS = ("RSA", "RSA-HSM", "EC", "EC-HSM")
_SECTIONS = ("key_props", "secret_props", "x509_props", "issuer", "attributes")


def _action(issuer: str) -> list[dict[str, Any]]:
    kind = "AutoRenew" if issuer.lower() == "self" else "EmailContacts"
    return [{"trigger": {"lifetime_percentage": 80}, "action": {"action_type": kind}}]


def _dict(value: Any, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_parameter(f"Property '{what}' must be a JSON object.")
    return copy.deepcopy(value)


def fill(policy: dict[str, Any] | None, imported: x509.Certificate | None = None,
         key: PrivateKey | None = None) -> dict[str, Any]:
    """A complete policy from a request's (partial) one, the way the service fills it.

    For an import the key and x509 properties come from the certificate and the issuer is
    ``Unknown``. Raises KvError 400 for an unusable policy.
    """
    req = _dict(policy, "policy")
    key_props = _dict(req.get("key_props"), "key_props")
    if key is not None:
        if isinstance(key, rsa.RSAPrivateKey):
            key_props.setdefault("kty", "RSA")
            key_props["key_size"] = key.key_size
        else:
            key_props.setdefault("kty", "EC")
            key_props["crv"] = curve_name(key)
    kty = key_props.setdefault("kty", "RSA")
    if kty not in _KTYS:
        raise bad_parameter(f"The specified key type ({kty}) is not supported.")
    key_props.setdefault("exportable", True)
    # A policy updated from RSA to EC (or back) keeps no size or curve of the old key type.
    key_props.pop("crv" if kty.startswith("RSA") else "key_size", None)
    if kty.startswith("RSA"):
        key_props.setdefault("key_size", 2048)
        if key_props["key_size"] not in RSA_SIZES:
            raise bad_parameter(f"The specified key size ({key_props['key_size']}) is not valid.")
    else:
        key_props.setdefault("crv", "P-256")
        if key_props["crv"] not in CURVES:
            raise bad_parameter(f"The specified curve ({key_props['crv']}) is not supported.")
    key_props.setdefault("reuse_key", False)
    secret_props = _dict(req.get("secret_props"), "secret_props")
    if secret_props.get("contentType") not in (PKCS12, PEM):
        if secret_props.get("contentType"):
            raise bad_parameter(f"Unsupported content type {secret_props['contentType']}.")
        secret_props["contentType"] = PKCS12
    x509_props = _dict(req.get("x509_props"), "x509_props")
    if imported is not None:
        x509_props = {**describe(imported), **x509_props}
    x509_props["sans"] = _dict(x509_props.get("sans"), "sans")
    if not x509_props.get("subject") and not any(x509_props["sans"].values()):
        raise bad_parameter(
            "The policy must specify either a subject or subject alternative names."
        )
    # The service leaves out subject alternative names that hold nothing.
    sans = {k: v for k, v in x509_props["sans"].items() if v}
    if sans:
        x509_props["sans"] = sans
    else:
        x509_props.pop("sans", None)
    x509_props.setdefault("ekus", list(SERVER_AND_CLIENT_AUTH))
    default_usage = ["digitalSignature", "keyEncipherment"] if kty.startswith("RSA") else [
        "digitalSignature"]
    x509_props.setdefault("key_usage", default_usage)
    x509_props.setdefault("validity_months", 12)
    x509_props.setdefault("basic_constraints", {"ca": False})
    issuer = _dict(req.get("issuer"), "issuer")
    issuer.setdefault("name", "Unknown" if imported is not None else "Self")
    actions = req.get("lifetime_actions") or _action(issuer["name"])
    stamp = now()
    attributes = {"enabled": True, **_dict(req.get("attributes"), "attributes")}
    attributes.update({"created": stamp, "updated": stamp})
    return {
        "key_props": key_props,
        "secret_props": secret_props,
        "x509_props": x509_props,
        "lifetime_actions": actions,
        "issuer": issuer,
        "attributes": attributes,
    }


def update(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Apply a PATCH /policy body: sections merge, ``lifetime_actions`` replace."""
    merged = copy.deepcopy(current)
    for section in _SECTIONS:
        if section in patch and patch[section] is not None:
            merged.setdefault(section, {}).update(_dict(patch[section], section))
    if patch.get("lifetime_actions") is not None:
        merged["lifetime_actions"] = patch["lifetime_actions"]
    checked = fill({k: v for k, v in merged.items() if k != "attributes"})
    checked["attributes"] = {**merged.get("attributes", {}), "updated": now()}
    return checked


def render(base: str, name: str, policy: dict[str, Any]) -> dict[str, Any]:
    """The wire form, with the policy's ``id``."""
    return {"id": f"{base}/certificates/{name}/policy", **copy.deepcopy(policy)}
