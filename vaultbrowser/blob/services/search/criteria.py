"""What a blob search looks for, checked before any request: a server-side prefix, and the
client-side tests of a deep search (substring, glob, regex, size range, last-modified range).

Every check raises ``InvalidInput`` with what is wrong and what to do, so a bad pattern or an
empty range never costs a request.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from vaultbrowser.blob.services.records import BlobRecord
from vaultbrowser.blob.services.rules import MAX_BLOB_NAME_LENGTH
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.name_match import NameMatch, name_test

__all__ = ["DeepCriteria", "check_prefix"]


def check_prefix(prefix: str) -> None:
    """Refuse a prefix the service (or the XML of its answer) cannot carry.

    A blob name holds at most 1,024 characters and no control characters (the listing is XML
    1.0, which cannot carry them; the service refuses such names), nor unpaired surrogates or
    the non-characters U+FFFE/U+FFFF.

    Raises:
        InvalidInput: the prefix no blob name can start with.
    """
    if len(prefix) > MAX_BLOB_NAME_LENGTH:
        raise InvalidInput(f"A prefix may be at most {MAX_BLOB_NAME_LENGTH} characters "
                           f"({len(prefix)} given): no blob name is longer.")
    for position, char in enumerate(prefix):
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in "\ufffe\uffff":
            raise InvalidInput(
                f"The prefix has a character the service does not accept in blob names "
                f"(U+{ord(char):04X} at position {position + 1}).",
                advice="Remove control characters (tabs, line breaks) from the search text.")


@dataclass(frozen=True, slots=True)
class DeepCriteria:
    """The client-side tests of a deep search; every one given must hold.

    ``min_size``/``max_size`` are inclusive bytes; ``modified_after``/``modified_before`` are
    timezone-aware and inclusive. ``prefix`` narrows the listing itself (server-side).
    """

    pattern: str = ""
    match: NameMatch = NameMatch.SUBSTRING
    case_sensitive: bool = False
    min_size: int | None = None
    max_size: int | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None
    prefix: str = ""

    def compile(self) -> Callable[[BlobRecord], bool]:
        """The test for one listed blob.

        Raises:
            InvalidInput: a bad regex or glob, a negative size, an empty range, a naive date,
                nothing to look for, or a bad prefix.
        """
        check_prefix(self.prefix)
        matches_name = name_test(self.pattern, self.match, self.case_sensitive)
        for value, what in ((self.min_size, "smallest"), (self.max_size, "largest")):
            if value is not None and value < 0:
                raise InvalidInput(f"The {what} size cannot be negative ({value:,} bytes).")
        if (self.min_size is not None and self.max_size is not None
                and self.min_size > self.max_size):
            raise InvalidInput(f"The size range is empty: from {self.min_size:,} to "
                               f"{self.max_size:,} bytes.", advice="Swap the two sizes.")
        for moment in (self.modified_after, self.modified_before):
            if moment is not None and moment.tzinfo is None:
                raise InvalidInput("A last-modified bound needs a time zone.")
        if (self.modified_after is not None and self.modified_before is not None
                and self.modified_after > self.modified_before):
            raise InvalidInput("The last-modified range is empty: its start is after its end.",
                               advice="Swap the two dates.")
        if matches_name is None and self.min_size is None and self.max_size is None and (
                self.modified_after is None and self.modified_before is None):
            raise InvalidInput("A deep search needs something to look for: a name pattern, "
                               "a size range or a last-modified range.",
                               advice="For names that start with some text, type it in the "
                                      "prefix search instead: it asks the service directly.")
        low, high = self.min_size, self.max_size
        after, before = self.modified_after, self.modified_before

        def test(blob: BlobRecord) -> bool:
            if matches_name is not None and not matches_name(blob.name):
                return False
            if (low is not None or high is not None) and (
                    blob.size is None or (low is not None and blob.size < low)
                    or (high is not None and blob.size > high)):
                return False
            if after is not None or before is not None:
                moment = blob.last_modified
                if moment is None or (after is not None and moment < after) or (
                        before is not None and moment > before):
                    return False
            return True

        return test
