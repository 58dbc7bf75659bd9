"""Resource limits (ARCHITECTURE.md, "Limits"): what one response and one listing may cost.

Every response goes through ``RecordingTransport`` (``http.py``), which calls ``send_within``:

- **Deadline**: from sending the request to the last body byte. ``asyncio.timeout_at`` while
  the headers are awaited, then one timer that fails the body stream the way aiohttp's own
  ``sock_read`` timeout does (``StreamReader.set_exception``): a body that trickles in one byte
  a second, which the read timeout never catches, stops at the deadline. A request with a
  body of its own (an upload) gets ``min_upload_rate`` time for it on top.
- **Body size**, as received and once decompressed. azure-core reads every body through
  aiohttp's ``ClientResponse.content``; ``BoundedContent`` stands in for it and counts. Our
  sessions leave ``Content-Encoding: gzip/deflate`` to azure-core, which inflates in full and
  unbounded: a whole-body read (every non-stream response, and a streamed one read with
  ``read()``) measures the inflated size under the cap before azure-core inflates it, and a
  streamed body is inflated by ``BoundedDownload`` under the cap (``zlib`` ``max_length``), so
  memory never holds more than the cap whatever the ratio.
- **Pages**: the fetchers of listing pages send them inside ``page_request()``; such a
  response is held to ``max_page_bytes`` and the fetcher learns the limits (``max_page_items``)
  from the transport that sent it.

``ContinuationGuard`` is the per-node rule of the tree models: a continuation token may not come
back, and pages bringing nothing but another continuation may not go on forever.

Qt-free. azure-core's transport classes are imported only when the first response is bounded.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from vaultbrowser.core.services.config import LimitSettings
from vaultbrowser.core.services.errors import LimitExceeded
from vaultbrowser.core.services.redaction import redact_url

__all__ = [
    "BoundedContent",
    "ContinuationGuard",
    "PageRequest",
    "ResponseBudget",
    "page_items_exceeded",
    "page_request",
    "send_within",
]

_DEFAULT_LIMITS = LimitSettings()
_INFLATED_ENCODINGS = ("gzip", "deflate")  # what azure-core inflates itself
_MEASURE_STEP = 1 << 20  # a measured inflation never holds more than this at once


def _size(count: int) -> str:
    mib = count / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{count:,} bytes"


# --- listing pages ---------------------------------------------------------------------------


class PageRequest:
    """Marks the requests of one listing page. The transport that sends them leaves its limits
    here for the page's fetcher (``max_page_items``); the fetcher leaves the number of items
    the service's page held (``items``: before a model filters them, as the deleted-blobs view
    does, where a page of live blobs only is legitimately empty)."""

    __slots__ = ("items", "limits")

    def __init__(self) -> None:
        self.limits: LimitSettings = _DEFAULT_LIMITS
        self.items: int | None = None


_PAGE_REQUEST: contextvars.ContextVar[PageRequest | None] = contextvars.ContextVar(
    "vaultbrowser_page_request", default=None)


@contextmanager
def page_request() -> Iterator[PageRequest]:
    """Requests sent inside this block (in this task, or a task created in it) fetch one
    listing page. Nested, the outer block's marker is the one (a tree model's, around the
    service's fetcher)."""
    outer = _PAGE_REQUEST.get()
    if outer is not None:
        yield outer
        return
    marker = PageRequest()
    token = _PAGE_REQUEST.set(marker)
    try:
        yield marker
    finally:
        _PAGE_REQUEST.reset(token)


def page_items_exceeded(limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"A listing page held more than {limit:,} items (limit max_page_items = {limit}).",
        limit="max_page_items", value=limit)


class ContinuationGuard:
    """One listing node's pages, as they land: refuses a continuation token that was handed
    out before (the listing would loop forever) and ``max_empty_pages`` pages in a row that
    bring no item but another continuation. A node listed again from its first page gets a
    new guard; after an empty-pages error a Retry may try as many again."""

    __slots__ = ("_empty", "_max_empty", "_seen")

    def __init__(self, max_empty_pages: int) -> None:
        self._seen: set[str] = set()
        self._empty = 0
        self._max_empty = max_empty_pages

    def handed_out(self, token: str) -> bool:
        """Whether an accepted page named ``token`` already (asking it again would loop)."""
        return token in self._seen

    def check(self, items: int, next_token: str | None) -> None:
        """Accept a landed page continuing at ``next_token``, on which the service sent
        ``items`` items.

        Raises:
            LimitExceeded: the token came before, or too many empty pages in a row.
        """
        if next_token is None:
            self._empty = 0
            return
        if next_token in self._seen:
            raise LimitExceeded(
                "The listing handed back a continuation token it had sent before: it would "
                "never end (limit: no repeated continuation).",
                limit="repeated continuation")
        if items:
            self._empty = 0
        else:
            self._empty += 1
            if self._empty >= self._max_empty:
                self._empty = 0
                limit = self._max_empty
                raise LimitExceeded(
                    f"The listing sent {limit:,} pages in a row with no items but another "
                    f"continuation (limit max_empty_pages = {limit}).",
                    limit="max_empty_pages", value=limit)
        self._seen.add(next_token)


