"""Blob Storage's names for its requests in the audit trail ("list blobs", "set blob tier").

Given to the account's transport (``opener``), which names each request as it is sent: every
request of that transport is the account's, so a plain GET is a download.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from vaultbrowser.core.services.http.operation_names import verb_of


def blob_operation_name(method: str, url: str, _headers: Mapping[str, str]) -> str | None:
    """The name of a Blob Storage request, by its ``comp`` and ``restype`` and its method.

    Paths are /account[/container[/blob…]] (Azurite) or /container[/blob…] (Azure): the name
    never depends on them."""
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    method = method.upper()
    verb = verb_of(method)
    comp = (query.get("comp") or [""])[0]
    restype = (query.get("restype") or [""])[0]
    if comp == "list":
        return "list containers" if restype != "container" else "list blobs"
    if comp == "batch":  # one request carrying many sub-requests (tier changes, deletes)
        return "blob batch"
    if restype == "container":
        return f"{verb} container"
    if comp in ("tags", "metadata"):
        return f"{verb} blob {comp}"
    if comp in ("tier", "snapshot"):
        return "set blob tier" if comp == "tier" else "create blob snapshot"
    if method == "DELETE" and ("versionid" in query or "snapshot" in query):
        return "delete blob version" if "versionid" in query else "delete blob snapshot"
    if method == "HEAD":
        return "get blob properties"
    if method == "GET":
        return "download blob"
    return f"{verb} blob"
