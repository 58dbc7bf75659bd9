"""The emulator's HTTPS server: body bound, token, MFA, faults, api-version, route, handler.

See the package docstring for the public interface.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from vaultbrowser.emulators.arm import (
    cosmos_accounts,
    directory,
    graph,
    providers,
    redis_enterprise,
)
from vaultbrowser.emulators.arm.errors import (
    ArmError,
    internal_error,
    method_not_allowed,
    missing_api_version,
    no_route,
    request_too_large,
)
from vaultbrowser.emulators.arm.faults import Faults, InjectedCrash, RequestLogEntry
from vaultbrowser.emulators.arm.routing import MAX_BODY, Ctx, Handler, Reply
from vaultbrowser.emulators.arm.tokens import (
    EmulatorArmCredential,
    EmulatorArmSyncCredential,
    make_token,
    mfa_required,
    read_token,
)
from vaultbrowser.emulators.arm.world import World
from vaultbrowser.emulators.keyvault.tls import ensure_tls
from vaultbrowser.emulators.routes import NoRoute, Router

_logger = logging.getLogger(__name__)

_JSON = "application/json; charset=utf-8"
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


class ArmEmulator:
    """A local Azure Resource Manager + Resource Graph serving ``world`` over HTTPS.

    ``data_dir`` holds the TLS material (a temp dir when None); ``world`` may be replaced or
    mutated between requests. ``requests`` logs every answered request; ``unhandled_errors``
    lists the requests that raised (bugs, or ``faults.crash_next``).
    """

    def __init__(self, world: World, *, data_dir: Path | None = None,
                 max_body: int = MAX_BODY) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="arm-emulator-")
            data_dir = Path(self._tmp.name)
        self.data_dir = Path(data_dir)
        self.world = world
        self.max_body = max_body
        self.faults = Faults()
        self.requests: list[RequestLogEntry] = []
        self.unhandled_errors: list[str] = []
        self._tls = ensure_tls(self.data_dir)
        self._router: Router[Handler] = Router()
        for module in (directory, providers, redis_enterprise, cosmos_accounts, graph):
            self._router.add(module.ROUTES)
        self._runner: web.AppRunner | None = None
        self._host = "127.0.0.1"
        self._port = 0

    # -- public interface -----------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """What SDK clients take as ``base_url``: ``https://127.0.0.1:PORT``."""
        return f"https://{self._host}:{self._port}"

    @property
    def ca_file(self) -> Path:
        """The CA certificate clients trust (``connection_verify=str(ca_file)``)."""
        return self._tls.ca_path.resolve()

    @property
    def port(self) -> int:
        return self._port

    def token(self, tenant_id: str | None = None, **kwargs: Any) -> str:
        """A bearer token for ``tenant_id`` (the home tenant by default); ``kwargs`` go to
        :func:`~vaultbrowser.emulators.arm.tokens.make_token`."""
        return make_token(tenant_id or self.world.home_tenant_id, **kwargs)

    def credential(self, tenant_id: str | None = None, **kwargs: Any) -> EmulatorArmCredential:
        """An async credential whose home tenant is ``tenant_id`` (the world's by default)."""
        return EmulatorArmCredential(tenant_id or self.world.home_tenant_id, **kwargs)

    def sync_credential(self, tenant_id: str | None = None,
                        **kwargs: Any) -> EmulatorArmSyncCredential:
        """The synchronous twin of :meth:`credential`."""
        return EmulatorArmSyncCredential(tenant_id or self.world.home_tenant_id, **kwargs)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving (inside a running loop); ``port=0`` picks a free port.

        Raises:
            OSError: the port cannot be bound.
        """
        self._host = host
        app = web.Application(client_max_size=self.max_body)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port, ssl_context=self._tls.server_context()).start()
        self._runner = runner
        self._port = next(int(address[1]) for address in runner.addresses)

    async def stop(self) -> None:
        """Stop serving and release the temp dir, if any."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- request handling -----------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.Response:
        started = time.time()
        path = "/" + request.path.strip("/")
        query = dict(request.query)
        sent = request.headers.get("x-ms-correlation-request-id", "")
        correlation = sent if _GUID.match(sent) else str(uuid.uuid4())
        tenant = ""
        try:
            if self.faults.latency_ms:
                await asyncio.sleep(self.faults.latency_ms / 1000)
            if (request.content_length or 0) > self.max_body:
                raise request_too_large(self.max_body)
            claims = read_token(request.headers.get("Authorization"))
            tenant = claims.tenant_id
            known = self.world.tenant(tenant)
            if known is not None and known.requires_mfa and not claims.mfa:
                raise mfa_required(known.id)
            fault = self.faults.take(request.method, path)
            if fault is not None and fault.action == "crash":
                raise InjectedCrash(f"injected crash for {request.method} {path}")
            if fault is not None:
                raise fault.error()
            api_version = query.get("api-version")
            if not api_version:
                raise missing_api_version()
            try:
                handler, params = self._router.match(request.method, path)
            except NoRoute as missing:
                raise (method_not_allowed(request.method) if missing.path_known
                       else no_route(path, str(request.rel_url))) from None
            ctx = Ctx(request=request, world=self.world, claims=claims, query=query, path=path,
                      base_url=f"https://{request.host}", api_version=api_version,
                      correlation_id=correlation)
            reply = await handler(ctx, **params)
            code = None
        except ArmError as err:
            reply, code = Reply(err.status, err.body(), err.headers), err.code
        except Exception as exc:  # a bug of ours (or an injected crash): ARM's 500, logged
            _logger.exception("Unhandled error in the ARM emulator (%s %s)", request.method, path)
            self.unhandled_errors.append(f"{request.method} {path}: {type(exc).__name__}: {exc}")
            error = internal_error()
            reply, code = Reply(error.status, error.body()), error.code
        self.requests.append(RequestLogEntry(
            method=request.method, path=path, query=query, status=reply.status,
            tenant_id=tenant, error_code=code, correlation_id=correlation, time=started,
            duration_ms=(time.time() - started) * 1000))
        return _respond(reply, correlation)


def _respond(reply: Reply, correlation: str) -> web.Response:
    headers = {
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "Expires": "-1",
        "x-ms-request-id": str(uuid.uuid4()),
        "x-ms-correlation-request-id": correlation,
        "x-ms-routing-request-id": f"LOCAL:{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}:"
                                   f"{correlation}",
        "x-ms-ratelimit-remaining-tenant-reads": "11999",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        **reply.headers,
        "Content-Type": _JSON,
    }
    body = b"" if reply.body is None else json.dumps(reply.body).encode()
    return web.Response(status=reply.status, body=body, headers=headers)
