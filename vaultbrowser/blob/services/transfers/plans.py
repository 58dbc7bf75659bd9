"""Transfer records, local names and plans: what a run of uploads or downloads will do.

Qt-free and SDK-free (cheap to import at start-up: the dialogs use the records). Planning maps
local files to blob names (``plan_upload``) and blobs to safe local paths (``plan_download``,
``local_relative_path``). The runs themselves are ``transfers.py``'s.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.core.services.errors import InvalidInput, LocalFileError, VaultBrowserError
from vaultbrowser.core.services.files.numbered_names import split_extension

__all__ = [
    "MAX_LOCAL_NAME_BYTES",
    "ConflictChoice",
    "ConflictDecision",
    "DownloadItem",
    "TransferProgress",
    "TransferReport",
    "UploadItem",
    "local_relative_path",
    "plan_download",
    "plan_upload",
]

# A local file name's longest segment we write, in UTF-8 bytes: file systems allow 255, and a
# shortened name keeps room for " (12)" when renamed.
MAX_LOCAL_NAME_BYTES = 200
# How many numbered names a rename tries before giving up.
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
     *(f"lpt{i}" for i in range(1, 10))}
)


class ConflictChoice(StrEnum):
    SKIP = "skip"
    OVERWRITE = "overwrite"
    RENAME = "rename"


@dataclass(frozen=True, slots=True)
class ConflictDecision:
    choice: ConflictChoice
    apply_to_all: bool = False


@dataclass(frozen=True, slots=True)
class UploadItem:
    """A local file and the blob name it is uploaded to."""

    source: Path
    blob_name: str
    size: int


@dataclass(frozen=True, slots=True)
class DownloadItem:
    """A blob and where it goes under the destination folder.

    ``relative_path`` is "/"-separated and safe to join (no "."/".." or empty segments, each
    segment a valid local name); None when the blob's name cannot be mapped to a local path
    (a "." or ".." segment), in which case the download fails with ``InvalidInput``.
    ``folder_marker``: an empty blob whose name ends with "/": it becomes a folder.
    """

    blob_name: str
    relative_path: str | None
    size: int | None = None
    folder_marker: bool = False


@dataclass(frozen=True, slots=True)
class TransferProgress:
    """Where a run stands. ``files_done`` counts finished files (done, skipped or failed);
    ``bytes_total`` drops the size of skipped and failed files; ``current_*`` is the file that
    reported last."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    current_name: str | None
    current_bytes: int
    current_total: int


@dataclass(frozen=True, slots=True)
class TransferReport:
    """The outcome of a run.

    ``done``: what was written: blob names for uploads, local paths for downloads.
    ``skipped``: planned blob names skipped by a decision. ``failed``: (planned blob name,
    typed error). ``renamed``: (planned name, name written) for files written under another
    name. ``cancelled``: the run was cancelled; files not listed were not (fully) written.
    """

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, VaultBrowserError]] = field(default_factory=list)
    cancelled: bool = False
    renamed: list[tuple[str, str]] = field(default_factory=list)


# --- names ----------------------------------------------------------------------------------


def _shorten(segment: str) -> str:
    """A segment too long for a file system: its start, "~", a short hash, its extension."""
    encoded = segment.encode("utf-8")
    if len(encoded) <= MAX_LOCAL_NAME_BYTES:
        return segment
    stem, extension = split_extension(segment)
    if len(extension.encode("utf-8")) > 20:
        stem, extension = segment, ""
    digest = hashlib.sha256(encoded).hexdigest()[:8]
    room = MAX_LOCAL_NAME_BYTES - len(extension.encode("utf-8")) - len(digest) - 1
    head = stem.encode("utf-8")[:room].decode("utf-8", errors="ignore")
    return f"{head}~{digest}{extension}"


