"""The child server harness shared by Azurite and the local Cosmos DB server: another port when
the chosen one was taken before the bind, no retry for other failures, a server never ready is
stopped. (Azurite's and Cosmos's own tests cover the real programs.)"""

from __future__ import annotations

import socket
import sys
import textwrap
from pathlib import Path

import pytest

from vaultbrowser.emulators.child_server import ChildServer, ChildServerSpec


class StandInUnavailable(RuntimeError):
    pass


SPEC = ChildServerSpec(name="stand-in", log_name="stand-in.log", tempdir_prefix="stand-in-",
                       unavailable=StandInUnavailable, install_hint="Install nothing.")


def _listens(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _stand_in(tmp_path: Path, failures: int, message: str) -> Path:
    """A program that fails ``failures`` times with ``message``, then listens on its port."""
    script = tmp_path / "stand_in.py"
    script.write_text(textwrap.dedent(f"""\
        import pathlib, socket, sys, time
        tries = pathlib.Path({str(tmp_path / "tries")!r})
        count = int(tries.read_text()) if tries.exists() else 0
        tries.write_text(str(count + 1))
        if count < {failures}:
            print({message!r}, flush=True)
            sys.exit(1)
        server = socket.create_server(("127.0.0.1", int(sys.argv[1])))
        time.sleep(300)
        """))
    return script


def test_a_port_taken_before_the_bind_is_tried_again(tmp_path: Path) -> None:
    script = _stand_in(tmp_path, failures=1, message="listen EADDRINUSE: address already in use")
    ports: list[int] = []

    def command(port: int) -> list[str]:
        ports.append(port)
        return [sys.executable, str(script), str(port)]

    server = ChildServer(SPEC, workdir=tmp_path / "work")
    server.start(command, _listens, timeout=20)
    try:
        process = server.process
        assert len(ports) == 2 and server.running and server.port == ports[1]
        assert process is not None
    finally:
        server.stop()
    assert process.poll() is not None and not server.running and server.port is None


def test_another_failure_is_not_tried_again_and_names_the_output(tmp_path: Path) -> None:
    script = _stand_in(tmp_path, failures=5, message="cannot start: boom")
    tries = 0

    def command(port: int) -> list[str]:
        nonlocal tries
        tries += 1
        return [sys.executable, str(script), str(port)]

    server = ChildServer(SPEC)
    with pytest.raises(StandInUnavailable, match=r"stand-in exited with code 1 .*boom"):
        server.start(command, _listens, timeout=20)
    assert tries == 1 and not server.started and server.workdir is None


def test_a_server_never_ready_is_stopped(tmp_path: Path) -> None:
    script = _stand_in(tmp_path, failures=0, message="")
    server = ChildServer(SPEC, workdir=tmp_path / "work")
    with pytest.raises(StandInUnavailable, match=r"did not answer on 127\.0\.0\.1:\d+ within"):
        server.start(lambda port: [sys.executable, str(script), str(port)],
                     lambda port: False, timeout=1)
    assert not server.started and not server.running


class PlainUnavailable(Exception):  # as the demo's DemoUnavailable: not a RuntimeError
    pass


def test_a_spec_names_its_own_port_taken_words_and_error(tmp_path: Path) -> None:
    spec = ChildServerSpec(name="stand-in", log_name="stand-in.log", tempdir_prefix="stand-in-",
                           unavailable=PlainUnavailable, install_hint="Install nothing.",
                           port_taken=("Address already in use",))
    script = _stand_in(tmp_path, failures=1, message="bind: Address already in use")
    server = ChildServer(spec, workdir=tmp_path / "work")
    server.start(lambda port: [sys.executable, str(script), str(port)], _listens, timeout=20)
    try:
        assert server.running and (tmp_path / "tries").read_text() == "2"
    finally:
        server.stop()
    # Node.js's word is not this spec's: no second try, the spec's own error.
    (tmp_path / "tries").unlink()
    script = _stand_in(tmp_path, failures=1, message="listen EADDRINUSE")
    with pytest.raises(PlainUnavailable, match="EADDRINUSE"):
        ChildServer(spec).start(lambda port: [sys.executable, str(script), str(port)],
                                _listens, timeout=20)
    assert (tmp_path / "tries").read_text() == "1"
