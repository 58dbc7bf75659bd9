"""A loopback server run as a child process we own (Azurite, the local Cosmos DB server).

Qt-free and azure-free. :class:`ChildServer` holds what such a server's owner shares: its work
folder (a temporary one unless given), a free loopback port (another one when the chosen port
was taken before the server bound it), the spawn with the output in a log file, the wait until
the owner's readiness check passes, and the stop that ends the process with everything it
spawned: when asked, at interpreter exit, or when the ``ChildServer`` is collected.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ChildServer", "ChildServerSpec", "free_loopback_port", "kill_process_tree",
           "read_log_tail"]

_STOP_TIMEOUT = 5.0
_PORT_ATTEMPTS = 3
_LOG_TAIL = 2000


def kill_process_tree(process: subprocess.Popen[bytes], timeout: float = _STOP_TIMEOUT) -> None:
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


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_log_tail(path: Path | None) -> str:
    """The end of a log on one line ('' when there is none), for an error message."""
    if path is None:
        return ""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " ".join(text.split())[-_LOG_TAIL:]


@dataclass(frozen=True)
class ChildServerSpec:
    """What tells one server's process from another's.

    ``name`` names it in messages; ``log_name`` is its output's file in the work folder;
    ``unavailable`` is the error its owner raises; ``install_hint`` ends a message about a
    program that could not run; ``dropped_env`` are variables the child must not inherit;
    ``port_taken`` are the texts of its output that say the port was taken (another is tried).
    """

    name: str
    log_name: str
    tempdir_prefix: str
    unavailable: type[Exception]
    install_hint: str
    dropped_env: Sequence[str] = ("NODE_OPTIONS",)  # e.g. --inspect would open another port
    port_taken: Sequence[str] = ("EADDRINUSE",)  # Node.js's words


class ChildServer:
    """One child server process on ``127.0.0.1``: work folder, port, spawn, readiness, stop.

    Args:
        spec: the server's names and error.
        workdir: its work folder (created); a temporary one, removed on ``stop``, when None.
        port: its port; 0 picks a free loopback port at ``start``.
    """

    def __init__(self, spec: ChildServerSpec, workdir: Path | None = None, port: int = 0) -> None:
        self.spec = spec
        self._requested_workdir = Path(workdir) if workdir is not None else None
        self._requested_port = port
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        self._workdir: Path | None = None
        self._finalizer: weakref.finalize | None = None

    @property
    def started(self) -> bool:
        return self._process is not None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        return self._process

    @property
    def port(self) -> int | None:
        return self._port

    @property
    def workdir(self) -> Path | None:
        return self._workdir

    @property
    def log_path(self) -> Path | None:
        return self._workdir / self.spec.log_name if self._workdir is not None else None

    def open_workdir(self) -> Path:
        """The work folder, made now (before ``start``, for files the command names)."""
        if self._workdir is None:
            if self._requested_workdir is not None:
                self._workdir = self._requested_workdir
                self._workdir.mkdir(parents=True, exist_ok=True)
            else:
                self._tempdir = tempfile.TemporaryDirectory(prefix=self.spec.tempdir_prefix)
                self._workdir = Path(self._tempdir.name)
        return self._workdir

    def start(self, command: Callable[[int], list[str]], ready: Callable[[int], bool],
              timeout: float) -> None:
        """Run ``command(port)`` and return once ``ready(port)`` is true.

        Raises:
            spec.unavailable: the program could not run, the process exited, or it was not
                ready within ``timeout`` seconds (the process is stopped then).
            RuntimeError: already started.
        """
        if self._process is not None:
            raise RuntimeError(f"{self.spec.name} is already started")
        self.open_workdir()
        attempts = 1 if self._requested_port else _PORT_ATTEMPTS
        last_error: Exception | None = None
        for _ in range(attempts):
            port = self._requested_port or free_loopback_port()
            try:
                self._spawn(command(port), port, ready, timeout)
            except self.spec.unavailable as exc:
                last_error = exc
                # Another process may have taken the port between our probe and the bind.
                if not any(text in str(exc) for text in self.spec.port_taken):
                    break
                continue
            return
        self._cleanup_tempdir()
        assert last_error is not None
        raise last_error

    def _spawn(self, command: list[str], port: int, ready: Callable[[int], bool],
               timeout: float) -> None:
        assert self._workdir is not None
        log_path = self._workdir / self.spec.log_name
        env = dict(os.environ)
        for name in self.spec.dropped_env:
            env.pop(name, None)
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
                    # node) would open a console window for as long as the server runs.
                    creationflags=(
                        getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
                        | getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
                    ),
                )
            except OSError as exc:
                raise self.spec.unavailable(
                    f"Could not run {command[0]}: {exc}. {self.spec.install_hint}"
                ) from exc
        self._process = process
        self._port = port
        # Whatever happens to this object (collected, interpreter exit), the process goes too.
        self._finalizer = weakref.finalize(self, kill_process_tree, process)
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = read_log_tail(log_path)
                self._forget_process()
                raise self.spec.unavailable(
                    f"{self.spec.name} exited with code {process.returncode} before answering "
                    f"on port {port}: {output or '(no output)'}"
                )
            if ready(port):
                return
            if time.monotonic() > deadline:
                output = read_log_tail(log_path)
                self._forget_process()
                raise self.spec.unavailable(
                    f"{self.spec.name} did not answer on 127.0.0.1:{port} within {timeout:g} s: "
                    f"{output or '(no output)'}"
                )
            time.sleep(0.05)

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
        """Terminate the server and its children, wait for them, remove a temporary work
        folder. Idempotent."""
        self._forget_process()
        self._cleanup_tempdir()
