"""``outContentType`` of a secret read: a certificate's PKCS#12 secret handed out as PEM.

The service converts PFX to PEM only; another requested format is refused, and asking for the
format the secret already has returns it unchanged.
"""

from __future__ import annotations

import binascii
from typing import Any

from vaultbrowser.emulators.keyvault.crypto.x509make import PEM, PKCS12, pfx_value_as_pem
from vaultbrowser.emulators.keyvault.errors import bad_parameter
from vaultbrowser.emulators.keyvault.store import Version


def convert(out: dict[str, Any], ver: Version, wanted: str) -> None:
    """Rewrite the SecretBundle ``out`` of ``ver`` into the ``wanted`` media type.

    Raises:
        KvError: 400 BadParameter for an unknown or unsupported conversion.
    """
    wanted = wanted.strip().lower()
    if wanted not in (PKCS12, PEM):
        raise bad_parameter(
            f"The specified outContentType ({wanted}) is not supported. Supported values are "
            f"{PKCS12} and {PEM}."
        )
    have = (ver.data.get("contentType") or "").lower()
    if have == wanted:
        return
    if not (ver.managed and have == PKCS12 and wanted == PEM):
        raise bad_parameter(
            f"Conversion of the secret's content from '{have or 'none'}' to '{wanted}' is not "
            "supported; only a certificate's PKCS#12 content can be converted to PEM."
        )
    try:
        out["value"] = pfx_value_as_pem(out.get("value", ""))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise bad_parameter("The secret's PKCS#12 content cannot be converted to PEM.") from exc
    out["contentType"] = PEM
