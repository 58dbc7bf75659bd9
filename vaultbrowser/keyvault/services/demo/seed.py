"""Demo data for ``vaultbrowser --demo``: a realistic Key Vault seed.

Everything here is fake but plausible: values are generated at call time from a seeded
pseudo-random source and carry no real credential. Host names use ``contoso-demo`` /
``example`` domains.

- :func:`keyvault_demo_seed` returns a document in the Key Vault emulator's seed format (see
  :mod:`vaultbrowser.emulators.keyvault`): ~40 secrets (versions, tags, content types, expired /
  expiring / no-expiry / disabled / not-yet-valid / soft-deleted), keys and certificates.
- Certificates with explicit validity (expiring soon, expired) cannot be seeded; they are
  imported through the SDK by :mod:`.certificate_imports`.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import string
import uuid
from collections.abc import Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from vaultbrowser.keyvault.services.demo.hostile import (
    NEVER_EXPIRES_EPOCH,
)

__all__ = [
    "DEMO_DOMAIN",
    "keyvault_demo_seed",
    "tags",
]

DEMO_DOMAIN = "contoso-demo.com"
_DAY = 86_400
_ALNUM = string.ascii_letters + string.digits


class _Fake:
    """Deterministic fake values (the same seed document every run, apart from timestamps)."""

    def __init__(self, seed: int = 20261121) -> None:
        self._rng = random.Random(seed)

    def token(self, length: int, alphabet: str = _ALNUM) -> str:
        return "".join(self._rng.choice(alphabet) for _ in range(length))

    def hex(self, length: int) -> str:
        return self.token(length, "0123456789abcdef")

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(self._rng.randbytes(nbytes)).decode()

    def uuid(self) -> str:
        return str(uuid.UUID(bytes=self._rng.randbytes(16), version=4))

    def password(self, length: int = 24) -> str:
        return self.token(length, _ALNUM + "!#%*+-=?@^_")


def _ts(now: dt.datetime, days: float) -> int:
    return int(now.timestamp() + days * _DAY)


def _secret(
    now: dt.datetime,
    name: str,
    values: Sequence[str],
    *,
    tags: dict[str, str],
    content_type: str | None = "text/plain",
    exp_days: float | None = None,
    nbf_days: float | None = None,
    enabled: bool = True,
    age_days: float = 200,
    deleted: bool = False,
) -> dict[str, Any]:
    """One seed secret; ``values`` oldest first, older versions rotated out (disabled, expired).

    ``age_days`` pins ``created``/``updated`` (the emulator applies them to every version).
    """
    attributes: dict[str, Any] = {"enabled": enabled, "created": _ts(now, -age_days),
                                  "updated": _ts(now, -age_days)}
    if exp_days is not None:
        attributes["exp"] = _ts(now, exp_days)
    if nbf_days is not None:
        attributes["nbf"] = _ts(now, nbf_days)
    spec: dict[str, Any] = {"name": name, "tags": tags, "attributes": attributes}
    if content_type:
        spec["contentType"] = content_type
    if deleted:
        spec["deleted"] = True
    if len(values) == 1:
        spec["value"] = values[0]
        return spec
    versions: list[dict[str, Any]] = []
    count = len(values)
    for index, value in enumerate(values[:-1]):
        # rotated-out versions: the oldest disabled, the others expired when they were replaced
        old: dict[str, Any] = {"enabled": index > 0 or count < 3,
                               "exp": _ts(now, -30 * (count - 1 - index))}
        versions.append({"value": value, "attributes": old,
                         "tags": {**tags, "rotation": str(index + 1)}})
    versions.append({"value": values[-1], "attributes": attributes,
                     "tags": {**tags, "rotation": str(count)}})
    spec["versions"] = versions
    return spec


def _never_expiring(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with the expiry scripts write for "never": 9999-12-31T23:59:59Z."""
    spec["attributes"]["exp"] = NEVER_EXPIRES_EPOCH
    return spec


def tags(env: str, owner: str, app: str, **extra: str) -> dict[str, str]:
    return {"env": env, "owner": owner, "app": app, **extra}


