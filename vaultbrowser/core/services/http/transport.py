"""HTTP metadata as data: the recording transport and the transports it wraps.

Every SDK client we build gets a ``RecordingTransport``: the last stop before the wire, shared by
the Key Vault and Storage pipelines alike. It times each real HTTP exchange (challenge 401s and
retries included), turns it into a redacted ``ResponseInfo`` and appends it to the session's
``HttpJournal`` (the activity panel's source). A per-call ``ResponseCapture`` (``capture.py``,
azure-core's ``raw_response_hook``) then picks the ``ResponseInfo`` of the response that
produced a result.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from datetime import UTC, datetime
from typing import Any

from azure.core.pipeline.transport import AsyncHttpTransport

from vaultbrowser.core.services.config import LimitSettings
from vaultbrowser.core.services.http.capture import note_response_info, response_info_from
from vaultbrowser.core.services.http.env_proxy import EnvProxies
from vaultbrowser.core.services.http.identity import identity_from_authorization
from vaultbrowser.core.services.http.journal import (
    ExchangeRecord,
    HttpJournal,
    OperationName,
    RequestGuard,
    is_expected,
)
from vaultbrowser.core.services.http.limits import send_within
from vaultbrowser.core.services.redaction import redact_text, redact_url

__all__ = ["RecordingTransport"]



class RecordingTransport(AsyncHttpTransport):
    """Wraps a real azure-core async transport: records, times and (optionally) guards requests,
    and holds every response to ``limits`` (deadline, body size: ``limits.send_within``).

    Several clients may share one ``RecordingTransport`` (and so one aiohttp session); it is
    closed by its owner, not by the clients (``close``/``__aexit__`` of a client must not close
    a shared session), which is why the wrapped transport's context methods are not forwarded.
    """

    def __init__(
        self,
        inner: AsyncHttpTransport,
        journal: HttpJournal | None = None,
        guard: RequestGuard | None = None,
        connection: str = "",
        limits: LimitSettings | None = None,
        names: OperationName | None = None,
    ) -> None:
        """``names``: the connection's kind's names for its requests (``OperationName``),
        each record then says what its request did."""
        # Named like azure-core's own transport wrappers: azure-storage's shared-key signer looks
        # for ``_transport`` to learn that aiohttp sends the request (it signs paths accordingly).
        self._transport = inner
        self._journal = journal
        self._guard = guard
        self._connection = connection
        self._limits = limits or LimitSettings()
        self._names = names

    async def send(self, request: Any, **kwargs: Any) -> Any:
        method = request.method.upper()
        has_sas = "sig=" in request.url
        authorization = request.headers.get("Authorization")
        facts = {
            "authorized": bool(authorization) or has_sas,
            "connection": self._connection,
            "identity": identity_from_authorization(authorization, has_sas),
            # Named now: only the request's headers tell some requests apart (a query).
            "operation": (self._names(method, request.url, request.headers)
                          if self._names is not None else None),
        }
        started_at = datetime.now(UTC)
        start = time.perf_counter()
        refused = False
        try:
            if self._guard is not None:
                refused = True
                self._guard(method, request.url, request.headers)
                refused = False
            response = await send_within(self._transport, request, self._limits, **kwargs)
        except BaseException as exc:
            if self._journal is not None:
                self._journal.record(
                    ExchangeRecord(
                        response=None,
                        method=method,
                        url=redact_url(request.url),
                        started_at=started_at,
                        elapsed=time.perf_counter() - start,
                        failure=("Refused: read-only" if refused else "Cancelled"
                                 if isinstance(exc, asyncio.CancelledError)
                                 else redact_text(f"{type(exc).__name__}: {exc}")[:500]),
                        refused=refused,
                        cancelled=isinstance(exc, asyncio.CancelledError),
                        **facts,
                    )
                )
            raise
        elapsed = time.perf_counter() - start
        info = response_info_from(response, method=method, url=request.url,
                                  elapsed=elapsed, started_at=started_at)
        note_response_info(response, info)
        if self._journal is not None:
            self._journal.record(
                ExchangeRecord(response=info, method=method, url=info.url,
                               started_at=started_at, elapsed=elapsed,
                               expected=is_expected(info.status), **facts)
            )
        return response

    async def open(self) -> None:
        await self._transport.open()

    async def close(self) -> None:
        """Does nothing: the owner closes the shared transport with ``aclose``."""

    async def aclose(self) -> None:
        await self._transport.close()

    async def __aenter__(self) -> RecordingTransport:
        await self._transport.open()
        return self

    async def __aexit__(self, *args: Any) -> None:
        """Clients enter and leave their transport; the shared session outlives them."""

    async def sleep(self, duration: float) -> None:
        await self._transport.sleep(duration)


def private_ca_transport(ca_path: str, **options: Any) -> AsyncHttpTransport:
    """An aiohttp transport that trusts ``ca_path`` and nothing else (the local emulators' CA).

    The caller allows it for loopback hosts only (``ServiceSession``): a private CA never
    vouches for an Azure host. Passing ``connection_verify=<path>`` instead makes azure-core
    build a new SSL context per request, and aiohttp pools connections per context: every
    request then paid a new TCP connection and TLS handshake. One context on the connector keeps
    connections alive.

    Raises:
        InvalidInput: the file is not a usable PEM CA certificate.
    """
    import ssl

    from vaultbrowser.core.services.errors import InvalidInput

    try:
        # With a cafile, create_default_context loads that file alone (no system roots).
        context = ssl.create_default_context(cafile=ca_path)
    except (OSError, ssl.SSLError) as exc:
        raise InvalidInput(f"The CA certificate file {ca_path} cannot be used: {exc}",
                           advice="Point the connection at the emulator's PEM CA file "
                                  "(the emulator prints its path when it starts).") from exc
    return _context_transport(context, **options)


def os_trust_context() -> ssl.SSLContext:
    """A verifying client context over the operating system's trust store (``truststore``):
    a corporate proxy's CA installed on the machine is trusted, as in the user's browser."""
    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    return context


def os_trust_transport(**options: Any) -> AsyncHttpTransport:
    """The transport of every Azure (non-emulator) endpoint: verification on, OS trust store."""
    return _context_transport(os_trust_context(), **options)


def os_trust_sync_transport(**options: Any) -> Any:
    """A sync ``RequestsTransport`` verifying with the OS trust store, for azure-identity's sync
    credentials (interactive browser, device code: MSAL's sign-in requests).

    requests would otherwise verify with certifi's bundle; the adapter puts the truststore
    context on every pool, and no per-request ``verify`` argument can turn verification off.
    """
    import requests
    from azure.core.pipeline.transport import RequestsTransport
    from requests.adapters import HTTPAdapter

    context = os_trust_context()

    class OsTrustAdapter(HTTPAdapter):
        def build_connection_pool_key_attributes(self, request: Any, verify: Any,
                                                 cert: Any = None) -> Any:
            host, pool = super().build_connection_pool_key_attributes(request, True, cert)
            pool["ssl_context"] = context
            pool["cert_reqs"] = "CERT_REQUIRED"
            pool.pop("ca_certs", None)
            pool.pop("ca_cert_dir", None)
            return host, pool

        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            super().cert_verify(conn, url, True, cert)
            conn.ca_certs = conn.ca_cert_dir = None  # the context's roots, not certifi's

    session = requests.Session()
    session.mount("https://", OsTrustAdapter())
    options.pop("connection_verify", None)
    transport = RequestsTransport(session=session, session_owner=True, **options)
    transport.tls_context = context  # type: ignore[attr-defined]
    return transport


def tls_context_of(transport: Any) -> ssl.SSLContext | None:
    """The SSL context a transport made by this module verifies with (for tests and checks)."""
    inner = getattr(transport, "_transport", transport)
    return getattr(inner, "tls_context", None)


def _context_transport(context: ssl.SSLContext, **options: Any) -> AsyncHttpTransport:
    """An aiohttp transport whose one connector verifies with ``context``.

    Raises:
        ValueError: ``context`` does not verify certificates and host names (never allowed).
    """
    import aiohttp
    from azure.core.pipeline.transport import AioHttpTransport

    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        raise ValueError("TLS verification may not be turned off")
    options.pop("connection_verify", None)  # verification is the context's, never a flag

    class VerifyingTransport(AioHttpTransport):
        tls_context = context
        # The environment's proxy, once per host (env_proxy.py): set when this transport
        # opened its own session, which then does not read the environment per request.
        env_proxies: EnvProxies | None = None

        async def open(self) -> None:
            if self.session is None and self._session_owner and not self._has_been_opened:
                self.session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(ssl=context),
                    trust_env=False,
                    cookie_jar=aiohttp.DummyCookieJar(),
                    auto_decompress=False,
                )
                self.env_proxies = EnvProxies() if self._use_env_settings else None
            await super().open()

        async def send(self, request: Any, **kwargs: Any) -> Any:
            # A per-request connection_verify / connection_cert would make azure-core build
            # its own (possibly non-verifying) context: the connector's context decides.
            kwargs.pop("connection_verify", None)
            kwargs.pop("connection_cert", None)
            await self.open()
            named = kwargs.get("proxy") or any(  # a proxy the caller named wins, as before
                request.url.startswith(scheme) for scheme in kwargs.get("proxies") or ())
            if self.env_proxies is not None and not named:
                found = await self.env_proxies.proxy_for(request.url)
                if found is not None:
                    kwargs["proxy"], kwargs["proxy_auth"] = found
            return await super().send(request, **kwargs)

    return VerifyingTransport(**options)


def no_network_trace_policy() -> Any:
    """In place of azure-core's ``NetworkTraceLoggingPolicy``: it logs whole requests and
    responses (secret values, key material) when ``logging_enable`` is set, even by one call.
    This one takes the option off the request (as the real one does) and logs nothing."""
    from azure.core.pipeline.policies import SansIOHTTPPolicy

    class NoNetworkTracePolicy(SansIOHTTPPolicy):
        def on_request(self, request: Any) -> None:
            request.context.options.pop("logging_enable", None)

    return NoNetworkTracePolicy()
