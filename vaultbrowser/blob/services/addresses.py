"""Blob Storage addresses pasted anywhere: an account, container or blob URL, with or without a
SAS (``https://acct.blob.core.windows.net/logs/2026/app.log?sv=…&sr=b&sig=…``).

A container or blob SAS cannot list the account: its connection is limited to the container
(``Connection.scope``). An expired SAS is refused here, with its own expiry and permissions
read out, before any request. Messages never quote the query (it holds the signature).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote, urlsplit, urlunsplit

from vaultbrowser.blob.services.connection_strings import SasToken, parse_sas_token
from vaultbrowser.blob.services.connections import (
    BLOB,
    STORAGE_BLOB_SUFFIXES,
    normalize_blob_endpoint,
)
from vaultbrowser.blob.services.rules import check_blob_name, validate_container_name
from vaultbrowser.core.services.connections import (
    AuthMethod,
    Connection,
    host_and_port,
    is_loopback_host,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import Address

_ADVICE = ("A blob address looks like https://<account>.blob.core.windows.net/<container>/"
           "<blob>, optionally with a SAS (?sv=…&sig=…) as the portal or Storage Explorer "
           "generates it.")
PERMISSION_WORDS = {"r": "read", "a": "add", "c": "create", "w": "write", "d": "delete",
                    "x": "delete version", "y": "permanent delete", "l": "list", "t": "tags",
                    "f": "find", "m": "move", "e": "execute", "o": "ownership",
                    "p": "permissions", "i": "set immutability policy"}


def sas_facts(sas: SasToken) -> str:
    """What a SAS allows and until when, in words (never its signature)."""
    allowed = ", ".join(PERMISSION_WORDS.get(letter, letter) for letter in sas.permissions or "")
    until = sas.expires.strftime("%Y-%m-%d %H:%M UTC") if sas.expires else "no expiry given"
    return f"permissions: {allowed or 'none stated'}; expires {until}"


def parse_blob_address(text: str, *, now: datetime | None = None) -> Address | None:
    """The account, container and blob ``text`` names; None when it is not a blob address.

    Raises:
        InvalidInput: a blob address with something wrong in it, or an expired SAS.
    """
    try:
        parts = urlsplit(text.strip())
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    segments = [unquote(part) for part in parts.path.split("/")]
    segments = segments[1:] if segments[:1] == [""] else segments
    loopback = is_loopback_host(host)
    if loopback:
        if parts.scheme != "http" or not segments or not segments[0]:
            return None  # Azurite speaks http with the account in the path
        account_path, segments = "/" + segments[0], segments[1:]
    elif host.endswith(STORAGE_BLOB_SUFFIXES) and parts.scheme in ("https", "http"):
        account_path = ""
    else:
        return None
    if parts.fragment:
        raise InvalidInput("A blob address has no fragment ('#…').", advice=_ADVICE)
    endpoint = normalize_blob_endpoint(
        urlunsplit((parts.scheme, host_and_port(host, port), account_path, "", "")),
        allow_http=loopback, quote=False)
    container, blob = _container_and_blob(segments)
    sas = parse_sas_token(parts.query, what="The address's SAS") if parts.query else None
    if sas is None:
        auth = AuthMethod.LOCAL_EMULATOR if loopback else AuthMethod.DEFAULT
        connection = Connection(BLOB, endpoint, auth)
    else:
        _check_current(sas, now or datetime.now(UTC))
        scope = _sas_scope(sas, container)
        connection = Connection(BLOB, endpoint, AuthMethod.SAS, scope=scope, secret=sas.token,
                                name=f"{endpoint.split('://', 1)[1]}/{scope} (SAS)"
                                if scope else "", notes=(f"the SAS's {sas_facts(sas)}",))
    path = tuple(part for part in (container, blob) if part)
    return Address(BLOB, connection, path, text)


def _container_and_blob(segments: list[str]) -> tuple[str, str]:
    if not segments or segments == [""]:
        return "", ""
    container, blob = segments[0], "/".join(segments[1:])
    if not container:
        raise InvalidInput("The address has an empty container name ('//').", advice=_ADVICE)
    validate_container_name(container, allow_special=True)
    if blob:
        check_blob_name(blob)
    return container, blob


def _check_current(sas: SasToken, now: datetime) -> None:
    if sas.expires is not None and sas.expires <= now:
        raise InvalidInput(f"This SAS has expired ({sas_facts(sas)}).",
                           advice="Ask whoever shared it for a new one.")
    if sas.starts is not None and sas.starts > now:
        raise InvalidInput(f"This SAS is not valid yet: it starts "
                           f"{sas.starts:%Y-%m-%d %H:%M UTC} ({sas_facts(sas)}).",
                           advice="Try again from that time, or ask for a SAS valid now.")


def _sas_scope(sas: SasToken, container: str) -> str:
    """The container a service SAS is limited to ("" for an account SAS)."""
    if sas.resource is None:
        return ""  # an account SAS (ss/srt): the whole account
    if not container:
        raise InvalidInput("A container or blob SAS needs its container in the URL: paste the "
                           "URL it was generated with.", advice=_ADVICE)
    return container
