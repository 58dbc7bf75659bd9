"""The demo's second vault, "demo-vault-staging": what a staging vault that drifted from
production looks like, so the tools across vaults (search, compare, copy, the expiry timeline)
have something to show in demo mode.

Built from the production seed, deterministically: most secrets are there with the same values,
some with other values, tags, content types or dates, a few are missing, a few exist only here;
three keys (one of another size) and one certificate.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from vaultbrowser.keyvault.services.demo.seed import DEMO_DOMAIN, keyvault_demo_seed, tags

_DAY = 86_400

# Production secrets staging never got (compare: "only in production").
_MISSING = {"stripe-webhook-secret", "sendgrid-api-key", "slack-webhook-url",
            "twilio-auth-token", "cosmos-primary-key"}
# Secrets whose staging value differs (another password), and other drifts.
_OTHER_VALUE = {"sql-prod-connection", "postgres-analytics-password", "redis-cache-connection"}
_DISABLED = {"github-webhook-secret"}
_KEYS = {"app-signing-rsa", "token-signing-ec", "data-encryption-rsa4096"}


def _versions(spec: dict[str, Any]) -> list[dict[str, Any]]:
    versions: list[dict[str, Any]] = spec.get("versions", [spec])
    return versions


def _staged_secret(spec: dict[str, Any], index: int, now: dt.datetime) -> dict[str, Any]:
    staged = copy.deepcopy(spec)
    name = staged["name"]
    for tagged in (staged, *staged.get("versions", ())):
        if tagged.get("tags", {}).get("env") == "prod":
            tagged["tags"] = {**tagged["tags"], "env": "staging"}
    if name in _OTHER_VALUE:
        for version in _versions(staged):
            version["value"] = f"staging-{index}-" + str(version.get("value", ""))[::-1][:40]
    if name in _DISABLED:
        staged.setdefault("attributes", {})["enabled"] = False
    if index % 7 == 3:  # a different expiry on some
        staged.setdefault("attributes", {})["exp"] = int(now.timestamp() + (index + 5) * _DAY)
    if index % 11 == 5 and staged.get("contentType"):
        staged["contentType"] = "application/octet-stream"
    for version in _versions(staged):
        version.pop("deleted", None)
    return staged


def keyvault_staging_seed(now: dt.datetime | None = None) -> dict[str, Any]:
    """A seed document for the demo's staging vault (``KeyVaultEmulator(seed=...)``)."""
    now = now or dt.datetime.now(dt.UTC)
    production = keyvault_demo_seed(now)
    secrets = [_staged_secret(spec, index, now)
               for index, spec in enumerate(production["secrets"])
               if not spec.get("deleted") and spec["name"] not in _MISSING]
    created = {"created": int(now.timestamp() - 20 * _DAY),
               "updated": int(now.timestamp() - 20 * _DAY)}
    secrets += [
        {"name": "feature-flags-staging", "value": '{"checkout_v2": true, "dark_launch": false}',
         "contentType": "application/json", "tags": tags("staging", "growth", "flags"),
         "attributes": {**created, "exp": int(now.timestamp() + 45 * _DAY)}},
        {"name": "loadtest-api-key", "value": "lt_demo_0c9a7f41d2", "contentType": "text/plain",
         "tags": tags("staging", "qa", "loadtest"),
         "attributes": {**created, "exp": int(now.timestamp() + 8 * _DAY)}},
        {"name": "staging-basic-auth", "value": "demo:staging-only", "contentType": "text/plain",
         "tags": tags("staging", "platform", "ingress"), "attributes": created},
    ]
    keys = [copy.deepcopy(spec) for spec in production["keys"] if spec["name"] in _KEYS]
    for spec in keys:
        spec.pop("versions", None)
        spec["tags"] = {**spec.get("tags", {}), "env": "staging"}
        if spec["name"] == "data-encryption-rsa4096":
            spec["key_size"] = 2048  # drifted: compare shows the size
    certificates = [{
        "name": "www-contoso-demo", "subject": f"CN=www.staging.{DEMO_DOMAIN}",
        "dns_names": [f"www.staging.{DEMO_DOMAIN}"], "kty": "RSA", "key_size": 2048,
        "validity_months": 3, "tags": tags("staging", "web", "storefront")}]
    return {"secrets": secrets, "keys": keys, "certificates": certificates}
