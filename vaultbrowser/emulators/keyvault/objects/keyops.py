"""Key operations: ``POST /keys/{name}/{version}/{encrypt|decrypt|wrapkey|unwrapkey|sign|verify}``.

The key's checks come first, in this order: the key and version must exist (404), be
enabled (403 ``KeyDisabled``), allow the operation in its ``key_ops`` (403
``KeyOperationForbidden``) and, for the operations that make something new (encrypt, wrapKey,
sign), be inside its ``nbf``/``exp`` window; then the request's algorithm and value (400).
A versionless id (``/keys/{name}//encrypt`` as the SDK sends it, or ``/keys/{name}/encrypt``)
uses the latest version; the result names the version used.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable
from typing import Any

from vaultbrowser.emulators.keyvault.crypto import jwk, operations
from vaultbrowser.emulators.keyvault.errors import KvError, bad_parameter, not_found
from vaultbrowser.emulators.keyvault.objects.common import version_of
from vaultbrowser.emulators.keyvault.routing import Ctx, Handler, Reply, Route
from vaultbrowser.emulators.keyvault.store import Version, now

KIND = "key"
# The operations that the key's validity window limits; the others still undo or check what
# was made while it was valid.
_MAKING = frozenset({"encrypt", "wrapKey", "sign"})
_B64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")


def _bytes(body: dict[str, Any], field: str) -> bytes:
    value = body.get(field)
    if not isinstance(value, str) or value == "":
        raise bad_parameter(f"Property '{field}' is required.")
    if not _B64URL.match(value):
        raise bad_parameter(f"Property '{field}' is not valid base64url.")
    try:
        return jwk.unb64url(value)
    except (binascii.Error, ValueError) as exc:
        raise bad_parameter(f"Property '{field}' is not valid base64url.") from exc


def _alg(body: dict[str, Any]) -> str:
    alg = body.get("alg")
    if not isinstance(alg, str) or not alg:
        raise bad_parameter("Property 'alg' is required.")
    return alg


def _usable(ctx: Ctx, name: str, version: str | None, op: str) -> tuple[str, Version]:
    """The version an operation uses and its kid, after the key's own checks."""
    entry = ctx.store.keys.get(name)
    if entry is None:
        raise not_found(KIND, name, version or None)
    ver = version_of(entry, version, KIND)
    attrs = ver.attributes
    if not attrs.enabled:
        raise KvError(403, "Forbidden", f"Operation {op} is not allowed on a disabled key.",
                      inner="KeyDisabled")
    if op not in ver.data["key_ops"]:
        raise KvError(403, "Forbidden", f"Operation {op} is not permitted on this key.",
                      inner="KeyOperationForbidden")
    if op in _MAKING:
        moment = now()
        if attrs.nbf is not None and moment < attrs.nbf:
            raise KvError(403, "Forbidden", f"Operation {op} is not allowed on a key that is "
                          "not yet valid.", inner="KeyNotYetValid")
        if attrs.exp is not None and moment >= attrs.exp:
            raise KvError(403, "Forbidden", f"Operation {op} is not allowed on an expired key.",
                          inner="KeyExpired")
    return f"{ctx.base_url}/keys/{entry.name}/{ver.version}", ver


def _transform(op: str, work: Callable[[jwk.PrivateKey, str, bytes], bytes]) -> Handler:
    async def handler(ctx: Ctx, name: str, version: str | None = None) -> Reply:
        body = await ctx.json()
        kid, ver = _usable(ctx, name, version, op)
        alg = _alg(body)
        result = work(ver.data["private"], alg, _bytes(body, "value"))
        return Reply(200, {"kid": kid, "value": jwk.b64url(result)})

    return handler


async def _verify(ctx: Ctx, name: str, version: str | None = None) -> Reply:
    body = await ctx.json()
    _, ver = _usable(ctx, name, version, "verify")
    alg = _alg(body)
    digest = _bytes(body, "digest")
    signature = _bytes(body, "value")
    return Reply(200, {"value": operations.verify(ver.data["private"], alg, digest, signature)})


_HANDLERS: dict[str, Handler] = {
    "encrypt": _transform("encrypt", operations.encrypt),
    "decrypt": _transform("decrypt", operations.decrypt),
    "wrapkey": _transform("wrapKey", operations.encrypt),
    "unwrapkey": _transform("unwrapKey", operations.decrypt),
    "sign": _transform("sign", operations.sign),
    "verify": _verify,
}

ROUTES: list[Route] = [
    route
    for segment, handler in _HANDLERS.items()
    for route in (
        ("POST", f"/keys/{{name}}/{{version}}/{segment}", handler),
        ("POST", f"/keys/{{name}}//{segment}", handler),
        ("POST", f"/keys/{{name}}/{segment}", handler),
    )
]
