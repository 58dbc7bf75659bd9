"""The ``api-version`` query parameter: every version the SDKs send, 7.0 onward and previews."""

from __future__ import annotations

import re

from vaultbrowser.emulators.keyvault.errors import bad_parameter

LATEST = "2026-04-01"
KNOWN = frozenset(
    {"2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", LATEST}
)
_PREVIEW = re.compile(r"^(7\.\d+|20\d\d-\d\d-\d\d)-preview(\.\d+)?$")
_SEVEN = re.compile(r"^7\.\d+$")


def check_api_version(value: str | None) -> str:
    """Return the validated version.

    Raises:
        KvError: 400 BadParameter when missing or not recognised, worded like the service.
    """
    if not value:
        raise bad_parameter("The 'api-version' parameter is missing.")
    if value in KNOWN or _PREVIEW.match(value) or _SEVEN.match(value):
        return value
    raise bad_parameter(
        f"The specified version ({value}) is not recognized. Consider using the latest supported "
        f"version ({LATEST})."
    )
