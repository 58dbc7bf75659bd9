"""Shared access signature URLs for a blob or a container.

The connection decides how the SAS is signed: with the account key when the client signs
requests with Shared Key (account key, connection string, the local emulator), or with a user
delegation key when it signs in with Microsoft Entra ID (a token credential: the key is asked
from the service, and the SAS can live at most 7 days). A connection that only holds a SAS
cannot make another one. The URL carries a signature, so it is handed out as a ``SecretValue``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.http.capture import ResponseCapture
from vaultbrowser.core.services.records import Result, SecretValue
from vaultbrowser.core.services.translate import translated

__all__ = [
    "BLOB_PERMISSIONS",
    "CONTAINER_PERMISSIONS",
    "MAX_USER_DELEGATION_VALIDITY",
    "generate_sas_url",
    "validate_permissions",
]

# Letters of a service SAS's ``sp``, in the order the service expects them.
BLOB_PERMISSIONS = "racwdxytmei"
CONTAINER_PERMISSIONS = "racwdxyltfmei"
MAX_USER_DELEGATION_VALIDITY = timedelta(days=7)
# A user delegation key starts a little in the past: clocks differ.
_KEY_CLOCK_SKEW = timedelta(minutes=5)

_NAMES = {
    "r": "read", "a": "add", "c": "create", "w": "write", "d": "delete",
    "x": "delete previous version", "y": "permanent delete", "l": "list", "t": "tags",
    "f": "find by tags", "m": "move", "e": "execute", "i": "set immutability policy",
}


def validate_permissions(permissions: str, *, blob: bool) -> str:
    """``permissions`` as SAS letters in canonical order (``"wr"`` → ``"rw"``).

    Raises:
        InvalidInput: empty, a letter that does not apply (e.g. "l" on a blob SAS), or a
            letter given twice.
    """
    allowed = BLOB_PERMISSIONS if blob else CONTAINER_PERMISSIONS
    scope = "a blob" if blob else "a container"
    listed = ", ".join(f"{letter} ({_NAMES[letter]})" for letter in allowed)
    if not permissions:
        raise InvalidInput("Choose at least one permission for the SAS.",
                           advice=f"Permissions for {scope}: {listed}.")
    for letter in permissions:
        if letter not in allowed:
            raise InvalidInput(f"The permission {letter!r} does not apply to {scope} SAS.",
                               advice=f"Permissions for {scope}: {listed}.")
        if permissions.count(letter) > 1:
            raise InvalidInput(f"The permission {letter!r} is given twice.")
    return "".join(letter for letter in allowed if letter in permissions)


def _check_times(expires_on: datetime, starts_on: datetime | None, now: datetime) -> None:
    for value, what in ((expires_on, "expiry"), (starts_on, "start")):
        if value is not None and value.tzinfo is None:
            raise InvalidInput(f"The SAS {what} needs a time zone (e.g. UTC).")
    if expires_on <= now:
        raise InvalidInput("The SAS expiry is in the past.", advice="Choose a later expiry.")
    if starts_on is not None and starts_on >= expires_on:
        raise InvalidInput("The SAS start is not before its expiry.")


async def generate_sas_url(
    client: Any,
    url: str,
    container: str,
    name: str | None,
    *,
    permissions: str,
    expires_on: datetime,
    starts_on: datetime | None = None,
) -> Result[SecretValue]:
    """``url`` (the blob's, or the container's when ``name`` is None) with a service SAS.

    ``client`` is the service's ``BlobServiceClient``. Signed with the account key (no
    request: the Result's response is None) or with a user delegation key (one request, whose
    response the Result carries). Names are validated by the caller.

    Raises:
        InvalidInput: bad permissions or times (timezone-aware, expiry in the future and after
            the start; at most 7 days ahead with Entra ID), or the connection has neither an
            account key nor a token credential.
        VaultBrowserError: the typed error of the user delegation key request (e.g.
            AccessDenied without "Storage Blob Delegator").
    """
    # the SDK loads off the loop's thread, after the first paint (sdk_imports)
    from azure.storage.blob import (
        BlobSasPermissions,
        ContainerSasPermissions,
        generate_blob_sas,
        generate_container_sas,
    )

    letters = validate_permissions(permissions, blob=name is not None)
    now = datetime.now(UTC)
    _check_times(expires_on, starts_on, now)
    credential = getattr(client, "credential", None)
    account_name = client.account_name
    signing: dict[str, Any]
    response = None
    if getattr(credential, "account_key", None):
        signing = {"account_key": credential.account_key}
    elif hasattr(credential, "get_token"):
        if expires_on - now > MAX_USER_DELEGATION_VALIDITY:
            raise InvalidInput(
                "A SAS signed with your Entra ID sign-in (user delegation) can be valid for "
                "at most 7 days.", advice="Choose an expiry within 7 days.")
        capture = ResponseCapture()
        async with translated():
            key = await client.get_user_delegation_key(
                (starts_on or now) - _KEY_CLOCK_SKEW, expires_on, **capture.hooks
            )
        response = capture.take()
        signing = {"user_delegation_key": key}
    else:
        raise InvalidInput(
            "This connection cannot sign a SAS: it has no account key and no Entra ID sign-in "
            "(a connection that uses a SAS cannot make another one).",
            advice="Connect with the account key, a connection string with a key, or Entra ID.")
    if name is None:
        token = generate_container_sas(
            account_name, container,
            permission=ContainerSasPermissions.from_string(letters),
            expiry=expires_on, start=starts_on, **signing,
        )
    else:
        token = generate_blob_sas(
            account_name, container, name,
            permission=BlobSasPermissions.from_string(letters),
            expiry=expires_on, start=starts_on, **signing,
        )
    return Result(SecretValue(f"{url}?{token}"), response)
