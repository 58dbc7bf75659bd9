"""Local files of the Key Vault actions: choosing paths (replaceable in tests) and saving
downloads safely.

``save_bytes`` writes to a temporary file in the destination's folder and moves it into place
only when it is complete: a failure leaves no partial file, and an existing file is replaced
only when the caller says the user agreed (``overwrite``) — a file that appears meanwhile is
never replaced silently.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QWidget

from vaultbrowser.core.services.errors import LocalFileError


class FileChoices(Protocol):
    """Who asks for files: the Key Vault actions (tests replace the two functions)."""

    choose_open_path: Callable[..., Path | None]
    choose_save_path: Callable[..., Path | None]


def choose_open_path(parent: QWidget | None, title: str, directory: Path,
                     name_filter: str) -> Path | None:
    """Ask for an existing file (the default hook: a ``QFileDialog``)."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(directory), name_filter)
    return Path(path) if path else None


def choose_save_path(parent: QWidget | None, title: str, suggested: Path,
                     name_filter: str) -> Path | None:
    """Ask where to save (the default hook). The dialog does not ask about replacing a file:
    the controller asks itself, so tests and the real dialog take the same path."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(suggested), name_filter,
                                          options=QFileDialog.Option.DontConfirmOverwrite)
    return Path(path) if path else None


def read_bytes(path: Path, limit: int = 1 << 20) -> bytes:
    """A small local file's bytes (certificates: at most ``limit`` bytes).

    Raises:
        LocalFileError: unreadable, or larger than ``limit``.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            raise LocalFileError(f"{path.name} is {size:,} bytes: too large for a certificate "
                                 "file.", advice="Choose a PFX or PEM certificate file.")
        return path.read_bytes()
    except OSError as exc:
        raise LocalFileError(f"Could not read {path}: {exc.strerror or exc}") from exc


def save_bytes(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Raises:
        LocalFileError: the folder is not writable, the disk is full, or ``path`` exists and
            ``overwrite`` is False (nothing is replaced; the temporary file is removed).
    """
    folder = path.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part",
                                             dir=folder)
    except OSError as exc:
        raise LocalFileError(f"Could not write in {folder}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if overwrite:
            os.replace(temporary, path)
        else:
            _move_without_replacing(Path(temporary), path)
    except FileExistsError as exc:
        raise LocalFileError(f"{path} exists: it was not replaced.",
                             advice="Choose another name, or agree to replace it.") from exc
    except OSError as exc:
        raise LocalFileError(f"Could not write {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def _move_without_replacing(temporary: Path, path: Path) -> None:
    """Move into place, failing with ``FileExistsError`` when ``path`` exists (atomic where
    hard links exist: a file created meanwhile is not replaced)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (some file systems): check, then rename
        if path.exists():
            raise FileExistsError(str(path)) from None
        os.rename(temporary, path)
