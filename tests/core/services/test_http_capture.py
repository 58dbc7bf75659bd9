"""Redaction and HTTP capture: no credential ever reaches a ResponseInfo or the journal."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.rest import HttpRequest

from tests.mock_transport import MockResponse, MockTransport
from vaultbrowser.core.services.http.capture import info_for
from vaultbrowser.core.services.http.journal import HttpJournal
from vaultbrowser.core.services.http.transport import RecordingTransport
from vaultbrowser.core.services.redaction import REDACTED, redact_headers, redact_url


def test_redact_url_hides_sas_signature_and_user_info() -> None:
    url = ("https://user:pass@acct.blob.core.windows.net/c/b%20x?sv=2024-08-04&ss=b"
           "&sig=abc%2Bdef%3D&se=2030-01-01")
    redacted = redact_url(url)
    assert "abc" not in redacted and "pass" not in redacted and "user" not in redacted
    assert f"sig={REDACTED}" in redacted
    assert "sv=2024-08-04" in redacted and "/c/b%20x" in redacted


def test_redact_url_keeps_plain_urls_intact() -> None:
    url = "https://v.vault.azure.net/secrets?api-version=2025-07-01&maxresults=25"
    assert redact_url(url) == url


def test_redact_headers_hides_credentials_case_insensitively() -> None:
    headers = redact_headers({"Authorization": "Bearer eyJ.secret", "set-cookie": "a=b",
                              "x-ms-request-id": "rid-1", "ETag": '"0x1"'})
    values = dict(headers)
    assert values["Authorization"] == REDACTED and values["set-cookie"] == REDACTED
    assert values["x-ms-request-id"] == "rid-1" and values["ETag"] == '"0x1"'


def test_unparseable_url_does_not_raise() -> None:
    assert redact_url("http://[::1") == "<unparseable URL>"


# --- through the transport: what a response carries never reaches the journal in clear -------

def test_a_response_s_credentials_are_redacted_in_its_info_and_the_journal(run: Any) -> None:
    """Headers no real server here sends (a copy source with a SAS, a cookie, a key) still
    leave the transport redacted; the request id and the timing are kept."""
    sas = "sv=2024-08-04&sig=SECRETSIGNATURE%3D"
    journal = HttpJournal()

    def answer(request: HttpRequest) -> MockResponse:
        return MockResponse(200, {
            "x-ms-request-id": "rid-42",
            "x-ms-copy-source": f"https://src.blob.core.windows.net/c/b?{sas}",
            "Set-Cookie": "session=abc123",
            "ETag": '"0x1"'})

    mock = MockTransport(answer)
    transport = RecordingTransport(mock, journal=journal, connection="acct")
    request = HttpRequest("GET", f"https://acct.blob.core.windows.net/c/b?{sas}",
                          headers={"Authorization": "Bearer eyJ.secret.token"})
    response = run(transport.send(request))
    info = info_for(response)
    assert info.status == 200 and info.request_id == "rid-42" and info.elapsed >= 0
    record = journal.records()[-1]
    texts = [info.url, record.url, *(value for _name, value in info.headers)]
    assert not [text for text in texts if "SECRETSIGNATURE" in text or "abc123" in text]
    assert dict(info.headers)["ETag"] == '"0x1"'
    assert record.authorized and record.connection == "acct"
    assert mock.requests == [request]  # the transport sent the request itself, unchanged


def test_the_read_only_guard_refuses_before_the_transport_sees_the_request(run: Any) -> None:
    from vaultbrowser.core.services.errors import ReadOnlyRefused
    from vaultbrowser.core.services.http.readonly import read_only_guard

    journal = HttpJournal()
    mock = MockTransport(lambda request: MockResponse(201))
    transport = RecordingTransport(mock, journal=journal, guard=read_only_guard("acct"))
    with pytest.raises(ReadOnlyRefused):
        run(transport.send(HttpRequest("PUT", "https://acct.blob.core.windows.net/c/b")))
    assert mock.requests == [] and journal.records()[-1].refused
