"""A private ``redis-server`` for the demo: its own loopback port and directory, no persistence
(the system's server on 6379, if any, is never touched). Blocking: call it off the loop."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path

from vaultbrowser.core.services.kinds import DemoUnavailable

INSTALL_ADVICE = ("Install Redis to see it: Debian/Ubuntu `sudo apt-get install redis-server`, "
                  "macOS `brew install redis`, Windows: Redis in WSL, or Memurai.")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class LocalRedisServer:
    """``start()`` runs redis-server in ``directory`` (raises ``DemoUnavailable`` without
    it); ``port`` then; ``stop()`` ends it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 15.0) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise DemoUnavailable(f"redis-server is not installed. {INSTALL_ADVICE}")
        self.directory.mkdir(parents=True, exist_ok=True)
        for _attempt in range(3):  # a port taken between choosing and binding: another one
            self.port = _free_port()
            self._process = subprocess.Popen(
                [executable, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.directory), "--protected-mode", "yes",
                 "--logfile", str(self.directory / "redis.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            deadline = time.monotonic() + timeout
            while self._process.poll() is None and time.monotonic() < deadline:
                if _answers(self.port):
                    return
                time.sleep(0.05)
            self.stop()
        raise DemoUnavailable("redis-server did not start (see its log in the demo folder).")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
