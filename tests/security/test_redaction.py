"""``redact_text`` and the process-wide log redaction that ``vaultbrowser.app.main`` installs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from vaultbrowser.core.services.redaction import install_log_redaction, redact_text

SIG = "s1g%2BAbC%2Fdef%3D"
KEY = "a2V5LWtleS1rZXk+/key=="
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJ1cG4iOiJ4QHkifQ.c2lnbmF0dXJl"


@pytest.mark.parametrize("text", [
    f"https://a.blob.core.windows.net/c?sv=2024&sig={SIG}&se=2099",
    f"URL('https://a.blob.core.windows.net/?comp=list&sig={SIG}')",
    f"`http://127.0.0.1:10000/devstoreaccount1?sig={SIG}` in the env",
    f"AccountName=a;AccountKey={KEY};EndpointSuffix=core.windows.net",
    f"SharedAccessSignature=sv=1&sig={SIG}",
    f"{{'Authorization': 'Bearer {JWT}'}}",
    f"Authorization: SharedKey devstoreaccount1:{KEY}",
    f'{{"client_secret": "{KEY}", "refresh_token": "{KEY}"}}',
    f"token {JWT} expired",
    f"https://login.example/cb?code={KEY}&state=1",
])
def test_credentials_are_redacted(text: str) -> None:
    redacted = redact_text(text)
    for secret in (SIG, KEY, JWT, "c2lnbmF0dXJl"):
        assert secret not in redacted, redacted
    assert "REDACTED" in redacted


@pytest.mark.parametrize("text", [
    "GET https://v.vault.azure.net/secrets/app-001?api-version=7.5 200",
    "list secrets: 25 items, next page available",
    "x-ms-request-id: 6c1b0b7e-0000-0000-0000-000000000000",
    "https://a.blob.core.windows.net/c?restype=container&comp=list&maxresults=100",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact_text(text) == text


def test_every_logger_s_records_are_redacted_once_installed(tmp_path: Path) -> None:
    install_log_redaction()
    install_log_redaction()  # idempotent: one wrapper, not a chain
    factory = logging.getLogRecordFactory()
    install_log_redaction()
    assert logging.getLogRecordFactory() is factory

    path = tmp_path / "log.txt"
    handler = logging.FileHandler(path, encoding="utf-8")
    logger = logging.getLogger("some.third.party.library")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("callback %r with %s", f"URL('https://x/?sig={SIG}')", {"account_key": KEY})
        logger.info("connection string AccountKey=%s;", KEY)
        try:
            raise ValueError(f"bad url https://x/?sig={SIG} token {JWT}")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(logging.NOTSET)
    text = path.read_text(encoding="utf-8")
    assert "failed" in text and "ValueError" in text and "Traceback" in text
    for secret in (SIG, KEY, JWT):
        assert secret not in text, text


@pytest.mark.parametrize("entry", ["app", "audit"])
def test_both_entry_points_install_the_redaction(entry: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from vaultbrowser.core.audit import cli
    from vaultbrowser.core.services import redaction

    plain = logging.LogRecord
    monkeypatch.setattr(redaction, "_installed_factory", None)
    logging.setLogRecordFactory(plain)
    try:
        if entry == "app":
            from vaultbrowser.app import main

            assert main(["audit", "--output"]) != 0  # bad arguments: returns before any work
        else:
            from vaultbrowser.app import KINDS

            assert cli.main(["--output"], KINDS) != 0
        record = logging.getLogRecordFactory()("x", logging.INFO, __file__, 1,
                                               "GET %s", (f"https://a/?sig={SIG}",), None)
        assert SIG not in record.getMessage()
    finally:
        logging.setLogRecordFactory(plain)
        monkeypatch.undo()
        install_log_redaction()  # leave the process as the other tests found it
