"""Blob Storage's rules for names, metadata and tags, checked before any request.

SDK-free on purpose: dialogs validate as the user types, long before the storage SDK is
imported (it loads after the window's first paint).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Mapping

from vaultbrowser.core.services.errors import InvalidInput

# The service's ceiling for maxresults on every list operation.
MAX_PAGE_SIZE = 5000

MAX_BLOB_NAME_LENGTH = 1024
SPECIAL_CONTAINERS = frozenset({"$root", "$web", "$logs"})
PUBLIC_ACCESS_LEVELS = (None, "blob", "container")

_CONTAINER_NAME = re.compile(r"[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*")
_METADATA_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TAG_TEXT = re.compile(r"[A-Za-z0-9 +\-./:=_]*")
_MAX_METADATA_BYTES = 8 * 1024
_MAX_TAGS = 10


# --- validation (module functions: the UI validates as the user types, too) -------------------


def validate_container_name(name: str, *, allow_special: bool = False) -> None:
    """Refuse a name Azure would refuse, before any request.

    3–63 characters of lowercase letters, digits and hyphens; starts and ends with a letter or
    digit; no two hyphens in a row. ``allow_special`` also admits ``$root``, ``$web`` and
    ``$logs`` (existing system containers one may address but not create).

    Raises:
        InvalidInput: which rule the name breaks.
    """
    if allow_special and name in SPECIAL_CONTAINERS:
        return
    advice = ("Container names are 3–63 characters: lowercase letters, digits and single "
              "hyphens, starting and ending with a letter or digit.")
    if not 3 <= len(name) <= 63:
        raise InvalidInput(
            f"A container name must be 3 to 63 characters long ({len(name)} given).",
            advice=advice)
    if name != name.lower() or not name.isascii():
        raise InvalidInput(f"The container name {name!r} may use lowercase letters only.",
                           advice=advice)
    if "--" in name:
        raise InvalidInput(f"The container name {name!r} has two hyphens in a row.",
                           advice=advice)
    if not (name[0].isalnum() and name[-1].isalnum()):
        raise InvalidInput(f"The container name {name!r} must start and end with a letter "
                           "or digit.", advice=advice)
    if not _CONTAINER_NAME.fullmatch(name):
        raise InvalidInput(f"The container name {name!r} may contain only lowercase letters, "
                           "digits and hyphens.", advice=advice)


def check_page_size(page_size: int) -> None:
    """Raises ``InvalidInput`` for a page size outside 1..``MAX_PAGE_SIZE``."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"The page size must be between 1 and {MAX_PAGE_SIZE} (got {page_size})."
        )


def check_addressable_name(name: str) -> None:
    """Refuse names our HTTP stack cannot address, before anything is sent.

    aiohttp (through yarl) normalizes "." and ".." path segments away, even percent-encoded, so
    a blob named ``a/../b`` would be requested as ``b`` and its signature would not match (the
    service would answer 403 and the user would be told their key is wrong). Listings still
    show such blobs; only addressing them one by one is refused, truthfully.
    """
    if not name:
        raise InvalidInput("A blob name cannot be empty.")
    if any(segment in (".", "..") for segment in name.split("/")):
        raise InvalidInput(
            f"vaultbrowser cannot open the blob {name!r}: its name has a '.' or '..' path "
            "segment, which the HTTP client rewrites before sending.",
            advice="Use another tool (e.g. azcopy or the Azure portal) for this blob.",
        )


def check_blob_name(name: str) -> None:
    """The addressable-name check, plus the service's length limit.

    Raises:
        InvalidInput: empty, longer than 1,024 characters, or a "." / ".." path segment.
    """
    check_addressable_name(name)
    if len(name) > MAX_BLOB_NAME_LENGTH:
        raise InvalidInput(
            f"A blob name may be at most {MAX_BLOB_NAME_LENGTH} characters ({len(name)} given).")


def validate_metadata(metadata: Mapping[str, str]) -> dict[str, str]:
    """Metadata names are C# identifiers (unique regardless of case); values travel as HTTP
    header values, so they must be printable ASCII; 8 KiB in all.

    Raises:
        InvalidInput: the first rule broken, naming the key (never echoing a long value).
    """
    result: dict[str, str] = {}
    seen: set[str] = set()
    total = 0
    for key, value in metadata.items():
        if not isinstance(key, str) or not _METADATA_KEY.fullmatch(key):
            raise InvalidInput(
                f"The metadata name {key!r} is not allowed: use letters, digits and underscores, "
                "not starting with a digit.")
        if key.lower() in seen:
            raise InvalidInput(f"The metadata name {key!r} is given twice (names ignore case).")
        seen.add(key.lower())
        value = str(value)
        if not value.isascii() or any(not ch.isprintable() for ch in value):
            raise InvalidInput(
                f"The value of metadata {key!r} must be printable ASCII (it is sent as an HTTP "
                "header).", advice="Encode other characters yourself, e.g. URL-encode them.")
        if value != value.strip():
            raise InvalidInput(f"The value of metadata {key!r} starts or ends with spaces, "
                               "which the service drops.")
        total += len(key) + len(value)
        result[key] = value
    if total > _MAX_METADATA_BYTES:
        raise InvalidInput(f"Metadata may total at most 8 KiB ({total} bytes given).")
    return result


def validate_tags(tags: Mapping[str, str]) -> dict[str, str]:
    """At most 10 tags; names 1–128 and values 0–256 characters of letters, digits, space and
    ``+ - . / : = _``.

    Raises:
        InvalidInput: the first rule broken.
    """
    if len(tags) > _MAX_TAGS:
        raise InvalidInput(f"A blob may have at most {_MAX_TAGS} tags ({len(tags)} given).")
    result: dict[str, str] = {}
    for key, value in tags.items():
        value = str(value)
        if not isinstance(key, str) or not 1 <= len(key) <= 128:
            raise InvalidInput(f"The tag name {key!r} must be 1 to 128 characters long.")
        if len(value) > 256:
            raise InvalidInput(f"The value of tag {key!r} is longer than 256 characters.")
        for text, what in ((key, "name"), (value, "value")):
            if not _TAG_TEXT.fullmatch(text):
                raise InvalidInput(
                    f"The tag {what} {text!r} has characters tags cannot hold.",
                    advice="Tags allow letters, digits, spaces and + - . / : = _ only.")
        result[key] = value
    return result


def guess_content_type(name: str) -> str:
    """The MIME type for a blob name (by its extension), else application/octet-stream."""
    guessed, _ = mimetypes.guess_type(name.rstrip("/"), strict=False)
    return guessed or "application/octet-stream"
