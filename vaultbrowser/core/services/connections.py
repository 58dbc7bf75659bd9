"""Connections: which resource of which service kind, and how to sign in to it.

A ``Connection`` is safe to persist through ``to_settings()``: it never contains a secret. A
secret that the user pastes (connection string, SAS, client secret, account key) lives only in
memory in ``Connection.secret``; a persisted connection may name an environment variable that
holds it instead (``secret_env``).
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any
from urllib.parse import SplitResult, urlsplit

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue


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


# The Entra ID sign-in methods every Azure data-plane kind accepts, in display order.
ENTRA_METHODS = (AuthMethod.DEFAULT, AuthMethod.AZURE_CLI, AuthMethod.INTERACTIVE_BROWSER,
                 AuthMethod.DEVICE_CODE, AuthMethod.SERVICE_PRINCIPAL_SECRET,
                 AuthMethod.SERVICE_PRINCIPAL_CERTIFICATE, AuthMethod.MANAGED_IDENTITY)

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
    kind: str  # the service kind's name ("keyvault", "blob"): see ``core.services.kinds``
    url: str  # the kind's canonical URL (a vault, a blob service endpoint: no query string)
    auth: AuthMethod = AuthMethod.DEFAULT
    name: str = ""
    tenant_id: str | None = None
    client_id: str | None = None
    certificate_path: str | None = None
    secret_env: str | None = None  # name of an environment variable holding the secret
    read_only: bool = False
    ca_path: str | None = None  # the local emulator's CA certificate (never for Azure hosts)
    # What part of the resource the connection is limited to: a container, for a container
    # SAS (it cannot list the account). Empty: all of it.
    scope: str = ""
    secret: SecretValue | None = field(default=None, repr=False, compare=False)
    # What is known about the resource before any call (Resource Manager: "behind a firewall";
    # a SAS: its permissions and expiry): added to the advice of an access or sign-in error.
    # For this run only: never saved.
    notes: tuple[str, ...] = field(default=(), compare=False)
    # What Resource Manager says of the resource, for a connection discovery made (ARM's
    # property names and values as text: ("accessKeysAuthentication", "Enabled")): its kind's
    # audit reads them. Empty: not known. For this run only: never saved.
    resource_properties: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        host = urlsplit(self.url).netloc
        path = "/".join(part for part in (urlsplit(self.url).path.strip("/"), self.scope)
                        if part)
        return f"{host}/{path}" if path else host

    @property
    def key(self) -> str:
        """Identity of the connection within one settings list."""
        scope = f"/{self.scope}" if self.scope else ""
        return f"{self.kind}:{self.url.rstrip('/').lower()}{scope}"

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
        data: dict[str, Any] = {"kind": self.kind, "url": self.url, "auth": self.auth.value}
        for key in ("name", "tenant_id", "client_id", "certificate_path", "secret_env", "ca_path",
                    "scope"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.read_only:
            data["read_only"] = True
        return data

    @classmethod
    def from_settings(cls, data: dict[str, Any],
                      normalize_url: Callable[[str, str], str]) -> Connection:
        """Rebuild a persisted connection, validating it as if it were typed in:
        ``normalize_url(kind, url)`` is the kind's own URL rule (the registry's).

        Raises:
            InvalidInput: the stored entry is not a valid connection (an unknown kind too).
        """
        if not isinstance(data, dict):
            raise InvalidInput("A saved connection is not valid: not a set of fields.")
        try:
            kind = data["kind"]
            auth = AuthMethod(data.get("auth") or AuthMethod.DEFAULT)
            url = data["url"]
        except (KeyError, ValueError, TypeError) as exc:
            raise InvalidInput(f"A saved connection is not valid: {exc}") from None
        if not isinstance(kind, str) or not isinstance(url, str):
            raise InvalidInput("A saved connection is not valid: its kind or URL is not text.")
        return cls(
            kind=kind, url=normalize_url(kind, url), auth=auth,
            **{k: str(data[k]) for k in ("name", "tenant_id", "client_id", "certificate_path",
                                         "secret_env", "ca_path", "scope") if data.get(k)},
            read_only=bool(data.get("read_only", False)),
        )

    def with_secret(self, secret: SecretValue | None) -> Connection:
        return replace(self, secret=secret)


def connections_from_env(kind: str, env_names: Iterable[str], endpoint_of: Callable[[str], str],
                         what: str) -> list[Connection]:
    """The connections opened with the connection strings in the environment variables
    ``env_names`` (command-line options): each remembers its variable, never the string.
    ``endpoint_of`` parses a string into the endpoint it opens; ``what`` names the string a
    variable must hold, for the advice.

    Raises:
        InvalidInput: a variable is not set or empty, or as ``endpoint_of``.
    """
    connections = []
    for name in env_names:
        value = os.environ.get(name)
        if not value:
            raise InvalidInput(f"The environment variable {name} is not set or empty.",
                               advice=f"Set {name} to {what}.")
        connections.append(Connection(kind, endpoint_of(value), AuthMethod.CONNECTION_STRING,
                                      secret_env=name))
    return connections


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    try:
        return is_loopback_host(urlsplit(url).hostname or "")
    except ValueError:
        return False


def split_address(text: str, *, bare_name_suffix: str, bare_host_suffixes: Sequence[str] = (),
           quote: bool = True) -> tuple[SplitResult, str, int | None]:
    """Split what the user typed; a bare name ("myvault") becomes https://name<suffix>, and
    a bare host ("myvault.vault.azure.net", "localhost:8443") an https:// address
    (``with_assumed_https``: a host ending in ``bare_name_suffix`` or one of
    ``bare_host_suffixes``, a kind's other clouds, or loopback with a port).
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
    suffixes = (bare_name_suffix, *bare_host_suffixes)
    text = with_assumed_https(text, lambda host: host.endswith(suffixes))
    if text and "://" not in text and "." not in text and "/" not in text:
        text = f"https://{text}{bare_name_suffix}"
    if text and "://" not in text:
        # A host of no Azure cloud typed without a scheme: never guessed into a URL.
        raise InvalidInput(f"{named(text, quote, 'The address')} is not an Azure address "
                           "(no https:// and not a known Azure host).",
                           advice=f"Type the whole address, e.g. https://name{bare_name_suffix}.")
    try:
        parts = urlsplit(text)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        raise InvalidInput(f"{named(text, quote, 'The address')} is not a valid URL.") from None
    if "@" in parts.netloc:
        # Never repeated: user info is a credential (and a classic way to disguise a host).
        raise InvalidInput("The address has a user name or password before the host ('…@').",
                           advice="Give the address alone; credentials go in the sign-in "
                                  "method's own field.")
    if host and not is_loopback_host(host) and not valid_dns_name(host):
        raise InvalidInput(f"{named(host, quote, 'The host')} is not a valid host name.",
                           advice="Host names use letters a–z, digits and hyphens, in labels "
                                  "separated by dots.")
    return parts, host, port


def with_assumed_https(text: str, known_host: Callable[[str], bool], *,
                       loopback: bool = True) -> str:
    """``text`` with ``https://`` in front when it is a host typed without a scheme (maybe
    with a port and a path) that can only mean HTTPS: a DNS name ``known_host`` accepts (a
    cloud's vault, blob or Cosmos DB domain), or (``loopback``) a loopback host with a port,
    a local server of a known kind. Anything else comes back as it was, for the caller's rule
    to refuse: a host that is not Azure's is never guessed into a URL."""
    if not text or "://" in text:
        return text
    head = re.split(r"[/?#]", text, maxsplit=1)[0]
    if "@" in head:
        return text
    try:
        parts = urlsplit(f"//{head}")
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return text
    local = loopback and port is not None and is_loopback_host(host)
    if local or (valid_dns_name(host) and known_host(host)):
        return f"https://{text}"
    return text


_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def valid_dns_name(host: str) -> bool:
    """An ASCII DNS name (no IDN look-alikes, no underscores or empty labels)."""
    return len(host) <= 253 and all(_DNS_LABEL.fullmatch(label) for label in host.split("."))


def shown(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def host_and_port(host: str, port: int | None) -> str:
    """host[:port], an IPv6 address in brackets (``[::1]:8443``) as URLs write it."""
    shown = f"[{host}]" if ":" in host else host
    return shown if port is None else f"{shown}:{port}"


def named(text: str, quote: bool, otherwise: str) -> str:
    return f"'{shown(text)}'" if quote else otherwise
