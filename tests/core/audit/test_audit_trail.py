"""The audit trail: every data-plane request, who made it, append-only, exportable, no secrets."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from vaultbrowser.core.audit.trail import (
    FIELDS,
    AuditTrail,
    data_dir,
    describe_operation,
    entries_as_csv,
    entries_as_json,
    write_atomically,
)
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.core.services.http.identity import identity_from_authorization
from vaultbrowser.core.services.session import LOCAL_EMULATOR_TOKEN, ServiceSession
from vaultbrowser.keyvault.services.opener import open_vault

VALUE = "trail-must-never-hold-this-value-5e2"


def fake_jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.signature-not-kept"


@pytest.mark.parametrize(
    ("method", "url", "operation"),
    [
        ("GET", "https://v.vault.azure.net/secrets?api-version=7.6", "GET /secrets"),
        ("GET", "https://a.blob.core.windows.net/c/x.txt?comp=tags", "GET /c/…"),
        ("POST", "https://c.documents.azure.com/dbs/d/colls/c/docs", "POST /dbs/…"),
        ("GET", "https://management.azure.com/", "GET /"),
        ("DELETE", "https://h/%2Fodd/seg?sig=secret", "DELETE //odd/…"),
    ],
)
def test_core_names_what_no_kind_named_by_method_and_path_shape(method: str, url: str,
                                                                operation: str) -> None:
    """Core knows no kind's URL shapes: a request no kind named gets its method and its path's
    first word, never a kind's word ("download blob"), no ids, no query."""
    assert describe_operation(method, url) == operation


def test_identity_comes_from_claims_and_never_keeps_the_token() -> None:
    user = fake_jwt({"upn": "alice@contoso.com", "oid": "1111", "tid": "t"})
    assert identity_from_authorization(f"Bearer {user}") == "alice@contoso.com (user, oid 1111)"
    app = fake_jwt({"appid": "app-42", "oid": "2222"})
    assert identity_from_authorization(f"Bearer {app}") == "app app-42 (oid 2222)"
    assert identity_from_authorization("SharedKey acct:c2lnbmF0dXJl") == "account key (acct)"
    assert identity_from_authorization(None, url_has_sas=True) == "SAS"
    assert identity_from_authorization(None) is None
    local = identity_from_authorization(f"Bearer {LOCAL_EMULATOR_TOKEN}")
    assert local is not None and LOCAL_EMULATOR_TOKEN not in local
    assert "signature" not in identity_from_authorization(f"Bearer {user}")


def test_trail_is_private_append_only_and_survives_sessions(tmp_path: Path) -> None:
    path = tmp_path / "trail.jsonl"
    first = AuditTrail(path)
    first.record_event("reveal secret value", connection="v", resource="https://v/secrets/a")
    second = AuditTrail(path)
    second.record_event("reveal secret value", connection="v", resource="https://v/secrets/b")
    lines = path.read_text().splitlines()
    assert len(lines) == 2 and all(set(json.loads(line)) == set(FIELDS) for line in lines)
    assert [e["resource"] for e in second.read_all()] == ["https://v/secrets/a",
                                                         "https://v/secrets/b"]
    assert len(second.session_entries()) == 1  # a session exports its own entries
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_data_dir_honours_the_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VAULTBROWSER_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("VAULTBROWSER_DATA_DIR")
    assert data_dir().name == "vaultbrowser"


def test_exports_and_atomic_writes(tmp_path: Path) -> None:
    entries = [{"time": "t", "identity": None, "connection": "c, with comma",
                "operation": "list secrets", "resource": "https://v/secrets", "status": 200,
                "request_id": "r1"}]
    csv_text = entries_as_csv(entries)
    assert csv_text.splitlines()[0] == ",".join(FIELDS)
    assert '"c, with comma"' in csv_text
    assert json.loads(entries_as_json(entries))[0]["request_id"] == "r1"
    target = tmp_path / "out.csv"
    write_atomically(target, csv_text)
    assert target.read_bytes().decode() == csv_text  # CSV keeps its CRLF line ends
    with pytest.raises(TypeError):
        write_atomically(tmp_path / "never.csv", 42)  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]  # no partial file


def test_every_request_reaches_the_trail_without_values(kv_emulator: Any, run: Any,
                                                        tmp_path: Path) -> None:
    from azure.keyvault.secrets.aio import SecretClient

    from vaultbrowser.core.services.signin.credentials import StaticTokenCredential

    async def seed() -> None:
        async with SecretClient(kv_emulator.url, StaticTokenCredential("t"),
                                connection_verify=str(kv_emulator.ca_path)) as client:
            await client.set_secret("trail-secret", VALUE)

    run(seed())
    trail = AuditTrail(tmp_path / "trail.jsonl")
    session = ServiceSession(read_only=True)
    session.journal.add_listener(trail.record_exchange)
    connection = Connection("keyvault", kv_emulator.url, AuthMethod.LOCAL_EMULATOR,
                            name="trail-vault", ca_path=str(kv_emulator.ca_path))

    async def body() -> None:
        try:
            vault = open_vault(session, connection)
            await vault.secrets.list()
            await vault.secrets.get_value("trail-secret")
            with pytest.raises(Exception, match="read-only"):
                await vault.clients.secret_client.set_secret("trail-secret", "changed")
        finally:
            await session.aclose()

    run(body())
    entries = trail.read_all()
    operations = [(e["operation"], e["status"]) for e in entries]
    assert ("list secrets", 200) in operations
    assert ("get secret", 200) in operations
    assert ("set secret", "refused (read-only)") in operations
    assert all(e["connection"] == "trail-vault" for e in entries)
    assert all(e["identity"] for e in entries if e["status"] == 200)
    assert all(e["request_id"] for e in entries if e["status"] == 200)
    text = (tmp_path / "trail.jsonl").read_text()
    assert VALUE not in text and "changed" not in text and LOCAL_EMULATOR_TOKEN not in text


