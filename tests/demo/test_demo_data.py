"""The ``--demo`` data: the Key Vault seed in an emulator of its own, and the Azurite content,
checked through the real SDK clients."""

from __future__ import annotations

import asyncio
import datetime as dt
import http.client
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from azure.keyvault.certificates.aio import CertificateClient
from azure.keyvault.keys.aio import KeyClient
from azure.keyvault.secrets.aio import SecretClient
from azure.storage.blob.aio import BlobServiceClient
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from vaultbrowser.blob.services.demo.plan import (
    AWKWARD_NAMES,
    DemoBlobSummary,
    demo_blob_plan,
    has_dot_segment,
)
from vaultbrowser.blob.services.demo.seeding import seed_azurite_demo
from vaultbrowser.core.services.session import LOCAL_EMULATOR_TOKEN
from vaultbrowser.core.services.signin.credentials import StaticTokenCredential
from vaultbrowser.keyvault.services.demo.certificate_imports import import_demo_certificates
from vaultbrowser.keyvault.services.demo.seed import keyvault_demo_seed

NOW = dt.datetime.now(dt.UTC)
PREFIX = "demotest-"  # other blob tests use other names (page-*, pub-*, tree, hostile, …)
TIMINGS: dict[str, float] = {}


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_vault(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An emulator of our own, seeded with the demo data plus the imported certificates."""
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    started = time.perf_counter()
    seed = keyvault_demo_seed(NOW)
    TIMINGS["kv_seed_build"] = time.perf_counter() - started
    started = time.perf_counter()
    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-demo"), seed=seed) as emu:
        TIMINGS["kv_start_and_seed"] = time.perf_counter() - started

        async def imports() -> list[str]:
            async with CertificateClient(emu.url, _credential(),
                                         connection_verify=str(emu.ca_path)) as client:
                first = await import_demo_certificates(client, NOW)
                again = await import_demo_certificates(client, NOW)  # idempotent
                assert again == []
                return first

        started = time.perf_counter()
        emu.imported = asyncio.run(imports())
        TIMINGS["kv_import_certificates"] = time.perf_counter() - started
        yield emu


@pytest.fixture(scope="module")
def demo_blobs(azurite: Any) -> tuple[DemoBlobSummary, DemoBlobSummary]:
    """Seed the demo content twice (the second run must only skip)."""
    first = asyncio.run(seed_azurite_demo(azurite.connection_string,
                                          container_prefix=PREFIX, now=NOW))
    second = asyncio.run(seed_azurite_demo(azurite.connection_string,
                                           container_prefix=PREFIX, now=NOW))
    TIMINGS["azurite_first_seed"] = first.elapsed
    TIMINGS["azurite_second_seed"] = second.elapsed
    return first, second


def _credential() -> StaticTokenCredential:
    return StaticTokenCredential(LOCAL_EMULATOR_TOKEN)


def _kv(cls: type, emu: Any) -> Any:
    return cls(emu.url, _credential(), connection_verify=str(emu.ca_path))


def _days(when: dt.datetime | None) -> float | None:
    return None if when is None else (when - NOW).total_seconds() / 86_400


# --- Key Vault --------------------------------------------------------------------------------


def test_seed_document_shape() -> None:
    seed = keyvault_demo_seed(NOW)
    names = [s["name"] for s in seed["secrets"]]
    assert len(names) == len(set(names)) >= 40
    assert all(s["tags"].keys() >= {"env", "owner", "app"} for s in seed["secrets"])
    assert sum(bool(s.get("deleted")) for s in seed["secrets"]) == 3
    assert keyvault_demo_seed(NOW)["secrets"][0] == seed["secrets"][0]  # deterministic


def test_secrets_expiry_states(demo_vault: Any, run: Any) -> None:
    async def body() -> dict[str, Any]:
        async with _kv(SecretClient, demo_vault) as client:
            return {p.name: p async for p in client.list_properties_of_secrets()
                    if not p.managed}

    props = run(body())
    assert len(props) == 42
    exp = {name: _days(p.expires_on) for name, p in props.items()}
    expired = {n for n, d in exp.items() if d is not None and d < 0}
    assert expired == {"postgres-analytics-password", "sendgrid-api-key",
                       "oauth-client-secret-mobile", "legacy-ftp-password", "npm-publish-token"}
    within = {limit: {n for n, d in exp.items() if d is not None and 0 <= d <= limit}
              for limit in (30, 60, 90)}
    assert within[30] == {"cosmos-primary-key", "jwt-signing-secret",
                          "oauth-client-secret-portal", "vpn-psk-hq"}
    assert within[60] - within[30] == {"storage-account-key", "aws-s3-sync-credentials",
                                       "docker-registry-password", "mongo-atlas-connection"}
    assert within[90] - within[60] == {"sql-prod-connection", "elastic-cloud-api-key",
                                       "event-hub-connection"}
    assert sum(d is None for d in exp.values()) >= 15
    assert props["batch-service-token"].expires_on == dt.datetime(9999, 12, 31, 23, 59, 59,
                                                                   tzinfo=dt.UTC)
    disabled = {n for n, p in props.items() if not p.enabled}
    assert disabled == {"twilio-auth-token", "oauth-client-secret-mobile",
                        "smtp-relay-password", "legacy-ftp-password"}
    future = {n for n, p in props.items() if p.not_before and p.not_before > NOW}
    assert future == {"openai-api-key", "feature-flags-sdk-key"}
    assert props["github-app-private-key"].content_type == "application/x-pem-file"
    assert props["sql-prod-connection"].tags["owner"] == "data-platform"


def test_secret_versions_values_and_deleted(demo_vault: Any, run: Any) -> None:
    async def body() -> tuple[dict[str, int], Any, Any, set[str]]:
        async with _kv(SecretClient, demo_vault) as client:
            counts = {}
            for name in ("sql-prod-connection", "jwt-signing-secret", "storage-account-key",
                         "stripe-api-key", "redis-cache-connection"):
                counts[name] = len([v async for v in client.list_properties_of_secret_versions(
                    name)])
            sql = await client.get_secret("sql-prod-connection")
            pem = await client.get_secret("github-app-private-key")
            deleted = {d.name async for d in client.list_deleted_secrets()}
            return counts, sql, pem, deleted

    counts, sql, pem, deleted = run(body())
    assert counts == {"sql-prod-connection": 4, "jwt-signing-secret": 5,
                      "storage-account-key": 3, "stripe-api-key": 2,
                      "redis-cache-connection": 1}
    assert sql.value.startswith("Server=tcp:sql-orders-prod-weu.database.windows.net")
    assert sql.properties.tags["rotation"] == "4"
    assert pem.value.startswith("-----BEGIN PRIVATE KEY-----")
    assert {"old-payment-gateway-key", "temp-migration-password", "ci-bot-token-2023",
            "retired-intranet-cert"} <= deleted


def test_keys(demo_vault: Any, run: Any) -> None:
    async def body() -> tuple[dict[str, Any], dict[str, Any], set[str]]:
        async with _kv(KeyClient, demo_vault) as client:
            props = {p.name: p async for p in client.list_properties_of_keys() if not p.managed}
            keys = {name: await client.get_key(name) for name in props}
            deleted = {d.name async for d in client.list_deleted_keys()}
            return props, keys, deleted

    props, keys, deleted = run(body())
    shapes = {name: (k.key_type, k.key.crv if k.key.crv else len(k.key.n) * 8)
              for name, k in keys.items()}
    assert shapes == {
        "app-signing-rsa": ("RSA", 2048), "data-encryption-rsa4096": ("RSA", 4096),
        "token-signing-ec": ("EC", "P-256"), "payments-ec384": ("EC", "P-384"),
        "wrap-key-legacy": ("RSA", 2048), "partner-sftp-key": ("RSA", 3072),
        "kek-rotation-next": ("EC", "P-521"),
    }
    assert not props["wrap-key-legacy"].enabled
    assert props["partner-sftp-key"].expires_on < NOW
    assert props["kek-rotation-next"].not_before > NOW
    assert {"old-signing-key", "retired-intranet-cert"} <= deleted


def test_certificates_key_types_sans_and_validity(demo_vault: Any, run: Any) -> None:
    async def body() -> tuple[dict[str, Any], set[str]]:
        async with _kv(CertificateClient, demo_vault) as client:
            names = [p.name async for p in client.list_properties_of_certificates()]
            certs = {n: await client.get_certificate(n) for n in names}
            deleted = {d.name async for d in client.list_deleted_certificates()}
            return certs, deleted

    certs, deleted = run(body())

    def kind(cert: Any) -> tuple[str, Any]:
        key = x509.load_der_x509_certificate(bytes(cert.cer)).public_key()
        if isinstance(key, rsa.RSAPublicKey):
            return "RSA", key.key_size
        assert isinstance(key, ec.EllipticCurvePublicKey)
        return "EC", key.curve.name

    assert {n: kind(c) for n, c in certs.items()} == {
        "www-contoso-demo": ("RSA", 2048), "api-gateway-tls": ("RSA", 4096),
        "internal-mtls-client": ("EC", "secp256r1"), "edge-ecdsa": ("EC", "secp384r1"),
        "wildcard-staging": ("RSA", 2048), "partner-portal-tls": ("RSA", 2048),
        "legacy-vpn-gateway": ("RSA", 2048), "iot-hub-device-ca": ("EC", "secp256r1"),
        "partner-sso-legacy": ("RSA", 2048), "vendor-appliance-mgmt": ("RSA", 2048),
    }
    assert sorted(demo_vault.imported) == ["iot-hub-device-ca", "legacy-vpn-gateway",
                                           "partner-portal-tls", "partner-sso-legacy",
                                           "vendor-appliance-mgmt"]
    # certificates nobody here issued: the vault keeps them as they are
    with pytest.raises(x509.DuplicateExtension):
        _ = x509.load_der_x509_certificate(bytes(certs["partner-sso-legacy"].cer)).extensions
    with pytest.raises(ValueError):
        _ = x509.load_der_x509_certificate(bytes(certs["vendor-appliance-mgmt"].cer)).extensions
    expires = {n: _days(c.properties.expires_on) for n, c in certs.items()}
    assert 17 <= expires["partner-portal-tls"] <= 19
    assert -31 <= expires["legacy-vpn-gateway"] <= -29
    assert 27 <= expires["wildcard-staging"] <= 32  # validity_months=1, the seed's minimum
    assert expires["api-gateway-tls"] > 700
    san = x509.load_der_x509_certificate(bytes(certs["api-gateway-tls"].cer)).extensions
    dns = san.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "api-eu.contoso-demo.com" in dns.get_values_for_type(x509.DNSName)
    assert "retired-intranet-cert" in deleted


# --- Azurite ----------------------------------------------------------------------------------


def test_azurite_containers_counts_and_idempotence(demo_blobs: Any) -> None:
    first, second = demo_blobs
    plan = {PREFIX + c.name: len(c.blobs) for c in demo_blob_plan(NOW)}
    assert first.containers == plan
    assert first.total_blobs >= 400
    assert first.uploaded == first.total_blobs and first.unsendable == ()
    assert first.bytes_uploaded > 10 * 1024 * 1024
    assert second.uploaded == 0 and second.skipped_existing == first.total_blobs
    assert second.containers == plan and second.created_containers == ()
    assert first.elapsed < 10.0, f"seeding took {first.elapsed:.1f} s"
    print(f"\ndemo timings (s): { {k: round(v, 2) for k, v in TIMINGS.items()} }")


def test_azurite_listing_matches_plan(azurite: Any, demo_blobs: Any, run: Any) -> None:
    async def body() -> dict[str, set[str]]:
        async with BlobServiceClient.from_connection_string(azurite.connection_string) as svc:
            out = {}
            async for container in svc.list_containers(name_starts_with=PREFIX):
                client = svc.get_container_client(container.name)
                out[container.name] = {n async for n in client.list_blob_names()}
            return out

    listed = run(body())
    assert listed == {PREFIX + c.name: {b.name for b in c.blobs} for c in demo_blob_plan(NOW)}
    logs = listed[PREFIX + "app-logs"]
    day = (NOW - dt.timedelta(days=1)).strftime("%Y/%m/%d")
    assert f"{day}/api-gateway/13-00.log" in logs


def test_azurite_properties_public_tiers_tags(azurite: Any, demo_blobs: Any, run: Any) -> None:
    async def body() -> dict[str, Any]:
        async with BlobServiceClient.from_connection_string(azurite.connection_string) as svc:
            web = svc.get_container_client(PREFIX + "website-assets")
            backups = svc.get_container_client(PREFIX + "backups")
            reports = svc.get_container_client(PREFIX + "reports")
            report_name = next(b.name for b in demo_blob_plan(NOW)[3].blobs)
            return {
                "web": await web.get_container_properties(),
                "private": await backups.get_container_properties(),
                "css": await web.get_blob_client("css/site.css").get_blob_properties(),
                "png": await web.get_blob_client("images/hero.png").get_blob_properties(),
                "backups": [b async for b in backups.list_blobs(include=["metadata"])],
                "report": await reports.get_blob_client(report_name).get_blob_properties(),
                "report_tags": await reports.get_blob_client(report_name).get_blob_tags(),
            }

    got = run(body())
    assert got["web"].public_access == "blob"
    assert got["private"].public_access is None
    assert got["css"].content_settings.content_type == "text/css"
    assert got["css"].content_settings.cache_control.startswith("public")
    assert got["png"].content_settings.content_type == "image/png"
    tiers = {b.name: str(b.blob_tier) for b in got["backups"]}
    assert {"Hot", "Cool", "Archive"} <= {t.split(".")[-1].title() for t in tiers.values()}
    big = [b for b in got["backups"] if b.size > 2 * 1024 * 1024]
    assert len(big) >= 3 and all("sha256" in b.metadata for b in big)
    assert got["report"].metadata["department"] == "finance"
    assert got["report"].tag_count == 4
    assert got["report_tags"]["status"] == "final"

    # anonymous read of a public blob: the container really is public
    url = urlsplit(azurite.blob_endpoint)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    try:
        conn.request("GET", f"{url.path}/{PREFIX}website-assets/css/site.css")
        response = conn.getresponse()
        assert response.status == 200 and b"--brand" in response.read()
        conn.request("GET", f"{url.path}/{PREFIX}backups/README.txt")
        denied = conn.getresponse()
        denied.read()
        assert denied.status in (403, 404)
    finally:
        conn.close()


def test_awkward_names_round_trip(azurite: Any, demo_blobs: Any, run: Any) -> None:
    addressable = [n for n in AWKWARD_NAMES if not has_dot_segment(n)]

    async def body() -> tuple[list[str], dict[str, bytes]]:
        async with BlobServiceClient.from_connection_string(azurite.connection_string) as svc:
            client = svc.get_container_client(PREFIX + "awkward-names")
            names = [n async for n in client.list_blob_names()]
            data = {}
            for name in addressable:
                stream = await client.download_blob(name)
                data[name] = await stream.readall()
            return names, data

    names, data = run(body())
    assert sorted(names) == sorted(AWKWARD_NAMES)
    assert any(len(n) > 880 for n in names)
    for name in addressable:
        assert data[name] == f"name: {name}\n".encode(), name
    # the dot-segment names were stored verbatim (not normalised away)
    assert {"a/../b.txt", "./leading-dot.txt", "mid/./dot.txt"} <= set(names)
