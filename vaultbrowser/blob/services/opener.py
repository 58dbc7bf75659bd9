"""Opening a storage account: a ``BlobService`` over the session's transport and the
connection's one credential (Entra ID, an account key, a SAS, or the emulator's public key).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vaultbrowser.blob.services.connection_strings import parse_account_key, parse_sas_token
from vaultbrowser.blob.services.connections import (
    BLOB,
    DEVSTORE_ACCOUNT,
    StorageConnectionParts,
    endpoint_account,
    normalize_blob_endpoint,
    parse_storage_connection_string,
    sas_url_parts,
)
from vaultbrowser.blob.services.operation_names import blob_operation_name
from vaultbrowser.core.services.connections import AuthMethod, Connection, is_loopback_url
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.session import ServiceSession

if TYPE_CHECKING:  # the storage SDK loads when the first account opens
    from vaultbrowser.blob.services.blob_service import BlobService

# Azurite's well-known development account key (public, documented by Microsoft).
DEVSTORE_ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


def open_storage(session: ServiceSession, connection: Connection) -> BlobService:
    """A ``BlobService`` for one storage account, owned by ``session``. Nothing is sent until
    the first call.

    A connection string, SAS or account key is parsed here (``storage_secret_parts``): the
    SDK gets the endpoint the connection shows and one credential, never the raw text.

    Raises:
        InvalidInput: not a storage connection, or its secret is missing or malformed, or
            names another endpoint than the connection's URL (nothing is sent).
    """
    from azure.storage.blob.aio import BlobServiceClient

    from vaultbrowser.blob.services.blob_service import BlobService

    if connection.kind != BLOB:
        raise InvalidInput(f"{connection.display_name} is not a storage connection.")
    url: str = connection.url
    credential: Any = None
    if connection.auth in (AuthMethod.CONNECTION_STRING, AuthMethod.ACCOUNT_KEY,
                           AuthMethod.SAS):
        parts = storage_secret_parts(connection)
        url = parts.blob_endpoint
        if parts.sas is not None:
            from azure.core.credentials import AzureSasCredential

            credential = AzureSasCredential(parts.sas.token.reveal())
        else:  # exactly one credential: an account key, or the emulator's public one
            key = (DEVSTORE_ACCOUNT_KEY if parts.development_storage
                   else _revealed(parts.account_key))
            credential = {"account_name": parts.account_name or account_name_of(url),
                          "account_key": key}
    elif connection.auth is AuthMethod.LOCAL_EMULATOR:
        credential = {"account_name": account_name_of(url),
                      "account_key": DEVSTORE_ACCOUNT_KEY}
    transport = session.transport(connection, names=blob_operation_name)
    options: dict[str, Any] = {"transport": transport, **session.client_options()}
    if credential is None:
        credential = session.token_credential(connection)
    client = BlobServiceClient(url, credential=credential, **options)
    service = BlobService(client, name=connection.display_name)
    session.adopt(service, transport)
    return service


def _revealed(secret: SecretValue | None) -> str:
    if secret is None:  # StorageConnectionParts always carries one credential
        raise InvalidInput("The storage connection has no credential.")
    return secret.reveal()


def account_name_of(url: str) -> str:
    """The storage account name of a blob endpoint (``acct`` of ``acct.blob.core…``, or the
    path of an emulator URL such as ``http://127.0.0.1:10000/devstoreaccount1``; Azurite's
    default account at a bare loopback address).

    Raises:
        InvalidInput: the address does not tell (a custom domain, or not an account name).
    """
    name = endpoint_account(url)
    if name is None and is_loopback_url(url) and not urlsplit(url).path.strip("/"):
        return DEVSTORE_ACCOUNT
    if name is None:
        raise InvalidInput(f"The storage account name of {url} cannot be told from the address.",
                           advice="Use a connection string with AccountName and AccountKey.")
    return name


def storage_secret_parts(connection: Connection) -> StorageConnectionParts:
    """What a connection-string, SAS or account-key connection gives the SDK: its secret (in
    memory, or read now from ``secret_env``) parsed with the same strict parsers as when it was
    added, for exactly the endpoint the connection shows.

    Raises:
        InvalidInput: the secret is missing or malformed, or names another endpoint than the
            connection's URL (e.g. the environment variable changed since it was saved).
    """
    secret = connection.resolve_secret()
    if secret is None:
        raise InvalidInput(f"{connection.auth.label} needs a secret for "
                           f"{connection.display_name}.")
    shown = normalize_blob_endpoint(connection.url, allow_http=is_loopback_url(connection.url))
    text = secret.reveal().strip()
    if connection.auth is AuthMethod.CONNECTION_STRING:
        parts = parse_storage_connection_string(text)
    elif connection.auth is AuthMethod.SAS:  # a token, or a whole SAS URL (from a variable)
        url, sas = sas_url_parts(text) if "://" in text else (shown, parse_sas_token(text))
        parts = StorageConnectionParts(url, endpoint_account(url), sas=sas)
    else:
        parts = StorageConnectionParts(shown, endpoint_account(shown),
                                       account_key=parse_account_key(text))
    if parts.blob_endpoint != shown:
        source = (f"the environment variable {connection.secret_env}"
                  if connection.secret is None and connection.secret_env else "its secret")
        raise InvalidInput(
            f"{connection.display_name} was not opened: {source} names another storage "
            f"endpoint than {shown}.",
            advice="vaultbrowser connects only to the account it shows. Set the variable back, "
                   "or remove the connection and add it again.")
    return parts
