"""Audit fixtures: a Key Vault emulator with the audit's own seed, ``audit-`` containers in the
session's Azurite, and one report collected over both (shared by the module's tests)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from vaultbrowser.app import KINDS
from vaultbrowser.core.services.connections import AuthMethod, Connection

NOW = datetime.now(UTC).replace(microsecond=0)
HOSTILE = "<script>alert('x')</script>&\"'"

# Every value seeded into the vault: none may appear in any report.
SEEDED_VALUES = {
    "audit-expired": ["VALUE-expired-7QxT2"],
    "audit-exp-10": ["VALUE-exp10-v1-Aa91", "VALUE-exp10-v2-Bb82", "VALUE-exp10-v3-Cc73"],
    "audit-exp-45": ["VALUE-exp45-Kd02"],
    "audit-exp-75": ["VALUE-exp75-Lm33"],
    "audit-far": ["VALUE-far-Pq44"],
    "audit-noexp": ["VALUE-noexp-Rs55"],
    "audit-disabled": ["VALUE-disabled-Tu66"],
    "audit-hostile-tags": ["VALUE-hostile-Vw77"],
}
PUBLIC_CONTAINER, PUBLIC_BLOBS, PRIVATE = "audit-public", "audit-blobs", "audit-private"
PRIVATE_BLOBS = {"a.txt": b"12345", "dir/b.bin": b"x" * 1000, "dir/sub/c": b""}


def _ts(days: float) -> int:
    return int((NOW + timedelta(days=days)).timestamp())


def _secret(name: str, *, exp: float | None = None, enabled: bool = True,
            **extra: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {"enabled": enabled}
    if exp is not None:
        attributes["exp"] = _ts(exp)
    values = SEEDED_VALUES[name]
    spec: dict[str, Any] = {"name": name, "attributes": attributes, "contentType": "text/plain",
                            **extra}
    if len(values) == 1:
        spec["value"] = values[0]
    else:
        spec["versions"] = [{"value": value} for value in values]
    return spec


def audit_seed() -> dict[str, Any]:
    return {
        "secrets": [
            _secret("audit-expired", exp=-5),
            _secret("audit-exp-10", exp=10, tags={"env": "prod"}),
            _secret("audit-exp-45", exp=45),
            _secret("audit-exp-75", exp=75),
            _secret("audit-far", exp=200),
            _secret("audit-noexp"),
            _secret("audit-disabled", exp=300, enabled=False),
            _secret("audit-hostile-tags", exp=300, tags={"owner": HOSTILE},
                    contentType=HOSTILE),
        ],
        "keys": [
            {"name": "audit-key-rotating", "kty": "EC", "crv": "P-256",
             "attributes": {"exp": _ts(365)}},
            {"name": "audit-key-plain", "kty": "RSA", "key_size": 2048,
             "attributes": {"exp": _ts(365)}, "versions": [{}, {}]},
            {"name": "audit-key-disabled", "kty": "EC", "attributes": {"enabled": False,
                                                                      "exp": _ts(365)}},
            {"name": "audit-key-expired", "kty": "EC", "attributes": {"exp": _ts(-1)}},
        ],
        "certificates": [
            {"name": "audit-cert-self", "subject": "CN=self.audit.test", "kty": "RSA",
             "key_size": 3072, "validity_months": 12},
            {"name": "audit-cert-unknown", "policy": {
                "key_props": {"kty": "EC", "crv": "P-384"},
                "x509_props": {"subject": "CN=unknown.audit.test", "validity_months": 12},
                "issuer": {"name": "Unknown"}}},
        ],
    }


@pytest.fixture(scope="session")
def audit_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from azure.keyvault.keys import (
        KeyClient,
        KeyRotationLifetimeAction,
        KeyRotationPolicy,
        KeyRotationPolicyAction,
    )

    from tests.emulators.keyvault.helpers import FakeCredential
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("audit-kv"),
                                seed=audit_seed()) as emulator:
        with KeyClient(emulator.url, FakeCredential(),
                       connection_verify=str(emulator.ca_path)) as keys:
            keys.update_key_rotation_policy("audit-key-rotating", KeyRotationPolicy(
                lifetime_actions=[KeyRotationLifetimeAction(
                    KeyRotationPolicyAction.rotate, time_before_expiry="P30D")]))
        yield emulator


@pytest.fixture(scope="session")
def audit_containers(azurite: Any) -> Any:
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(azurite.connection_string) as client:
        client.create_container(PUBLIC_CONTAINER, public_access="container",
                                metadata={"owner": "web"})
        client.create_container(PUBLIC_BLOBS, public_access="blob")
        private = client.create_container(PRIVATE, metadata={"team": "data", "note": HOSTILE})
        for name, data in PRIVATE_BLOBS.items():
            private.upload_blob(name, data)
    return azurite


def vault_connection(emulator: Any) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="audit-vault", ca_path=str(emulator.ca_path), read_only=True)


def storage_connection(azurite: Any) -> Connection:
    return Connection("blob", azurite.blob_endpoint, AuthMethod.LOCAL_EMULATOR,
                      name="audit-account", read_only=True)


@pytest.fixture(scope="session")
def collected(audit_emulator: Any, audit_containers: Any) -> tuple[Any, list[tuple[Any, ...]]]:
    """(report, progress calls) of one audit over the vault and the account, blobs scanned."""
    from vaultbrowser.core.audit.report import collect_report
    from vaultbrowser.core.services.session import ServiceSession

    calls: list[tuple[Any, ...]] = []

    async def collect() -> Any:
        session = ServiceSession()
        try:
            return await collect_report(
                session, [vault_connection(audit_emulator), storage_connection(audit_containers)],
                kinds=KINDS, scan_blobs=True, progress=lambda *args: calls.append(args),
                identity="auditor@example.test", now=NOW)
        finally:
            await session.aclose()

    return asyncio.run(collect()), calls


@pytest.fixture(scope="session")
def report(collected: tuple[Any, list[tuple[Any, ...]]]) -> Any:
    return collected[0]
