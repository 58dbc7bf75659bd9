"""The Cosmos DB (NoSQL API) kind as the registry sees it (``app.KINDS``): names, addresses,
sign-in methods, command-line options, and the lazily loaded service (azure-cosmos), audit,
demo and Qt view."""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from vaultbrowser.core.services.connections import (
    ENTRA_METHODS,
    AuthMethod,
    Connection,
    connections_from_env,
    is_loopback_url,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import (
    Address,
    DemoProvider,
    PastedConnection,
    ServiceKind,
)
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.cosmos.services.addresses import (
    COSMOS_KIND,
    account_key,
    cosmos_suffixes,
    normalize_cosmos_url,
    parse_connection_string,
)
from vaultbrowser.cosmos.services.audit_options import add_audit_arguments
from vaultbrowser.cosmos.services.discovered import (
    COSMOS_RESOURCE_TYPE,
    cosmos_connection_for_resource,
)

# Imported off the loop's thread before the first account opens.
SDK_MODULES = ("vaultbrowser.cosmos.services.lazy_service", "azure.cosmos.aio")
AUTH_METHODS = (*ENTRA_METHODS, AuthMethod.ACCOUNT_KEY, AuthMethod.LOCAL_EMULATOR)

# A planet with its ring (Cosmos): the ring's far half behind the blue disc, its near half in
# front; dark outlines keep it legible at 16 px on light and dark backgrounds.
ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<g transform="rotate(-25 16 16)" fill="none">
<path d="M1.5 16A14.5 5 0 0 1 30.5 16" stroke="#0c3563" stroke-width="3.4"/>
<path d="M1.5 16A14.5 5 0 0 1 30.5 16" stroke="#7fd0ff" stroke-width="1.6"/>
</g>
<circle cx="16" cy="16" r="9.5" fill="#2b7cd3" stroke="#0c3563" stroke-width="1.6"/>
<path d="M9.5 11.5c2-2.6 5-3.6 7.8-3.1" fill="none" stroke="#bfe0ff" stroke-width="2"
 stroke-linecap="round"/>
<g transform="rotate(-25 16 16)" fill="none">
<path d="M1.5 16A14.5 5 0 0 0 30.5 16" stroke="#0c3563" stroke-width="3.4"/>
<path d="M1.5 16A14.5 5 0 0 0 30.5 16" stroke="#7fd0ff" stroke-width="1.6"/>
</g>
</svg>"""


def cosmos_connection_from_connection_string(text: str, name: str = "",
                                             read_only: bool = False) -> Connection:
    """A connection whose secret is the pasted connection string (parsed again when it opens);
    its URL is the string's endpoint. No message quotes the text.

    Raises:
        InvalidInput: see ``parse_connection_string``.
    """
    parsed = parse_connection_string(text)
    return Connection(COSMOS_KIND, parsed.endpoint, AuthMethod.CONNECTION_STRING, name=name,
                      read_only=read_only, secret=SecretValue(text.strip()))


def parse_cosmos_address(text: str) -> Address | None:
    """A pasted account endpoint (``https://<account>.documents.azure.com/``) or connection
    string (``AccountEndpoint=…;AccountKey=…``) as the connection that opens it; None for
    another kind's text.

    Raises:
        InvalidInput: a Cosmos DB address that is not valid (never quoting a key).
    """
    stripped = text.strip()
    if stripped.lower().startswith(("accountendpoint=", "accountkey=")):
        return Address(COSMOS_KIND, cosmos_connection_from_connection_string(stripped), (),
                       text)
    host = stripped.lower().split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    if not host.endswith(cosmos_suffixes()):
        return None
    return Address(COSMOS_KIND, Connection(COSMOS_KIND, normalize_cosmos_url(stripped)), (),
                   text)


def _check_secret(auth: AuthMethod, text: str) -> SecretValue:
    if auth is AuthMethod.ACCOUNT_KEY:
        return account_key(text)
    return SecretValue(text)


def _open(session: Any, connection: Connection) -> Any:
    from vaultbrowser.cosmos.services.lazy_service import LazyCosmosService

    return LazyCosmosService.for_connection(session, connection)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cosmos", action="append", default=[], metavar="URL",
                        help="a Cosmos DB account endpoint or name (repeatable; Entra ID "
                        "sign-in; an endpoint on this computer is a local server, no sign-in)")
    parser.add_argument("--cosmos-ca", metavar="PEM",
                        help="trust this CA certificate for the local Cosmos DB servers given "
                        "(an endpoint or connection string on this computer with its own "
                        "certificate, e.g. the Cosmos DB Emulator's; never for Azure)")
    parser.add_argument("--cosmos-connection-string-env", action="append", default=[],
                        metavar="NAME",
                        help="open the Cosmos DB account whose connection string is in this "
                        "environment variable (repeatable)")
    add_audit_arguments(parser)  # the audit's TTL expectations and item size sample


def _with_local_ca(connections: list[Connection], ca_file: str | None) -> list[Connection]:
    """``--cosmos-ca``: the local servers among ``connections`` (``--cosmos`` endpoints and
    connection strings on this computer, e.g. the Cosmos DB Emulator's) trust that CA.

    Raises:
        InvalidInput: the file does not exist, or no connection is to a local server.
    """
    if not ca_file:
        return connections
    if not os.path.isfile(ca_file):
        raise InvalidInput(f"The CA certificate file {ca_file} does not exist.",
                           advice="Give the PEM file of the CA that signed the local server's "
                                  "certificate.")
    if not any(is_loopback_url(connection.url) for connection in connections):
        raise InvalidInput("--cosmos-ca is for a local server: no Cosmos DB endpoint given is "
                           "on this computer.",
                           advice="Azure accounts are verified with the system's trust store.")
    path = os.path.abspath(ca_file)
    return [replace(connection, ca_path=path) if is_loopback_url(connection.url)
            else connection for connection in connections]


def _connections_from_args(args: argparse.Namespace) -> list[Connection]:
    connections = []
    for url in args.cosmos:
        endpoint = normalize_cosmos_url(url)
        auth = AuthMethod.LOCAL_EMULATOR if is_loopback_url(endpoint) else AuthMethod.DEFAULT
        connections.append(Connection(COSMOS_KIND, endpoint, auth))
    return _with_local_ca([*connections, *connections_from_env(
        COSMOS_KIND, args.cosmos_connection_string_env,
        lambda value: parse_connection_string(value).endpoint,
        "a Cosmos DB connection string (AccountEndpoint=…;AccountKey=…;)")], args.cosmos_ca)


async def _audit(collector: Any, connection: Connection) -> None:
    from vaultbrowser.cosmos.services.audit import audit_cosmos

    await audit_cosmos(collector, connection)


def _demo(workdir: Path, seed: bool) -> DemoProvider:
    from vaultbrowser.cosmos.services.demo.cosmos_demo import CosmosDemo

    return CosmosDemo(workdir, seed)


def _view(window: Any) -> Any:
    from vaultbrowser.cosmos.ui.view import CosmosView

    return CosmosView(window)


KIND = ServiceKind(
    name=COSMOS_KIND,
    label="Cosmos DB",
    nouns=("Cosmos DB account", "Cosmos DB accounts"),
    url_label="Account endpoint",
    url_placeholder="myaccount or https://myaccount.documents.azure.com/",
    normalize_url=normalize_cosmos_url,
    auth_methods=AUTH_METHODS,
    sdk_modules=SDK_MODULES,
    open=_open,
    add_arguments=_add_arguments,
    connections_from_args=_connections_from_args,
    audit=_audit,
    demo=_demo,
    view=_view,
    pasted_connections=(
        PastedConnection(
            mode="connection-string", label="Connection string",
            auth=AuthMethod.CONNECTION_STRING,
            placeholder="AccountEndpoint=https://myaccount.documents.azure.com:443/;"
                        "AccountKey=…;",
            build=cosmos_connection_from_connection_string),
    ),
    resource_type=COSMOS_RESOURCE_TYPE,
    connection_for_resource=cosmos_connection_for_resource,
    parse_address=parse_cosmos_address,
    icon_svg=ICON_SVG,
    check_secret=_check_secret,
)
