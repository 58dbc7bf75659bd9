"""Key Vault's names for its requests in the audit trail ("list secrets", "rotate key").

Given to the vault's transport (``opener.open_vault``), which names each request as it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from vaultbrowser.core.services.http.operation_names import verb_of

_COLLECTIONS = {"secrets": "secret", "keys": "key", "certificates": "certificate",
                "deletedsecrets": "deleted secret", "deletedkeys": "deleted key",
                "deletedcertificates": "deleted certificate"}
# An item's sub-resources and actions, named by the path's last segment.
_ACTIONS = frozenset({"recover", "backup", "restore", "import", "create", "rotate", "pending",
                      "policy", "rotationpolicy"})


def vault_operation_name(method: str, url: str, _headers: Mapping[str, str]) -> str | None:
    """The name of a Key Vault request; None for a path that is not a vault collection's."""
    try:
        segments = [unquote(s) for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return None
    noun = _COLLECTIONS.get(segments[0]) if segments else None
    if noun is None:
        return None
    method = method.upper()
    if len(segments) == 1:
        return f"list {noun}s" if method == "GET" else f"{verb_of(method)} {noun}s"
    tail = segments[-1]
    if tail == "versions":
        return f"list {noun} versions"
    if tail in _ACTIONS:
        return f"{noun} {tail}" if method == "GET" else f"{tail} {noun}"
    return f"{verb_of(method)} {noun}"
