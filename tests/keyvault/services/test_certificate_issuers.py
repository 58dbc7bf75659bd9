"""Certificate issuers and contacts (``service.certificates.issuers`` / ``.contacts``) against the
Key Vault emulator, through the real SDK client and the session's pipeline: every operation,
inputs refused before any request, and the issuer's password never in a record, a message or
the journal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    ReadOnlyRefused,
)
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    AdminContactInput,
    AdminContactRecord,
    ContactInput,
    ContactRecord,
    IssuerInput,
)
from vaultbrowser.keyvault.services.opener import open_vault
from vaultbrowser.keyvault.services.vault_service import KeyVaultService

PASSWORD = "issuer-api-key-never-shown-8f3a"
ADMIN = AdminContactInput("Ada", "Lovelace", "ada@example.com", "+44 20 7946 0000")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-issuers")) as instance:
        yield instance


def connection_for(emulator: Any, *, read_only: bool = False) -> Connection:
    return Connection("keyvault", emulator.url, AuthMethod.LOCAL_EMULATOR,
                      name="issuers-vault", ca_path=str(emulator.ca_path), read_only=read_only)


def with_vault(emulator: Any, body: Callable[[KeyVaultService], Awaitable[Any]], run: Any, *,
               read_only: bool = False) -> tuple[Any, ServiceSession]:
    session = ServiceSession()

    async def main() -> Any:
        try:
            return await body(open_vault(session, connection_for(emulator,
                                                                 read_only=read_only)))
        finally:
            await session.aclose()

    return run(main()), session


def writes_since(emulator: Any, mark: int) -> list[tuple[str, str, int]]:
    return [(e.method, e.path, e.status) for e in emulator.request_log[mark:]
            if e.method not in ("GET", "HEAD")]


def stored(emulator: Any, name: str) -> dict[str, Any]:
    return emulator.options["issuers"][name.lower()]


def digicert(**changes: Any) -> IssuerInput:
    base = {"provider": "DigiCert", "account_id": "acct-1", "password": SecretValue(PASSWORD),
            "organization_id": "org-1", "admin_contacts": (ADMIN,)}
    return IssuerInput(**{**base, **changes})


def test_issuers_create_list_get_update_and_delete(emulator: Any, run: Any) -> None:
    async def body(vault: KeyVaultService) -> dict[str, Any]:
        issuers = vault.certificates.issuers
        out: dict[str, Any] = {}
        out["created"] = await issuers.create("digicert-prod", digicert())
        await issuers.create("globalsign-test", IssuerInput(
            "globalsign", account_id="gs-acct", password=SecretValue(PASSWORD)))
        await issuers.create("custom-ca", IssuerInput("Test", account_id="keyvaultuser"))
        first = await issuers.list(page_size=2)
        rest = await issuers.list(page_size=2, continuation=first.next_token)
        out["listed"] = first.items + rest.items
        out["got"] = await issuers.get("digicert-prod")
        # A spy on the SDK call (it calls through): what an edit hands the client.
        client = vault.clients.certificate_client
        real_update, sent_keywords = client.update_issuer, []

        async def spied(name: str, **keywords: Any) -> Any:
            sent_keywords.append(sorted(k for k in keywords if k != "raw_response_hook"))
            return await real_update(name, **keywords)

        client.update_issuer = spied
        out["keywords"] = sent_keywords
        # An edit without a password keeps the stored one (no credentials are sent).
        out["renamed-org"] = await issuers.update(out["got"].value, digicert(
            password=None, organization_id="org-2", enabled=False))
        out["kept-password"] = stored(emulator, "digicert-prod")["credentials"].get("pwd")
        got = (await issuers.get("digicert-prod")).value
        # Clearing the administrators needs the password (a replace), refused without it.
        mark = len(emulator.request_log)
        try:
            await issuers.update(got, digicert(password=None, admin_contacts=()))
        except InvalidInput as error:
            out["clear-refused"] = error
        out["clear-sent"] = writes_since(emulator, mark)
        out["replaced"] = await issuers.update(got, digicert(admin_contacts=()))
        # A new account id needs its password.
        got = (await issuers.get("custom-ca")).value
        try:
            await issuers.update(got, IssuerInput("Test", account_id="other-user"))
        except InvalidInput as error:
            out["account-refused"] = error
        try:
            await issuers.update(got, IssuerInput("Test", account_id="keyvaultuser"))
        except InvalidInput as error:
            out["nothing"] = error
        mark = len(emulator.request_log)
        try:
            await issuers.delete("custom-ca", typed_name="custom")
        except InvalidInput as error:
            out["typed-refused"] = error
        out["typed-sent"] = writes_since(emulator, mark)
        out["deleted"] = await issuers.delete("custom-ca", typed_name="custom-ca")
        try:
            await issuers.get("custom-ca")
        except NotFound as error:
            out["gone"] = error
        return out

    out, session = with_vault(emulator, body, run)
    created = out["created"].value
    assert created.name == "digicert-prod" and created.provider == "DigiCert"
    assert created.account_id == "acct-1" and created.organization_id == "org-1"
    assert created.admin_contacts == (AdminContactRecord("Ada", "Lovelace", "ada@example.com",
                                                         "+44 20 7946 0000"),)
    assert created.enabled is True and created.created_on is not None
    assert created.password_returned is False  # write-only on the service
    assert out["created"].response.method == "PUT" and out["created"].response.status == 200
    listed = out["listed"]
    assert [(i.name, i.provider, i.listed) for i in listed] == [
        ("custom-ca", "Test", True), ("digicert-prod", "DigiCert", True),
        ("globalsign-test", "GlobalSign", True)]  # "globalsign" in the service's spelling
    assert out["got"].value.account_id == "acct-1" and out["got"].response.method == "GET"
    renamed = out["renamed-org"]
    assert renamed.value.organization_id == "org-2" and renamed.value.enabled is False
    assert renamed.response.method == "PATCH"
    assert out.pop("kept-password") == PASSWORD  # in the emulator's store, not sent back
    # The edit without a password sent no credentials (the stored password stays as it is).
    assert out.pop("keywords")[0] == ["admin_contacts", "enabled", "organization_id"]
    assert "password" in out["clear-refused"].message and out["clear-sent"] == []
    replaced = out["replaced"]
    assert replaced.response.method == "PUT" and replaced.value.admin_contacts == ()
    assert "password" in out["account-refused"].message
    assert "Nothing was changed" in out["nothing"].message
    assert out["typed-sent"] == [] and "exact name" in out["typed-refused"].message
    assert out["deleted"].value.name == "custom-ca"
    assert out["deleted"].response.method == "DELETE"
    assert out["gone"].error_code == "CertificateIssuerNotFound"
    # The password is in no record, message or journal entry.
    texts = [repr(v) for v in out.values()] + [str(r) for r in session.journal.records()]
    assert not any(PASSWORD in text for text in texts)


def test_create_never_replaces_an_existing_issuer(emulator: Any, run: Any) -> None:
    async def body(vault: KeyVaultService) -> Any:
        issuers = vault.certificates.issuers
        await issuers.create("taken", IssuerInput("Test", account_id="first"))
        mark = len(emulator.request_log)
        with pytest.raises(Conflict) as caught:
            await issuers.create("TAKEN", IssuerInput("Test", account_id="second"))
        return caught.value, writes_since(emulator, mark)

    (error, sent), _ = with_vault(emulator, body, run)
    assert "already exists" in error.message and sent == []
    assert stored(emulator, "taken")["credentials"]["account_id"] == "first"


BAD_ISSUERS: list[tuple[str, str, IssuerInput, str]] = [
    ("bad name", "a b", IssuerInput("Test"), "does not allow"),
    ("too long", "x" * 200, IssuerInput("Test"), "at most 127"),
    ("reserved Self", "self", IssuerInput("Test"), "reserved"),
    ("reserved Unknown", "Unknown", IssuerInput("Test"), "reserved"),
    ("no provider", "p1", IssuerInput(""), "provider is required"),
    ("odd provider", "p2", IssuerInput("Digi Cert!"), "not a provider name"),
    ("digicert without org", "p3", digicert(organization_id=" "), "organisation id"),
    ("globalsign without password", "p4", IssuerInput("GlobalSign", account_id="a"),
     "password"),
    ("password without account", "p5", IssuerInput("Test", password=SecretValue(PASSWORD)),
     "account id"),
    ("admin without email", "p6", digicert(admin_contacts=(AdminContactInput("A", "B"),)),
     "Administrator 1"),
    ("admin bad email", "p7", digicert(admin_contacts=(
        AdminContactInput("A", "B", "not-an-email"),)), "not an email"),
    ("admin bad phone", "p8", digicert(admin_contacts=(
        AdminContactInput("A", "B", "a@b.example", "call me"),)), "not a phone"),
    ("control character", "p9", IssuerInput("Test", account_id="a\nb"), "control"),
]


@pytest.mark.parametrize(("case", "name", "issuer", "said"), BAD_ISSUERS,
                         ids=[case[0] for case in BAD_ISSUERS])
def test_bad_issuer_inputs_are_refused_before_any_request(
        emulator: Any, run: Any, case: str, name: str, issuer: IssuerInput, said: str) -> None:
    async def body(vault: KeyVaultService) -> Any:
        mark = len(emulator.request_log)
        with pytest.raises(InvalidInput) as caught:
            await vault.certificates.issuers.create(name, issuer)
        return caught.value, emulator.request_log[mark:]

    (error, sent), _ = with_vault(emulator, body, run)
    assert said in error.message, error.message
    assert sent == []
    assert PASSWORD not in error.message and PASSWORD not in repr(issuer)


def test_contacts_get_set_and_delete(emulator: Any, run: Any) -> None:
    async def body(vault: KeyVaultService) -> dict[str, Any]:
        contacts = vault.certificates.contacts
        out: dict[str, Any] = {"none": await contacts.get()}
        out["set"] = await contacts.set([ContactInput("ops@example.com", "Ops", "555-0100"),
                                         ContactInput("pki@example.com")])
        out["got"] = await contacts.get()
        out["deleted"] = await contacts.delete()
        out["after"] = await contacts.get()
        try:
            await contacts.delete()
        except NotFound as error:
            out["nothing-to-delete"] = error
        mark = len(emulator.request_log)
        for bad in ([], [ContactInput("")], [ContactInput("x@y.example"),
                                             ContactInput("X@Y.example")],
                    [ContactInput("ok@y.example", phone="phone")]):
            try:
                await contacts.set(bad)
            except InvalidInput as error:
                out.setdefault("refused", []).append(error.message)
        out["refused-sent"] = emulator.request_log[mark:]
        return out

    out, session = with_vault(emulator, body, run)
    assert out["none"].value == () and out["none"].response.status == 404
    expected = (ContactRecord("ops@example.com", "Ops", "555-0100"),
                ContactRecord("pki@example.com"))
    assert out["set"].value == expected and out["set"].response.method == "PUT"
    assert out["got"].value == expected
    assert out["deleted"].value == expected and out["deleted"].response.method == "DELETE"
    assert out["after"].value == ()
    assert out["nothing-to-delete"].error_code == "ContactsNotFound"
    assert len(out["refused"]) == 4 and out["refused-sent"] == []
    assert "at least one" in out["refused"][0] and "twice" in out["refused"][2]
    # "No contacts" is an answer, not a failure, in the activity panel.
    gets = [r for r in session.journal.records() if r.url.split("?")[0].endswith("/contacts")
            and r.method == "GET" and r.response is not None and r.response.status == 404]
    assert gets and all(r.expected for r in gets)


def test_read_only_refuses_issuer_and_contact_writes_in_the_transport(
        emulator: Any, run: Any) -> None:
    async def body(vault: KeyVaultService) -> Any:
        issuers, contacts = vault.certificates.issuers, vault.certificates.contacts
        outcomes = {}
        listed = await issuers.list()  # reads work
        writes = {
            "create": lambda: issuers.create("ro-new", digicert()),
            "delete": lambda: issuers.delete("taken", typed_name="taken"),
            "set contacts": lambda: contacts.set([ContactInput("ro@example.com")]),
            "delete contacts": lambda: contacts.delete(),
        }
        for what, write in writes.items():
            try:
                await write()
                outcomes[what] = "SENT"
            except ReadOnlyRefused:
                outcomes[what] = "refused"
            except Exception as error:  # anything else: the guard missed it
                outcomes[what] = repr(error)
        return outcomes, listed

    mark = len(emulator.request_log)
    (outcomes, listed), _ = with_vault(emulator, body, run, read_only=True)
    # The create's look-up GET is a read; a 404 there lets the PUT reach the guard.
    assert outcomes == dict.fromkeys(outcomes, "refused"), outcomes
    assert writes_since(emulator, mark) == []
    assert listed.items is not None


def test_the_demo_vault_gets_issuers_and_contacts_once(
        tmp_path_factory: pytest.TempPathFactory, run: Any) -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread
    from vaultbrowser.keyvault.services.demo.issuer_seed import seed_demo_issuers

    async def body(vault: KeyVaultService) -> Any:
        first = await seed_demo_issuers(vault)
        again = await seed_demo_issuers(vault)  # idempotent: nothing replaced or added
        listed = await vault.certificates.issuers.list()
        contacts = await vault.certificates.contacts.get()
        return first, again, listed.items, contacts.value

    with run_emulator_in_thread(data_dir=tmp_path_factory.mktemp("kv-demo-issuers")) as demo:
        (first, again, listed, contacts), _ = with_vault(demo, body, run)
    assert first == ["digicert-contoso", "globalsign-test"] and again == []
    assert [(i.name, i.provider) for i in listed] == [("digicert-contoso", "DigiCert"),
                                                      ("globalsign-test", "GlobalSign")]
    assert [c.email for c in contacts] == ["pki-team@contoso-demo.com", "oncall@contoso-demo.com"]
