"""Lifecycle, TLS reuse, seeding, the CLI and the module's import rules."""

from __future__ import annotations

import ast
import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from azure.keyvault.certificates import CertificateClient
from azure.keyvault.keys import KeyClient
from azure.keyvault.secrets import SecretClient
from azure.keyvault.secrets.aio import SecretClient as AsyncSecretClient
from cryptography import x509

import vaultbrowser.emulators.keyvault as package
from vaultbrowser.emulators.keyvault import KeyVaultEmulator, run_emulator_in_thread

from .helpers import AsyncFakeCredential, FakeCredential, client_kwargs, run

ROOT = Path(__file__).resolve().parents[3]


def test_async_start_stop_in_running_loop(tmp_path: Path) -> None:
    async def scenario() -> None:
        emu = KeyVaultEmulator(data_dir=tmp_path)
        await emu.start(host="127.0.0.1", port=0)
        try:
            assert emu.url.startswith("https://127.0.0.1:") and emu.port > 0
            async with AsyncSecretClient(emu.url, AsyncFakeCredential(),
                                         **client_kwargs(emu)) as client:
                await client.set_secret("in-loop", "v")
                assert (await client.get_secret("in-loop")).value == "v"
        finally:
            await emu.stop()

    run(scenario())


def test_tls_material_reused_and_valid(tmp_path: Path) -> None:
    first = KeyVaultEmulator(data_dir=tmp_path)
    ca_before = first.ca_path.read_bytes()
    server_before = (tmp_path / "server.pem").read_bytes()
    second = KeyVaultEmulator(data_dir=tmp_path)
    assert second.ca_path.read_bytes() == ca_before
    assert (tmp_path / "server.pem").read_bytes() == server_before
    cert = x509.load_pem_x509_certificate(server_before)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    ctx = ssl.create_default_context(cafile=str(second.ca_path))
    assert ctx.get_ca_certs()
    (tmp_path / "server.pem").write_text("garbage")
    KeyVaultEmulator(data_dir=tmp_path)
    assert (tmp_path / "server.pem").read_bytes() != b"garbage"


def test_seed(tmp_path: Path) -> None:
    seed = {
        "secrets": [
            {"name": "db", "contentType": "text/plain", "tags": {"env": "dev"},
             "attributes": {"exp": 1900000000, "created": 1600000000},
             "versions": [{"value": "old"}, {"value": "new"}]},
            {"name": "gone", "value": "x", "deleted": True},
        ],
        "keys": [{"name": "rsa", "kty": "RSA", "key_size": 3072},
                 {"name": "ec", "kty": "EC", "crv": "P-521"}],
        "certificates": [{"name": "web", "subject": "CN=web", "dns_names": ["web.local"],
                          "content_type": "application/x-pem-file"}],
    }
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed))
    with run_emulator_in_thread(data_dir=tmp_path) as emu:
        emu.seed_file(path)
        kwargs = client_kwargs(emu)
        secrets = SecretClient(emu.url, FakeCredential(), **kwargs)
        got = secrets.get_secret("db")
        assert got.value == "new" and got.properties.tags == {"env": "dev"}
        assert got.properties.created_on is not None
        assert int(got.properties.created_on.timestamp()) == 1600000000
        assert len(list(secrets.list_properties_of_secret_versions("db"))) == 2
        assert [d.name for d in secrets.list_deleted_secrets()] == ["gone"]
        keys = KeyClient(emu.url, FakeCredential(), **kwargs)
        assert len(keys.get_key("rsa").key.n or b"") == 384
        assert keys.get_key("ec").key.crv == "P-521"
        cert = CertificateClient(emu.url, FakeCredential(), **kwargs).get_certificate("web")
        assert cert.policy is not None and cert.policy.san_dns_names == ["web.local"]
        assert secrets.get_secret("web").properties.content_type == "application/x-pem-file"


def test_cli_prints_and_serves(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "vaultbrowser.emulators.keyvault", "--port", "0", "--data-dir",
         str(tmp_path), "--latency-ms", "1"],
        stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().strip() for _ in range(4)]
        url = lines[0].removeprefix("Vault URL: ")
        assert url.startswith("https://127.0.0.1:")
        ca = Path(lines[1].removeprefix("CA certificate: "))
        assert ca.is_absolute() and ca.exists()
        assert lines[2].startswith("Identity endpoint: http://127.0.0.1:")
        assert lines[3].startswith("Identity header: ")
        client = SecretClient(url, FakeCredential(), connection_verify=str(ca))
        client.set_secret("cli", "v")
        assert client.get_secret("cli").value == "v"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    [p for p in Path(package.__file__).parent.glob("*.py") if p.name != "azurite.py"],
    ids=lambda p: p.name,
)
def test_module_rules(path: Path) -> None:
    imports = _imports(path)
    banned = ("PySide6", "qasync", "azure")
    assert not [name for name in imports if name.split(".")[0] in banned]
    assert len(path.read_text().splitlines()) <= 500
