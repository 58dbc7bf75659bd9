"""A query over a container's items: SQL, its parameters, and partition-key scoping.

Scoping to one partition sends ``partition_key=`` (the service then reads that partition only).
The items listing of one partition also filters in SQL (``WHERE c["pk"] = @…``): the local
test server ignores ``partition_key=`` on queries, and the filter costs the real service
nothing. A query the user typed is sent as typed: only its scoping is added, never its SQL
rewritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from vaultbrowser.core.services.errors import InvalidInput

DEFAULT_QUERY = "SELECT * FROM c"
# How many items the first page asks for (rows on screen soon) and the pages after it.
FIRST_PAGE_ITEMS = 50
NEXT_PAGE_ITEMS = 500
_PARAMETER = re.compile(r"@[A-Za-z_][A-Za-z0-9_]*")
_NO_KEY = object()  # not scoped (None is a partition key value: JSON null)
_KEY_PARAMETER = "@vb_partition_key"


def key_path_sql(path: str) -> str:
    """``/tenant/id`` as the SQL reference ``c["tenant"]["id"]`` (quoted: any property name).

    Raises:
        InvalidInput: an empty path.
    """
    parts = [part for part in path.strip("/").split("/") if part]
    if not parts:
        raise InvalidInput("The partition key path is empty.")
    return "c" + "".join(f"[{json.dumps(part)}]" for part in parts)


@dataclass(frozen=True)
class ItemQuery:
    """What to ask the container for. ``partition_key``: the value scoping the query to one
    partition (``_NO_KEY``: across partitions); ``parameters``: ``@name`` → a JSON value."""

    text: str = DEFAULT_QUERY
    parameters: tuple[tuple[str, Any], ...] = ()
    partition_key: Any = _NO_KEY

    @property
    def scoped(self) -> bool:
        return self.partition_key is not _NO_KEY

    @classmethod
    def of(cls, text: str, parameters: Mapping[str, Any] | None = None) -> ItemQuery:
        """A query the user typed, checked for what can be checked before sending it.

        Raises:
            InvalidInput: empty SQL, a parameter not named ``@name``, or a parameter of the
                SQL without a value.
        """
        text = text.strip()
        if not text:
            raise InvalidInput("The query is empty.", advice=f"For example: {DEFAULT_QUERY}")
        given = dict(parameters or {})
        for name in given:
            if not _PARAMETER.fullmatch(name):
                raise InvalidInput(f"The parameter {name!r} is not named @name.",
                                   advice="Parameters are named like @city.")
        missing = sorted(set(_PARAMETER.findall(_without_strings(text))) - set(given))
        if missing:
            raise InvalidInput(f"The query uses {', '.join(missing)} without a value.",
                               advice="Give every @parameter of the query a value.")
        return cls(text, tuple(given.items()))

    def in_partition(self, value: Any) -> ItemQuery:
        """The same query, scoped to the partition ``value`` (sent as ``partition_key=``)."""
        return ItemQuery(self.text, self.parameters, value)

    @classmethod
    def partition_items(cls, key_path: str, value: Any) -> ItemQuery:
        """Every item of one partition: scoped and filtered in SQL (see the module docstring)."""
        return cls(f"SELECT * FROM c WHERE {key_path_sql(key_path)} = {_KEY_PARAMETER}",
                   ((_KEY_PARAMETER, value),), value)

    def sdk_parameters(self) -> list[dict[str, Any]] | None:
        return [{"name": name, "value": value} for name, value in self.parameters] or None


def _without_strings(sql: str) -> str:
    """The SQL with its string literals blanked (an "@" inside a string is no parameter)."""
    return re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", sql)
