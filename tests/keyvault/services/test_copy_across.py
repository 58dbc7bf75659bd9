"""Copy to another vault (``VaultCopy``) against two (and three) emulator instances, through the
real SDK clients and the session's pipeline: plan, conflicts, certificates with and without an
exportable key, key backup/restore within and across geographies, read-only refusals, and no
value anywhere it must not be."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput, ReadOnlyRefused
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.across.copy import PLACEMENT_REFUSAL, VaultCopy
from vaultbrowser.keyvault.services.across.copy_plan import (
    ConflictPolicy,
    CopyItem,
    CopyPlan,
    CopyReport,
    Outcome,
    PlannedAction,
)
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.certificates.inputs import PEM, PKCS12, CertificatePolicyInput
from vaultbrowser.keyvault.services.opener import open_vault

VALUE = "c0py-value-that-must-never-leak-5f1a"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
_names = iter(range(1_000_000))


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_names)}"


def _emulator(tmp_path_factory: pytest.TempPathFactory, name: str, **options: Any
              ) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp(name),
                                cert_issuance_delay=0.1, **options) as instance:
        yield instance


@pytest.fixture(scope="module")
def source_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _emulator(tmp_path_factory, "copy-source")


@pytest.fixture(scope="module")
def target_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from _emulator(tmp_path_factory, "copy-target")


@pytest.fixture(scope="module")
def far_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A vault of the same subscription in another geography."""
    yield from _emulator(tmp_path_factory, "copy-far", geography="westeurope")


def connection(emulator: Any, name: str, *, read_only: bool = False) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR, name=name,
                      ca_path=str(emulator.ca_path), read_only=read_only)


Body = Callable[[Vault, Vault, ServiceSession], Awaitable[Any]]


def with_vaults(run: Any, source: Any, target: Any, body: Body, *,
                target_read_only: bool = False, flag_read_only: bool | None = None) -> Any:
    """Run ``body(source_vault, target_vault, session)``; ``target_read_only`` opens the
    target's connection read-only, ``flag_read_only`` overrides what the Vault says."""

    async def go() -> Any:
        session = ServiceSession()
        try:
            src = Vault("source", open_vault(session, connection(source, "source")))
            dst_conn = connection(target, "target", read_only=target_read_only)
            dst = Vault("target", open_vault(session, dst_conn),
                        read_only=target_read_only if flag_read_only is None else flag_read_only)
            return await body(src, dst, session)
        finally:
            await session.aclose()

    return run(go())


async def run_all(copy: VaultCopy, plan: CopyPlan) -> CopyReport:
    report = CopyReport(plan.source, plan.target)
    async for result in copy.run(plan):
        report.results.append(result)
    report.in_plan_order(plan)
    return report


def writes_since(emulator: Any, mark: int) -> list[tuple[str, str]]:
    return [(e.method, e.path) for e in emulator.request_log[mark:]
            if e.method not in ("GET", "HEAD")]


async def wait_issued(vault: Vault, name: str) -> None:
    await vault.service.certificates.issuance.wait_operation(name, interval=0.05)


# --- secrets -----------------------------------------------------------------------------------


def test_secret_copied_with_every_property(run: Any, source_emulator: Any,
                                           target_emulator: Any) -> None:
    name = fresh("sec")
    nbf, exp = NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=200)

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.secrets.create(name, SecretValue(VALUE), content_type="text/plain",
                                         not_before=nbf, expires_on=exp,
                                         tags={"env": "prod", "owner": "ops"})
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("secret", name)], ConflictPolicy.SKIP)
        assert [p.action for p in plan.items] == [PlannedAction.CREATE]
        report = await run_all(copy, plan)
        assert [r.outcome for r in report.results] == [Outcome.COPIED]
        copied = (await dst.service.secrets.get(name)).value
        assert report.results[0].target_id == copied.id and copied.id.startswith(dst.url)
        assert copied.content_type == "text/plain"
        assert dict(copied.tags) == {"env": "prod", "owner": "ops"}
        assert copied.enabled is True
        assert (copied.not_before, copied.expires_on) == (nbf, exp)
        assert (await dst.service.secrets.get_value(name)).value.reveal() == VALUE

    with_vaults(run, source_emulator, target_emulator, body)


