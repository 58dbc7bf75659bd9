"""Azurite (the Azure Storage emulator's Blob service) as a child process we own.

For tests and demo mode only. Qt-free and azure-free: it spawns ``azurite-blob`` on loopback,
waits until it answers HTTP, and stops it (with anything it spawned) when asked, at interpreter
exit, or when the ``Azurite`` object is collected. Nothing here talks to anything but
``127.0.0.1``: telemetry is disabled on the command line and readiness is probed with a raw
``http.client`` connection (which, unlike ``urllib``, never consults proxy settings).

Usage::

    with Azurite() as az:          # in-memory, free port
        connect(az.connection_string)
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import sys
import time
from pathlib import Path
from types import TracebackType

from vaultbrowser.emulators.child_server import ChildServer, ChildServerSpec

__all__ = [
    "AZURITE_ACCOUNT_KEY",
    "AZURITE_ACCOUNT_NAME",
    "AZURITE_ENV_VAR",
    "Azurite",
    "AzuriteUnavailable",
]

# The emulator's well-known development account (public, documented by Microsoft).
AZURITE_ACCOUNT_NAME = "devstoreaccount1"
AZURITE_ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
AZURITE_ENV_VAR = "VAULTBROWSER_AZURITE"

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_INSTALL_HINT = (
    # An installed app (a PyInstaller bundle) has no project root to `npm install` in.
    "Install Node.js (>= 18) and run `npm install -g azurite`, or point the "
    f"{AZURITE_ENV_VAR} environment variable at an azurite-blob executable."
    if getattr(sys, "frozen", False) else
    "Install Node.js (>= 18) and run `npm install` in the project root (it installs the azurite "
    "package pinned in package.json), or `npm install -g azurite`, or point the "
    f"{AZURITE_ENV_VAR} environment variable at an azurite-blob executable."
)
_START_TIMEOUT = 30.0


class AzuriteUnavailable(RuntimeError):
    """Azurite cannot be started: Node.js or the azurite package is missing, or it failed."""


_SPEC = ChildServerSpec(
    name="azurite-blob",
    log_name="azurite-blob.log",
    tempdir_prefix="vaultbrowser-azurite-",
    unavailable=AzuriteUnavailable,
    install_hint=_INSTALL_HINT,
    # AZURITE_DB: never an external SQL database, loki or in-memory only.
    dropped_env=("NODE_OPTIONS", "AZURITE_DB"),
)


class Azurite:
    """One ``azurite-blob`` process on ``127.0.0.1``.

    Args:
        workdir: where Azurite keeps its data when ``in_memory`` is false, and where its output
            log (``azurite-blob.log``) goes. A temporary directory (removed on ``stop``) when None.
        port: the blob port; 0 picks a free loopback port at ``start``.
        in_memory: keep all data in memory (``--inMemoryPersistence``), lost on ``stop``.
    """

    def __init__(self, workdir: Path | None = None, port: int = 0, in_memory: bool = True) -> None:
        self.in_memory = in_memory
        self._server = ChildServer(_SPEC, workdir, port)

    # --- discovery ------------------------------------------------------------------------

    @staticmethod
    def find_executable() -> Path | None:
        """The ``azurite-blob`` to run, or None.

        Looks at ``$VAULTBROWSER_AZURITE`` first (when set, it is the only candidate: a wrong
        path yields None rather than silently falling back), then the project's
        ``node_modules/.bin/azurite-blob``, then ``azurite-blob`` on PATH.
        """
        override = os.environ.get(AZURITE_ENV_VAR)
        if override:
            path = Path(override).expanduser()
            return path if path.is_file() else None
        bin_dir = _PROJECT_ROOT / "node_modules" / ".bin"
        names = ("azurite-blob.cmd", "azurite-blob") if os.name == "nt" else ("azurite-blob",)
        for name in names:
            candidate = bin_dir / name
            if candidate.is_file():
                return candidate
        found = shutil.which("azurite-blob")
        return Path(found) if found else None

    def _command(self, executable: Path, port: int, workdir: Path) -> list[str]:
        resolved = executable.resolve()
        if resolved.suffix == ".js":
            # node_modules/.bin entries are symlinks to JavaScript with a `#!/usr/bin/env node`
            # line: run node ourselves so a missing Node.js gets a clear message, and the
            # process we signal is node itself.
            node = shutil.which("node")
            if node is None:
                raise AzuriteUnavailable(f"Node.js (`node`) is not on PATH. {_INSTALL_HINT}")
            prefix = [node, str(resolved)]
        else:
            # Absolute: the process starts in its work folder, where a relative path is wrong.
            prefix = [str(resolved)]
        args = [
            "--blobHost", "127.0.0.1",
            "--blobPort", str(port),
            "--disableTelemetry",
            "--skipApiVersionCheck",
            "--loose",
            "--silent",
        ]
        if self.in_memory:
            args.append("--inMemoryPersistence")
        else:
            args += ["--location", str(workdir)]
        return prefix + args

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._server.running

    @property
    def pid(self) -> int | None:
        process = self._server.process
        return process.pid if process is not None else None

    @property
    def port(self) -> int:
        port = self._server.port
        if port is None:
            raise RuntimeError("Azurite is not started")
        return port

    @property
    def blob_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/{AZURITE_ACCOUNT_NAME}"

    @property
    def connection_string(self) -> str:
        return (
            "DefaultEndpointsProtocol=http;"
            f"AccountName={AZURITE_ACCOUNT_NAME};"
            f"AccountKey={AZURITE_ACCOUNT_KEY};"
            f"BlobEndpoint={self.blob_endpoint};"
        )

    @property
    def log_path(self) -> Path | None:
        return self._server.log_path

    def start(self, timeout: float = _START_TIMEOUT) -> None:
        """Spawn Azurite and return once it answers HTTP on its port.

        Raises:
            AzuriteUnavailable: the executable or Node.js is missing, the process exited, or it
                did not answer within ``timeout`` seconds (the process is stopped then).
            RuntimeError: already started.
        """
        if self._server.started:
            raise RuntimeError("Azurite is already started")
        executable = self.find_executable()
        if executable is None:
            where = os.environ.get(AZURITE_ENV_VAR)
            detail = (
                f"{AZURITE_ENV_VAR}={where!r} is not a file."
                if where
                else "azurite-blob was not found in node_modules/.bin or on PATH."
            )
            raise AzuriteUnavailable(f"{detail} {_INSTALL_HINT}")
        workdir = self._server.open_workdir()
        self._server.start(lambda port: self._command(executable, port, workdir), self._answers,
                           timeout)

    def _answers(self, port: int) -> bool:
        """Any HTTP response (even 403 for an unsigned request) means the server is up."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
        try:
            connection.request("GET", f"/{AZURITE_ACCOUNT_NAME}?comp=list&maxresults=1")
            connection.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        """Terminate Azurite and its children and wait for them. Idempotent."""
        self._server.stop()

    def __enter__(self) -> Azurite:
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
        return f"Azurite({state}, in_memory={self.in_memory})"


# Manual demo: python -m vaultbrowser.emulators.azurite
if __name__ == "__main__":  # pragma: no cover
    with Azurite() as _az:
        print(_az.connection_string, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while _az.running:
                time.sleep(1)
    sys.exit(0)
