"""Pure HTTP exchange data: the session journal and its records (no azure imports).

Kept apart from ``http.py`` (which wraps azure-core's transport) so that the window, the activity
panel and the audit trail can be imported, and painted, before the SDK is loaded.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from vaultbrowser.core.services.records import ResponseInfo

# The id a service's support asks for, by the header each family of services answers it in
# (Cosmos DB answers no x-ms-request-id: its id is the activity id).
_REQUEST_ID_HEADERS = ("x-ms-request-id", "x-ms-activity-id", "x-ms-client-request-id",
                       "apim-request-id")


def request_id_of(headers: Mapping[str, str]) -> str | None:
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


@dataclass(frozen=True, slots=True)
class CommandReply:
    """A non-HTTP command's answer: which node answered it and how big the reply was."""

    node: str  # host:port
    size: int  # bytes of the reply's strings (an estimate of what crossed the wire)

    @property
    def text(self) -> str:
        return f"OK · {self.size:,} B from {self.node}"


@dataclass(frozen=True, slots=True)
class ExchangeRecord:
    """One HTTP attempt of the session: a response, or the failure that prevented one."""

    response: ResponseInfo | None
    method: str
    url: str
    started_at: datetime
    elapsed: float
    failure: str | None = None  # exception type and message when no response was received
    authorized: bool = True  # whether the request carried credentials (header or SAS)
    connection: str = ""  # the connection's display name
    identity: str | None = None  # who, from the credentials' claims (never the credentials)
    refused: bool = False  # refused before sending (read-only mode)
    cancelled: bool = False  # the caller stopped waiting (Cancel, Refresh, closing)
    expected: bool = False  # an answer the caller asked for (404 of an existence check)
    # A command of a protocol other than HTTP (Redis) that was answered: the node that answered
    # and the reply's size stand in for ``response`` (``method`` is the command's name, ``url``
    # the connection's URL and the command's arguments, values redacted).
    reply: CommandReply | None = None
    # What the request did, as the sending connection's kind named it when it was sent
    # (``OperationName``: "list secrets", "query items"); None when no kind named it.
    operation: str | None = None

    @property
    def is_auth_challenge(self) -> bool:
        """Key Vault's bearer challenge: the SDK's first request goes without a token on
        purpose and the 401 tells it where to get one. Protocol, not a failure."""
        return (not self.authorized and self.response is not None
                and self.response.status == 401
                and self.response.header("WWW-Authenticate") is not None)

    @property
    def failed(self) -> bool:
        if self.is_auth_challenge or self.cancelled or self.expected or self.reply is not None:
            return False
        return self.response is None or self.response.status >= 400


_EXPECTED: ContextVar[frozenset[int]] = ContextVar("expected_statuses", default=frozenset())


@contextmanager
def expecting(*statuses: int) -> Iterator[None]:
    """Within the block, these answers are what the caller asks about (the 404 of "does it
    exist?"): the journal records them as expected, not as failures."""
    token = _EXPECTED.set(_EXPECTED.get() | frozenset(statuses))
    try:
        yield
    finally:
        _EXPECTED.reset(token)


def is_expected(status: int) -> bool:
    return status in _EXPECTED.get()


class HttpJournal:
    """Every HTTP exchange of the session, newest last, bounded; listeners hear each one."""

    def __init__(self, capacity: int = 20_000) -> None:
        self._records: deque[ExchangeRecord] = deque(maxlen=capacity)
        self._listeners: list[Callable[[ExchangeRecord], None]] = []

    def add_listener(self, listener: Callable[[ExchangeRecord], None]) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[ExchangeRecord], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def record(self, record: ExchangeRecord) -> None:
        self._records.append(record)
        for listener in list(self._listeners):
            listener(record)

    def records(self) -> list[ExchangeRecord]:
        return list(self._records)

    def __len__(self) -> int:
        return len(self._records)



RequestGuard = Callable[[str, str, Mapping[str, str]], None]
"""Called with (method, url, headers) before a request is sent; raises to refuse it."""

OperationName = Callable[[str, str, Mapping[str, str]], str | None]
"""A kind's name for one of its own requests, given (method, url, request headers) as it is
sent ("list secrets", "query items"), or None when the kind has no name for it. Headers are
read for what they say the request is (a Cosmos DB query), never copied into the name."""
