"""Blob index tag filter expressions (Find Blobs by Tags), parsed and checked before sending.

The service's rules, as ``TAG_FILTER_RULES`` tells the user:

- conditions ``"key" op 'value'``: the key in double quotes, the value in single quotes;
- ``op`` is one of ``=  >  >=  <  <=`` (values compare as text: '2024-01-05' > '2023-12-31');
- conditions are joined by ``AND`` (any case); there is no ``OR``, ``NOT`` or brackets;
- at most 10 tag conditions;
- keys 1-128 and values 0-256 characters of letters, digits, space and ``+ - . / : = _``;
- ``@container = 'name'`` narrows an account-wide search to one container: account level only,
  once, with ``=`` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vaultbrowser.blob.services.rules import validate_container_name
from vaultbrowser.core.services.errors import InvalidInput

__all__ = ["MAX_TAG_CONDITIONS", "TAG_FILTER_RULES", "TagCondition", "TagFilter",
           "parse_tag_filter"]

MAX_TAG_CONDITIONS = 10
_MAX_KEY, _MAX_VALUE = 128, 256
_TEXT = re.compile(r"[A-Za-z0-9 +\-./:=_]*")
_OPERATORS = (">=", "<=", "=", ">", "<")  # longest first
CONTAINER_KEY = "@container"

TAG_FILTER_RULES = (
    "Conditions look like \"key\" = 'value' (key in double quotes, value in single quotes) and "
    "are joined by AND. Operators: =  >  >=  <  <= (values compare as text, so write dates "
    "and numbers with a fixed width). No OR, NOT or brackets. At most 10 conditions. Keys "
    "1–128, values up to 256 characters of letters, digits, spaces and + - . / : = _. "
    "Searching the whole account, @container = 'name' keeps one container's blobs."
)


@dataclass(frozen=True, slots=True)
class TagCondition:
    key: str  # "@container" for the container condition
    operator: str
    value: str

    def text(self) -> str:
        key = self.key if self.key == CONTAINER_KEY else f'"{self.key}"'
        return f"{key} {self.operator} '{self.value}'"


@dataclass(frozen=True, slots=True)
class TagFilter:
    """A checked expression; ``expression`` is what is sent (normalised spacing, ``AND``)."""

    conditions: tuple[TagCondition, ...]

    @property
    def expression(self) -> str:
        return " AND ".join(condition.text() for condition in self.conditions)

    @property
    def container(self) -> str | None:
        return next((c.value for c in self.conditions if c.key == CONTAINER_KEY), None)


def parse_tag_filter(text: str, *, account_level: bool) -> TagFilter:
    """Parse and check a filter expression; ``account_level``: for the whole account (where
    ``@container`` is allowed) rather than one container.

    Raises:
        InvalidInput: the first rule the expression breaks, where, and the rules.
    """
    reader = _Reader(text)
    conditions: list[TagCondition] = []
    reader.skip_space()
    if reader.done():
        raise reader.error("The filter is empty.")
    while True:
        conditions.append(reader.condition())
        reader.skip_space()
        if reader.done():
            break
        reader.conjunction()
    tag_conditions = [c for c in conditions if c.key != CONTAINER_KEY]
    scoped = [c for c in conditions if c.key == CONTAINER_KEY]
    if scoped and not account_level:
        raise reader.error("@container can only be used when searching the whole account "
                           "(this search is already limited to one container).")
    if len(scoped) > 1:
        raise reader.error("@container may appear only once.")
    if scoped:
        if scoped[0].operator != "=":
            raise reader.error(f"@container takes only '=' (not '{scoped[0].operator}').")
        try:
            validate_container_name(scoped[0].value, allow_special=True)
        except InvalidInput as exc:
            raise reader.error(f"@container: {exc.message}") from None
    if not tag_conditions:
        raise reader.error("The filter needs at least one tag condition.")
    if len(tag_conditions) > MAX_TAG_CONDITIONS:
        raise reader.error(f"The filter has {len(tag_conditions)} tag conditions; the service "
                           f"allows at most {MAX_TAG_CONDITIONS}.")
    return TagFilter(tuple(conditions))


class _Reader:
    """A cursor over the expression that explains where it stopped making sense."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0

    def done(self) -> bool:
        return self.at >= len(self.text)

    def skip_space(self) -> None:
        while not self.done() and self.text[self.at] in " \t\r\n":
            self.at += 1

    def error(self, message: str) -> InvalidInput:
        return InvalidInput(f"Invalid tag filter: {message}", advice=TAG_FILTER_RULES)

    def error_here(self, message: str) -> InvalidInput:
        return self.error(f"{message} (at position {self.at + 1}: "
                          f"{self.text[self.at:self.at + 20]!r}).")

    def condition(self) -> TagCondition:
        if self.text.startswith(CONTAINER_KEY, self.at):
            self.at += len(CONTAINER_KEY)
            key = CONTAINER_KEY
        elif self.text.startswith('"', self.at):
            key = self.quoted('"', "key", _MAX_KEY)
            if not key:
                raise self.error("A tag key cannot be empty.")
        elif self.text.startswith("'", self.at):
            raise self.error_here("A tag key goes in double quotes: \"key\" = 'value'")
        elif self.text.startswith("(", self.at):
            raise self.error_here("Brackets are not supported")
        else:
            raise self.error_here("Expected a tag key in double quotes")
        self.skip_space()
        operator = next((op for op in _OPERATORS if self.text.startswith(op, self.at)), None)
        if operator is None:
            if self.text.startswith(("!=", "<>"), self.at):
                raise self.error_here("'not equal' is not supported")
            raise self.error_here("Expected an operator: =  >  >=  <  <=")
        self.at += len(operator)
        self.skip_space()
        if self.text.startswith('"', self.at):
            raise self.error_here("A value goes in single quotes: \"key\" = 'value'")
        if not self.text.startswith("'", self.at):
            raise self.error_here("Expected a value in single quotes")
        return TagCondition(key, operator, self.quoted("'", "value", _MAX_VALUE))

    def quoted(self, quote: str, what: str, longest: int) -> str:
        start = self.at + 1
        end = self.text.find(quote, start)
        if end < 0:
            raise self.error_here(f"The {what} is missing its closing {quote}")
        content = self.text[start:end]
        if len(content) > longest:
            raise self.error(f"A tag {what} may be at most {longest} characters "
                             f"({len(content)} given).")
        if not _TEXT.fullmatch(content):
            bad = next(char for char in content if not _TEXT.fullmatch(char))
            raise self.error(f"The tag {what} {content!r} has the character {bad!r}; "
                             "only letters, digits, spaces and + - . / : = _ are allowed.")
        self.at = end + 1
        return content

    def conjunction(self) -> None:
        word = re.match(r"[A-Za-z]+", self.text[self.at:])
        if word and word.group(0).upper() == "AND":
            self.at += 3
            if self.done() or self.text[self.at] not in " \t\r\n":
                raise self.error_here("AND must be followed by a space")
            self.skip_space()
            return
        if word and word.group(0).upper() in ("OR", "NOT"):
            raise self.error_here(f"{word.group(0).upper()} is not supported: only AND")
        raise self.error_here("Expected AND between conditions")
