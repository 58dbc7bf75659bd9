"""Connections: which vault or storage account, and how to sign in to it.

A ``Connection`` is safe to persist through ``to_settings()``: it never contains a secret. A
secret that the user pastes (connection string, SAS, client secret, account key) lives only in
memory in ``Connection.secret``; a persisted connection may name an environment variable that
holds it instead (``secret_env``).
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from vaultbrowser.core.services.connection_strings import (
    SasToken,
    is_account_name,
    parse_connection_string,
    parse_sas_token,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue

KEY_VAULT_SUFFIXES = (
    ".vault.azure.net",
    ".vault.azure.cn",
    ".vault.usgovcloudapi.net",
    ".vault.microsoftazure.de",
    ".managedhsm.azure.net",
)
STORAGE_BLOB_SUFFIXES = (
    ".blob.core.windows.net",
    ".blob.core.chinacloudapi.cn",
    ".blob.core.usgovcloudapi.net",
    ".blob.storage.azure.net",  # DNS-zone endpoints
)


class ServiceKind(StrEnum):
    KEY_VAULT = "keyvault"
    BLOB = "blob"


class AuthMethod(StrEnum):
    DEFAULT = "default"  # the DefaultAzureCredential chain
    AZURE_CLI = "azure-cli"
    INTERACTIVE_BROWSER = "interactive-browser"
    DEVICE_CODE = "device-code"
    SERVICE_PRINCIPAL_SECRET = "service-principal-secret"
    SERVICE_PRINCIPAL_CERTIFICATE = "service-principal-certificate"
    MANAGED_IDENTITY = "managed-identity"
    CONNECTION_STRING = "connection-string"  # storage only; secret = the connection string
    ACCOUNT_KEY = "account-key"  # storage only; secret = the key
    SAS = "sas"  # storage only; secret = the SAS token (query string)
    LOCAL_EMULATOR = "local-emulator"  # the project's Key Vault emulator or Azurite

    @property
    def needs_secret(self) -> bool:
        return self in _NEEDS_SECRET

    @property
    def label(self) -> str:
        return _LABELS[self]


_NEEDS_SECRET = {
    AuthMethod.SERVICE_PRINCIPAL_SECRET,
    AuthMethod.CONNECTION_STRING,
    AuthMethod.ACCOUNT_KEY,
    AuthMethod.SAS,
}
_LABELS = {
    AuthMethod.DEFAULT: "Default Azure credential chain",
    AuthMethod.AZURE_CLI: "Azure CLI (az login)",
    AuthMethod.INTERACTIVE_BROWSER: "Interactive browser sign-in",
    AuthMethod.DEVICE_CODE: "Device code sign-in",
    AuthMethod.SERVICE_PRINCIPAL_SECRET: "Service principal (client secret)",
    AuthMethod.SERVICE_PRINCIPAL_CERTIFICATE: "Service principal (certificate)",
    AuthMethod.MANAGED_IDENTITY: "Managed identity",
    AuthMethod.CONNECTION_STRING: "Connection string",
    AuthMethod.ACCOUNT_KEY: "Account key",
    AuthMethod.SAS: "Shared access signature",
    AuthMethod.LOCAL_EMULATOR: "Local emulator",
}


@dataclass(frozen=True)
class Connection:
    kind: ServiceKind
    url: str  # vault URL, or blob service endpoint (no query string)
    auth: AuthMethod = AuthMethod.DEFAULT
    name: str = ""
    tenant_id: str | None = None
    client_id: str | None = None
    certificate_path: str | None = None
    secret_env: str | None = None  # name of an environment variable holding the secret
    read_only: bool = False
    ca_path: str | None = None  # the local emulator's CA certificate (never for Azure hosts)
    secret: SecretValue | None = field(default=None, repr=False, compare=False)

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        host = urlsplit(self.url).netloc
        path = urlsplit(self.url).path.strip("/")
        return f"{host}/{path}" if path else host

    @property
    def key(self) -> str:
        """Identity of the connection within one settings list."""
        return f"{self.kind}:{self.url.rstrip('/').lower()}"

    def resolve_secret(self) -> SecretValue | None:
        """The secret held in memory, else the one named by ``secret_env``.

        Raises:
            InvalidInput: the method needs a secret and none is available.
        """
        if self.secret is not None:
            return self.secret
        if self.secret_env:
            value = os.environ.get(self.secret_env)
            if value:
                return SecretValue(value)
            raise InvalidInput(
                f"The environment variable {self.secret_env} is not set.",
                advice=f"Set {self.secret_env} before starting vaultbrowser, or edit the "
                "connection.",
            )
        if self.auth.needs_secret:
            raise InvalidInput(f"{self.auth.label} needs a secret for {self.display_name}.")
        return None

    def to_settings(self) -> dict[str, Any]:
        """A dict safe to persist: every field but the in-memory secret."""
        data: dict[str, Any] = {"kind": self.kind.value, "url": self.url, "auth": self.auth.value}
        for key in ("name", "tenant_id", "client_id", "certificate_path", "secret_env", "ca_path"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.read_only:
            data["read_only"] = True
        return data

    @classmethod
    def from_settings(cls, data: dict[str, Any]) -> Connection:
        """Rebuild a persisted connection, validating it as if it were typed in.

        Raises:
            InvalidInput: the stored entry is not a valid connection.
        """
        if not isinstance(data, dict):
            raise InvalidInput("A saved connection is not valid: not a set of fields.")
        try:
            kind = ServiceKind(data["kind"])
            auth = AuthMethod(data.get("auth") or AuthMethod.DEFAULT)
            url = data["url"]
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidInput(f"A saved connection is not valid: {exc}") from None
        if not isinstance(url, str):
            raise InvalidInput("A saved connection is not valid: its URL is not text.")
        url = (normalize_vault_url(url) if kind is ServiceKind.KEY_VAULT
               else normalize_blob_endpoint(url, allow_http=is_loopback_url(url)))
        return cls(
            kind=kind, url=url, auth=auth,
            **{k: str(data[k]) for k in ("name", "tenant_id", "client_id", "certificate_path",
                                         "secret_env", "ca_path") if data.get(k)},
            read_only=bool(data.get("read_only", False)),
        )

    def with_secret(self, secret: SecretValue | None) -> Connection:
        return replace(self, secret=secret)


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    try:
        return _is_loopback_host(urlsplit(url).hostname or "")
    except ValueError:
        return False


def _split(text: str, *, bare_name_suffix: str,
           quote: bool = True) -> tuple[SplitResult, str, int | None]:
    """Split what the user typed; a bare name ("myvault") becomes https://name<suffix>.
    ``quote=False``: messages never repeat the text (it came from a secret).

    Raises:
        InvalidInput: not a URL (e.g. a bad port or bracket), or not ASCII.
    """
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidInput("The address contains spaces or control characters.",
                           advice="Paste the address alone, e.g. https://name.vault.azure.net.")
    if not text.isascii():  # Unicode case folding turns some look-alikes into ASCII letters
        raise InvalidInput("The address contains non-ASCII characters (look-alike letters?).",
                           advice="Azure addresses are plain ASCII: type or paste it again.")
    if text and "://" not in text and "." not in text and "/" not in text:
        text = f"https://{text}{bare_name_suffix}"
    try:
        parts = urlsplit(text)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise InvalidInput(f"{_named(text, quote, 'The address')} is not a valid URL.") from None
    if "@" in parts.netloc:
        # Never repeated: user info is a credential (and a classic way to disguise a host).
        raise InvalidInput("The address has a user name or password before the host ('…@').",
                           advice="Give the address alone; credentials go in the sign-in "
                                  "method's own field.")
    if host and not _is_loopback_host(host) and not _valid_dns_name(host):
        raise InvalidInput(f"{_named(host, quote, 'The host')} is not a valid host name.",
                           advice="Host names use letters a–z, digits and hyphens, in labels "
                                  "separated by dots.")
    return parts, host, port


_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _valid_dns_name(host: str) -> bool:
    """An ASCII DNS name (no IDN look-alikes, no underscores or empty labels)."""
    return len(host) <= 253 and all(_DNS_LABEL.fullmatch(label) for label in host.split("."))


def _shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _netloc(host: str, port: int | None) -> str:
    """host[:port], an IPv6 address in brackets (``[::1]:8443``) as URLs write it."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port is None else f"{shown}:{port}"


