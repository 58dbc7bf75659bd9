"""The local Cosmos DB server (``@vercel/cosmosdb-server``) as a child process we own.

For tests and demo mode only. Qt-free and azure-free: it runs node with the npm package pinned in
package.json, serving HTTPS on ``127.0.0.1`` with a certificate generated like the Key Vault
emulator's (``keyvault/tls.py``: a local CA plus a loopback server certificate), so clients
verify TLS against ``ca_path`` instead of turning verification off. It stops (with anything it
spawned) when asked, at interpreter exit, or when the object is collected.

The server keeps everything in memory and checks no authorisation: any key signs. Its known
differences from the real service are listed in ``tests/cosmos/README.md``.

Usage::

    with CosmosServer() as server:             # free port, data lost on stop
        endpoint, key, ca = server.endpoint, COSMOS_SERVER_KEY, server.ca_path
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import ssl
import sys
import time
from pathlib import Path
from types import TracebackType

from vaultbrowser.emulators.child_server import ChildServer, ChildServerSpec, read_log_tail
from vaultbrowser.emulators.cosmos_query_patch import QUERY_ENGINE_PATCH
from vaultbrowser.emulators.keyvault.tls import TlsMaterial, ensure_tls

__all__ = ["COSMOS_SERVER_ENV_VAR", "COSMOS_SERVER_KEY", "CosmosServer", "CosmosServerUnavailable"]

# The server accepts any key; this one is well formed (base64) like a real account key, and is
# the same one the public Cosmos DB Emulator documents: never a secret.
COSMOS_SERVER_KEY = (
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
)
COSMOS_SERVER_ENV_VAR = "VAULTBROWSER_COSMOSDB_SERVER"  # the package's folder, if not ours

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_PACKAGE = Path("node_modules") / "@vercel" / "cosmosdb-server"
_INSTALL_HINT = (
    "Install Node.js (>= 18) and run `npm install` in the project root (it installs "
    "@vercel/cosmosdb-server pinned in package.json), or point the "
    f"{COSMOS_SERVER_ENV_VAR} environment variable at that package's folder."
)
_START_TIMEOUT = 30.0
_READY = "cosmosdb-server ready"

# Our certificate instead of the package's bundled one; prints one line once listening.
# keepAlive: the package answers `Connection: close` unless asked (a TLS handshake per request:
# ~3 ms an item when seeding); the idle timeout outlasts the clients' own (aiohttp's 15 s), so
# a client closes an idle connection before the server can close it under a request.
# QUERY_ENGINE_PATCH: its query engine's pages linear, not quadratic (cosmos_query_patch.py).
_LAUNCHER = """
const fs = require("fs");
const [pkg, port, cert, key] = process.argv.slice(1);
QUERY_ENGINE_PATCH
const server = require(pkg).createHttpsServer({
  cert: fs.readFileSync(cert), key: fs.readFileSync(key), keepAlive: true,
});
server.keepAliveTimeout = 60000;
server.on("error", (err) => { console.error(String(err)); process.exit(3); });
server.listen(Number(port), "127.0.0.1", () => console.log("READY"));
""".replace("READY", _READY).replace("QUERY_ENGINE_PATCH", QUERY_ENGINE_PATCH)


class CosmosServerUnavailable(RuntimeError):
    """The server cannot be started: Node.js or the npm package is missing, or it failed."""


_SPEC = ChildServerSpec(
    name="cosmosdb-server",
    log_name="cosmosdb-server.log",
    tempdir_prefix="vaultbrowser-cosmos-",
    unavailable=CosmosServerUnavailable,
    install_hint=_INSTALL_HINT,
)


class CosmosServer:
    """One ``@vercel/cosmosdb-server`` process on ``127.0.0.1`` over HTTPS.

    Args:
        workdir: where the TLS material and the output log go; a temporary directory (removed
            on ``stop``) when None.
        port: 0 picks a free loopback port at ``start``.
    """

    def __init__(self, workdir: Path | None = None, port: int = 0) -> None:
        self._server = ChildServer(_SPEC, workdir, port)
        self._tls: TlsMaterial | None = None

    @staticmethod
    def find_package() -> Path | None:
        """The package folder to run: ``$VAULTBROWSER_COSMOSDB_SERVER`` when set (then the only
        candidate), else the project's ``node_modules/@vercel/cosmosdb-server``."""
        override = os.environ.get(COSMOS_SERVER_ENV_VAR)
        folder = Path(override).expanduser() if override else _PROJECT_ROOT / _PACKAGE
        return folder if (folder / "lib" / "index.js").is_file() else None

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def port(self) -> int:
        port = self._server.port
        if port is None:
            raise RuntimeError("the Cosmos DB server is not started")
        return port

    @property
    def endpoint(self) -> str:
        """The account endpoint, as a client is given it."""
        return f"https://127.0.0.1:{self.port}/"

    @property
    def ca_path(self) -> Path:
        """The CA certificate to verify the server with (``connection_verify=``)."""
        if self._tls is None:
            raise RuntimeError("the Cosmos DB server is not started")
        return self._tls.ca_path

    def start(self, timeout: float = _START_TIMEOUT) -> None:
        """Spawn the server and return once it listens.

        Raises:
            CosmosServerUnavailable: node or the package is missing, the process exited, or it
                did not listen within ``timeout`` seconds (the process is stopped then).
            RuntimeError: already started.
        """
        if self._server.started:
            raise RuntimeError("the Cosmos DB server is already started")
        package = self.find_package()
        if package is None:
            raise CosmosServerUnavailable(f"@vercel/cosmosdb-server was not found. {_INSTALL_HINT}")
        node = shutil.which("node")
        if node is None:
            raise CosmosServerUnavailable(f"Node.js (`node`) is not on PATH. {_INSTALL_HINT}")
        tls = self._tls = ensure_tls(self._server.open_workdir() / "tls")
        self._server.start(
            lambda port: [node, "-e", _LAUNCHER, str(package.resolve()), str(port),
                          str(tls.cert_path), str(tls.key_path)],
            self._ready, timeout)

    def _ready(self, port: int) -> bool:
        return _READY in read_log_tail(self._server.log_path) and self._answers(port)

    def _answers(self, port: int) -> bool:
        """A TLS handshake with our CA's certificate means it serves what clients will verify."""
        assert self._tls is not None
        context = ssl.create_default_context(cafile=str(self._tls.ca_path))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as raw, \
                    context.wrap_socket(raw, server_hostname="127.0.0.1"):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        """Terminate the server and wait for it. Idempotent."""
        self._server.stop()
        self._tls = None

    def __enter__(self) -> CosmosServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"running on port {self._server.port}" if self.running else "stopped"
        return f"CosmosServer({state})"


# Manual use: python -m vaultbrowser.emulators.cosmos_server
if __name__ == "__main__":  # pragma: no cover
    with CosmosServer() as _server:
        print(_server.endpoint, _server.ca_path, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while _server.running:
                time.sleep(1)
    sys.exit(0)
