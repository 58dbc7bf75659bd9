"""Matching a name against what the user typed: contains, glob or regex (blob search, search
all vaults). The pattern is checked once, before any request; a bad one is ``InvalidInput``."""

from __future__ import annotations

import enum
import fnmatch
import re
from collections.abc import Callable

from vaultbrowser.core.services.errors import InvalidInput


class NameMatch(enum.Enum):
    """How a name is compared with the pattern (the value is how the choice is shown)."""

    SUBSTRING = "contains"
    GLOB = "glob"  # fnmatch: * ? [seq] over the whole name ("*" crosses "/")
    REGEX = "regex"  # Python re, searched anywhere in the name


def name_test(pattern: str, match: NameMatch, case_sensitive: bool
              ) -> Callable[[str], bool] | None:
    """A test of a name, or None for an empty pattern (every name matches).

    Raises:
        InvalidInput: a regex that does not compile, or a glob with an unclosed ``[``.
    """
    if not pattern:
        return None
    if match is NameMatch.SUBSTRING:
        if case_sensitive:
            return lambda name: pattern in name
        folded = pattern.casefold()
        return lambda name: folded in name.casefold()
    if match is NameMatch.GLOB:
        _check_glob(pattern)
        source = fnmatch.translate(pattern)
    else:
        source = pattern
    try:
        compiled = re.compile(source, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise InvalidInput(f"The regular expression is not valid: {exc}.",
                           advice="Python regular-expression syntax; escape . * + ? ( ) [ ] "
                                  "{ } | \\ with a backslash to match them as text.") from None
    if match is NameMatch.GLOB:
        return lambda name: compiled.match(name) is not None
    return lambda name: compiled.search(name) is not None


def _check_glob(pattern: str) -> None:
    """A glob's ``[`` must close: fnmatch would silently take it as text."""
    opened = -1
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "[" and opened < 0:
            opened = index
            index += 1
            if index < len(pattern) and pattern[index] in "!^":
                index += 1
            if index < len(pattern) and pattern[index] == "]":
                index += 1  # "[]...]": a leading ] belongs to the set
            continue
        if char == "]" and opened >= 0:
            opened = -1
        index += 1
    if opened >= 0:
        raise InvalidInput(f"The glob has a '[' at position {opened + 1} that is never "
                           "closed.", advice="Close the set with ']', or write [[] to match "
                                             "a '[' itself.")