def test_conflicts_skip_or_new_version_never_overwrite(run: Any, source_emulator: Any,
                                                       target_emulator: Any) -> None:
    name = fresh("conflict")

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.secrets.create(name, SecretValue("from-source"))
        await dst.service.secrets.create(name, SecretValue("already-there"))
        copy = VaultCopy(src, dst)
        mark = len(target_emulator.request_log)
        skip = await copy.plan([CopyItem("secret", name)], ConflictPolicy.SKIP)
        assert [p.action for p in skip.items] == [PlannedAction.SKIP]
        report = await run_all(copy, skip)
        assert [r.outcome for r in report.results] == [Outcome.SKIPPED]
        assert writes_since(target_emulator, mark) == []
        assert (await dst.service.secrets.get_value(name)).value.reveal() == "already-there"

        again = await copy.plan([CopyItem("secret", name)], ConflictPolicy.NEW_VERSION)
        assert [p.action for p in again.items] == [PlannedAction.NEW_VERSION]
        report = await run_all(copy, again)
        assert [r.outcome for r in report.results] == [Outcome.NEW_VERSION]
        versions = (await dst.service.secrets.list_versions(name)).items
        assert len(versions) == 2  # the old value is kept as a version
        assert (await dst.service.secrets.get_value(name)).value.reveal() == "from-source"

    with_vaults(run, source_emulator, target_emulator, body)


def test_soft_deleted_in_target_is_refused(run: Any, source_emulator: Any,
                                           target_emulator: Any) -> None:
    name = fresh("deleted")

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.secrets.create(name, SecretValue("x"))
        await dst.service.secrets.create(name, SecretValue("y"))
        await dst.service.secrets.delete(name)
        copy = VaultCopy(src, dst)
        for policy in ConflictPolicy:
            plan = await copy.plan([CopyItem("secret", name)], policy)
            assert plan.items[0].action is PlannedAction.REFUSED
            assert "soft-deleted in the target" in plan.items[0].reason
            mark = len(target_emulator.request_log)
            report = await run_all(copy, plan)
            assert [r.outcome for r in report.results] == [Outcome.REFUSED]
            assert writes_since(target_emulator, mark) == []

    with_vaults(run, source_emulator, target_emulator, body)


# --- certificates ------------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", [PEM, PKCS12])
def test_certificate_with_exportable_key_is_imported_with_its_policy(
        run: Any, source_emulator: Any, target_emulator: Any, content_type: str) -> None:
    name = fresh("cert")
    policy = CertificatePolicyInput(subject=f"CN={name}.example", content_type=content_type)

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.certificates.issuance.create(name, policy, tags={"team": "web"})
        await wait_issued(src, name)
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("certificate", name), CopyItem("secret", name)],
                               ConflictPolicy.SKIP)
        assert [p.action for p in plan.items] == [PlannedAction.CREATE, PlannedAction.REFUSED]
        assert "belongs to a certificate" in plan.items[1].reason  # its secret: not alone
        report = await run_all(copy, plan)
        assert [r.outcome for r in report.results] == [Outcome.COPIED, Outcome.REFUSED]
        source = (await src.service.certificates.get(name)).value
        copied = (await dst.service.certificates.get(name)).value
        assert copied.properties.x509_thumbprint == source.properties.x509_thumbprint
        assert copied.policy is not None and copied.policy.content_type == content_type
        assert copied.policy.subject == f"CN={name}.example"
        assert dict(copied.properties.tags) == {"team": "web"}
        assert report.results[0].target_id == copied.properties.id
        # The private key came along: the target can export it too.
        exported = (await dst.service.certificates.files.download_private(name)).value
        assert exported.suffix == (".pem" if content_type == PEM else ".pfx")

    with_vaults(run, source_emulator, target_emulator, body)


