"""Demo certificates with explicit validity, imported through the SDK after the emulator started.

The emulator's seed issues certificates "now" for ``validity_months`` months, so a certificate
expiring in ~20 days or an expired one cannot be seeded: :func:`import_demo_certificates` imports
PFX files made here instead (RSA 1024 stays impossible: the emulator refuses the key size on
import too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from vaultbrowser.keyvault.services.demo.hostile import (
    HostileExtension,
    hostile_certificate,
)
from vaultbrowser.keyvault.services.demo.seed import DEMO_DOMAIN, tags

__all__ = ["DemoCertificateImport", "demo_certificate_imports", "import_demo_certificates"]


@dataclass(frozen=True)
class DemoCertificateImport:
    """A PFX (no password) to import with ``CertificateClient.import_certificate``."""

    name: str
    pfx: bytes
    not_before: dt.datetime
    not_after: dt.datetime
    tags: dict[str, str] = field(default_factory=dict)


def _issue(
    subject_cn: str,
    sans: Sequence[str],
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
    issuer_key: rsa.RSAPrivateKey,
    issuer: x509.Name,
    not_before: dt.datetime,
    not_after: dt.datetime,
) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso Demo Ltd")])
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in sans]), False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .sign(issuer_key, hashes.SHA256())
    )


def demo_certificate_imports(now: dt.datetime | None = None) -> list[DemoCertificateImport]:
    """Certificates the seed format cannot express: issued by a fake "Contoso Demo Issuing
    CA" with explicit dates.

    - ``partner-portal-tls``: RSA 2048, expires in 18 days.
    - ``legacy-vpn-gateway``: RSA 2048, expired 30 days ago.
    - ``iot-hub-device-ca``: EC P-256, expires in 55 days.
    - ``partner-sso-legacy``: its subjectAltName extension appears twice.
    - ``vendor-appliance-mgmt``: its issuerAltName extension does not decode.
    """
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Contoso Demo Issuing CA 01"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Contoso Demo Ltd")])
    day = dt.timedelta(days=1)
    specs: list[tuple[str, str, list[str], Any, dt.datetime, dt.datetime, dict[str, str]]] = [
        ("partner-portal-tls", f"partners.{DEMO_DOMAIN}",
         [f"partners.{DEMO_DOMAIN}", f"partner-api.{DEMO_DOMAIN}"],
         rsa.generate_private_key(public_exponent=65537, key_size=2048),
         now - 347 * day, now + 18 * day, tags("prod", "partners", "partner-portal")),
        ("legacy-vpn-gateway", f"vpn.{DEMO_DOMAIN}", [f"vpn.{DEMO_DOMAIN}"],
         rsa.generate_private_key(public_exponent=65537, key_size=2048),
         now - 395 * day, now - 30 * day, tags("prod", "it", "site-to-site-vpn")),
        ("iot-hub-device-ca", f"devices.{DEMO_DOMAIN}", [f"devices.{DEMO_DOMAIN}"],
         ec.generate_private_key(ec.SECP256R1()), now - 310 * day, now + 55 * day,
         tags("prod", "iot", "telemetry-ingest")),
    ]
    out: list[DemoCertificateImport] = []
    for name, cn, sans, key, nbf, exp, item_tags in specs:
        cert = _issue(cn, sans, key, ca_key, ca_name, nbf, exp)
        pfx = pkcs12.serialize_key_and_certificates(
            name.encode(), key, cert, None, serialization.NoEncryption()
        )
        out.append(DemoCertificateImport(name, pfx, nbf, exp, item_tags))
    # Certificates nobody here issued: an extension twice, an extension that does not decode.
    for name, kind, cn, item_tags in (
            ("partner-sso-legacy", HostileExtension.DUPLICATE, f"sso.{DEMO_DOMAIN}",
             tags("prod", "partners", "sso-bridge")),
            ("vendor-appliance-mgmt", HostileExtension.UNDECODABLE, f"appliance.{DEMO_DOMAIN}",
             tags("prod", "it", "vendor-appliance"))):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        nbf, exp = now - 100 * day, now + 265 * day
        der = hostile_certificate(kind, key, cn, cn, nbf, exp, issuer=ca_name, issuer_key=ca_key)
        pfx = pkcs12.serialize_key_and_certificates(
            name.encode(), key, x509.load_der_x509_certificate(der), None,
            serialization.NoEncryption())
        out.append(DemoCertificateImport(name, pfx, nbf, exp, item_tags))
    return out


async def import_demo_certificates(client: Any, now: dt.datetime | None = None) -> list[str]:
    """Import :func:`demo_certificate_imports` with an async ``CertificateClient``.

    Idempotent: certificates that already exist are left alone. Returns the imported names.

    Raises:
        azure.core.exceptions.HttpResponseError: the vault refused an import.
    """
    # One listing instead of a GET per name: no 404s in the activity panel on first start.
    existing = {props.name async for props in client.list_properties_of_certificates()}
    imported: list[str] = []
    for item in demo_certificate_imports(now):
        if item.name in existing:
            continue
        await client.import_certificate(item.name, item.pfx, tags=item.tags)
        imported.append(item.name)
    return imported