def _named(text: str, quote: bool, otherwise: str) -> str:
    return f"'{_shown(text)}'" if quote else otherwise


def normalize_vault_url(text: str) -> str:
    """``https://name.vault.azure.net`` from what the user typed (a bare name works too).

    Raises:
        InvalidInput: not a Key Vault URL (wrong scheme, host outside Azure's vault domains).
    """
    text = text.strip()
    if not text:
        raise InvalidInput("Enter a vault URL such as https://myvault.vault.azure.net.")
    parts, host, port = _split(text, bare_name_suffix=".vault.azure.net")
    loopback = _is_loopback_host(host)
    if parts.scheme != "https":
        raise InvalidInput(
            "Key Vault is only reachable over https://.",
            advice="Use an address like https://myvault.vault.azure.net.",
        )
    if not host or (not loopback and not host.endswith(KEY_VAULT_SUFFIXES)):
        raise InvalidInput(
            f"'{host or text}' is not a Key Vault address.",
            advice="Key Vault URLs end in .vault.azure.net (or a sovereign cloud's vault domain).",
        )
    if parts.query or parts.fragment or parts.path.strip("/"):
        raise InvalidInput("A vault URL has no path or query: use https://name.vault.azure.net.")
    netloc = _netloc(host, port)
    return urlunsplit(("https", netloc, "", "", ""))


