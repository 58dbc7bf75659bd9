"""Two seeded vaults (emulator instances) for the cross-vault search tests, and helpers."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
from cryptography.x509.oid import NameOID

from vaultbrowser.core.services.config import NetworkSettings
from vaultbrowser.core.services.connections import AuthMethod, Connection

NOW = int(time.time())
DAY = 86_400
# SDK retries kept quick (backoffs of hundredths of a second) but honouring Retry-After.
QUICK = NetworkSettings(retry_total=3, retry_status=2, retry_read=1, retry_backoff_factor=0.01,
                        retry_backoff_max=0.05, connection_timeout=1.0, read_timeout=5.0)

ALPHA_SEED = {
    "secrets": [
        {"name": "db-password", "value": "a1", "contentType": "text/plain",
         "tags": {"env": "prod", "team": "payments"}},
        {"name": "api-key", "value": "a2", "tags": {"team": "checkout"}},
        {"name": "old-token", "value": "a3", "attributes": {"enabled": False}},
        {"name": "expires-soon", "value": "a4", "attributes": {"exp": NOW + 10 * DAY}},
        {"name": "expired-token", "value": "a5", "attributes": {"exp": NOW - 5 * DAY}},
        {"name": "long-lived", "value": "a6", "attributes": {"exp": NOW + 400 * DAY}},
        {"name": "gone-secret", "value": "a7", "deleted": True},
    ],
    "keys": [{"name": "signing-alpha", "kty": "EC", "crv": "P-256", "tags": {"env": "prod"}}],
    "certificates": [{"name": "web-alpha", "subject": "CN=web.alpha.local",
                      "dns_names": ["web.alpha.local"]}],
}
BETA_SEED = {
    "secrets": [
        {"name": "db-password", "value": "b1", "contentType": "text/plain",
         "tags": {"env": "staging"}},
        {"name": "DB-Backup", "value": "b2", "contentType": "application/json"},
    ],
    "keys": [{"name": "signing-beta", "kty": "RSA", "key_size": 2048}],
    "certificates": [{"name": "web-beta", "subject": "CN=web.beta.local"}],
}


def connection(emulator: Any, label: str) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR, name=label,
                      ca_path=str(emulator.ca_path))


def ca_signed_pkcs12(common_name: str, ca_name: str) -> bytes:
    """A PKCS#12 with a leaf certificate issued by a (test) CA: issuer ≠ subject."""
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    ca_subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_name),
                            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Search Tests")])
    ca = (x509.CertificateBuilder().subject_name(ca_subject).issuer_name(ca_subject)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(start).not_valid_after(start + dt.timedelta(days=365))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(ca_subject).public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=90)).sign(ca_key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(b"leaf", leaf_key, leaf, [ca], NoEncryption())


async def import_ca_signed(emulator: Any, name: str, common_name: str, ca_name: str) -> None:
    from azure.keyvault.certificates.aio import CertificateClient

    from vaultbrowser.core.services.session import LOCAL_EMULATOR_TOKEN
    from vaultbrowser.core.services.signin.credentials import StaticTokenCredential

    async with CertificateClient(emulator.url, StaticTokenCredential(LOCAL_EMULATOR_TOKEN),
                                 connection_verify=str(emulator.ca_path)) as client:
        await client.import_certificate(name, ca_signed_pkcs12(common_name, ca_name))