def _pem_private_key() -> str:
    """A freshly generated RSA key in PEM (what a GitHub App private key file looks like)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _secrets(now: dt.datetime, f: _Fake) -> list[dict[str, Any]]:
    d = DEMO_DOMAIN

    def sql(host: str, db: str, user: str) -> str:
        return (f"Server=tcp:{host}.database.windows.net,1433;Initial Catalog={db};"
                f"User ID={user};Password={f.password()};Encrypt=True;"
                "TrustServerCertificate=False;Connection Timeout=30;")

    def storage(account: str) -> str:
        return (f"DefaultEndpointsProtocol=https;AccountName={account};"
                f"AccountKey={f.b64(64)};EndpointSuffix=core.windows.net")

    aws = json.dumps({"accessKeyId": "AKIA" + f.token(9, string.ascii_uppercase) + "EXAMPLE",
                      "secretAccessKey": f.token(40), "region": "eu-west-1"}, indent=2)
    s = _secret
    return [
        s(now, "sql-prod-connection",
          [sql("sql-orders-prod-weu", "orders", "app_orders") for _ in range(4)],
          tags=tags("prod", "data-platform", "orders-api"), exp_days=75, age_days=400),
        s(now, "sql-staging-connection",
          [sql("sql-orders-stg-weu", "orders", "app_orders") for _ in range(2)],
          tags=tags("staging", "data-platform", "orders-api"), exp_days=200),
        s(now, "postgres-analytics-password", [f.password(32)],
          tags=tags("prod", "analytics", "metabase"), exp_days=-12, age_days=377),
        s(now, "redis-cache-connection",
          [f"orders-cache-prod.redis.cache.windows.net:6380,password={f.b64(32)},ssl=True,"
           "abortConnect=False"],
          tags=tags("prod", "platform", "orders-api")),
        s(now, "cosmos-primary-key", [f.b64(64)],
          tags=tags("prod", "data-platform", "catalog-service"), exp_days=25, age_days=340),
        s(now, "storage-account-key", [storage("stordersprodweu") for _ in range(3)],
          tags=tags("prod", "platform", "orders-api"), exp_days=50, age_days=310),
        s(now, "stripe-api-key", [f"sk_test_demo{f.token(20)}" for _ in range(2)],
          tags=tags("prod", "payments", "checkout"), exp_days=120),
        s(now, "stripe-webhook-secret", [f"whsec_demo{f.token(28)}"],
          tags=tags("prod", "payments", "checkout")),
        s(now, "github-app-private-key", [_pem_private_key()],
          tags=tags("prod", "devex", "release-bot"), content_type="application/x-pem-file",
          exp_days=300),
        s(now, "github-webhook-secret", [f.hex(40)], tags=tags("prod", "devex", "release-bot")),
        s(now, "sendgrid-api-key", [f"SG.demo{f.token(16)}.{f.token(40)}"],
          tags=tags("prod", "growth", "notifications"), exp_days=-3, age_days=365),
        s(now, "twilio-auth-token", [f.hex(32)], tags=tags("prod", "growth", "notifications"),
          enabled=False),
        s(now, "slack-webhook-url",
          [f"https://hooks.example.com/services/T{f.token(8).upper()}/B{f.token(10).upper()}/"
           f"{f.token(24)}"],
          tags=tags("prod", "sre", "alertmanager"), content_type="text/uri-list"),
        s(now, "jwt-signing-secret", [f.b64(48) for _ in range(5)],
          tags=tags("prod", "identity", "auth-service"), exp_days=15, age_days=500),
        s(now, "oauth-client-secret-portal", [f"{f.token(3)}8Q~{f.token(34)}" for _ in range(2)],
          tags=tags("prod", "identity", "customer-portal"), exp_days=5, age_days=725),
        s(now, "oauth-client-secret-mobile", [f"{f.token(3)}8Q~{f.token(34)}"],
          tags=tags("prod", "identity", "mobile-app"), exp_days=-40, enabled=False,
          age_days=770),
        s(now, "datadog-api-key", [f.hex(32)], tags=tags("prod", "sre", "observability")),
        s(now, "pagerduty-integration-key", [f.hex(32)], tags=tags("prod", "sre", "alertmanager"),
          exp_days=150),
        s(now, "smtp-relay-password", [f.password()], tags=tags("prod", "it", "mail-relay"),
          enabled=False),
        s(now, "legacy-ftp-password", [f.password(12)], tags=tags("prod", "unknown", "ftp-legacy"),
          exp_days=-400, enabled=False, age_days=1500),
        s(now, "aws-s3-sync-credentials", [aws], tags=tags("prod", "data-platform", "s3-sync"),
          content_type="application/json", exp_days=58),
        s(now, "rabbitmq-connection",
          [f"amqps://orders:{f.password(20)}@mq-prod.{d}:5671/orders" for _ in range(2)],
          tags=tags("prod", "platform", "orders-worker")),
        s(now, "elastic-cloud-api-key", [f.b64(45)], tags=tags("prod", "sre", "logging"),
          exp_days=88),
        s(now, "openai-api-key", [f"sk-demo-{f.token(48)}"],
          tags=tags("prod", "ml", "support-assistant", stage="pre-rotation"), nbf_days=7,
          exp_days=97, age_days=1),
        s(now, "feature-flags-sdk-key", [f"sdk-{f.uuid()}"],
          tags=tags("prod", "devex", "web-frontend"), nbf_days=3, exp_days=120, age_days=2),
        s(now, "tls-passphrase-edge", [f.password(40)], tags=tags("prod", "sre", "edge-proxy")),
        s(now, "mongo-atlas-connection",
          [f"mongodb+srv://svc_reviews:{f.password(20)}@reviews-prod.abcde.mongodb.example/"
           "reviews?retryWrites=true&w=majority"],
          tags=tags("prod", "catalog", "reviews"), exp_days=33),
        s(now, "service-bus-connection",
          [f"Endpoint=sb://sb-orders-prod.servicebus.windows.net/;SharedAccessKeyName=send;"
           f"SharedAccessKey={f.b64(32)}"],
          tags=tags("prod", "platform", "orders-api")),
        s(now, "event-hub-connection",
          [f"Endpoint=sb://evh-telemetry-prod.servicebus.windows.net/;"
           f"SharedAccessKeyName=listen;SharedAccessKey={f.b64(32)};EntityPath=telemetry"
           for _ in range(3)],
          tags=tags("prod", "iot", "telemetry-ingest"), exp_days=85, age_days=280),
        s(now, "app-insights-connection-string",
          [f"InstrumentationKey={f.uuid()};IngestionEndpoint="
           "https://westeurope-5.in.applicationinsights.azure.com/"],
          tags=tags("prod", "sre", "observability")),
        s(now, "npm-publish-token", [f"npm_demo{f.token(32)}"],
          tags=tags("ci", "devex", "design-system"), exp_days=-1, age_days=90),
        s(now, "docker-registry-password", [f.password(32) for _ in range(2)],
          tags=tags("ci", "devex", "build-agents"), exp_days=45),
        s(now, "terraform-state-access-key", [f.b64(64)],
          tags=tags("shared", "platform", "terraform")),
        s(now, "vpn-psk-hq", [f.password(48)], tags=tags("prod", "it", "site-to-site-vpn"),
          exp_days=29, age_days=700),
        s(now, "ldap-bind-password", [f.password() for _ in range(2)],
          tags=tags("prod", "it", "sso-bridge"), exp_days=170),
        s(now, "encryption-master-key-b64", [f.b64(32)],
          tags=tags("prod", "security", "vault-kek"), content_type="application/octet-stream"),
        s(now, "google-maps-api-key", [f"AIzaDemo{f.token(31)}"],
          tags=tags("prod", "web", "store-locator")),
        s(now, "sentry-dsn", [f"https://{f.hex(32)}@o{f.token(6, string.digits)}.ingest."
                              f"sentry.example/{f.token(7, string.digits)}"],
          tags=tags("prod", "sre", "web-frontend"), content_type="text/uri-list"),
        s(now, "hmac-partner-acme", [f.hex(64)], tags=tags("prod", "partners", "partner-gateway",
                                                       partner="acme")),
        s(now, "backup-encryption-passphrase", [f.password(64)],
          tags=tags("prod", "sre", "backups"), content_type=None),
        s(now, "dev-sql-connection", [sql("sql-orders-dev-weu", "orders", "dev")],
          tags=tags("dev", "data-platform", "orders-api")),
        # hostile data real tenants hold: "never expires" scripted as 9999-12-31T23:59:59Z
        _never_expiring(s(now, "batch-service-token", [f.token(40)],
                          tags=tags("prod", "unknown", "batch-legacy",
                                  note="expiry set to never by a script"), age_days=1200)),
        # soft-deleted ones: recoverable from "Deleted secrets"
        s(now, "old-payment-gateway-key", [f"pk_demo_{f.token(24)}"],
          tags=tags("prod", "payments", "checkout-v1"), deleted=True, age_days=900),
        s(now, "temp-migration-password", [f.password()], tags=tags("prod", "data-platform",
                                                                 "migration"),
          exp_days=-20, deleted=True, age_days=60),
        s(now, "ci-bot-token-2023", [f"ghp_demo{f.token(32)}"], tags=tags("ci", "devex", "ci"),
          deleted=True, age_days=800),
    ]


def _keys(now: dt.datetime) -> list[dict[str, Any]]:
    def attrs(**extra: Any) -> dict[str, Any]:
        base = {"created": _ts(now, -180), "updated": _ts(now, -30)}
        return {**base, **extra}

    return [
        {"name": "app-signing-rsa", "kty": "RSA", "key_size": 2048, "key_ops": ["sign", "verify"],
         "tags": tags("prod", "identity", "auth-service"), "attributes": attrs(),
         "versions": [{}, {}, {"attributes": attrs(exp=_ts(now, 365))}]},
        {"name": "data-encryption-rsa4096", "kty": "RSA", "key_size": 4096,
         "key_ops": ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
         "tags": tags("prod", "security", "vault-kek"), "attributes": attrs()},
        {"name": "token-signing-ec", "kty": "EC", "crv": "P-256", "key_ops": ["sign", "verify"],
         "tags": tags("prod", "identity", "auth-service"), "attributes": attrs(exp=_ts(now, 40))},
        {"name": "payments-ec384", "kty": "EC", "crv": "P-384", "key_ops": ["sign", "verify"],
         "tags": tags("prod", "payments", "checkout"), "attributes": attrs()},
        {"name": "wrap-key-legacy", "kty": "RSA", "key_size": 2048,
         "key_ops": ["wrapKey", "unwrapKey"], "tags": tags("prod", "security", "legacy-crm"),
         "attributes": attrs(enabled=False)},
        {"name": "partner-sftp-key", "kty": "RSA", "key_size": 3072,
         "tags": tags("prod", "partners", "sftp-gateway"), "attributes": attrs(exp=_ts(now, -15))},
        {"name": "kek-rotation-next", "kty": "EC", "crv": "P-521",
         "tags": tags("prod", "security", "vault-kek"), "attributes": attrs(nbf=_ts(now, 14))},
        {"name": "old-signing-key", "kty": "RSA", "key_size": 2048,
         "tags": tags("prod", "identity", "auth-service-v1"), "attributes": attrs(),
         "deleted": True},
    ]


def _certificates() -> list[dict[str, Any]]:
    d = DEMO_DOMAIN
    return [
        {"name": "www-contoso-demo", "subject": f"CN=www.{d}, O=Contoso Demo Ltd, C=GB",
         "dns_names": [f"www.{d}", d], "kty": "RSA", "key_size": 2048, "validity_months": 12,
         "tags": tags("prod", "web", "storefront"), "versions": [{}, {}]},
        {"name": "api-gateway-tls", "subject": f"CN=api.{d}, O=Contoso Demo Ltd",
         "dns_names": [f"api.{d}", f"api-eu.{d}", f"api-us.{d}"], "kty": "RSA",
         "key_size": 4096, "validity_months": 24, "tags": tags("prod", "platform", "api-gateway")},
        {"name": "internal-mtls-client", "subject": "CN=orders-worker, OU=Platform",
         "dns_names": ["orders-worker.internal"], "kty": "EC", "crv": "P-256",
         "validity_months": 6, "content_type": "application/x-pem-file",
         "tags": tags("prod", "platform", "orders-worker")},
        {"name": "edge-ecdsa", "subject": f"CN=cdn.{d}", "dns_names": [f"cdn.{d}",
                                                                      f"static.{d}"],
         "kty": "EC", "crv": "P-384", "validity_months": 13,
         "tags": tags("prod", "sre", "edge-proxy")},
        {"name": "wildcard-staging", "subject": f"CN=*.staging.{d}",
         "dns_names": [f"*.staging.{d}", f"staging.{d}"], "kty": "RSA", "key_size": 2048,
         "validity_months": 1, "tags": tags("staging", "platform", "ingress")},
        {"name": "retired-intranet-cert", "subject": "CN=intranet.contoso-demo.local",
         "dns_names": ["intranet.contoso-demo.local"], "kty": "RSA", "key_size": 2048,
         "validity_months": 12, "tags": tags("prod", "it", "intranet"), "deleted": True},
    ]


def keyvault_demo_seed(now: dt.datetime | None = None) -> dict[str, Any]:
    """A seed document for the Key Vault emulator (``KeyVaultEmulator(seed=...)``).

    Contents, relative to ``now`` (default: the current UTC time):

    - 44 secrets (3 soft-deleted); several with 2–5 versions, all tagged env/owner/app, most
      with a content type; expired, expiring within 30/60/90 days, no expiry, disabled, two
      with a not-before in the future, and one that "never expires" (9999-12-31T23:59:59Z).
    - 8 keys: RSA 2048/3072/4096 and EC P-256/P-384/P-521; one disabled, one expired, one
      not yet valid, one soft-deleted.
    - 6 certificates: RSA 2048/4096 and EC P-256/P-384, with SANs; one valid for a month
      (``validity_months`` is the emulator's only validity control), one soft-deleted.
      :mod:`.certificate_imports` adds the expiring-in-20-days and expired ones.

    Values are fake, generated deterministically (except the PEM key); timestamps follow
    ``now``.
    """
    now = now or dt.datetime.now(dt.UTC)
    return {
        "secrets": _secrets(now, _Fake()),
        "keys": _keys(now),
        "certificates": _certificates(),
    }
