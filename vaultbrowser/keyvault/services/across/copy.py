"""Copy secrets, certificates and keys from one vault to another: plan first, then run.

``VaultCopy(source, target).plan(items, policy)`` reads both vaults and says, per item, what
will happen (nothing is written); ``run(plan)`` does it, yielding each item's result as it
comes. The rules:

- Conflicts follow the policy chosen explicitly (skip, or a new version); nothing is ever
  overwritten silently. A name soft-deleted in the target is refused (recover or purge it).
- Secrets: the latest version's value (read once, kept in memory, never logged), content type,
  tags, enabled, activation and expiry. A certificate's own secret is not copied on its own.
- Certificates: with an exportable key, the certificate's secret (PFX or PEM) is imported into
  the target with the source's policy, tags and enabled. Without one, the private key cannot
  leave the vault: the plan refuses it and offers to create it from the same policy instead (a
  NEW key and certificate; a non-Self issuer must exist in the target).
- Keys: backup on the source, restore on the target. The service restores only into a vault of
  the same subscription and geography, and never over an existing name; we cannot tell the
  placement beforehand, so we try and turn the service's refusal into a clear one.
- A read-only target refuses the whole copy before anything is sent (and the transport refuses
  any write that would get there anyway).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from vaultbrowser.core.services.errors import (
    AccessDenied,
    Cancelled,
    Conflict,
    InvalidInput,
    NotFound,
    ReadOnlyRefused,
    ServiceError,
    VaultBrowserError,
)
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.translate import translated
from vaultbrowser.keyvault.services.across.copy_plan import (
    POLICY_CREATE_NOTE,
    ConflictPolicy,
    CopyItem,
    CopyPlan,
    CopyResult,
    Outcome,
    PlannedAction,
    PlannedCopy,
)
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.certificates.file_inspection import inspect_certificate_file
from vaultbrowser.keyvault.services.certificates.inputs import CertificatePolicyInput
from vaultbrowser.keyvault.services.item_steps import ItemSteps, Kind, _Responses
from vaultbrowser.keyvault.services.sdk_records import (
    certificate_record,
    key_record,
    secret_record,
)

PLAN_CONCURRENCY = 8  # look-ups at a time while planning (reads)
COPY_CONCURRENCY = 4  # items copied at a time (each a few reads and one write)

PLACEMENT_REFUSAL = ("keys can only be restored into a vault in the same subscription and "
                     "geography; the target vault is in another one, so the key was not copied")
_PLACEMENT_ADVICE = ("Create a new key in the target instead (its key material will differ), "
                     "or copy into a vault of the source's subscription and geography.")


def _read_only(vault: Vault) -> ReadOnlyRefused:
    return ReadOnlyRefused(f"The target vault {vault.label} is read-only: nothing is copied "
                           "and nothing was sent.")


def _state_steps(vault: Vault, noun: Kind, get: Callable[[str], Awaitable[Any]],
                 get_deleted: Callable[[str], Awaitable[Any]]) -> ItemSteps:
    """The name look-ups of one item kind in ``vault`` (the writes' own ``ItemSteps``)."""

    async def no_purge(name: str, **_hooks: Any) -> None:
        raise InvalidInput("A copy never purges.")

    return ItemSteps(noun, vault.url, get=get, get_deleted=get_deleted, purge=no_purge,
                     deleted_record=lambda deleted: deleted)


class _ItemCopy:
    """What the three kinds share: the target's name state and the conflict rules."""

    noun: Kind

    def __init__(self, source: Vault, target: Vault, steps: ItemSteps) -> None:
        self.source, self.target, self._target_steps = source, target, steps

    async def conflict(self, item: CopyItem, policy: ConflictPolicy, *,
                       versions: bool = True) -> PlannedCopy | None:
        """The plan for a name already used in the target (None: the name is free)."""
        state, _deleted = await self._target_steps.state(item.name)
        if state == "deleted":
            return PlannedCopy(item, PlannedAction.REFUSED,
                               "soft-deleted in the target: recover or purge it there first")
        if state == "absent":
            return None
        if policy is ConflictPolicy.SKIP:
            return PlannedCopy(item, PlannedAction.SKIP, f"a {self.noun} of this name exists in "
                                                         "the target")
        if not versions:
            return PlannedCopy(item, PlannedAction.REFUSED,
                               "exists in the target, and a key restore cannot add a version "
                               "(it restores a whole key under its own name)")
        return PlannedCopy(item, PlannedAction.NEW_VERSION,
                           "exists in the target: the copy becomes its new latest version")


class _SecretCopy(_ItemCopy):
    noun = "secret"

    def __init__(self, source: Vault, target: Vault) -> None:
        client = target.service.clients
        super().__init__(source, target, _state_steps(
            target, "secret", lambda name: client.secret_client.get_secret(name),
            lambda name: client.secret_client.get_deleted_secret(name)))

    async def plan(self, item: CopyItem, policy: ConflictPolicy) -> PlannedCopy:
        try:
            record = (await self.source.service.secrets.get(item.name)).value
        except AccessDenied as exc:
            if (exc.error_code or "").lower().endswith("disabled"):
                return PlannedCopy(item, PlannedAction.REFUSED, "disabled in the source: its "
                                   "value cannot be read (enable it first)")
            raise
        if record.managed or record.key_id:
            return PlannedCopy(item, PlannedAction.REFUSED, "this secret belongs to a "
                               "certificate (managed): copy the certificate instead")
        return await self.conflict(item, policy) or PlannedCopy(item, PlannedAction.CREATE)

    async def copy(self, planned: PlannedCopy) -> CopyResult:
        name = planned.item.name
        # One GET gives the latest version's value and properties together.
        async with translated():
            secret = await self.source.service.clients.secret_client.get_secret(name)
        record = secret_record(secret.properties, self.source.url)
        value = SecretValue(secret.value or "")
        del secret
        options: dict[str, Any] = {
            "content_type": record.content_type, "enabled": record.enabled is not False,
            "not_before": record.not_before, "expires_on": record.expires_on,
            "tags": dict(record.tags) or None}
        target = self.target.service.secrets
        try:
            if planned.action is PlannedAction.NEW_VERSION:
                result = await target.add_version(name, value, **options)
                outcome = Outcome.NEW_VERSION
            else:
                result = await target.create(name, value, **options)
                outcome = Outcome.COPIED
        finally:
            del value
        return CopyResult(planned.item, outcome, "", result.value.id)


class _CertificateCopy(_ItemCopy):
    noun = "certificate"

    def __init__(self, source: Vault, target: Vault) -> None:
        client = target.service.clients
        super().__init__(source, target, _state_steps(
            target, "certificate",
            lambda name: client.certificate_client.get_certificate(name),
            lambda name: client.certificate_client.get_deleted_certificate(name)))

    async def plan(self, item: CopyItem, policy: ConflictPolicy) -> PlannedCopy:
        details = (await self.source.service.certificates.get(item.name)).value
        if details.x509 is None and details.x509_error is None:
            return PlannedCopy(item, PlannedAction.REFUSED, "not issued yet in the source (its "
                               "creation is pending)")
        if details.policy is None:
            return PlannedCopy(item, PlannedAction.REFUSED, "the source has no policy for it")
        exportable = details.policy.exportable is not False
        if exportable and details.properties.enabled is False:
            return PlannedCopy(item, PlannedAction.REFUSED, "disabled in the source: its "
                               "private key cannot be read (enable it first)")
        planned = await self.conflict(item, policy)
        if planned is not None:
            if exportable or planned.action is not PlannedAction.NEW_VERSION:
                return planned
            return PlannedCopy(item, PlannedAction.REFUSED, "its policy keeps the private key "
                               "in the source vault, so it cannot be copied as a new version")
        if exportable:
            return PlannedCopy(item, PlannedAction.CREATE,
                               "with its private key, policy, tags and enabled")
        issuer = details.policy.issuer_name or "Self"
        note = ("" if issuer.lower() == "self" else
                f"; its issuer “{issuer}” must exist in the target")
        return PlannedCopy(item, PlannedAction.REFUSED,
                           "its policy does not allow exporting the private key: cannot copy "
                           "the private key. Create it from the same policy instead? ("
                           f"{POLICY_CREATE_NOTE}{note})", can_create_from_policy=True)

    async def copy(self, planned: PlannedCopy) -> CopyResult:
        source, name = self.source.service.certificates, planned.item.name
        details = (await source.get(name)).value
        if details.policy is None:
            raise NotFound(f"The certificate “{name}” has no policy in the source.")
        policy = CertificatePolicyInput.from_record(details.policy).validate()
        props = details.properties
        tags = dict(props.tags) or None
        if planned.action is PlannedAction.CREATE_FROM_POLICY:
            operation = (await self.target.service.certificates.issuance.create(
                name, policy, enabled=props.enabled is not False, tags=tags)).value
            issuer = policy.issuer_name
            return CopyResult(planned.item, Outcome.CREATED_FROM_POLICY,
                              f"a NEW key and certificate, issued by {issuer} in the target "
                              f"(status: {operation.status or 'requested'})",
                              f"{self.target.url}/certificates/{name}")
        export = (await source.files.download_private(name)).value
        inspected = inspect_certificate_file(export.data, None)
        del export
        if planned.action is PlannedAction.NEW_VERSION:
            await self._target_steps.require_active(name)
        else:
            await self._target_steps.require_absent(name)
        responses = _Responses()
        client = self.target.service.clients.certificate_client
        async with translated():
            certificate = await client.import_certificate(
                name, inspected.payload, policy=policy.to_sdk(),
                enabled=props.enabled is not False, tags=tags, **responses.hooks)
        record = certificate_record(certificate.properties, self.target.url, certificate)
        outcome = (Outcome.NEW_VERSION if planned.action is PlannedAction.NEW_VERSION
                   else Outcome.COPIED)
        return CopyResult(planned.item, outcome,
                          f"thumbprint {record.x509_thumbprint or '?'}", record.id)


class _KeyCopy(_ItemCopy):
    noun = "key"

    def __init__(self, source: Vault, target: Vault) -> None:
        client = target.service.clients
        super().__init__(source, target, _state_steps(
            target, "key", lambda name: client.key_client.get_key(name),
            lambda name: client.key_client.get_deleted_key(name)))

    async def plan(self, item: CopyItem, policy: ConflictPolicy) -> PlannedCopy:
        record = (await self.source.service.keys.get(item.name)).value
        if record.managed:
            return PlannedCopy(item, PlannedAction.REFUSED, "this key belongs to a certificate "
                               "(managed): copy the certificate instead")
        if self.source.read_only:
            return PlannedCopy(item, PlannedAction.REFUSED, "a key is copied by a backup of "
                               "the source, which read-only mode refuses (it is a POST)")
        return await self.conflict(item, policy, versions=False) or PlannedCopy(
            item, PlannedAction.RESTORE, "backup and restore: only into a vault of the same "
                                         "subscription and geography")

    async def copy(self, planned: PlannedCopy) -> CopyResult:
        name = planned.item.name
        await self._target_steps.require_absent(name)
        async with translated():
            backup = await self.source.service.clients.key_client.backup_key(name)
        try:
            async with translated():
                key = await self.target.service.clients.key_client.restore_key_backup(backup)
        except (ServiceError, InvalidInput) as exc:
            if exc.status != 400:
                raise
            # The service's words are "Cannot decrypt backup blob.": another subscription or
            # geography (the blob is encrypted for the source's security world).
            return CopyResult(planned.item, Outcome.REFUSED,
                              f"{PLACEMENT_REFUSAL} (the service said: "
                              f"{exc.service_message or exc.message}). {_PLACEMENT_ADVICE}")
        finally:
            del backup
        record = key_record(key.properties, self.target.url, key.key)
        return CopyResult(planned.item, Outcome.COPIED, "restored from a backup", record.id)


class VaultCopy:
    """A copy from ``source`` to ``target``: ``plan`` (reads only), then ``run``."""

    def __init__(self, source: Vault, target: Vault) -> None:
        if source.url.rstrip("/").lower() == target.url.rstrip("/").lower():
            raise InvalidInput("The source and the target are the same vault.",
                               advice="Pick another vault to copy to.")
        self.source, self.target = source, target
        self._secrets = _SecretCopy(source, target)
        self._certificates = _CertificateCopy(source, target)
        self._keys = _KeyCopy(source, target)

    def _part(self, item: CopyItem) -> _SecretCopy | _CertificateCopy | _KeyCopy:
        if item.kind == "secret":
            return self._secrets
        if item.kind == "certificate":
            return self._certificates
        if item.kind == "key":
            return self._keys
        raise InvalidInput(f"Only secrets, certificates and keys are copied, not {item.kind!r}.")

    async def plan(self, items: Sequence[CopyItem], policy: ConflictPolicy) -> CopyPlan:
        """What the copy will do, per item; nothing is written (a read-only target: every item
        refused, nothing read from it either).

        Raises:
            InvalidInput: an item of another kind, or no policy; nothing was sent.
            VaultBrowserError: a look-up failed in a way that stops the whole plan (the
                network); an item's own failure is its plan's reason instead.
        """
        if not isinstance(policy, ConflictPolicy):
            raise InvalidInput("Choose what to do with names that exist: skip or new version.")
        parts = [(item, self._part(item)) for item in items]
        if self.target.read_only:
            reason = f"the target vault {self.target.label} is read-only: nothing will be sent"
            return CopyPlan(self.source.label, self.target.label, policy, tuple(
                PlannedCopy(item, PlannedAction.REFUSED, reason) for item in items),
                target_read_only=True)
        gate = asyncio.Semaphore(PLAN_CONCURRENCY)

        async def plan_one(item: CopyItem, part: _SecretCopy | _CertificateCopy | _KeyCopy
                           ) -> PlannedCopy:
            async with gate:
                try:
                    return await part.plan(item, policy)
                except NotFound:
                    return PlannedCopy(item, PlannedAction.REFUSED,
                                       "no longer in the source vault")
                except (AccessDenied, ServiceError, InvalidInput) as exc:
                    return PlannedCopy(item, PlannedAction.REFUSED, exc.message)

        # A task group: a failure that stops the plan (the network) cancels the other look-ups.
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(plan_one(item, part)) for item, part in parts]
        except BaseExceptionGroup as failed:
            raise failed.exceptions[0] from None
        planned = [task.result() for task in tasks]
        return CopyPlan(self.source.label, self.target.label, policy, tuple(planned))

    async def run(self, plan: CopyPlan) -> AsyncIterator[CopyResult]:
        """Carry out ``plan``, yielding each item's result as it is known (in the order they
        finish; ``CopyReport.in_plan_order`` sorts them back). At most ``COPY_CONCURRENCY``
        items are copied at a time; a failing item does not stop the others; cancelling stops
        the items under way (an item's own write is one request: it is done or not).

        Raises:
            ReadOnlyRefused: the target is read-only (before anything is sent).
        """
        if self.target.read_only or plan.target_read_only:
            raise _read_only(self.target)
        gate = asyncio.Semaphore(COPY_CONCURRENCY)

        async def copy_one(planned: PlannedCopy) -> CopyResult:
            if planned.action is PlannedAction.SKIP:
                return CopyResult(planned.item, Outcome.SKIPPED, planned.reason)
            if planned.action is PlannedAction.REFUSED:
                return CopyResult(planned.item, Outcome.REFUSED, planned.reason)
            async with gate:
                return await self._copy_one(planned)

        tasks = [asyncio.ensure_future(copy_one(planned)) for planned in plan.items]
        try:
            for finished in asyncio.as_completed(tasks):
                yield await finished
        finally:  # stopped or cancelled: the items not started are not copied
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _copy_one(self, planned: PlannedCopy) -> CopyResult:
        try:
            return await self._part(planned.item).copy(planned)
        except Cancelled:
            raise
        except ReadOnlyRefused as exc:
            return CopyResult(planned.item, Outcome.REFUSED,
                              f"refused in read-only mode: {exc.message}")
        except Conflict as exc:
            return CopyResult(planned.item, Outcome.FAILED,
                              f"{exc.message} (it changed since the preview)")
        except VaultBrowserError as exc:
            return CopyResult(planned.item, Outcome.FAILED, exc.message)
