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
import ssl
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType

from vaultbrowser.emulators.azurite import _free_loopback_port, _kill_process_tree
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
_PORT_ATTEMPTS = 3
_READY = "cosmosdb-server ready"

# Our certificate instead of the package's bundled one; prints one line once listening.
_LAUNCHER = """
const fs = require("fs");
const [pkg, port, cert, key] = process.argv.slice(1);
const server = require(pkg).createHttpsServer({
  cert: fs.readFileSync(cert), key: fs.readFileSync(key),
});
server.on("error", (err) => { console.error(String(err)); process.exit(3); });
server.listen(Number(port), "127.0.0.1", () => console.log("READY"));
""".replace("READY", _READY)


class CosmosServerUnavailable(RuntimeError):
    """The server cannot be started: Node.js or the npm package is missing, or it failed."""


class CosmosServer:
    """One ``@vercel/cosmosdb-server`` process on ``127.0.0.1`` over HTTPS.

    Args:
        workdir: where the TLS material and the output log go; a temporary directory (removed
            on ``stop``) when None.
        port: 0 picks a free loopback port at ``start``.
    """

    def __init__(self, workdir: Path | None = None, port: int = 0) -> None:
        self._requested_workdir = Path(workdir) if workdir is not None else None
        self._requested_port = port
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._workdir: Path | None = None
        self._tls: TlsMaterial | None = None
        self._finalizer: weakref.finalize | None = None

    @staticmethod
    def find_package() -> Path | None:
        """The package folder to run: ``$VAULTBROWSER_COSMOSDB_SERVER`` when set (then the only
        candidate), else the project's ``node_modules/@vercel/cosmosdb-server``."""
        override = os.environ.get(COSMOS_SERVER_ENV_VAR)
        folder = Path(override).expanduser() if override else _PROJECT_ROOT / _PACKAGE
        return folder if (folder / "lib" / "index.js").is_file() else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the Cosmos DB server is not started")
        return self._port

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
        if self._process is not None:
            raise RuntimeError("the Cosmos DB server is already started")
        package = self.find_package()
        if package is None:
            raise CosmosServerUnavailable(f"@vercel/cosmosdb-server was not found. {_INSTALL_HINT}")
        node = shutil.which("node")
        if node is None:
            raise CosmosServerUnavailable(f"Node.js (`node`) is not on PATH. {_INSTALL_HINT}")
        if self._requested_workdir is not None:
            self._workdir = self._requested_workdir
            self._workdir.mkdir(parents=True, exist_ok=True)
        else:
            self._tempdir = tempfile.TemporaryDirectory(prefix="vaultbrowser-cosmos-")
            self._workdir = Path(self._tempdir.name)
        self._tls = ensure_tls(self._workdir / "tls")
        attempts = 1 if self._requested_port else _PORT_ATTEMPTS
        last_error: CosmosServerUnavailable | None = None
        for _ in range(attempts):
            port = self._requested_port or _free_loopback_port()
            try:
                self._spawn(node, package, port, timeout)
            except CosmosServerUnavailable as exc:
                last_error = exc
                if "EADDRINUSE" not in str(exc):  # the port was taken after our probe
                    break
                continue
            return
        self._cleanup_tempdir()
        assert last_error is not None
        raise last_error

    def _spawn(self, node: str, package: Path, port: int, timeout: float) -> None:
        assert self._workdir is not None and self._tls is not None
        command = [
            node, "-e", _LAUNCHER, str(package.resolve()), str(port),
            str(self._tls.cert_path), str(self._tls.key_path),
        ]
        log_path = self._workdir / "cosmosdb-server.log"
        env = dict(os.environ)
        env.pop("NODE_OPTIONS", None)  # e.g. an --inspect flag would open another port
        with open(log_path, "wb") as log:
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=self._workdir,
                    env=env,
                    start_new_session=(os.name == "posix"),
                    creationflags=(
                        getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
                        | getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
                    ),
                )
            except OSError as exc:
                raise CosmosServerUnavailable(
                    f"Could not run node: {exc}. {_INSTALL_HINT}") from exc
        self._process = process
        self._port = port
        self._finalizer = weakref.finalize(self, _kill_process_tree, process)
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = self._read_log(log_path)
                self._forget_process()
                raise CosmosServerUnavailable(
                    f"cosmosdb-server exited with code {process.returncode} before listening "
                    f"on port {port}: {output or '(no output)'}"
                )
            if _READY in self._read_log(log_path) and self._answers(port):
                return
            if time.monotonic() > deadline:
                output = self._read_log(log_path)
                self._forget_process()
                raise CosmosServerUnavailable(
                    f"cosmosdb-server did not listen on 127.0.0.1:{port} within {timeout:g} s: "
                    f"{output or '(no output)'}"
                )
            time.sleep(0.05)

    def _answers(self, port: int) -> bool:
        """A TLS handshake with our CA's certificate means it serves what clients will verify."""
        import socket

        assert self._tls is not None
        context = ssl.create_default_context(cafile=str(self._tls.ca_path))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1.0) as raw, \
                    context.wrap_socket(raw, server_hostname="127.0.0.1"):
                return True
        except OSError:
            return False

    @staticmethod
    def _read_log(path: Path) -> str:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " ".join(text.split())[-2000:]

    def _forget_process(self) -> None:
        if self._finalizer is not None:
            self._finalizer()  # kills the tree (no-op for an exited process) exactly once
            self._finalizer = None
        self._process = None
        self._port = None

    def _cleanup_tempdir(self) -> None:
        if self._tempdir is not None:
            with contextlib.suppress(OSError):
                self._tempdir.cleanup()
            self._tempdir = None
        self._workdir = None

    def stop(self) -> None:
        """Terminate the server and wait for it. Idempotent."""
        self._forget_process()
        self._cleanup_tempdir()
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
        state = f"running on port {self._port}" if self.running else "stopped"
        return f"CosmosServer({state})"


# Manual use: python -m vaultbrowser.emulators.cosmos_server
if __name__ == "__main__":  # pragma: no cover
    with CosmosServer() as _server:
        print(_server.endpoint, _server.ca_path, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while _server.running:
                time.sleep(1)
    sys.exit(0)
