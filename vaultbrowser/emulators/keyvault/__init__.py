"""A local, wire-compatible Azure Key Vault data-plane emulator (Qt-free, aiohttp).

The unmodified SDK clients (azure-keyvault-secrets/-keys/-certificates, sync and async) work
against it given the vault URL, ``connection_verify=<ca.pem>`` and any credential returning a
bearer token; challenge-resource verification stays on. ``CryptographyClient`` included: RSA
and EC keys encrypt, decrypt, wrap, unwrap, sign and verify as in a standard vault.

Interface::

    emu = KeyVaultEmulator(data_dir=None, tenant_id=..., seed=None, latency_ms=0,
                           cert_issuance_delay=0.0, recovery_level="Recoverable+Purgeable",
                           recoverable_days=90, subscription_id=..., geography="local")
    await emu.start(host="127.0.0.1", port=0)
    emu.url, emu.ca_path, emu.identity_endpoint, emu.identity_header
    emu.request_log   # RequestLogEntry(method, path, query, status, api_version, time, ...)
    emu.faults        # .add(status, retry_after, times, path_prefix, method), .forbid(...),
                      # .slow(seconds, ...), .stall(...), .reset(...) (see faults.py),
                      # .latency_ms, .reject_token, .clear()
    emu.seed(dict); emu.seed_file(path)
    await emu.stop()
    with run_emulator_in_thread(**same kwargs) as emu: ...

Use ``127.0.0.1`` as the host: the challenge's resource is the Host minus its first label
(``https://0.0.1:PORT``), which the SDK accepts as a parent domain; ``localhost`` has none.

The managed-identity endpoint (App Service flavour) is plain http on a second loopback port;
set ``IDENTITY_ENDPOINT=emu.identity_endpoint`` and ``IDENTITY_HEADER=emu.identity_header``
and ``ManagedIdentityCredential``/``DefaultAzureCredential`` get :data:`LOCAL_TOKEN`.

Seed format (JSON; every part optional)::

    {
      "secrets": [
        {"name": "db-password", "value": "s3cret", "contentType": "text/plain",
         "tags": {"env": "dev"},
         "attributes": {"enabled": true, "nbf": 1700000000, "exp": 1900000000,
                        "created": 1690000000, "updated": 1690000000},
         "versions": [{"value": "old"}, {"value": "new", "tags": {"v": "2"}}],
         "deleted": false}
      ],
      "keys": [
        {"name": "signing", "kty": "RSA", "key_size": 2048, "key_ops": ["sign", "verify"]},
        {"name": "ec", "kty": "EC", "crv": "P-256", "deleted": true}
      ],
      "certificates": [
        {"name": "web", "subject": "CN=web.local", "dns_names": ["web.local"],
         "validity_months": 12, "kty": "RSA", "content_type": "application/x-pem-file",
         "tags": {}, "policy": null, "deleted": false}
      ]
    }

``secrets`` may also be a plain ``{"name": "value"}`` object. ``versions`` (oldest first, the
last is the latest) inherit the fields of their object; ``policy`` is a full certificate
policy in the wire form when given. ``deleted: true`` soft-deletes the object after loading.
"""

from __future__ import annotations

from vaultbrowser.emulators.keyvault.auth import LOCAL_TOKEN
from vaultbrowser.emulators.keyvault.faults import Faults
from vaultbrowser.emulators.keyvault.requestlog import RequestLogEntry
from vaultbrowser.emulators.keyvault.server import DEFAULT_TENANT, KeyVaultEmulator
from vaultbrowser.emulators.keyvault.threaded import run_emulator_in_thread

__all__ = [
    "DEFAULT_TENANT",
    "LOCAL_TOKEN",
    "Faults",
    "KeyVaultEmulator",
    "RequestLogEntry",
    "run_emulator_in_thread",
]