def test_a_kind_names_its_own_records_and_core_names_none() -> None:
    """The trail asks the registry's kinds first (``ServiceKind.operation_name``): a command of
    another protocol is named by its kind, never by a scheme core knows."""
    from dataclasses import replace

    from vaultbrowser.redis.kind import KIND as REDIS_KIND

    command = ("SCAN", "redis://127.0.0.1:6379 SCAN 0 COUNT 100")
    assert describe_operation(*command, [REDIS_KIND]) == "redis SCAN"
    assert describe_operation(*command) != "redis SCAN"  # without the kind, core cannot tell
    # Another kind's namer: only its own records; the rest get core's generic name.
    queues = replace(REDIS_KIND, name="queues", operation_name=lambda method, url: (
        f"queue {method.lower()}" if url.startswith("amqp://") else None))
    assert describe_operation("PUBLISH", "amqp://h/q", [queues, REDIS_KIND]) == "queue publish"
    assert describe_operation("GET", "https://v.vault.azure.net/secrets",
                              [queues, REDIS_KIND]) == "GET /secrets"


def test_the_trail_file_names_records_by_the_kinds_it_was_given(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from vaultbrowser.core.services.http.journal import ExchangeRecord
    from vaultbrowser.redis.kind import KIND as REDIS_KIND

    record = ExchangeRecord(response=None, method="HSET", url="rediss://h:10000 HSET k ‹value›",
                            started_at=datetime.now(UTC), elapsed=0.001, connection="cache")
    trail = AuditTrail(tmp_path / "trail.jsonl", kinds=[REDIS_KIND])
    trail.record_exchange(record)
    assert [e["operation"] for e in trail.read_all()] == ["redis HSET"]


def test_a_record_named_as_it_was_sent_keeps_its_name(tmp_path: Path) -> None:
    """An HTTP kind names its requests as they are sent (``ExchangeRecord.operation``): the
    trail writes that name, whatever the kinds it was given would say."""
    from datetime import UTC, datetime

    from vaultbrowser.core.services.http.journal import ExchangeRecord
    from vaultbrowser.redis.kind import KIND as REDIS_KIND

    def sent(operation: str | None) -> ExchangeRecord:
        return ExchangeRecord(response=None, method="POST", url="https://h/dbs/d/colls/c/docs",
                              started_at=datetime.now(UTC), elapsed=0.001, operation=operation)

    trail = AuditTrail(tmp_path / "trail.jsonl", kinds=[REDIS_KIND])
    trail.record_exchange(sent("query items"))
    trail.record_exchange(sent(None))
    assert [e["operation"] for e in trail.read_all()] == ["query items", "POST /dbs/…"]


def test_the_transport_names_each_request_with_its_kind_s_names(run: Any) -> None:
    """``RecordingTransport(…, names=…)`` (``session.transport``'s): each record carries its
    kind's name for its request, told from the request's headers too; a refused one as well.
    (A mock answers: the seam is the transport; tests/<kind> name real servers' requests.)"""
    from azure.core.rest import HttpRequest

    from tests.mock_transport import MockResponse, MockTransport
    from vaultbrowser.core.services.http.journal import HttpJournal
    from vaultbrowser.core.services.http.readonly import read_only_guard
    from vaultbrowser.core.services.http.transport import RecordingTransport

    def names(method: str, url: str, headers: Any) -> str | None:
        return f"{method.lower()} {headers.get('x-what', 'thing')}"

    journal = HttpJournal()
    transport = RecordingTransport(MockTransport(lambda request: MockResponse(200)),
                                   journal=journal, guard=read_only_guard("c"), names=names)

    async def body() -> None:
        await transport.send(HttpRequest("GET", "https://h.example/a", headers={"x-what": "a"}))
        with pytest.raises(Exception, match="read-only"):
            await transport.send(HttpRequest("PUT", "https://h.example/b"))

    run(body())
    assert [record.operation for record in journal.records()] == ["get a", "put thing"]
    unnamed = RecordingTransport(MockTransport(lambda request: MockResponse(200)),
                                 journal=journal)
    run(unnamed.send(HttpRequest("GET", "https://h.example/a")))
    assert journal.records()[-1].operation is None