def test_certificate_without_exportable_key_is_refused_or_created_from_policy(
        run: Any, source_emulator: Any, target_emulator: Any) -> None:
    name = fresh("locked")
    policy = CertificatePolicyInput(subject=f"CN={name}.example", exportable=False)

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.certificates.issuance.create(name, policy)
        await wait_issued(src, name)
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("certificate", name)], ConflictPolicy.SKIP)
        planned = plan.items[0]
        assert planned.action is PlannedAction.REFUSED and planned.can_create_from_policy
        assert "cannot copy the private key" in planned.reason
        assert "NEW key and certificate" in planned.reason
        mark = len(target_emulator.request_log)
        report = await run_all(copy, plan)
        assert [r.outcome for r in report.results] == [Outcome.REFUSED]
        assert writes_since(target_emulator, mark) == []

        report = await run_all(copy, plan.with_policy_creates())
        assert [r.outcome for r in report.results] == [Outcome.CREATED_FROM_POLICY]
        assert "NEW key and certificate" in report.results[0].reason
        await wait_issued(dst, name)
        source = (await src.service.certificates.get(name)).value
        created = (await dst.service.certificates.get(name)).value
        assert created.policy is not None and created.policy.exportable is False
        assert created.x509 is not None and created.x509.subject == f"CN={name}.example"
        assert created.properties.x509_thumbprint != source.properties.x509_thumbprint

    with_vaults(run, source_emulator, target_emulator, body)


# --- keys ----------------------------------------------------------------------------------------


def test_key_backup_and_restore_in_the_same_geography(run: Any, source_emulator: Any,
                                                      target_emulator: Any) -> None:
    name = fresh("key")

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.keys.create(name, key_type="EC", curve="P-256", tags={"k": "v"})
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("key", name)], ConflictPolicy.NEW_VERSION)
        assert [p.action for p in plan.items] == [PlannedAction.RESTORE]
        report = await run_all(copy, plan)
        assert [r.outcome for r in report.results] == [Outcome.COPIED]
        source = (await src.service.keys.get(name)).value
        restored = (await dst.service.keys.get(name)).value
        assert restored.version == source.version and restored.curve == "P-256"
        assert dict(restored.tags) == {"k": "v"}
        # Again: the name exists now, and a restore cannot add a version.
        again = await copy.plan([CopyItem("key", name)], ConflictPolicy.NEW_VERSION)
        assert again.items[0].action is PlannedAction.REFUSED
        assert "cannot add a version" in again.items[0].reason

    with_vaults(run, source_emulator, target_emulator, body)


def test_key_restore_into_another_geography_is_refused_clearly(
        run: Any, source_emulator: Any, far_emulator: Any) -> None:
    name = fresh("farkey")

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.keys.create(name, key_type="RSA")
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("key", name)], ConflictPolicy.SKIP)
        assert [p.action for p in plan.items] == [PlannedAction.RESTORE]
        report = await run_all(copy, plan)
        result = report.results[0]
        assert result.outcome is Outcome.REFUSED
        assert result.reason.startswith(PLACEMENT_REFUSAL)
        assert "Cannot decrypt backup blob" in result.reason
        assert far_emulator.store.keys.get(name) is None
        restore = [e for e in far_emulator.request_log if e.path.endswith("/keys/restore")]
        assert restore and restore[-1].status == 400 and restore[-1].error_code == "BadParameter"

    with_vaults(run, source_emulator, far_emulator, body)


# --- read-only and secrecy -----------------------------------------------------------------


def test_read_only_target_is_refused_before_anything_is_sent(
        run: Any, source_emulator: Any, target_emulator: Any) -> None:
    name = fresh("ro")

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.secrets.create(name, SecretValue(VALUE))
        copy = VaultCopy(src, dst)
        mark = len(target_emulator.request_log)
        plan = await copy.plan([CopyItem("secret", name)], ConflictPolicy.NEW_VERSION)
        assert plan.target_read_only
        assert plan.items[0].action is PlannedAction.REFUSED
        assert "read-only" in plan.items[0].reason
        with pytest.raises(ReadOnlyRefused):
            await run_all(copy, plan)
        assert target_emulator.request_log[mark:] == []  # not even a read

    with_vaults(run, source_emulator, target_emulator, body, target_read_only=True)


