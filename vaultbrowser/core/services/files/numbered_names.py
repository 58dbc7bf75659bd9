"""Numbered names for a rename that must not overwrite: ``"report (1).pdf"``, for local files
and blobs alike."""

from __future__ import annotations

MAX_RENAME_ATTEMPTS = 10_000
_DOUBLE_EXTENSIONS = (".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst")


def split_extension(name: str) -> tuple[str, str]:
    """``("report", ".pdf")``; a ``.tar.gz``-style double extension stays whole."""
    lowered = name.lower()
    for double in _DOUBLE_EXTENSIONS:
        if lowered.endswith(double) and len(name) > len(double):
            return name[: -len(double)], name[-len(double):]
    dot = name.rfind(".")
    if dot <= 0 or dot == len(name) - 1:  # ".bashrc", "name.", no dot
        return name, ""
    return name[:dot], name[dot:]


def numbered_name(name: str, number: int) -> str:
    """``"dir/report.pdf"`` → ``"dir/report (1).pdf"``; the last segment's extension (and a
    ``.tar.gz``-style double one) stays last; a trailing "/" stays trailing."""
    core = name.rstrip("/")
    trailing = name[len(core):]
    head, sep, last = core.rpartition("/")
    stem, extension = split_extension(last)
    return f"{head}{sep}{stem} ({number}){extension}{trailing}"
