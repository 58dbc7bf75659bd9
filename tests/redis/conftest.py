"""Real Redis servers for the Redis tests: one standalone server and a three-primary cluster.

Each test session starts its own ``redis-server`` processes on free loopback ports, in temporary
directories, with no persistence (the system's own server on 6379 is never used). Where
``redis-server`` is missing, the tests that need a server skip and say how to get it. The admin
clients here are plain sync redis-py clients on the ``default`` user (no password): the tests
use them to seed data, add ACL users and look at the server, never the code under test.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from tests.redis.node_certificate import node_client_certificate
from vaultbrowser.emulators.keyvault.tls import TlsMaterial, ensure_tls

REDIS_SERVER = shutil.which("redis-server")
REDIS_CLI = shutil.which("redis-cli")
MISSING = ("redis-server and redis-cli are not installed (Debian: apt-get install redis-server "
           "redis-tools; scripts/test installs them when run as root)")


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, with_bus: bool = False) -> int:
    """A free loopback port (and, for a cluster node, its bus port: port + 10000)."""
    for _ in range(200):
        port = random.randint(20_000, 40_000)
        if _free(port) and (not with_bus or _free(port + 10_000)):
            return port
    raise RuntimeError("no free port found")


@dataclass
class RedisProcess:
    """One ``redis-server`` we started; ``admin`` is a sync client on its default user."""

    port: int
    directory: Path
    tls: TlsMaterial | None = None  # TLS only, on ``port``, with the emulators' loopback CA
    process: subprocess.Popen[bytes] | None = None
    admin: redis.Redis = field(init=False)

    def start(self, *extra: str) -> None:
        assert REDIS_SERVER is not None
        ports = ["--port", str(self.port)]
        if self.tls is not None:
            ports = ["--port", "0", "--tls-port", str(self.port), "--tls-cert-file",
                     str(self.tls.cert_path), "--tls-key-file", str(self.tls.key_path),
                     "--tls-ca-cert-file", str(self.tls.ca_path), "--tls-auth-clients", "no"]
        self.process = subprocess.Popen(
            [REDIS_SERVER, *ports, "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory), "--protected-mode", "no",
             "--logfile", str(self.directory / "redis.log"), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.admin = redis.Redis(host="127.0.0.1", port=self.port, **(
            {"ssl": True, "ssl_ca_certs": str(self.tls.ca_path)} if self.tls else {}))
        deadline = time.monotonic() + 15
        while True:
            try:
                if self.admin.ping():
                    return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "redis.log")
                    raise RuntimeError("redis-server did not start: " + (
                        log.read_text()[-2000:] if log.exists() else "no log")) from None
                time.sleep(0.05)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.admin.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@dataclass
class RedisCluster:
    """Three primaries made with ``redis-cli --cluster create``."""

    nodes: list[RedisProcess]

    @property
    def port(self) -> int:
        return self.nodes[0].port

    def admin(self) -> redis.RedisCluster:
        return redis.RedisCluster(host="127.0.0.1", port=self.port)

    def on_every_node(self, *command: str) -> None:
        for node in self.nodes:
            node.admin.execute_command(*command)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip(MISSING)
    server = RedisProcess(free_port(), tmp_path_factory.mktemp("redis"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    yield from _cluster(tmp_path_factory, tls=None)


@pytest.fixture(scope="session")
def redis_tls_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    """Three primaries speaking TLS only (clients and the cluster bus), the loopback CA's."""
    yield from _cluster(tmp_path_factory,
                        tls=ensure_tls(tmp_path_factory.mktemp("redis-cluster-tls")))


def _cluster(tmp_path_factory: pytest.TempPathFactory,
             tls: TlsMaterial | None) -> Iterator[RedisCluster]:
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip(MISSING)
    bus: tuple[str, ...] = ()
    if tls is not None:
        cert, key = node_client_certificate(tls)
        bus = ("--tls-cluster", "yes", "--tls-client-cert-file", str(cert),
               "--tls-client-key-file", str(key))
    nodes = []
    try:
        for _ in range(3):
            node = RedisProcess(free_port(with_bus=True), tmp_path_factory.mktemp("cluster"),
                                tls=tls)
            nodes.append(node)
            node.start("--cluster-enabled", "yes", "--cluster-config-file",
                       f"nodes-{node.port}.conf", "--cluster-node-timeout", "5000", *bus)
        subprocess.run([REDIS_CLI, "--cluster", "create",
                        *(f"127.0.0.1:{node.port}" for node in nodes),
                        "--cluster-replicas", "0", "--cluster-yes",
                        *(("--tls", "--cacert", str(tls.ca_path)) if tls else ())],
                       check=True, capture_output=True, timeout=60)
        deadline = time.monotonic() + 30
        while not all(b"cluster_state:ok" in node.admin.execute_command("CLUSTER", "INFO")
                      for node in nodes):
            if time.monotonic() > deadline:
                raise RuntimeError("the test cluster did not become ready")
            time.sleep(0.1)
        yield RedisCluster(nodes)
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture(scope="session")
def redis_tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisProcess]:
    """A server that speaks TLS only, with a certificate for 127.0.0.1 from a loopback CA."""
    if REDIS_SERVER is None or REDIS_CLI is None:
        pytest.skip(MISSING)
    directory = tmp_path_factory.mktemp("redis-tls")
    server = RedisProcess(free_port(), directory, tls=ensure_tls(directory / "tls"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def standalone(redis_server: RedisProcess) -> RedisProcess:
    """The session's standalone server, emptied for this test (its ACL users too)."""
    redis_server.admin.flushall()
    for user in redis_server.admin.acl_users():
        if user != "default":
            redis_server.admin.acl_deluser(user)
    return redis_server


@pytest.fixture
def cluster(redis_cluster: RedisCluster) -> RedisCluster:
    """The session's cluster, emptied for this test."""
    for node in redis_cluster.nodes:
        node.admin.flushall()
        for user in node.admin.acl_users():
            if user != "default":
                node.admin.acl_deluser(user)
    return redis_cluster