def test_transport_refuses_a_copy_into_a_read_only_connection(
        run: Any, source_emulator: Any, target_emulator: Any) -> None:
    """Were the tool to miss the flag, the transport still sends no write."""
    names = [fresh("ro-transport"), fresh("ro-key")]

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        await src.service.secrets.create(names[0], SecretValue(VALUE))
        await src.service.keys.create(names[1], key_type="RSA")
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("secret", names[0]), CopyItem("key", names[1])],
                               ConflictPolicy.SKIP)
        assert [p.action for p in plan.items] == [PlannedAction.CREATE, PlannedAction.RESTORE]
        mark = len(target_emulator.request_log)
        report = await run_all(copy, plan)
        assert [r.outcome for r in report.results] == [Outcome.REFUSED, Outcome.REFUSED]
        assert all("refused in read-only mode" in r.reason for r in report.results)
        assert writes_since(target_emulator, mark) == []

    with_vaults(run, source_emulator, target_emulator, body, target_read_only=True,
                flag_read_only=False)


def test_no_value_in_plan_report_logs_or_journal(run: Any, source_emulator: Any,
                                                 target_emulator: Any,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    name = fresh("secrecy")
    caplog.set_level(logging.DEBUG)

    async def body(src: Vault, dst: Vault, session: ServiceSession) -> None:
        await src.service.secrets.create(name, SecretValue(VALUE))
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("secret", name)], ConflictPolicy.SKIP)
        report = await run_all(copy, plan)
        assert report.results[0].outcome is Outcome.COPIED
        texts = [repr(plan), repr(report), report.to_csv(), report.to_json(), report.summary,
                 caplog.text, *(repr(r) for r in session.journal.records())]
        assert all(VALUE not in text for text in texts)
        assert name in report.to_csv() and '"outcome": "copied"' in report.to_json()

    with_vaults(run, source_emulator, target_emulator, body)


def test_same_vault_and_bad_policy_refused_before_any_request(
        run: Any, source_emulator: Any, target_emulator: Any) -> None:
    async def same(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        with pytest.raises(InvalidInput):
            VaultCopy(src, dst)

    with_vaults(run, source_emulator, source_emulator, same)

    async def bad_policy(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        with pytest.raises(InvalidInput):
            await VaultCopy(src, dst).plan([CopyItem("secret", "x")], "overwrite")  # type: ignore[arg-type]

    marks = len(source_emulator.request_log), len(target_emulator.request_log)
    with_vaults(run, source_emulator, target_emulator, bad_policy)
    assert source_emulator.request_log[marks[0]:] == []
    assert target_emulator.request_log[marks[1]:] == []


def test_stopping_a_run_stops_the_items_not_yet_copied(run: Any, source_emulator: Any,
                                                       target_emulator: Any) -> None:
    names = [fresh("stop") for _ in range(8)]

    async def body(src: Vault, dst: Vault, _session: ServiceSession) -> None:
        for name in names:
            await src.service.secrets.create(name, SecretValue("v"))
        copy = VaultCopy(src, dst)
        plan = await copy.plan([CopyItem("secret", n) for n in names], ConflictPolicy.SKIP)
        target_emulator.faults.latency_ms = 100
        try:
            results = copy.run(plan)
            first = await anext(results)
            await results.aclose()  # as the dialog's Close does to its task
        finally:
            target_emulator.faults.latency_ms = 0
        assert first.outcome is Outcome.COPIED
        await asyncio.sleep(1.5)  # anything left running would land by now
        copied = [n for n in names if target_emulator.store.secrets.get(n) is not None]
        assert 1 <= len(copied) < len(names)

    with_vaults(run, source_emulator, target_emulator, body)
