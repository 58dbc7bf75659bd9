"""Storage account addresses and credentials: the canonical blob endpoint, and connections from
a connection string or an account SAS URL, each parsed once, strictly (``connection_strings``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from vaultbrowser.blob.services.connection_strings import (
    SasToken,
    is_account_name,
    parse_connection_string,
    parse_sas_token,
)
from vaultbrowser.core.services.connections import (
    AuthMethod,
    Connection,
    host_and_port,
    is_loopback_host,
    is_loopback_url,
    named,
    split_address,
    valid_dns_name,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue

BLOB = "blob"  # the kind's name: ``Connection.kind``, saved settings

STORAGE_BLOB_SUFFIXES = (
    ".blob.core.windows.net",
    ".blob.core.chinacloudapi.cn",
    ".blob.core.usgovcloudapi.net",
    ".blob.storage.azure.net",  # DNS-zone endpoints
)


def normalize_blob_endpoint(text: str, *, allow_http: bool = False, quote: bool = True) -> str:
    """A blob service endpoint without query string or trailing slash.

    Accepts ``https://account.blob.core.windows.net`` and, for Azurite, a loopback URL with the
    account alone in the path (``http://127.0.0.1:10000/devstoreaccount1``). ``quote=False``:
    messages never repeat the text (it came from a connection string).

    Raises:
        InvalidInput: not a blob endpoint (or it has a query or fragment).
    """
    text = text.strip()
    parts, host, port = split_address(text, bare_name_suffix=".blob.core.windows.net", quote=quote)
    loopback = is_loopback_host(host)
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not (
            allow_http and loopback)):
        raise InvalidInput("Storage accounts are reached over https://.")
    if not host:
        raise InvalidInput(f"{named(text, quote, 'The address')} is not a storage account "
                           "URL.")
    if parts.query or parts.fragment:
        raise InvalidInput("Give the account URL without a query ('?…') or fragment ('#…').",
                           advice="A SAS URL goes in the SAS URL field, not the account URL.")
    netloc = host_and_port(host, port)
    path = parts.path.rstrip("/")
    if not loopback and path:
        raise InvalidInput("Give the account URL without a container or blob path.")
    if path and not is_account_name(path[1:]):
        raise InvalidInput("On a local emulator the address's path is the account name alone "
                           "(e.g. http://127.0.0.1:10000/devstoreaccount1).")
    return urlunsplit((parts.scheme, netloc, path, "", ""))


DEVSTORE_ACCOUNT = "devstoreaccount1"
DEVSTORE_ENDPOINT = "http://127.0.0.1:10000/" + DEVSTORE_ACCOUNT  # UseDevelopmentStorage=true


def endpoint_account(url: str) -> str | None:
    """The account a canonical blob endpoint names: the path of a loopback emulator URL or the
    first label of an Azure blob host; None when the URL does not tell (a custom domain)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return None
    if is_loopback_host(host):
        name = parts.path.strip("/")
    elif host.endswith(STORAGE_BLOB_SUFFIXES):
        name = host.split(".", 1)[0]
    else:
        return None
    return name if is_account_name(name) else None


@dataclass(frozen=True)
class StorageConnectionParts:
    """A storage connection's secret, resolved: the canonical blob endpoint and exactly one
    credential: an account key, a SAS, or (``development_storage``) the emulator's public key."""

    blob_endpoint: str
    account_name: str | None  # None: a SAS for a custom-domain endpoint, without AccountName
    account_key: SecretValue | None = field(default=None, repr=False)
    sas: SasToken | None = None
    development_storage: bool = False


def parse_storage_connection_string(text: str) -> StorageConnectionParts:
    """The one parser of storage connection strings: ``parse_connection_string``'s settings,
    with the blob endpoint made canonical and AccountName naming its account.

    Raises:
        InvalidInput: malformed or ambiguous (the message never repeats a value).
    """
    settings = parse_connection_string(text)
    if settings.development_storage:
        return StorageConnectionParts(DEVSTORE_ENDPOINT, DEVSTORE_ACCOUNT,
                                      development_storage=True)
    suffix = settings.endpoint_suffix
    if not valid_dns_name(suffix) or "." not in suffix:
        raise InvalidInput("The connection string's EndpointSuffix is not a domain name "
                           "(e.g. core.windows.net).")
    endpoint = settings.blob_endpoint
    if endpoint is None:
        endpoint = f"{settings.protocol}://{settings.account_name}.blob.{suffix}"
    try:
        url = normalize_blob_endpoint(endpoint, allow_http=is_loopback_url(endpoint),
                                      quote=False)
    except InvalidInput as error:  # quote=False: its message repeats nothing of the string
        raise InvalidInput("The connection string's blob endpoint is not valid: "
                           + error.message, advice=error.advice) from None
    account, named = settings.account_name, endpoint_account(url)
    if account and named and named != account:
        raise InvalidInput("The connection string's AccountName is not the account of its "
                           "BlobEndpoint.", advice="Both must name the same storage account.")
    return StorageConnectionParts(url, account or named, account_key=settings.account_key,
                                  sas=settings.sas)


def sas_url_parts(text: str) -> tuple[str, SasToken]:
    """The canonical account endpoint and the strictly parsed SAS of an account SAS URL
    (``https://acct.blob…/?sv=…&sig=…``). A container or blob path is refused.

    Raises:
        InvalidInput: not a blob endpoint, or no valid SAS (messages never repeat the query).
    """
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        raise InvalidInput("The SAS URL is not a valid URL.") from None
    if parts.fragment:
        raise InvalidInput("The SAS URL has a fragment ('#…'): paste it as generated.")
    url = normalize_blob_endpoint(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
                                  allow_http=is_loopback_url(text.strip()))
    if not parts.query:
        raise InvalidInput("The SAS URL has no signature (sig=…).")
    return url, parse_sas_token(parts.query, what="The SAS URL")


def storage_connection_from_connection_string(text: str, *, name: str = "",
                                              read_only: bool = False) -> Connection:
    """A storage connection whose secret is the connection string itself (parsed again, the
    same way, when the connection opens).

    Raises:
        InvalidInput: see ``parse_storage_connection_string``.
    """
    parts = parse_storage_connection_string(text)
    return Connection(kind=BLOB, url=parts.blob_endpoint,
                      auth=AuthMethod.CONNECTION_STRING, name=name, read_only=read_only,
                      secret=SecretValue(text.strip()))


def storage_connection_from_sas_url(text: str, *, name: str = "",
                                    read_only: bool = False) -> Connection:
    """A storage connection from an account SAS URL; its secret is the canonical SAS token.

    Raises:
        InvalidInput: see ``sas_url_parts``.
    """
    url, sas = sas_url_parts(text)
    return Connection(kind=BLOB, url=url, auth=AuthMethod.SAS, name=name,
                      read_only=read_only, secret=sas.token)
