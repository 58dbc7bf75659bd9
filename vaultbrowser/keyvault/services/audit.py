"""The Key Vault kind's audit collector: every secret, certificate and key of a vault (its
current version), with per-item calls (a versions listing each; a certificate GET for its X.509
and policy; a key GET and its rotation policy) at bounded concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

from vaultbrowser.core.audit.inventory import InventoryCollector
from vaultbrowser.core.audit.model import ItemKind, VaultItemEntry
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.keyvault.services.inputs import MAX_KEY_VAULT_PAGE
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.records import (
    CertificateDetails,
    CertificateRecord,
    KeyRecord,
    KeyRotationPolicyRecord,
    SecretRecord,
    VaultItemRecord,
)
from vaultbrowser.keyvault.services.vault_service import KeyVaultService


def vault_item_entry(record: VaultItemRecord, kind: ItemKind, source: str, *,
                     versions: int | None = None,
                     certificate: CertificateDetails | None = None,
                     key: KeyRecord | None = None,
                     rotation: KeyRotationPolicyRecord | None = None) -> VaultItemEntry:
    """An inventory entry from a listing record plus what the per-item calls returned.

    A certificate's key type and RSA size come from its X.509 (what was issued), else its
    policy, and its curve name from the policy (Key Vault's names);
    ``auto_renew`` is None without a policy. A key's ``rotation`` is None without a policy.
    """
    content_type = record.content_type if isinstance(record, SecretRecord) else None
    key_type = key_size = curve = None
    auto_renew: bool | None = None
    actions: tuple[str, ...] = ()
    if certificate is not None:
        policy, x509 = certificate.policy, certificate.x509
        if x509 is not None:
            key_type, curve = x509.key_type, x509.curve
            # an EC key's "size" is its curve's; only an RSA modulus size means anything here
            key_size = x509.key_size if x509.key_type.upper().startswith("RSA") else None
        if policy is not None:
            key_type = key_type or policy.key_type
            key_size = key_size if key_size is not None else policy.key_size
            curve = policy.curve or curve  # Key Vault's curve names (P-256), not secp256r1
            content_type = policy.content_type
            actions = policy.lifetime_actions
            auto_renew = any(a.lower().startswith("autorenew") for a in actions)
    if key is not None:
        key_type, key_size, curve = key.key_type, key.key_size, key.curve
    if rotation is not None:
        actions = tuple(action.text for action in rotation.lifetime_actions)
    return VaultItemEntry(
        kind=kind, source=source, vault_url=record.vault_url, name=record.name,
        enabled=record.enabled, content_type=content_type, created_on=record.created_on,
        updated_on=record.updated_on, not_before=record.not_before,
        expires_on=record.expires_on, tags=dict(record.tags), versions=versions,
        managed=record.managed, recovery_level=record.recovery_level, key_type=key_type,
        key_size=key_size, curve=curve, auto_renew=auto_renew, lifetime_actions=actions,
        rotation=None if rotation is None else rotation.rotates,
        invalid_dates=dict(record.invalid_dates),
        certificate_problems=certificate.certificate_problems if certificate else (),
    )


async def audit_vault(collector: InventoryCollector, connection: Connection) -> None:
    """Inventory one vault into ``collector``; failures become report errors."""
    source = connection.display_name
    async with collector.opened_service(
            source, "open vault", lambda: open_vault(collector.session, connection)) as service:
        if service is None:
            return
        for kind, items in ((ItemKind.SECRET, service.secrets),
                            (ItemKind.CERTIFICATE, service.certificates),
                            (ItemKind.KEY, service.keys)):
            await _item_type(collector, service, source, kind, items)


async def _item_type(collector: InventoryCollector, service: KeyVaultService, source: str,
                     kind: ItemKind, items: Any) -> None:
    records = await collector.attempt(
        source, f"list {kind}s",
        lambda: collector.page_all(
            lambda token: items.list(page_size=MAX_KEY_VAULT_PAGE, continuation=token),
            f"{source}: {kind}s"),
    )
    if not records:
        return
    done = 0
    what = f"{source}: {kind} details"
    collector.tell(what, 0, len(records))

    async def one(record: VaultItemRecord) -> VaultItemEntry:
        nonlocal done
        async with collector.limit:
            entry = await _item(collector, service, source, kind, items, record)
        done += 1
        collector.tell(what, done, len(records))
        return entry

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(one(record)) for record in records]
    collector.items.extend(task.result() for task in tasks)


async def _item(collector: InventoryCollector, service: KeyVaultService, source: str,
                kind: ItemKind, items: Any, record: VaultItemRecord) -> VaultItemEntry:
    name = record.name
    versions = await collector.attempt(
        source, f"list {kind} versions",
        lambda: collector.page_all(lambda token: items.list_versions(
            name, page_size=MAX_KEY_VAULT_PAGE, continuation=token)),
        subject=name,
    )
    certificate = key = rotation = None
    if isinstance(record, CertificateRecord):
        result = await collector.attempt(source, "get certificate",
                                         lambda: service.certificates.get(name), subject=name)
        certificate = result.value if result else None
    elif isinstance(record, KeyRecord):
        got = await collector.attempt(source, "get key", lambda: service.keys.get(name),
                                      subject=name)
        key = got.value if got else None
        if not record.managed:  # a certificate's key follows the certificate's policy
            policy = await collector.attempt(
                source, "get key rotation policy",
                lambda: service.keys.get_rotation_policy(name), subject=name)
            rotation = policy.value if policy else None
    return vault_item_entry(record, kind, source,
                            versions=None if versions is None else len(versions),
                            certificate=certificate, key=key, rotation=rotation)