# --- one response ----------------------------------------------------------------------------


class ResponseBudget:
    """The limits one response is held to: its deadline and its body's size cap."""

    __slots__ = ("_extra", "_method", "_timer", "_upload", "_url", "deadline",
                 "deadline_seconds", "max_bytes", "size_setting")

    def __init__(self, limits: LimitSettings, method: str, url: str, *, page: bool,
                 upload: int = 0) -> None:
        """``upload``: the bytes of the request's own body, which get time of their own."""
        self.deadline_seconds = limits.response_deadline
        self._upload = upload
        rate = limits.min_upload_rate
        self._extra = round(upload / rate, 1) if upload and rate > 0 else 0.0
        self.deadline = asyncio.get_running_loop().time() + limits.response_deadline + self._extra
        if page and limits.max_page_bytes < limits.max_body_bytes:
            self.max_bytes, self.size_setting = limits.max_page_bytes, "max_page_bytes"
        else:
            self.max_bytes, self.size_setting = limits.max_body_bytes, "max_body_bytes"
        self._method = method
        self._url = url
        self._timer: asyncio.Handle | None = None

    def deadline_exceeded(self) -> LimitExceeded:
        seconds = self.deadline_seconds
        upload = (f"; its {_size(self._upload)} upload had {self._extra:g} s more"
                  if self._extra else "")
        return LimitExceeded(
            f"The answer took longer than the {seconds:g} s one response may take, from the "
            f"request to its last byte (limit response_deadline = {seconds:g} s{upload}).",
            limit="response_deadline", value=seconds, method=self._method,
            url=redact_url(self._url))

    def too_big(self, *, decompressed: bool = False) -> LimitExceeded:
        self.finished()
        cap = self.max_bytes
        what = "once decompressed " if decompressed else ""
        return LimitExceeded(
            f"The answer's body went past {_size(cap)} {what}(limit {self.size_setting} = "
            f"{cap}).", limit=self.size_setting, value=cap, method=self._method,
            url=redact_url(self._url))

    def bound(self, response: Any) -> None:
        """Hold ``response``'s body (not read yet) to this budget, whoever reads it."""
        from azure.core.rest import AsyncHttpResponse as RestResponse

        internal = response.internal_response
        encoding = (internal.headers.get("Content-Encoding") or "").strip().lower()
        inflated = encoding if encoding in _INFLATED_ENCODINGS else None
        content = BoundedContent(
            internal.content, self,
            inflated if getattr(response, "_decompress", True) else None)
        internal.content = content
        if isinstance(response, RestResponse):
            # iter_bytes, iter_raw and stream_download all make their generator here.
            response._stream_download_generator = functools.partial(
                _bounded_download_class(), budget=self)
        else:  # the legacy response (storage's batch requests) builds it in stream_download
            response.stream_download = functools.partial(
                _legacy_stream_download, weakref.ref(response), self)
        self._timer = asyncio.get_running_loop().call_at(
            self.deadline, _expire, weakref.ref(content))

    def finished(self) -> None:
        """The body ended (or failed): the deadline no longer applies."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _expire(content_ref: weakref.ref[BoundedContent]) -> None:
    content = content_ref()
    if content is not None:
        content.expire()


class _Inflater:
    """Inflates gzip/deflate as azure-core does, but never past the budget's cap."""

    __slots__ = ("_budget", "_left", "_zlib")

    def __init__(self, encoding: str, budget: ResponseBudget) -> None:
        wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else -zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits=wbits)
        self._left = budget.max_bytes
        self._budget = budget

    def inflate(self, data: bytes) -> bytes:
        out = self._zlib.decompress(data, self._left + 1)
        self._take(len(out))
        return out

    def measure(self, data: bytes) -> None:
        """Count what ``data`` inflates to, keeping none of it."""
        while data:
            self._take(len(self._zlib.decompress(data, min(self._left + 1, _MEASURE_STEP))))
            data = self._zlib.unconsumed_tail

    def _take(self, count: int) -> None:
        self._left -= count
        if self._left < 0:
            raise self._budget.too_big(decompressed=True)


