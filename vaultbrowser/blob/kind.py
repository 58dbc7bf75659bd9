"""The Blob Storage kind as the registry sees it (``app.KINDS``): names, URLs, sign-in methods,
pasted connection strings and SAS URLs, command-line options, and the lazily loaded service,
audit, demo and Qt view."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vaultbrowser.blob.services.addresses import parse_blob_address
from vaultbrowser.blob.services.connection_strings import parse_account_key
from vaultbrowser.blob.services.connections import (
    BLOB,
    normalize_blob_endpoint,
    storage_connection_from_connection_string,
    storage_connection_from_sas_url,
)
from vaultbrowser.core.services.connections import (
    ENTRA_METHODS,
    AuthMethod,
    Connection,
    connections_from_env,
    is_loopback_url,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import DemoProvider, PastedConnection, ServiceKind
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.signin.clouds import signed_in_like

CONNECTION_STRING_ENV = "AZURE_STORAGE_CONNECTION_STRING"
SDK_MODULES = ("vaultbrowser.blob.services.blob_service", "azure.storage.blob.aio")


# A storage cylinder, blue with a dark outline: legible at 16 px on light and dark backgrounds.
ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<g stroke="#0b3d6e" stroke-width="1.6" stroke-linejoin="round">
<path d="M5 8v16c0 2.8 4.9 5 11 5s11-2.2 11-5V8z" fill="#2f8fe0"/>
<ellipse cx="16" cy="8" rx="11" ry="5" fill="#8cc8ff"/>
<path d="M5 16c0 2.8 4.9 5 11 5s11-2.2 11-5" fill="none"/>
</g>
</svg>"""


def normalize_account_url(text: str) -> str:
    """The blob endpoint of what the user typed (plain http only on loopback: Azurite).

    Raises:
        InvalidInput: empty, or not a blob endpoint.
    """
    if not text.strip():
        raise InvalidInput("Enter an account URL such as "
                           "https://myaccount.blob.core.windows.net.")
    return normalize_blob_endpoint(text, allow_http=is_loopback_url(text.strip()))


def _check_secret(auth: AuthMethod, text: str) -> SecretValue:
    # The session parses it again when the connection opens.
    return parse_account_key(text) if auth is AuthMethod.ACCOUNT_KEY else SecretValue(text)


def _open(session: Any, connection: Connection) -> Any:
    from vaultbrowser.blob.services.opener import open_storage

    return open_storage(session, connection)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--storage-account", action="append", default=[], metavar="URL",
                        help="a storage account URL or name (repeatable); Entra ID sign-in")
    parser.add_argument("--connection-string-env", action="append", default=[],
                        metavar="NAME", nargs="?", const=CONNECTION_STRING_ENV,
                        help="open the storage account whose connection string is in this "
                        f"environment variable (repeatable; default {CONNECTION_STRING_ENV})")


def _connections_from_args(args: argparse.Namespace) -> list[Connection]:
    return [*(Connection(BLOB, normalize_account_url(url)) for url in args.storage_account),
            *connections_from_env(
                BLOB, args.connection_string_env,
                lambda value: storage_connection_from_connection_string(value).url,
                "a storage connection string")]


async def _audit(collector: Any, connection: Connection) -> None:
    from vaultbrowser.blob.services.audit import audit_storage

    await audit_storage(collector, connection)


def _demo(workdir: Path, seed: bool) -> DemoProvider:
    from vaultbrowser.blob.services.demo.azurite_demo import AzuriteDemo

    return AzuriteDemo(workdir, seed)


def _connection_for_account(endpoint: str, sign_in: Connection,
                            account_key: SecretValue | None) -> Connection:
    """A storage account discovery found: with the sign-in that found it, or with the account
    key Resource Manager handed out (then named so, to say which way it is opened)."""
    url = normalize_account_url(endpoint)
    connection = signed_in_like(sign_in, BLOB, url)
    if account_key is None:
        return connection
    return Connection(BLOB, url, AuthMethod.ACCOUNT_KEY, read_only=sign_in.read_only,
                      name=f"{connection.display_name} (account key)", secret=account_key)


def _view(window: Any) -> Any:
    from vaultbrowser.blob.ui.view import BlobView

    return BlobView(window)


KIND = ServiceKind(
    name=BLOB,
    label="Storage account",
    nouns=("storage account", "storage accounts"),
    url_label="Account URL",
    url_placeholder="myaccount or https://myaccount.blob.core.windows.net",
    normalize_url=normalize_account_url,
    auth_methods=(*ENTRA_METHODS, AuthMethod.ACCOUNT_KEY, AuthMethod.LOCAL_EMULATOR),
    sdk_modules=SDK_MODULES,
    open=_open,
    add_arguments=_add_arguments,
    connections_from_args=_connections_from_args,
    audit=_audit,
    demo=_demo,
    view=_view,
    resource_type="microsoft.storage/storageaccounts",
    connection_for_resource=_connection_for_account,
    parse_address=parse_blob_address,
    icon_svg=ICON_SVG,
    pasted_connections=(
        PastedConnection(
            mode="connection-string", label="Connection string",
            auth=AuthMethod.CONNECTION_STRING,
            placeholder="DefaultEndpointsProtocol=https;AccountName=…;AccountKey=…",
            build=lambda text, name, read_only: storage_connection_from_connection_string(
                text, name=name, read_only=read_only)),
        PastedConnection(
            mode="sas", label="SAS URL", auth=AuthMethod.SAS,
            placeholder="https://myaccount.blob…/?sv=…&sig=…",
            build=lambda text, name, read_only: storage_connection_from_sas_url(
                text, name=name, read_only=read_only),
            env_names_resource=False, env_label="SAS token"),
    ),
    check_secret=_check_secret,
)
