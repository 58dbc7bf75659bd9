"""The emulator's HTTPS server: auth first, then faults, api-version, routing, handlers.

See the package docstring for the public interface.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets as pysecrets
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web

from vaultbrowser.emulators.keyvault.auth import challenge_header, check_authorization
from vaultbrowser.emulators.keyvault.errors import KvError, method_not_allowed, no_route
from vaultbrowser.emulators.keyvault.faults import Faults, fault_error
from vaultbrowser.emulators.keyvault.identity import TOKEN_PATH, identity_app
from vaultbrowser.emulators.keyvault.objects import backup, certificates, certissuers, keys
from vaultbrowser.emulators.keyvault.objects import secrets as kv_secrets
from vaultbrowser.emulators.keyvault.requestlog import RequestLogEntry
from vaultbrowser.emulators.keyvault.routing import Ctx, Handler, Reply
from vaultbrowser.emulators.keyvault.seed import apply_seed
from vaultbrowser.emulators.keyvault.store import (
    RECOVERABLE_DAYS,
    RECOVERY_LEVEL,
    Recovery,
    Store,
    rendering_recovery,
)
from vaultbrowser.emulators.keyvault.tls import ensure_tls
from vaultbrowser.emulators.keyvault.versions import check_api_version
from vaultbrowser.emulators.routes import NoRoute, Router

_logger = logging.getLogger(__name__)

DEFAULT_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
DEFAULT_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
DEFAULT_GEOGRAPHY = "local"
_JSON = "application/json; charset=utf-8"


class KeyVaultEmulator:
    """A wire-compatible Azure Key Vault data plane (secrets, keys, certificates).

    ``data_dir`` holds the TLS material (a temp dir when None). ``cert_issuance_delay`` is how
    long (seconds) a self-signed certificate stays ``inProgress`` after creation; it is always
    reported ``inProgress`` in the 202 of the create call. ``recovery_level`` and
    ``recoverable_days`` are the vault's soft-delete settings (``"Recoverable"`` is a vault with
    purge protection, ``"Purgeable"`` one without soft delete). ``subscription_id`` and
    ``geography`` place the vault: a backup restores only into a vault with both the same, as
    on the service (``objects/backup.py``).
    """

    def __init__(
        self,
        data_dir: Path | None = None,
        tenant_id: str = DEFAULT_TENANT,
        seed: dict[str, Any] | None = None,
        latency_ms: float = 0.0,
        cert_issuance_delay: float = 0.0,
        recovery_level: str = RECOVERY_LEVEL,
        recoverable_days: int = RECOVERABLE_DAYS,
        subscription_id: str = DEFAULT_SUBSCRIPTION,
        geography: str = DEFAULT_GEOGRAPHY,
    ) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="kv-emulator-")
            data_dir = Path(self._tmp.name)
        self.data_dir = Path(data_dir)
        self.tenant_id = tenant_id
        self.store = Store(Recovery(recovery_level, recoverable_days))
        self.faults = Faults(latency_ms=latency_ms)
        self.request_log: list[RequestLogEntry] = []
        # Requests that raised something other than a service error (bugs; tests expect none).
        self.unhandled_errors: list[str] = []
        self.identity_header = pysecrets.token_urlsafe(24)
        self.options: dict[str, Any] = {"cert_issuance_delay": cert_issuance_delay,
                                        "subscription_id": subscription_id,
                                        "geography": geography}
        self._router: Router[Handler] = Router()
        for module in (backup, kv_secrets, keys, certissuers, certificates):
            self._router.add(module.ROUTES)
        self._runners: list[web.AppRunner] = []
        self._port = 0
        self._identity_port = 0
        self._host = "127.0.0.1"
        tls = ensure_tls(self.data_dir)
        self.ca_path = tls.ca_path.resolve()
        self._tls = tls
        if seed:
            self.seed(seed)

    # -- public interface ---------------------------------------------------------------
    @property
    def url(self) -> str:
        """The vault URL clients use, ``https://127.0.0.1:PORT``."""
        return f"https://{self._host}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    @property
    def identity_endpoint(self) -> str:
        """The App Service style managed-identity endpoint (plain http on loopback)."""
        return f"http://{self._host}:{self._identity_port}{TOKEN_PATH}"

    def seed(self, data: dict[str, Any]) -> None:
        """Load objects from a seed document (format in the package docstring)."""
        apply_seed(self.store, data)

    def seed_file(self, path: Path | str) -> None:
        """Load a JSON seed document from ``path``."""
        self.seed(json.loads(Path(path).read_text(encoding="utf-8")))

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving (inside a running loop); ``port=0`` picks a free port."""
        self._host = host
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, host, port, ssl_context=self._tls.server_context())
        await site.start()
        self._runners.append(runner)
        self._port = _bound_port(runner)
        id_runner = web.AppRunner(identity_app(self.identity_header), access_log=None)
        await id_runner.setup()
        await web.TCPSite(id_runner, host, 0).start()
        self._runners.append(id_runner)
        self._identity_port = _bound_port(id_runner)

    async def stop(self) -> None:
        """Stop serving and release the temp dir, if any."""
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    # -- request handling ----------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        started = time.time()
        path = "/" + request.path.strip("/") if request.path != "/" else "/"
        query = dict(request.query)
        authorized = False
        api_version: str | None = query.get("api-version")
        try:
            if self.faults.latency_ms:
                await asyncio.sleep(self.faults.latency_ms / 1000)
            check_authorization(request.headers.get("Authorization"), self.faults.reject_token)
            authorized = True
            fault = self.faults.take(request.method, path)
            if fault is not None and fault.action == "respond":
                raise fault_error(fault, request.method, path, self.tenant_id)
            if fault is not None and fault.action == "delay":
                await self._hold(request, fault.seconds)
            api_version = check_api_version(api_version)
            try:
                handler, params = self._router.match(request.method, path)
            except NoRoute as missing:
                raise (method_not_allowed(request.method) if missing.path_known
                       else no_route(path)) from None
            ctx = Ctx(
                request=request,
                base_url=f"https://{request.host}",
                query=query,
                api_version=api_version,
                store=self.store,
                options=self.options,
                path=path,
            )
            with rendering_recovery(self.store.recovery):
                reply = await handler(ctx, **params)
            response = _respond(reply)
            code = None
            if fault is not None and fault.action in ("stall", "reset"):
                code = f"Injected{fault.action.capitalize()}"
                self._log(request, path, query, response.status, api_version, started,
                          authorized, code)
                return await self._broken_answer(request, response, fault)
        except KvError as err:
            headers = dict(err.headers)
            if err.status == 401:
                headers["WWW-Authenticate"] = challenge_header(self.tenant_id, request.host)
            response = _respond(Reply(err.status, err.body(), headers))
            code = err.code
        except (asyncio.CancelledError, web.HTTPException):
            raise
        except Exception as exc:  # a bug of ours: answer in the service's envelope, count it
            _logger.exception("Unhandled error in the Key Vault emulator (%s %s)",
                              request.method, path)
            self.unhandled_errors.append(f"{request.method} {path}: {type(exc).__name__}: {exc}")
            error = KvError(500, "InternalServerError",
                            "The emulator failed to process the request.")
            response = _respond(Reply(error.status, error.body(), {}))
            code = error.code
        self._log(request, path, query, response.status, api_version, started, authorized, code)
        return response

    def _log(self, request: web.Request, path: str, query: dict[str, str], status: int,
             api_version: str | None, started: float, authorized: bool,
             code: str | None) -> None:
        self.request_log.append(
            RequestLogEntry(
                method=request.method,
                path=request.path,
                query=query,
                status=status,
                api_version=api_version,
                time=started,
                authorized=authorized,
                duration_ms=(time.time() - started) * 1000,
                error_code=code,
                peer=_peer_of(request),
            )
        )

    async def _hold(self, request: web.Request, seconds: float) -> None:
        """Wait ``seconds``, less if the client hangs up or the faults are cleared (so that
        a test's clean-up, or stopping the emulator, never waits a stall out)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        generation = self.faults.generation
        transport = request.transport
        while (loop.time() < deadline and generation == self.faults.generation
               and transport is not None and not transport.is_closing()):
            await asyncio.sleep(0.02)

    async def _broken_answer(self, request: web.Request, response: web.Response,
                             fault: Any) -> web.StreamResponse:
        """Headers and half of ``response``'s body, then a reset or a hold (see faults.py)."""
        body = bytes(response.body or b"")  # type: ignore[arg-type]
        stream = web.StreamResponse(status=response.status, headers={
            k: v for k, v in response.headers.items() if k.lower() != "content-length"})
        stream.content_length = len(body)
        await stream.prepare(request)
        await stream.write(body[: len(body) // 2])
        transport = request.transport
        if fault.action == "stall":
            await self._hold(request, fault.seconds)
        if transport is not None:
            transport.abort()  # the body never completes
        return stream


def _respond(reply: Reply) -> web.Response:
    headers = {
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "Expires": "-1",
        "x-ms-request-id": str(uuid.uuid4()),
        "x-ms-keyvault-service-version": "1.9.0.0",
        "x-ms-keyvault-region": "local",
        "x-ms-keyvault-network-info": "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;",
        "X-Content-Type-Options": "nosniff",
        "Strict-Transport-Security": "max-age=31536000;includeSubDomains",
        **reply.headers,
    }
    if reply.body is None:
        return web.Response(status=reply.status, headers=headers)
    headers["Content-Type"] = _JSON
    return web.Response(status=reply.status, body=json.dumps(reply.body).encode(), headers=headers)


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        return int(address[1])
    raise RuntimeError("the emulator's server has no bound address")


def _peer_of(request: web.Request) -> str:
    transport = request.transport
    peer = transport.get_extra_info("peername") if transport is not None else None
    return f"{peer[0]}:{peer[1]}" if peer else ""
