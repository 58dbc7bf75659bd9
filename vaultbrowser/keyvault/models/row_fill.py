"""``RowFiller``: completes the rows in view whose listing lacks columns, one GET per row, in
the background (a certificate's Subject, a key's Type and Size / curve).

Key Vault's listings do not carry these; only an item's GET does. Asking for every listed item
would cost one GET per item of a vault that may hold thousands, against a service that
throttles per vault (its limits count transactions per 10 s window), so only the rows a view
shows are asked, top first, a few at a time.

Contract:
- ``rows_in_view(nodes)`` (top first) replaces the wanted rows: a row whose record lacks the
  columns (``wants``) is asked once per record: a row answered, or failed for good, is not
  asked again until a write or a refresh gives it another record. At most ``max_in_flight``
  GETs run at once, started in view order.
- A row that leaves the view (scrolled away, its vault collapsed, the tab left) has its GET
  cancelled whether queued or in flight: an asyncio cancellation, no error, the row is not
  touched. ``cancel_under(node)`` does the same for rows about to be removed (refresh, removal,
  reset); ``close()`` for good (the window closes: nothing outlives the clients).
- Failures are never raised nor shown as dialogs; the cell stays empty. The journal still
  records every call, as an expected answer rather than a failure (``journal.expecting``).
  Access denied (or a sign-in refused) stops filling that vault for as long as its node lives;
  throttling (429), a server or network failure pauses that vault for the Retry-After, at least
  ``min_pause`` and doubling while it repeats: azure-core's retry policy has already retried
  each GET, so this adds no retry loop of its own, only a wait before the next row is asked.

Qt-free on purpose (models own no timers, see ``node_tree._retire``): the pause's wake-up is
the event loop's ``call_later``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.errors import (
    AccessDenied,
    AuthenticationRequired,
    NetworkError,
    ServiceUnavailable,
    Throttled,
    VaultBrowserError,
)
from vaultbrowser.core.services.http.journal import expecting
from vaultbrowser.core.services.translate import translate_error

_log = logging.getLogger(__name__)

# Every answer a background GET may get is one nobody asked to see: the Activity panel lists
# them (with their status) without counting them as failures.
_QUIET_STATUSES = (401, 403, 404, 408, 409, 429, 500, 502, 503, 504)
# The vault (or the way to it) is busy or down: wait, then ask again.
_PAUSING = (Throttled, ServiceUnavailable, NetworkError)


def _stops_vault(error: VaultBrowserError) -> bool:
    """Whether ``error`` means no row of this vault can be read (no permission, no sign-in).

    A disabled item answers 403 too (``…Disabled``): that is about the one row."""
    if isinstance(error, AuthenticationRequired):
        return True
    return isinstance(error, AccessDenied) and not (
        (error.error_code or "").lower().endswith("disabled"))


class RowFiller:
    """Fills the rows in view (see the module docstring).

    ``wants(record)``: the record lacks what a GET brings. ``fetch(node)``: the full record of
    the row's item (raises ``VaultBrowserError``). ``apply(node, full)``: show it on the row.
    A row's parent is the listing it came from: throttling and refusals are per parent (a
    vault). ``root`` is the model's invisible root: a row no longer below it is never touched.
    ``apply`` is held weakly when it is a bound method: the model owns its filler, and a
    cycle through a Qt object would be left to the cyclic collector (``ui/gc_guard.py``).
    """

    def __init__(self, root: Node, *, wants: Callable[[Any], bool],
                 fetch: Callable[[Node], Awaitable[Any]],
                 apply: Callable[[Node, Any], None],
                 max_in_flight: int = 4, min_pause: float = 10.0,
                 max_pause: float = 300.0) -> None:
        self._root = root
        self._wants, self._fetch = wants, fetch
        self._apply: Callable[[], Callable[[Node, Any], None] | None] = (
            weakref.WeakMethod(apply) if hasattr(apply, "__self__") else lambda: apply)
        self.max_in_flight = max_in_flight
        self.min_pause, self.max_pause = min_pause, max_pause
        self._in_view: list[Node] = []  # the rows wanted, top first
        self._running: dict[Node, asyncio.Task[None]] = {}
        # Keyed by node (weakly: a removed row or vault is forgotten with its node).
        self._asked: weakref.WeakKeyDictionary[Node, Any] = weakref.WeakKeyDictionary()
        self._stopped: weakref.WeakSet[Node] = weakref.WeakSet()  # vaults that refused
        self._paused: weakref.WeakKeyDictionary[Node, float] = weakref.WeakKeyDictionary()
        self._strikes: weakref.WeakKeyDictionary[Node, int] = weakref.WeakKeyDictionary()
        self._wake: asyncio.TimerHandle | None = None
        self._closed = False
        self.asked_count = 0  # GETs started (tests, figures)

    # --- what the view shows ----------------------------------------------------------------

    def rows_in_view(self, nodes: Sequence[Node]) -> None:
        """The rows on screen now, top first (any rows: those not wanted are skipped)."""
        if self._closed:
            return
        shown = set(nodes)
        for node in [node for node in self._running if node not in shown]:
            self._cancel(node)
        self._in_view = [node for node in nodes if self._wanted(node)]
        self._pump()

    def in_flight(self) -> int:
        return len(self._running)

    def is_stopped(self, vault: Node) -> bool:
        """Whether filling ``vault``'s rows stopped for good (access denied)."""
        return vault in self._stopped

    def paused_for(self, vault: Node) -> float:
        """Seconds until ``vault``'s rows are asked again (0 when not paused)."""
        return max(0.0, self._paused.get(vault, 0.0) - time.monotonic())

    # --- stopping ---------------------------------------------------------------------------

    def cancel_under(self, top: Node) -> None:
        """Cancel every ask for ``top`` and the rows below it (about to be removed)."""
        def below(node: Node) -> bool:
            current: Node | None = node
            while current is not None:
                if current is top:
                    return True
                current = current.parent
            return False

        for node in [node for node in self._running if below(node)]:
            self._cancel(node)
        self._in_view = [node for node in self._in_view if not below(node)]

    def close(self) -> None:
        """Cancel everything and ask nothing more (the window is closing)."""
        self._closed = True
        self._in_view = []
        for node in list(self._running):
            self._cancel(node)
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None

    async def wait_idle(self) -> None:
        """Wait until no GET is in flight (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    # --- the queue --------------------------------------------------------------------------

    def _wanted(self, node: Node) -> bool:
        record = node.record
        return self._wants(record) and (node not in self._asked
                                        or self._asked[node] is not record)

    def _attached(self, node: Node) -> bool:
        current = node
        while current.parent is not None:
            current = current.parent
        return current is self._root

    def _pump(self) -> None:
        """Start the next wanted rows, top first, while there is room."""
        if self._closed:
            return
        now = time.monotonic()
        for node in self._in_view:
            if len(self._running) >= self.max_in_flight:
                return
            vault = node.parent
            if node in self._running or vault is None or vault in self._stopped:
                continue
            until = self._paused.get(vault, 0.0)
            if until > now:
                self._wake_at(until - now)
                continue
            if self._wanted(node) and self._attached(node):
                self._start(node)

    def _start(self, node: Node) -> None:
        task = asyncio.ensure_future(self._fill(node, node.record))
        self._running[node] = task
        self.asked_count += 1
        task.add_done_callback(lambda done: self._done(node, done))

    def _cancel(self, node: Node) -> None:
        # Out of the running set at once: the slot goes to the next row while the cancelled
        # request unwinds.
        task = self._running.pop(node, None)
        if task is not None:
            task.cancel()

    def _done(self, node: Node, task: asyncio.Task[None]) -> None:
        if self._running.get(node) is task:
            del self._running[node]
        self._pump()

    def _wake_at(self, delay: float) -> None:
        loop = asyncio.get_event_loop()
        when = loop.time() + delay
        if self._wake is not None and self._wake.when() <= when:
            return
        if self._wake is not None:
            self._wake.cancel()
        self._wake = loop.call_later(delay, self._woken)

    def _woken(self) -> None:
        self._wake = None
        self._pump()

    # --- one row ----------------------------------------------------------------------------

    async def _fill(self, node: Node, record: Any) -> None:
        try:
            with expecting(*_QUIET_STATUSES):
                full = await self._fetch(node)
        except Exception as exc:  # a cancellation (BaseException) passes: the row is left alone
            error = translate_error(exc)
            if not isinstance(exc, VaultBrowserError):
                _log.warning("filling %s failed unexpectedly", type(record).__name__,
                             exc_info=exc)
            self._failed(node, record, error)
            return
        vault = node.parent
        if vault is not None:
            self._strikes.pop(vault, None)
        # A row whose record changed meanwhile (a write, its own selection's GET) keeps it.
        apply = self._apply()
        if apply is not None and node.record is record and self._attached(node):
            apply(node, full)
        self._asked[node] = node.record

    def _failed(self, node: Node, record: Any, error: VaultBrowserError) -> None:
        vault = node.parent
        if vault is None:
            return
        if _stops_vault(error):
            _log.info("not filling rows of a vault any more: %s", error.title)
            self._stopped.add(vault)
            self._cancel_vault(vault)
        elif isinstance(error, _PAUSING):
            # Not remembered as asked: the row is asked again once the pause is over.
            strikes = self._strikes.get(vault, 0)
            self._strikes[vault] = strikes + 1
            wait = min(self.max_pause, max(getattr(error, "retry_after", None) or 0.0,
                                           self.min_pause * 2 ** strikes))
            self._paused[vault] = time.monotonic() + wait
            self._cancel_vault(vault)
        else:  # not found (deleted meanwhile), a disabled item…: this row stays as listed
            self._asked[node] = record

    def _cancel_vault(self, vault: Node) -> None:
        for node in [node for node in self._running if node.parent is vault]:
            self._cancel(node)