def normalize_blob_endpoint(text: str, *, allow_http: bool = False, quote: bool = True) -> str:
    """A blob service endpoint without query string or trailing slash.

    Accepts ``https://account.blob.core.windows.net`` and, for Azurite, a loopback URL with the
    account alone in the path (``http://127.0.0.1:10000/devstoreaccount1``). ``quote=False``:
    messages never repeat the text (it came from a connection string).

    Raises:
        InvalidInput: not a blob endpoint (or it has a query or fragment).
    """
    text = text.strip()
    parts, host, port = _split(text, bare_name_suffix=".blob.core.windows.net", quote=quote)
    loopback = _is_loopback_host(host)
    if parts.scheme not in ("https", "http") or (parts.scheme == "http" and not (
            allow_http and loopback)):
        raise InvalidInput("Storage accounts are reached over https://.")
    if not host:
        raise InvalidInput(f"{_named(text, quote, 'The address')} is not a storage account "
                           "URL.")
    if parts.query or parts.fragment:
        raise InvalidInput("Give the account URL without a query ('?…') or fragment ('#…').",
                           advice="A SAS URL goes in the SAS URL field, not the account URL.")
    netloc = _netloc(host, port)
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
    if _is_loopback_host(host):
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
    if not _valid_dns_name(suffix) or "." not in suffix:
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
    return Connection(kind=ServiceKind.BLOB, url=parts.blob_endpoint,
                      auth=AuthMethod.CONNECTION_STRING, name=name, read_only=read_only,
                      secret=SecretValue(text.strip()))


def storage_connection_from_sas_url(text: str, *, name: str = "",
                                    read_only: bool = False) -> Connection:
    """A storage connection from an account SAS URL; its secret is the canonical SAS token.

    Raises:
        InvalidInput: see ``sas_url_parts``.
    """
    url, sas = sas_url_parts(text)
    return Connection(kind=ServiceKind.BLOB, url=url, auth=AuthMethod.SAS, name=name,
                      read_only=read_only, secret=sas.token)
