"""Fuzz: the one redaction runs on every text that leaves the service layer, so it must take
any text, never raise, and leave no signature behind wherever ``sig=`` introduces one."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from vaultbrowser.core.services.redaction import redact_headers, redact_text, redact_url

SIG = "FuzzSentinelSig0b5e"
TEXT = st.text(max_size=60)
CARRIERS = st.sampled_from([
    "{}?sv=1&sig={}&se=2", "{}&sig={}", "{} sig={}", "{} SharedAccessSignature=sv=1&sig={}",
    "{}%3Fsv%3D1%26sig%3D{}", "{}'x-ms-copy-source': 'https://a/b?sig={}'",
])


@given(prefix=TEXT, carrier=CARRIERS, suffix=TEXT)
def test_text(prefix: str, carrier: str, suffix: str, fed: Any) -> None:
    fed("redaction (text, URLs, headers)")
    planted = carrier.format(prefix, SIG) + suffix
    assert SIG not in redact_text(planted)
    assert redact_text(redact_text(planted)) == redact_text(planted)


@given(noise=TEXT, host=TEXT, tail=TEXT)
def test_url(noise: str, host: str, tail: str, fed: Any) -> None:
    fed("redaction (text, URLs, headers)")
    redact_url(noise)  # any text: a URL or "<unparseable URL>", never an exception
    redacted = redact_url(f"https://{host}/p{tail}?sig={SIG}&x={tail}")
    assert SIG not in redacted and quote(SIG) not in redacted


@given(headers=st.lists(st.tuples(st.sampled_from(["Authorization", "x-ms-copy-source",
                                                    "x-ms-meta-a", "Location", "x"]), TEXT),
                        max_size=5))
def test_headers(headers: list[tuple[str, str]], fed: Any) -> None:
    fed("redaction (text, URLs, headers)")
    planted = [*headers, ("x-ms-copy-source", f"https://a/b?sv=1&sig={SIG}")]
    assert SIG not in repr(redact_headers(planted))