class BoundedContent:
    """Stands in for aiohttp's ``ClientResponse.content`` (a ``StreamReader``): every read
    is counted against the budget; the deadline fails the stream. Everything else is the
    real reader's."""

    __slots__ = ("__weakref__", "_budget", "_inflated", "_inner", "_received")

    def __init__(self, inner: Any, budget: ResponseBudget, inflated: str | None) -> None:
        self._inner = inner
        self._budget = budget
        self._inflated = inflated  # the encoding azure-core will inflate a whole body from
        self._received = 0

    async def read(self, n: int = -1) -> bytes:
        if n < 0:
            return await self._read_whole()
        return self._counted(await self._inner.read(n), n)

    async def readany(self) -> bytes:
        return self._counted(await self._inner.readany(), 1)

    def _counted(self, chunk: bytes, asked: int) -> bytes:
        if chunk:
            self._received += len(chunk)
            if self._received > self._budget.max_bytes:
                raise self._budget.too_big()
        elif asked:
            self._budget.finished()  # the end of the body
        return chunk

    async def _read_whole(self) -> bytes:
        """The whole body (``ClientResponse.read``), after which azure-core inflates it in one
        go: its inflated size is measured here first."""
        inflater = _Inflater(self._inflated, self._budget) if self._inflated else None
        parts = []
        while chunk := await self.readany():
            if inflater is not None:
                try:
                    inflater.measure(chunk)
                except zlib.error:
                    inflater = None  # azure-core's own inflation fails here too, as ever
            parts.append(chunk)
        return b"".join(parts)

    def expire(self) -> None:
        self._budget.finished()
        if self._inner.exception() is None:
            self._inner.set_exception(self._budget.deadline_exceeded())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@functools.cache
def _bounded_download_class() -> type:
    from azure.core.pipeline.transport._aiohttp import AioHttpStreamDownloadGenerator

    class BoundedDownload(AioHttpStreamDownloadGenerator):
        """azure-core's streamed body, inflated under the budget's cap (azure-core's own
        inflates each chunk in full: 256 KiB of gzip may give 256 MB)."""

        def __init__(self, pipeline: Any, response: Any, *, decompress: bool = True,
                     budget: ResponseBudget) -> None:
            super().__init__(pipeline, response, decompress=False)
            encoding = (response.internal_response.headers.get("Content-Encoding") or ""
                        ).strip().lower()
            self._inflater = (_Inflater(encoding, budget)
                              if decompress and encoding in _INFLATED_ENCODINGS else None)

        async def __anext__(self) -> bytes:
            chunk = await super().__anext__()
            if self._inflater is None:
                return chunk
            try:
                return self._inflater.inflate(chunk)
            except BaseException:
                self.response.internal_response.close()
                raise

    return BoundedDownload


def _legacy_stream_download(response_ref: weakref.ref[Any], budget: ResponseBudget,
                            pipeline: Any, *, decompress: bool = True, **_: Any) -> Any:
    return _bounded_download_class()(pipeline, response_ref(), decompress=decompress,
                                     budget=budget)


async def send_within(inner: Any, request: Any, limits: LimitSettings, **kwargs: Any) -> Any:
    """``inner.send(request, **kwargs)``, the response held to ``limits``: its body is read
    here (as azure-core would) unless ``stream=True``, else bounded wherever it is read.

    Raises:
        LimitExceeded: past the deadline or a size cap.
    """
    stream = kwargs.pop("stream", False)
    page = _PAGE_REQUEST.get()
    if page is not None:
        page.limits = limits
    budget = ResponseBudget(limits, request.method, request.url, page=page is not None,
                            upload=_upload_size(request))
    timeout = asyncio.timeout_at(budget.deadline)
    try:
        async with timeout:
            response = await inner.send(request, stream=True, **kwargs)
    except TimeoutError:
        if timeout.expired():
            raise budget.deadline_exceeded() from None
        raise
    budget.bound(response)
    if not stream:
        await _load_body(response)
    return response


def _upload_size(request: Any) -> int:
    """The request body's length (every upload of the SDKs says it), 0 when unsaid."""
    try:
        return max(0, int(request.headers.get("Content-Length") or 0))
    except (TypeError, ValueError):
        return 0


async def _load_body(response: Any) -> None:
    """What azure-core's aiohttp transport does with a response not streamed."""
    from azure.core.rest import AsyncHttpResponse as RestResponse

    if isinstance(response, RestResponse):
        try:
            await response.read()
        finally:
            await response.close()
    else:
        await response.load_body()
