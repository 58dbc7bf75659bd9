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
import signal
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from pathlib import Path
from types import TracebackType

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
_STOP_TIMEOUT = 5.0
_PORT_ATTEMPTS = 3


class AzuriteUnavailable(RuntimeError):
    """Azurite cannot be started: Node.js or the azurite package is missing, or it failed."""


def _kill_process_tree(process: subprocess.Popen[bytes], timeout: float = _STOP_TIMEOUT) -> None:
    """Terminate ``process`` and everything in its process group; escalate to a kill."""
    if process.poll() is not None:
        _reap_group(process)
        return
    if os.name == "posix":
        # The child leads its own session/process group (start_new_session), so the group id
        # is its pid: signalling the group reaches any helper processes it forked as well.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
        _reap_group(process)
    else:  # pragma: no cover - Windows
        # taskkill /T ends the whole tree (node plus anything it started).
        subprocess.run(
            ["taskkill", "/F", "/T", "/PID", str(process.pid)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console flash
        )
        process.wait(timeout=timeout)


def _reap_group(process: subprocess.Popen[bytes]) -> None:
    """Kill stragglers left in the (already exited) leader's process group."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)


def _free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Azurite:
    """One ``azurite-blob`` process on ``127.0.0.1``.

    Args:
        workdir: where Azurite keeps its data when ``in_memory`` is false, and where its output
            log (``azurite-blob.log``) goes. A temporary directory (removed on ``stop``) when None.
        port: the blob port; 0 picks a free loopback port at ``start``.
        in_memory: keep all data in memory (``--inMemoryPersistence``), lost on ``stop``.
    """

    def __init__(self, workdir: Path | None = None, port: int = 0, in_memory: bool = True) -> None:
        self._requested_workdir = Path(workdir) if workdir is not None else None
        self._requested_port = port
        self.in_memory = in_memory
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._workdir: Path | None = None
        self._finalizer: weakref.finalize | None = None

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
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("Azurite is not started")
        return self._port

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
        return self._workdir / "azurite-blob.log" if self._workdir is not None else None

    def start(self, timeout: float = _START_TIMEOUT) -> None:
        """Spawn Azurite and return once it answers HTTP on its port.

        Raises:
            AzuriteUnavailable: the executable or Node.js is missing, the process exited, or it
                did not answer within ``timeout`` seconds (the process is stopped then).
            RuntimeError: already started.
        """
        if self._process is not None:
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
        if self._requested_workdir is not None:
            self._workdir = self._requested_workdir
            self._workdir.mkdir(parents=True, exist_ok=True)
        else:
            self._tempdir = tempfile.TemporaryDirectory(prefix="vaultbrowser-azurite-")
            self._workdir = Path(self._tempdir.name)

        attempts = 1 if self._requested_port else _PORT_ATTEMPTS
        last_error: AzuriteUnavailable | None = None
        for _ in range(attempts):
            port = self._requested_port or _free_loopback_port()
            try:
                self._spawn(executable, port, timeout)
            except AzuriteUnavailable as exc:
                last_error = exc
                # Another process may have taken the port between our probe and node's bind.
                if "EADDRINUSE" not in str(exc):
                    break
                continue
            return
        self._cleanup_tempdir()
        assert last_error is not None
        raise last_error

    def _spawn(self, executable: Path, port: int, timeout: float) -> None:
        assert self._workdir is not None
        command = self._command(executable, port, self._workdir)
        log_path = self._workdir / "azurite-blob.log"
        env = dict(os.environ)
        env.pop("NODE_OPTIONS", None)  # e.g. an --inspect flag would open another port
        env.pop("AZURITE_DB", None)  # never an external SQL database: loki or in-memory only
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
                    # Windows: a GUI app (the installed one) starting a console program (cmd,
                    # node) would open a console window for as long as Azurite runs.
                    creationflags=(
                        getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
                        | getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
                    ),
                )
            except OSError as exc:
                raise AzuriteUnavailable(
                    f"Could not run {command[0]}: {exc}. {_INSTALL_HINT}"
                ) from exc
        self._process = process
        self._port = port
        # Whatever happens to this object (collected, interpreter exit), the process goes too.
        self._finalizer = weakref.finalize(self, _kill_process_tree, process)
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = self._read_log(log_path)
                self._forget_process()
                raise AzuriteUnavailable(
                    f"azurite-blob exited with code {process.returncode} before answering on "
                    f"port {port}: {output or '(no output)'}"
                )
            if self._answers(port):
                return
            if time.monotonic() > deadline:
                self._forget_process()
                raise AzuriteUnavailable(
                    f"azurite-blob did not answer on 127.0.0.1:{port} within {timeout:g} s: "
                    f"{self._read_log(log_path) or '(no output)'}"
                )
            time.sleep(0.05)

    @staticmethod
    def _answers(port: int) -> bool:
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
        """Terminate Azurite and its children and wait for them. Idempotent."""
        self._forget_process()
        self._cleanup_tempdir()

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
        state = f"running on port {self._port}" if self.running else "stopped"
        return f"Azurite({state}, in_memory={self.in_memory})"


# Manual demo: python -m vaultbrowser.emulators.azurite
if __name__ == "__main__":  # pragma: no cover
    with Azurite() as _az:
        print(_az.connection_string, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while _az.running:
                time.sleep(1)
    sys.exit(0)
