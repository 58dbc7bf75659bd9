"""What a server-side copy, move or rename is asked to do, checked before any request.

SDK-free (dialogs validate as the user types). A source is one blob or one folder (a prefix
ending with "/"); the target is an account, a container and a name (for a blob) or a prefix
(for a folder: "" for the container's root, else ending with "/"). Every source name maps to
exactly one destination name (``destination_name``).
"""

from __future__ import annotations

import enum
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from vaultbrowser.blob.services.rules import check_blob_name, validate_container_name
from vaultbrowser.core.services.errors import InvalidInput

__all__ = [
    "ConflictPolicy",
    "CopySource",
    "CopyTarget",
    "check_copy",
    "check_new_leaf_name",
    "destination_name",
    "keep_both_names",
]


class ConflictPolicy(enum.Enum):
    """What to do when the destination blob already exists (chosen up front)."""

    SKIP = "skip"
    OVERWRITE = "overwrite"
    KEEP_BOTH = "keep both"  # copy to "name (1).ext", "name (2).ext"…


@dataclass(frozen=True, slots=True)
class CopySource:
    """One blob (``name``) or one folder (``name`` ends with "/") of an account."""

    account_url: str
    container: str
    name: str

    @property
    def is_folder(self) -> bool:
        return self.name.endswith("/")

    @property
    def label(self) -> str:
        return f"{self.container}/{self.name}"


@dataclass(frozen=True, slots=True)
class CopyTarget:
    """Where a copy goes. For a blob source ``name`` is the new blob's name; for a folder it
    is the prefix the folder's contents go under ("" or ending with "/")."""

    account_url: str
    container: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.container}/{self.name}"


def check_new_leaf_name(leaf: str) -> None:
    """A new name for a blob or folder in the same folder (a rename).

    Raises:
        InvalidInput: empty, only spaces, with a "/", or "." / "..".
    """
    if not leaf.strip():
        raise InvalidInput("The new name is empty.", advice="Type the new name.")
    if "/" in leaf:
        raise InvalidInput(f"The new name {leaf!r} has a '/'.",
                           advice="A rename keeps the folder; use Move to put it elsewhere.")
    if leaf in (".", ".."):
        raise InvalidInput(f"{leaf!r} is not a name a blob or folder can have.")


def check_copy(source: CopySource, target: CopyTarget) -> None:
    """Refuse a copy or move that cannot be right, before any request.

    Raises:
        InvalidInput: a bad container or blob name, a folder copied onto a blob name (or the
            other way round), a copy onto itself, or a folder copied into its own subfolder
            (the copies would be listed, and copied, again).
    """
    validate_container_name(source.container, allow_special=True)
    validate_container_name(target.container, allow_special=True)
    if source.is_folder:
        if target.name and not target.name.endswith("/"):
            raise InvalidInput(f"A folder goes into a folder: {target.name!r} must end with '/'.")
        if target.name:
            check_blob_name(target.name)
    else:
        if not target.name or target.name.endswith("/"):
            raise InvalidInput("The target of a blob copy needs a blob name.",
                               advice="Type the new blob's name (not only a folder).")
        check_blob_name(target.name)
        check_blob_name(source.name)
    same_container = (source.account_url.rstrip("/") == target.account_url.rstrip("/")
                      and source.container == target.container)
    if not same_container:
        return
    if source.name == target.name:
        raise InvalidInput(f"“{source.label}” would be copied onto itself.",
                           advice="Choose another folder, container, account or name.")
    if source.is_folder and target.name.startswith(source.name):
        raise InvalidInput(
            f"“{target.label}” is inside “{source.label}”: a folder cannot go into its own "
            "subfolder.", advice="Choose a folder outside the one being copied or moved.")


def destination_name(source: CopySource, target: CopyTarget, blob_name: str) -> str:
    """The destination of ``blob_name`` (the source blob, or a blob under the source folder).

    Raises:
        InvalidInput: the resulting name breaks the service's name rules (e.g. too long).
    """
    if not source.is_folder:
        return target.name
    if not blob_name.startswith(source.name):
        raise InvalidInput(f"{blob_name!r} is not under {source.name!r}.")
    name = target.name + blob_name[len(source.name):]
    check_blob_name(name)
    return name


def keep_both_names(name: str, *, limit: int = 1000) -> Iterator[str]:
    """"stem (1).ext", "stem (2).ext"… up to ``limit``: the names "keep both" tries in turn."""
    folder, leaf = posixpath.split(name)
    stem, ext = posixpath.splitext(leaf)
    for number in range(1, limit + 1):
        numbered = f"{stem} ({number}){ext}"
        yield posixpath.join(folder, numbered) if folder else numbered
