"""What the window's modules import where a function first needs it (cryptography for a secret's
PEM / PKCS#12 view, a certificate's details and a key's export; azure-core's exceptions for
error translation) is already imported by the background import (``sdk_imports``: the common
modules and the Key Vault kind's ``SDK_MODULES``): using it then imports nothing on the loop's
thread."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
import textwrap

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def _values() -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lazy.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(7)
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("lazy.example")]), False)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    pfx = pkcs12.serialize_key_and_certificates(b"lazy", key, cert, None,
                                                serialization.NoEncryption())
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_numbers()

    def b64url(number: int) -> str:
        return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()

    return {"pem": pem, "pfx": base64.b64encode(pfx).decode(),
            "der": base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode(),
            "ec_x": b64url(point.x), "ec_y": b64url(point.y)}


CHILD = textwrap.dedent("""
    import asyncio, base64, json, sys
    values = json.loads(sys.argv[1])
    # What the window imports before its first paint …
    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.translate import translate_error
    from vaultbrowser.keyvault.services.key_export import public_key_from_jwk
    from vaultbrowser.keyvault.services.value_formats import analyse
    from vaultbrowser.keyvault.services.certificates.operations import VaultCertificates
    # … then what sdk_imports loads in the background after it.
    from vaultbrowser.core.services.sdk_imports import import_sdk
    asyncio.run(import_sdk(name for kind in KINDS if kind.name == "keyvault"
                           for name in kind.sdk_modules))
    before = set(sys.modules)
    from vaultbrowser.keyvault.services.certificates.x509 import parse_certificate
    pem, pfx = analyse(values["pem"]), analyse(values["pfx"])
    shown = [pem.pem_blocks[0].summary, dict(pfx.decoded_rows).get("Private key"),
             parse_certificate(base64.b64decode(values["der"])).subject]
    exported = public_key_from_jwk({"kty": "EC", "crv": "P-256", "x": values["ec_x"],
                                    "y": values["ec_y"], "kid": "https://v/keys/k/1"})
    shown += [exported.description, *(exported.export(fmt)[:10].decode()
                                       for fmt in ("pem", "jwk", "openssh"))]
    from azure.core.exceptions import ServiceRequestError
    shown.append(type(translate_error(ServiceRequestError("refused"))).__name__)
    print("SHOWN", json.dumps(shown))
    print("NEW", json.dumps(sorted(set(sys.modules) - before)))
""")


def test_using_what_loads_lazily_imports_nothing_new() -> None:
    import json

    result = subprocess.run([sys.executable, "-c", CHILD, json.dumps(_values())],
                            capture_output=True, text=True, timeout=120, check=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines() if " " in line)
    shown = json.loads(lines["SHOWN"])
    # Each value was really decoded (a failed decode would show its "could not be decoded").
    assert shown[:3] == ["Certificate: CN=lazy.example", "RSA 2048 bits",
                         "CN=lazy.example"], shown
    assert shown[3] == "EC P-256" and shown[4].startswith("-----BEGIN")
    assert shown[-1] == "NetworkError"
    assert json.loads(lines["NEW"]) == [], result.stdout