def _escape(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def _local_segment(segment: str) -> str:
    """One blob name segment as a local file name for this OS (never "/" inside)."""
    if os.name == "nt":  # pragma: no cover - Windows
        segment = "".join(_escape(ch) if ch in '<>:"\\|?*' or ord(ch) < 32 else ch
                          for ch in segment)
        if segment and segment[-1] in ". ":
            segment = segment[:-1] + _escape(segment[-1])
        if segment.split(".", 1)[0].lower() in _WINDOWS_RESERVED:
            segment = "_" + segment
    else:
        segment = segment.replace("\x00", "%00")
    return _shorten(segment)


def local_relative_path(name: str) -> str | None:
    """The "/"-separated local path for a blob name (or the part of it below a folder).

    Empty segments are dropped ("a//b" → "a/b"); a name ending in "/" keeps that slash as
    "%2F" in its last segment (``master/`` → ``master%2F``: a file cannot be named with a
    slash, and ``master`` may be needed as the folder of ``master/x``); long segments are
    shortened (see ``MAX_LOCAL_NAME_BYTES``); characters this OS forbids are %-escaped.
    Returns None for a name with a "." or ".." segment, which could leave the destination.
    """
    trailing = name.endswith("/")
    parts = [part for part in name.split("/") if part]
    if not parts or any(part in (".", "..") for part in parts):
        return None
    if trailing:
        parts[-1] += "%2F"
    return "/".join(_local_segment(part) for part in parts)


# --- planning -------------------------------------------------------------------------------


def plan_upload(paths: Sequence[Path], prefix: str = "") -> list[UploadItem]:
    """Files to upload: a file goes to ``prefix + its name``; a folder is walked (sorted,
    symlinked folders not followed) and each file goes to ``prefix + folder name + "/" +
    its path below the folder`` with "/" separators. Empty folders are not recorded.

    Blocking (it walks the disk): run it in an executor for big trees.

    Raises:
        InvalidInput: ``prefix`` does not end with "/" (unless empty), or a path is neither a
            file nor a folder.
        LocalFileError: a folder cannot be walked or a file cannot be examined.
    """
    if prefix and not prefix.endswith("/"):
        raise InvalidInput(f"The destination folder must end with '/' (got {prefix!r}).")
    items: list[UploadItem] = []
    for given in paths:
        path = Path(given)
        try:
            resolved_name = path.resolve().name
            if path.is_dir():
                items.extend(_walk(path, prefix + resolved_name + "/"))
            elif path.is_file():
                items.append(UploadItem(path, prefix + resolved_name, path.stat().st_size))
            else:
                raise InvalidInput(f"{path} is neither a file nor a folder.")
        except OSError as exc:
            raise LocalFileError(f"Could not read {path}: {exc.strerror or exc}.") from exc
    return items


def _walk(folder: Path, prefix: str) -> list[UploadItem]:
    def fail(exc: OSError) -> None:
        raise exc

    items: list[UploadItem] = []
    for root, dirs, files in os.walk(folder, onerror=fail):
        dirs.sort()
        base = Path(root)
        for file_name in sorted(files):
            path = base / file_name
            if not path.is_file():  # sockets, FIFOs, broken links
                continue
            relative = path.relative_to(folder).as_posix()
            items.append(UploadItem(path, prefix + relative, path.stat().st_size))
    return items


def plan_download(blobs: Iterable[BlobRecord], strip_prefix: str = "") -> list[DownloadItem]:
    """Where each blob goes: its name, less ``strip_prefix`` (the folder the selection sits
    in, e.g. "a/" when downloading folder "a/b/" so it lands as "b/…"), mapped to a local
    path by ``local_relative_path``."""
    items: list[DownloadItem] = []
    for blob in blobs:
        name = blob.name
        below = name[len(strip_prefix):] if strip_prefix and name.startswith(strip_prefix) \
            else name
        marker = name.endswith("/") and not blob.size
        items.append(DownloadItem(
            blob_name=name,
            # A folder marker becomes the folder itself.
            relative_path=local_relative_path(below.rstrip("/") if marker else below),
            size=blob.size,
            folder_marker=marker,
        ))
    return items
