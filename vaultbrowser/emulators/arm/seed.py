"""Ready-made worlds: the demo estate (two tenants, four subscriptions) and generated ones for
benchmarks. Both are deterministic: the same arguments give the same ids, names and keys."""

from __future__ import annotations

import base64
import hashlib
import random
import uuid

from vaultbrowser.emulators.arm.world import (
    CosmosAccount,
    KeyVault,
    RedisEnterprise,
    StorageAccount,
    Subscription,
    Tenant,
    World,
)

CONTOSO_TENANT_ID = "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
FABRIKAM_TENANT_ID = "9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
PRODUCTION_SUBSCRIPTION_ID = "6a5b4c3d-2e1f-4a0b-8c9d-7e6f5a4b3c2d"
DEVELOPMENT_SUBSCRIPTION_ID = "3c2d1e0f-9a8b-4c7d-9e6f-5a4b3c2d1e0f"
RESTRICTED_SUBSCRIPTION_ID = "8e7f6a5b-4c3d-4e2f-8a1b-0c9d8e7f6a5b"
FABRIKAM_SUBSCRIPTION_ID = "2b1a0c9d-8e7f-4a6b-9c5d-4e3f2a1b0c9d"
DEMO_UPN = "demo.user@contoso-demo.com"

_LEGACY_POLICY = {
    "tenantId": CONTOSO_TENANT_ID,
    "objectId": "0d7e4b1a-3c2f-4e5d-8a9b-1c2d3e4f5a6b",
    "permissions": {"keys": ["get", "list"], "secrets": ["get", "list", "set", "delete"],
                    "certificates": ["get", "list"], "storage": []},
}


def account_key(name: str, which: int) -> str:
    """A deterministic 64-byte storage key (base64), like Azure's."""
    return base64.b64encode(hashlib.sha512(f"{name}/key{which}".encode()).digest()).decode()


def _keys(name: str, key1: str | None = None) -> list[str]:
    return [key1 or account_key(name, 1), account_key(name, 2)]


def demo_redis(host_name: str, port: int = 10000, *, tls: bool = True) -> list[RedisEnterprise]:
    """The demo's Azure Managed Redis clusters, every one at ``host_name``:``port`` (a local
    server; ``tls`` False: ARM says Plaintext, as that server speaks): production's on Entra
    ID only (OSS cluster policy), development's with access keys still enabled (enterprise
    policy)."""
    protocol = "Encrypted" if tls else "Plaintext"
    return [
        RedisEnterprise("redis-prod-sessions", PRODUCTION_SUBSCRIPTION_ID, "rg-prod-data",
                        "westeurope", host_name, sku="Balanced_B5", port=port,
                        client_protocol=protocol, tags={"env": "prod", "data": "sessions"}),
        RedisEnterprise("redis-dev-cache", DEVELOPMENT_SUBSCRIPTION_ID, "rg-dev",
                        "westeurope", host_name, sku="Balanced_B0", high_availability="Disabled",
                        port=port, client_protocol=protocol,
                        clustering_policy="EnterpriseCluster", access_keys_authentication="Enabled",
                        keys=[account_key("redis-dev-cache", 1), account_key("redis-dev-cache", 2)],
                        tags={"env": "dev"}),
    ]


def cosmos_keys(name: str) -> list[str]:
    """A Cosmos DB account's four keys (primary, secondary, then the read-only pair)."""
    return [account_key(f"{name}/cosmos", which) for which in range(1, 5)]


def demo_cosmos(document_endpoint: str) -> list[CosmosAccount]:
    """The demo's Cosmos DB accounts, every one at ``document_endpoint`` (a local server):
    production's on Entra ID only (local auth disabled), in two regions behind IP rules;
    development's with account keys still enabled and open to every network (serverless)."""
    return [
        CosmosAccount("cosmos-prod-orders", PRODUCTION_SUBSCRIPTION_ID, "rg-prod-data",
                      "westeurope", document_endpoint, locations=["westeurope", "northeurope"],
                      disable_local_auth=True, enable_automatic_failover=True,
                      ip_rules=["203.0.113.0/24"], keys=cosmos_keys("cosmos-prod-orders"),
                      tags={"env": "prod", "data": "orders"}),
        CosmosAccount("cosmos-dev-catalog", DEVELOPMENT_SUBSCRIPTION_ID, "rg-dev",
                      "westeurope", document_endpoint, consistency_level="Eventual",
                      capabilities=["EnableServerless"], keys=cosmos_keys("cosmos-dev-catalog"),
                      tags={"env": "dev"}),
    ]


