"""The one HTTP test seam: ``MockTransport``, an azure-core async transport in the style of
httpx's ``MockTransport`` — each request goes to a handler, whose answer (a ``MockResponse``, or
an exception it raises) is the response. For the cases no real server can show (a response
carrying credentials in its headers, a transport failure with a SAS in its message); everything
else runs against the emulators, Azurite and redis-server.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from azure.core.pipeline.transport import AsyncHttpTransport
from azure.core.rest import HttpRequest
from azure.core.rest._http_response_impl_async import AsyncHttpResponseImpl
from azure.core.utils import CaseInsensitiveDict
from multidict import CIMultiDict


class _Body:
    """The body as a byte stream, shaped like aiohttp's ``StreamReader`` where the transport
    (``RecordingTransport``'s response limits) looks at it."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._error: BaseException | None = None

    async def read(self, n: int = -1) -> bytes:
        if self._error is not None:
            raise self._error
        size = len(self._data) if n < 0 else n
        chunk, self._data = self._data[:size], self._data[size:]
        return chunk

    async def readany(self) -> bytes:
        return await self.read()

    def exception(self) -> BaseException | None:
        return self._error

    def set_exception(self, error: BaseException) -> None:
        self._error = error


@dataclass
class _Wire:
    """What a real transport's response wraps (aiohttp's ``ClientResponse``): headers, body."""

    headers: CIMultiDict[str]
    content: _Body

    async def close(self) -> None:
        pass


@dataclass(frozen=True)
class MockResponse:
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    reason: str = "OK"

    def for_request(self, request: HttpRequest) -> AsyncHttpResponseImpl:
        """The azure-core response to ``request``: its body already read, as after a
        non-streamed download."""
        body = self.body

        async def chunks(*_args: Any, **_kwargs: Any) -> AsyncIterator[bytes]:
            yield body

        response = AsyncHttpResponseImpl(
            request=request, internal_response=_Wire(CIMultiDict(self.headers), _Body(body)),
            status_code=self.status,
            reason=self.reason, content_type=self.headers.get("Content-Type"),
            headers=CaseInsensitiveDict(self.headers),
            stream_download_generator=lambda *_args, **_kwargs: chunks())
        response._content = body
        response._is_stream_consumed = True
        return response


Handler = Callable[[HttpRequest], MockResponse | Awaitable[MockResponse]]


class MockTransport(AsyncHttpTransport):
    """Request in → ``handler(request)`` → response out; ``requests`` keeps what was sent."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[HttpRequest] = []

    async def send(self, request: HttpRequest, **kwargs: Any) -> AsyncHttpResponseImpl:
        self.requests.append(request)
        answer = self.handler(request)
        if inspect.isawaitable(answer):
            answer = await answer
        return answer.for_request(request)

    async def open(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> MockTransport:
        return self

    async def __aexit__(self, *args: Any) -> None:
        pass
