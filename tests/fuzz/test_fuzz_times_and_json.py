"""Fuzz: wire timestamps, Key Vault JSON bodies (through the SDK's own models into our records),
and the formatting and audit rules that read them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from azure.keyvault.certificates._generated.models import CertificateBundle, CertificateItem
from azure.keyvault.certificates._models import (
    CertificateProperties as SdkCertificateProperties,
)
from azure.keyvault.certificates._models import KeyVaultCertificate
from azure.keyvault.keys._generated.models import KeyBundle, KeyItem
from azure.keyvault.keys._models import KeyProperties, KeyVaultKey
from azure.keyvault.secrets._generated.models import SecretBundle, SecretItem
from azure.keyvault.secrets._models import KeyVaultSecret, SecretProperties
from hypothesis import given
from hypothesis import strategies as st

from vaultbrowser.blob.services.listing_xml import _parse_rfc1123
from vaultbrowser.core.audit.findings import analyze
from vaultbrowser.core.audit.model import ItemKind
from vaultbrowser.core.models import formatting as fmt
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.services.translate import translate_error
from vaultbrowser.core.services.wire_time import MAX_EPOCH, MIN_EPOCH, TimeReader, to_utc
from vaultbrowser.keyvault.services.audit import vault_item_entry
from vaultbrowser.keyvault.services.sdk_records import certificate_record, key_record, secret_record

VAULT = "https://fuzz.vault.azure.net"

# JSON values as a hostile server could send them, with the edges seeded in.
EDGE_NUMBERS = st.sampled_from([MAX_EPOCH, MAX_EPOCH + 1, MIN_EPOCH, MIN_EPOCH - 1, 0, -1,
                                253_402_300_799, 10**20, -(10**20), 2**63, 1.5, 1e308,
                                float("nan"), float("inf"), float("-inf")])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), EDGE_NUMBERS,
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)
TIME_VALUE = st.one_of(JSON, EDGE_NUMBERS,
                       st.datetimes(timezones=st.sampled_from([UTC, None])))


@pytest.fixture(params=["Asia/Tokyo", "Pacific/Pago_Pago"])
def zone(request: pytest.FixtureRequest) -> Iterator[None]:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


@given(value=TIME_VALUE)
def test_wire_times(value: Any, fed: Any, zone: None) -> None:
    fed("timestamps (wire_time.to_utc, TimeReader)")
    try:
        converted = to_utc(value)
    except ValueError:
        converted = None
    else:
        assert converted.tzinfo is UTC
        fmt.when(converted), fmt.when_exact(converted), fmt.expiry_state(converted)
    reader = TimeReader()
    assert reader.read("expires_on", lambda: value) == converted
    assert ("expires_on" in reader.invalid) == (converted is None and value is not None)


@given(text=st.one_of(st.text(max_size=40), st.sampled_from([
    "Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Tue, 31 Feb 2026 0:0:0 GMT",
    "Sun, 06 Nov 1994 08:49:37 +1400", "", "GMT", "Mon, 99 Xyz 2026 25:61:61 GMT"])))
def test_rfc1123_dates(text: str, fed: Any) -> None:
    fed("timestamps (blob listing RFC 1123)")
    value = _parse_rfc1123(text)
    assert value is None or value.tzinfo is not None


def _attributes() -> Any:
    return st.fixed_dictionaries({}, optional={
        name: JSON for name in ("enabled", "nbf", "exp", "created", "updated", "recoveryLevel",
                                "recoverableDays")})


def _body() -> Any:
    ids = st.one_of(st.just(f"{VAULT}/secrets/name/0123456789abcdef0123456789abcdef"),
                    st.just(f"{VAULT}/keys/name"), st.text(max_size=30), JSON)
    return st.fixed_dictionaries({"id": ids}, optional={
        "attributes": st.one_of(_attributes(), JSON), "tags": JSON, "contentType": JSON,
        "managed": JSON, "kid": JSON, "value": JSON, "x5t": JSON, "cer": JSON,
        "key": JSON, "policy": JSON})


# Each shape: how the SDK turns a JSON body into its object (inside our ``translated()`` in the
# service), and how our boundary turns that object into our record (which must never raise).
_SHAPES: dict[str, tuple[Any, Any]] = {
    "secret listing item": (lambda body: SecretProperties._from_secret_item(SecretItem(body)),
                            lambda sdk: secret_record(sdk, VAULT)),
    "secret bundle": (lambda body: KeyVaultSecret._from_secret_bundle(SecretBundle(body)),
                      lambda sdk: secret_record(sdk.properties, VAULT)),
    "key listing item": (lambda body: KeyProperties._from_key_item(KeyItem(body)),
                         lambda sdk: key_record(sdk, VAULT)),
    "key bundle": (lambda body: KeyVaultKey._from_key_bundle(KeyBundle(body)),
                   lambda sdk: key_record(sdk.properties, VAULT, sdk.key)),
    "certificate listing item": (
        lambda body: SdkCertificateProperties._from_certificate_item(CertificateItem(body)),
        lambda sdk: certificate_record(sdk, VAULT)),
    "certificate bundle": (
        lambda body: KeyVaultCertificate._from_certificate_bundle(CertificateBundle(body)),
        lambda sdk: certificate_record(sdk.properties, VAULT, sdk)),
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
@given(body=_body())
def test_key_vault_json_bodies(shape: str, body: dict[str, Any], fed: Any) -> None:
    """A body the SDK accepts becomes our record with valid fields, or a typed error; what
    the SDK itself refuses to model is the SDK's (a page of such bodies fails translated)."""
    fed(f"Key Vault JSON ({shape})")
    make, convert = _SHAPES[shape]
    try:
        sdk = make(body)
    except Exception as exc:  # the service's translated() turns this into a typed error
        assert isinstance(translate_error(exc), VaultBrowserError)
        return
    record = convert(sdk)
    for field in ("created_on", "updated_on", "not_before", "expires_on"):
        value = getattr(record, field)
        assert value is None or (isinstance(value, datetime) and value.tzinfo is UTC)
        fmt.time_field(record, field), fmt.time_field(record, field, exact=True)
    assert record.enabled in (None, True, False)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in record.tags.items())
    kind = {"secret": ItemKind.SECRET, "key": ItemKind.KEY}.get(shape.split()[0],
                                                               ItemKind.CERTIFICATE)
    analyze([vault_item_entry(record, kind, "fuzz")], [], datetime.now(UTC))
