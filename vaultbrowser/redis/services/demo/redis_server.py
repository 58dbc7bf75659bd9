"""A private ``redis-server`` for the demo: its own loopback port and directory, no persistence
(the system's server on 6379, if any, is never touched). Run on the emulators' ``ChildServer``
(free port tried again when taken, output in ``redis.log``, the process ended with its owner).
Blocking: call it off the loop."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from vaultbrowser.core.services.kinds import DemoUnavailable
from vaultbrowser.emulators.child_server import ChildServer, ChildServerSpec

INSTALL_ADVICE = ("Install Redis to see it: Debian/Ubuntu `sudo apt-get install redis-server`, "
                  "macOS `brew install redis`, Windows: Redis in WSL, or Memurai.")

REDIS_SERVER_SPEC = ChildServerSpec(
    name="redis-server",
    log_name="redis.log",
    tempdir_prefix="vaultbrowser-redis-",
    unavailable=DemoUnavailable,
    install_hint=INSTALL_ADVICE,
    dropped_env=(),
    # "Could not create server TCP listening socket 127.0.0.1:PORT: bind: Address already in use"
    port_taken=("Address already in use",),
)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class LocalRedisServer:
    """``start()`` runs redis-server in ``directory`` (raises ``DemoUnavailable`` without
    it, or when it does not start: the message ends with its output); ``port`` then;
    ``stop()`` ends it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = 0
        self._server = ChildServer(REDIS_SERVER_SPEC, directory)

    def start(self, timeout: float = 15.0) -> None:
        executable = shutil.which("redis-server")
        if executable is None:
            raise DemoUnavailable(f"redis-server is not installed. {INSTALL_ADVICE}")
        self._server.start(lambda port: [
            executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "no", "--dir", str(self.directory), "--protected-mode", "yes"],
            _answers, timeout)
        self.port = self._server.port or 0

    def stop(self) -> None:
        self._server.stop()