def demo_world(*, vault_uri: str, blob_endpoint: str, account_key: str,
               redis_host: str | None = None, redis_port: int = 10000,
               redis_tls: bool = True, cosmos_endpoint: str | None = None) -> World:
    """The demo estate. Every vault's URI is ``vault_uri`` and every account's blob endpoint is
    ``blob_endpoint`` (the local emulators); ``devstoreaccount1``'s key1 is ``account_key``.
    With ``redis_host``, ``demo_redis(redis_host, redis_port, tls=redis_tls)`` too; with
    ``cosmos_endpoint``, ``demo_cosmos(cosmos_endpoint)``."""
    tenants = [
        Tenant(CONTOSO_TENANT_ID, "Contoso Demo", "contoso-demo.com",
               domains=["contoso-demo.com", "contosodemo.onmicrosoft.com"]),
        Tenant(FABRIKAM_TENANT_ID, "Fabrikam Partner", "fabrikam-partner.com", requires_mfa=True,
               domains=["fabrikam-partner.com", "fabrikampartner.onmicrosoft.com"]),
    ]
    subscriptions = [
        Subscription(PRODUCTION_SUBSCRIPTION_ID, CONTOSO_TENANT_ID, "Contoso Production",
                     resource_groups=["rg-prod-secrets", "rg-prod-data", "rg-prod-network"]),
        Subscription(DEVELOPMENT_SUBSCRIPTION_ID, CONTOSO_TENANT_ID, "Contoso Development",
                     resource_groups=["rg-dev", "rg-dev-shared"]),
        Subscription(RESTRICTED_SUBSCRIPTION_ID, CONTOSO_TENANT_ID, "Contoso Restricted",
                     readable=False, resource_groups=["rg-restricted-audit"]),
        Subscription(FABRIKAM_SUBSCRIPTION_ID, FABRIKAM_TENANT_ID, "Fabrikam Shared",
                     resource_groups=["rg-shared-secrets"]),
    ]
    prod, dev = PRODUCTION_SUBSCRIPTION_ID, DEVELOPMENT_SUBSCRIPTION_ID
    vaults = [
        KeyVault("demo-vault", prod, "rg-prod-secrets", "westeurope", vault_uri,
                 enable_purge_protection=True, network_default_action="Deny",
                 tags={"env": "prod", "owner": "platform-team"}),
        KeyVault("kv-dev-legacy", dev, "rg-dev", "westeurope", vault_uri,
                 enable_rbac_authorization=False, soft_delete_retention_days=7,
                 access_policies=[_LEGACY_POLICY], tags={"env": "dev"}),
        KeyVault("kv-dev-open", dev, "rg-dev-shared", "northeurope", vault_uri, sku="premium",
                 tags={"env": "dev", "note": "temporary"}),
        KeyVault("kv-restricted-audit", RESTRICTED_SUBSCRIPTION_ID, "rg-restricted-audit",
                 "westeurope", vault_uri, enable_purge_protection=True,
                 public_network_access="Disabled", network_default_action="Deny"),
        KeyVault("kv-fabrikam-shared", FABRIKAM_SUBSCRIPTION_ID, "rg-shared-secrets",
                 "eastus", vault_uri, tenant_id=FABRIKAM_TENANT_ID, enable_purge_protection=True,
                 tags={"shared-with": "contoso"}),
    ]
    accounts = [
        StorageAccount("devstoreaccount1", prod, "rg-prod-data", "westeurope", blob_endpoint,
                       allow_shared_key_access=True, allow_blob_public_access=True,
                       keys=_keys("devstoreaccount1", account_key), tags={"env": "prod"}),
        StorageAccount("stdevlegacy01", dev, "rg-dev", "westeurope", blob_endpoint,
                       allow_shared_key_access=True, allow_blob_public_access=True,
                       minimum_tls_version="TLS1_0", keys=_keys("stdevlegacy01"),
                       tags={"env": "dev"}),
        StorageAccount("stdevdatalake", dev, "rg-dev-shared", "northeurope", blob_endpoint,
                       allow_shared_key_access=False, is_hns_enabled=True,
                       public_network_access="Disabled", network_default_action="Deny",
                       keys=_keys("stdevdatalake"), tags={"env": "dev", "data": "lake"}),
    ]
    return World(tenants, subscriptions, vaults, accounts,
                 demo_redis(redis_host, redis_port, tls=redis_tls) if redis_host else [],
                 demo_cosmos(cosmos_endpoint) if cosmos_endpoint else [])


def generated_world(tenants: int, subscriptions_per_tenant: int, resources: int, *,
                    vault_uri: str, blob_endpoint: str, seed: int = 0) -> World:
    """A large world: ``resources`` resources (vaults and storage accounts alternately) spread
    round-robin over all ``tenants * subscriptions_per_tenant`` subscriptions, with properties
    drawn from ``random.Random(seed)``. The first tenant is the home tenant; no tenant requires
    MFA and every subscription is readable."""
    rng = random.Random(seed)

    def guid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    world = World()
    for t in range(tenants):
        tenant = Tenant(guid(), f"Generated Tenant {t:02d}", f"gen{t:02d}.example.com")
        world.tenants.append(tenant)
        for s in range(subscriptions_per_tenant):
            world.subscriptions.append(Subscription(
                guid(), tenant.id, f"Generated {t:02d}-{s:03d}",
                resource_groups=[f"rg-gen-{g}" for g in range(3)]))
    if not world.subscriptions:
        return world
    tenant_of = {s.id: s.tenant_id for s in world.subscriptions}
    locations = ("westeurope", "northeurope", "eastus", "westus2")
    for index in range(resources):
        subscription = world.subscriptions[index % len(world.subscriptions)].id
        group = f"rg-gen-{index % 3}"
        location = locations[rng.randrange(len(locations))]
        risky = rng.random() < 0.3
        if index % 2 == 0:
            world.vaults.append(KeyVault(
                f"kv-gen-{index:05d}", subscription, group, location, vault_uri,
                tenant_id=tenant_of[subscription], enable_rbac_authorization=not risky,
                enable_purge_protection=None if risky else True,
                network_default_action="Allow" if risky else "Deny",
                tags={"index": str(index)}))
        else:
            name = f"stgen{index:05d}"
            world.storage_accounts.append(StorageAccount(
                name, subscription, group, location, blob_endpoint,
                allow_shared_key_access=risky, allow_blob_public_access=risky,
                minimum_tls_version="TLS1_0" if risky else "TLS1_2",
                keys=[account_key(name, 1), account_key(name, 2)],
                tags={"index": str(index)}))
    return world
