"""The Azurite harness: start, answer, stop without leaving a process; clear unavailability."""

from __future__ import annotations

import http.client
import os
import socket
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from vaultbrowser.emulators.azurite import (
    AZURITE_ACCOUNT_KEY,
    AZURITE_ACCOUNT_NAME,
    AZURITE_ENV_VAR,
    Azurite,
    AzuriteUnavailable,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process checks read /proc")


def _alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _eventually(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Signals are delivered asynchronously: give the kernel a moment."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _group_members(pgid: int) -> list[int]:
    """Live processes whose process group is ``pgid``."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def _answers(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", f"/{AZURITE_ACCOUNT_NAME}?comp=list")
        return connection.getresponse().status > 0
    except OSError:
        return False
    finally:
        connection.close()


@pytest.fixture
def real_azurite_available(azurite: Azurite) -> None:
    """Skip (like the session fixture does) when Azurite is not installed."""


def test_start_answers_and_stop_leaves_no_process(real_azurite_available: None,
                                                  tmp_path: Path) -> None:
    azurite = Azurite(workdir=tmp_path)
    azurite.start()
    pid, port = azurite.pid, azurite.port
    assert pid is not None and _alive(pid)
    assert azurite.running
    assert azurite.blob_endpoint == f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT_NAME}"
    assert f"AccountKey={AZURITE_ACCOUNT_KEY};" in azurite.connection_string
    assert f"BlobEndpoint={azurite.blob_endpoint};" in azurite.connection_string
    assert _answers(port)
    command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    for flag in (b"--disableTelemetry", b"--skipApiVersionCheck", b"--loose", b"--silent",
                 b"--inMemoryPersistence"):
        assert flag in command
    assert command[command.index(b"--blobHost") + 1] == b"127.0.0.1"
    assert b"--debug" not in command

    azurite.stop()
    assert not _alive(pid)
    assert _eventually(lambda: _group_members(pid) == [])
    assert not azurite.running
    assert not _answers(port)
    azurite.stop()  # idempotent


def test_context_manager_and_persistent_location(real_azurite_available: None,
                                                 tmp_path: Path) -> None:
    with Azurite(workdir=tmp_path, in_memory=False) as azurite:
        pid = azurite.pid
        assert pid is not None
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert b"--inMemoryPersistence" not in command
        assert command[command.index(b"--location") + 1] == str(tmp_path).encode()
    assert not _alive(pid)
    assert _eventually(lambda: _group_members(pid) == [])


def test_busy_port_is_unavailable_and_leaves_nothing(real_azurite_available: None) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        azurite = Azurite(port=taken.getsockname()[1])
        with pytest.raises(AzuriteUnavailable, match=r"EADDRINUSE|exited"):
            azurite.start()
    assert azurite.pid is None and not azurite.running


def test_missing_executable_is_unavailable(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    missing = tmp_path / "does-not-exist" / "azurite-blob"
    monkeypatch.setenv(AZURITE_ENV_VAR, str(missing))
    assert Azurite.find_executable() is None
    with pytest.raises(AzuriteUnavailable) as caught:
        Azurite().start()
    message = str(caught.value)
    assert str(missing) in message
    assert "npm install" in message


def test_missing_node_is_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    script = tmp_path / "main.js"
    script.write_text("#!/usr/bin/env node\n")
    monkeypatch.setenv(AZURITE_ENV_VAR, str(script))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(AzuriteUnavailable, match=r"Node\.js"):
        Azurite().start()


def test_early_exit_reports_output(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "azurite-blob"
    fake.write_text("#!/bin/sh\necho 'cannot start: boom' >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv(AZURITE_ENV_VAR, str(fake))
    with pytest.raises(AzuriteUnavailable, match=r"code 3.*boom"):
        Azurite().start()


def test_stop_kills_children_of_the_emulator(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    """Whatever the emulator spawns dies with it: a stand-in that forks a child and serves."""
    child_pid_file = tmp_path / "child.pid"
    fake = tmp_path / "azurite-blob"
    fake.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import http.server, subprocess, sys
        port = int(sys.argv[sys.argv.index("--blobPort") + 1])
        child = subprocess.Popen(["sleep", "300"])
        open({str(child_pid_file)!r}, "w").write(str(child.pid))
        http.server.HTTPServer(("127.0.0.1", port), http.server.BaseHTTPRequestHandler
                               ).serve_forever()
        """))
    fake.chmod(0o755)
    monkeypatch.setenv(AZURITE_ENV_VAR, str(fake))
    azurite = Azurite()
    azurite.start()
    pid = azurite.pid
    assert pid is not None
    child = int(child_pid_file.read_text())
    assert _alive(child)
    azurite.stop()
    assert not _alive(pid)  # the leader is waited for
    assert _eventually(lambda: not _alive(child))
    assert _eventually(lambda: _group_members(pid) == [])


def test_collected_instance_takes_its_process_along(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    fake = tmp_path / "azurite-blob"
    fake.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import http.server, sys
        port = int(sys.argv[sys.argv.index("--blobPort") + 1])
        http.server.HTTPServer(("127.0.0.1", port), http.server.BaseHTTPRequestHandler
                               ).serve_forever()
        """))
    fake.chmod(0o755)
    monkeypatch.setenv(AZURITE_ENV_VAR, str(fake))
    azurite = Azurite()
    azurite.start()
    pid = azurite.pid
    assert pid is not None
    del azurite
    import gc

    gc.collect()
    assert not _alive(pid)


def test_relative_executable_path_is_run_from_the_emulators_work_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """VAULTBROWSER_AZURITE=./wrapper: the process starts in Azurite's own folder, so the path
    given relative to ours must be made absolute before it runs."""
    fake = tmp_path / "azurite-blob"
    fake.write_text(textwrap.dedent(f"""\
        #!{sys.executable}
        import http.server, sys
        port = int(sys.argv[sys.argv.index("--blobPort") + 1])
        http.server.HTTPServer(("127.0.0.1", port), http.server.BaseHTTPRequestHandler
                               ).serve_forever()
        """))
    fake.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(AZURITE_ENV_VAR, "azurite-blob")
    azurite = Azurite()
    try:
        azurite.start()
        assert azurite.running
    finally:
        azurite.stop()
