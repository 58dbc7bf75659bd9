"""Cosmos DB addresses and secrets, parsed once and strictly.

An account endpoint is ``https://<account>.documents.azure.com/`` (or a sovereign cloud's
``documents.azure.us`` / ``documents.azure.cn``, or a custom cloud's ``cosmos_suffix``: the
suffixes are the clouds', ``core.services.signin.clouds``); http and any port only on loopback
(the local server of the tests and the demo). A connection string is
``AccountEndpoint=…;AccountKey=…;``: its key becomes a ``SecretValue`` at once, and no message
ever quotes the text it came from.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from vaultbrowser.core.services.connections import (
    host_and_port,
    is_loopback_host,
    named,
    split_address,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.signin.clouds import KNOWN_CLOUDS, available_clouds

COSMOS_KIND = "cosmos"
# The DNS suffixes of Cosmos DB accounts in the known clouds (public, US Government, China).
COSMOS_SUFFIXES = tuple(cloud.cosmos_suffix for cloud in KNOWN_CLOUDS if cloud.cosmos_suffix)


def cosmos_suffixes() -> tuple[str, ...]:
    """The Cosmos DB account suffixes of every cloud: the known ones and the custom clouds
    file's (``cosmos_suffix``)."""
    return tuple(dict.fromkeys(cloud.cosmos_suffix for cloud in available_clouds()
                               if cloud.cosmos_suffix))
_KEY_ADVICE = "Copy the key again from the account's Keys page (primary or secondary key)."


def normalize_cosmos_url(text: str, *, quote: bool = True) -> str:
    """The one canonical form of an account endpoint: ``https://host[:port]/``, the default
    port dropped; a bare name ("myaccount") is a public-cloud account. ``quote=False``: the
    text came from a secret (a connection string), so messages never repeat it.

    Raises:
        InvalidInput: not an account endpoint (a path, query, user info, http off loopback,
            a host that is no Cosmos DB account's).
    """
    text = text.strip()
    parts, host, port = split_address(text, bare_name_suffix=COSMOS_SUFFIXES[0],
                                      bare_host_suffixes=cosmos_suffixes(), quote=quote)
    loopback = is_loopback_host(host)
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidInput(f"{named(text, quote, 'The address')} is not an account endpoint.",
                           advice="Use https://<account>.documents.azure.com/.")
    if parts.scheme == "http" and not loopback:
        raise InvalidInput("A Cosmos DB account is reached over HTTPS only.",
                           advice="Use https://<account>.documents.azure.com/ (http is for a "
                                  "local server on loopback only).")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise InvalidInput("The account endpoint has a path or query after the host.",
                           advice="Give the endpoint alone, e.g. "
                                  "https://myaccount.documents.azure.com/; databases and "
                                  "containers are chosen in the tree.")
    if not loopback:
        suffix = next((s for s in cosmos_suffixes() if host.endswith(s)), None)
        account = host[: -len(suffix)] if suffix else ""
        if suffix is None or not account or "." in account:
            raise InvalidInput(
                f"{named(host, quote, 'The host')} is not a Cosmos DB account endpoint.",
                advice="Account endpoints end in .documents.azure.com (the portal shows the "
                       "URI on the account's Overview page).")
        if port == 443:
            port = None
    return f"{parts.scheme}://{host_and_port(host, port)}/"


def account_name(endpoint: str) -> str:
    """The account's name: the first label of a canonical endpoint's host. A loopback or IP
    endpoint (a local server) has no account name in its host: it is named ``host:port``
    ("127.0.0.1:8081", "[::1]:8081", "localhost:8081"); "127" named nothing."""
    try:
        parts = urlsplit(endpoint)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return endpoint
    if is_loopback_host(host) or _is_ip(host):
        return host_and_port(host, port)
    return host.split(".", 1)[0]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def account_key(text: str) -> SecretValue:
    """A typed or pasted account key, checked for what can be checked without the service.

    Raises:
        InvalidInput: empty, with spaces or control characters, or not base64 (the text is
            never quoted).
    """
    text = text.strip()
    if not text or any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidInput("The account key is empty or has spaces or control characters.",
                           advice=_KEY_ADVICE)
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("The account key is not a Cosmos DB key (not base64).",
                           advice=_KEY_ADVICE) from None
    return SecretValue(text)


@dataclass(frozen=True)
class CosmosConnectionString:
    """A parsed connection string: the canonical endpoint and the key (never shown)."""

    endpoint: str
    key: SecretValue


def parse_connection_string(text: str | SecretValue) -> CosmosConnectionString:
    """``AccountEndpoint=…;AccountKey=…;`` in any order and case of the names; other parts
    (``Database=``) are ignored. No message quotes the text: it holds the key.

    Raises:
        InvalidInput: a part is not ``name=value``, a name repeats, the endpoint or the key is
            missing or invalid.
    """
    raw = text.reveal() if isinstance(text, SecretValue) else text
    parts: dict[str, str] = {}
    for piece in raw.strip().split(";"):
        if not piece.strip():
            continue
        name, sep, value = piece.partition("=")
        name = name.strip().lower()
        if not sep or not name:
            raise InvalidInput("The connection string has a part that is not name=value.",
                               advice="Copy the PRIMARY CONNECTION STRING again from the "
                                      "account's Keys page.")
        if name in parts:
            raise InvalidInput(f"The connection string names {name!r} twice.")
        parts[name] = value.strip()
    endpoint, key = parts.get("accountendpoint"), parts.get("accountkey")
    if not endpoint or not key:
        missing = "AccountEndpoint" if not endpoint else "AccountKey"
        raise InvalidInput(f"The connection string has no {missing}.",
                           advice="A Cosmos DB connection string reads "
                                  "AccountEndpoint=https://…;AccountKey=…;")
    return CosmosConnectionString(normalize_cosmos_url(endpoint, quote=False), account_key(key))
