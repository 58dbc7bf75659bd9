"""Redaction and HTTP capture: no credential ever reaches a ResponseInfo or the journal."""

from __future__ import annotations

from vaultbrowser.core.services.http.transport import REDACTED, redact_headers, redact_url


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
