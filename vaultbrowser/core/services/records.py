"""The records every kind shares: pages, results, the HTTP response info, secret values.

Nothing above ``services/`` ever sees an SDK type. Every listing returns a ``Page``; every single
call returns a ``Result``; both carry the ``ResponseInfo`` of the HTTP call that produced them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")



class _EmptyMapping(Mapping[str, str]):
    """The shared empty default of the records' mapping fields: immutable and hashable.

    (A ``MappingProxyType({})`` is unhashable, which ``dataclasses`` rejects as a default on
    Python 3.11+.) It compares equal to ``{}`` and to any other empty mapping.
    """

    __slots__ = ()

    def __getitem__(self, key: str) -> str:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __hash__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return "{}"


EMPTY_MAPPING: Mapping[str, str] = _EmptyMapping()


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """One HTTP exchange, already redacted (no Authorization, cookies, SAS signature, values)."""

    method: str
    url: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    request_id: str | None
    elapsed: float  # seconds from sending the request to receiving the response headers
    started_at: datetime

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}".strip()

    @property
    def ok(self) -> bool:
        return self.status < 400


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing. ``next_token`` is None on the last page."""

    items: tuple[T, ...]
    next_token: str | None
    response: ResponseInfo | None


@dataclass(frozen=True, slots=True)
class Result(Generic[T]):
    """The outcome of one call, with the response that produced it."""

    value: T
    response: ResponseInfo | None


class SecretValue:
    """A secret's value. Its repr and str never show the value; read ``.reveal()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"SecretValue(<{len(self._value)} characters hidden>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("SecretValue", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("SecretValue cannot be pickled")
