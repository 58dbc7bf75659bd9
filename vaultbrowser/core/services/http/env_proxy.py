"""``EnvProxies``: the proxy the environment names for a host, looked up once per host.

aiohttp's ``trust_env=True`` reads the environment on every request, in worker threads: the
proxy (``asyncio.to_thread``) and ``~/.netrc`` (``run_in_executor``). Each hop back to the
event loop waits behind whatever the loop does meanwhile, so in the window a listing page's
request left only after the rows of the previous page were painted (Key Vault: about 20 ms a
page, issue 21). Our transports therefore open their aiohttp sessions with ``trust_env=False``
and name the proxy per request from this cache: the same proxy (``HTTPS_PROXY``,
``NO_PROXY``, … and its credentials, as aiohttp reads them), read in a worker thread the first
time a host is asked for.

``~/.netrc`` credentials for the target host are not sent: every Azure request carries its own
authorization (a bearer token, a SAS or a Shared Key signature), and aiohttp refused the
combination of a netrc login and an Authorization header anyway.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any


class EnvProxies:
    """Per-host cache of the environment's proxy (see the module docstring)."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        # (scheme, host, port) → (proxy URL, proxy credentials), or None: no proxy.
        self._found: dict[tuple[str, str | None, int | None], tuple[Any, Any] | None] = {}

    async def proxy_for(self, url: str) -> tuple[Any, Any] | None:
        """``(proxy, proxy_auth)`` for aiohttp's ``request``; None when the environment names
        no proxy for ``url`` (or bypasses it: ``NO_PROXY``)."""
        from yarl import URL

        target = URL(url)
        key = (target.scheme, target.host, target.port)
        if key not in self._found:
            # Linux and the like: no proxy variable for this scheme means no proxy, known
            # without a thread. Otherwise (a proxy named; Windows and macOS, whose system
            # settings are asked) aiohttp's own lookup, which reads ~/.netrc for the proxy's
            # login, in a worker thread.
            if sys.platform not in ("win32", "darwin") and not _named_in_env(target.scheme):
                self._found[key] = None
            else:
                self._found[key] = await asyncio.to_thread(_lookup, target)
        return self._found[key]


def _named_in_env(scheme: str) -> bool:
    from urllib.request import getproxies_environment

    return scheme in getproxies_environment()


def _lookup(target: Any) -> tuple[Any, Any] | None:
    from aiohttp.helpers import get_env_proxy_for_url

    try:
        return get_env_proxy_for_url(target)
    except LookupError:  # no proxy for this scheme, or NO_PROXY names the host
        return None
