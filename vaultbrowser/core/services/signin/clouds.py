"""Azure clouds: where each one signs in (authority), its Resource Manager endpoint, and the
host suffixes of its vaults, blob endpoints and Cosmos DB accounts.

A connection's cloud follows from its URL (``cloud_of_url``): a vault in ``.vault.azure.cn``
signs in at ``login.chinacloudapi.cn``. An Azure sign-in picks a cloud by its Resource Manager
endpoint, and what it discovers must be in that cloud. Custom clouds (Azure Stack, private
clouds) come from a JSON settings file (``load_custom_clouds``), checked strictly.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from vaultbrowser.core.services.connections import Connection, is_loopback_url, valid_dns_name
from vaultbrowser.core.services.errors import InvalidInput

CLOUDS_FILE_NAME = "clouds.json"
CLOUDS_FILE_ENV = "VAULTBROWSER_CLOUDS_FILE"
MAX_CLOUDS_FILE_BYTES = 64 * 1024
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AzureCloud:
    name: str  # "public": what settings and messages use
    label: str  # "Azure public"
    authority_host: str  # "login.microsoftonline.com"
    resource_manager: str  # "https://management.azure.com"
    vault_suffix: str  # ".vault.azure.net"
    storage_suffix: str  # ".core.windows.net" (blob endpoints are <account>.blob<suffix>)
    cosmos_suffix: str = ""  # ".documents.azure.com"; "" where the cloud has no Cosmos DB

    def owns_host(self, host: str) -> bool:
        host = host.lower()
        return (host == urlsplit(self.resource_manager).hostname
                or host.endswith(self.vault_suffix)
                or host.endswith(".blob" + self.storage_suffix)
                or (bool(self.cosmos_suffix) and host.endswith(self.cosmos_suffix)))


AZURE_PUBLIC = AzureCloud("public", "Azure public", "login.microsoftonline.com",
                          "https://management.azure.com", ".vault.azure.net",
                          ".core.windows.net", ".documents.azure.com")
AZURE_US_GOVERNMENT = AzureCloud("usgov", "Azure US Government", "login.microsoftonline.us",
                                 "https://management.usgovcloudapi.net",
                                 ".vault.usgovcloudapi.net", ".core.usgovcloudapi.net",
                                 ".documents.azure.us")
AZURE_CHINA = AzureCloud("china", "Azure China (21Vianet)", "login.chinacloudapi.cn",
                         "https://management.chinacloudapi.cn", ".vault.azure.cn",
                         ".core.chinacloudapi.cn", ".documents.azure.cn")
KNOWN_CLOUDS = (AZURE_PUBLIC, AZURE_US_GOVERNMENT, AZURE_CHINA)


def cloud_of_url(url: str, clouds: tuple[AzureCloud, ...] = KNOWN_CLOUDS) -> AzureCloud | None:
    """The cloud a vault, blob, Cosmos DB or Resource Manager URL belongs to; None for loopback (the
    local emulators) and hosts no cloud owns (custom domains)."""
    if is_loopback_url(url):
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return next((cloud for cloud in clouds if cloud.owns_host(host)), None)


def check_same_cloud(url: str, sign_in_url: str,
                     clouds: tuple[AzureCloud, ...] = KNOWN_CLOUDS) -> None:
    """A resource a sign-in found must be in the sign-in's cloud.

    Raises:
        InvalidInput: both clouds are known and differ.
    """
    found, picked = cloud_of_url(url, clouds), cloud_of_url(sign_in_url, clouds)
    if found is not None and picked is not None and found != picked:
        raise InvalidInput(
            f"{urlsplit(url).hostname} is in {found.label}, but this sign-in is for "
            f"{picked.label}.",
            advice=f"Add an Azure sign-in for {found.label} (Resource Manager "
                   f"{found.resource_manager}) to open it.")


def signed_in_like(sign_in: Connection, kind: str, url: str, *, name: str = "") -> Connection:
    """A connection of ``kind`` to ``url`` that signs in as ``sign_in`` does (a resource
    discovery found): same method, tenant, client and read-only flag; the local emulators' CA
    only for a loopback ``url``.

    Raises:
        InvalidInput: ``url`` is in another Azure cloud than the sign-in.
    """
    check_same_cloud(url, sign_in.url, available_clouds())
    return Connection(
        kind=kind, url=url, auth=sign_in.auth, name=name, tenant_id=sign_in.tenant_id,
        client_id=sign_in.client_id, certificate_path=sign_in.certificate_path,
        secret_env=sign_in.secret_env, read_only=sign_in.read_only,
        ca_path=sign_in.ca_path if is_loopback_url(url) else None, secret=sign_in.secret)


def _text(entry: dict[str, Any], key: str, position: int) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"Cloud #{position} in {CLOUDS_FILE_NAME} has no text '{key}'.")
    return value.strip()


def _suffix(entry: dict[str, Any], key: str, position: int) -> str:
    value = _text(entry, key, position).lower()
    if not value.startswith(".") or not valid_dns_name(value[1:]):
        raise InvalidInput(f"Cloud #{position}'s '{key}' must be a domain suffix such as "
                           ".vault.azure.net.")
    return value


def parse_custom_clouds(text: str) -> tuple[AzureCloud, ...]:
    """Clouds from the settings file's JSON: a list of objects with ``name``, ``label``,
    ``authority_host``, ``resource_manager`` (https), ``vault_suffix`` and ``storage_suffix``;
    ``cosmos_suffix`` (e.g. ".documents.azure.com") where the cloud has Cosmos DB.

    Raises:
        InvalidInput: not that shape (the message names the cloud and field at fault).
    """
    try:
        data = json.loads(text)
    except ValueError as error:
        raise InvalidInput(f"{CLOUDS_FILE_NAME} is not valid JSON: {error.msg} (line "
                           f"{error.lineno}).") from None
    if not isinstance(data, list):
        raise InvalidInput(f"{CLOUDS_FILE_NAME} must hold a list of clouds.")
    clouds: list[AzureCloud] = []
    for position, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise InvalidInput(f"Cloud #{position} in {CLOUDS_FILE_NAME} is not an object.")
        manager = _text(entry, "resource_manager", position).rstrip("/")
        parts = urlsplit(manager)
        if parts.scheme != "https" or not valid_dns_name(parts.hostname or "") or parts.path:
            raise InvalidInput(f"Cloud #{position}'s resource_manager must be an https:// "
                               "host without a path.")
        authority = _text(entry, "authority_host", position).lower()
        if not valid_dns_name(authority):
            raise InvalidInput(f"Cloud #{position}'s authority_host is not a host name.")
        name = _text(entry, "name", position)
        if any(cloud.name == name for cloud in (*KNOWN_CLOUDS, *clouds)):
            raise InvalidInput(f"Cloud #{position}'s name '{name}' is taken.")
        clouds.append(AzureCloud(name, _text(entry, "label", position), authority, manager,
                                 _suffix(entry, "vault_suffix", position),
                                 _suffix(entry, "storage_suffix", position),
                                 _suffix(entry, "cosmos_suffix", position)
                                 if "cosmos_suffix" in entry else ""))
    return tuple(clouds)


def load_custom_clouds(path: Path) -> tuple[AzureCloud, ...]:
    """The custom clouds of ``path`` (none when the file does not exist).

    Raises:
        InvalidInput: the file is too big, unreadable or not valid.
    """
    try:
        if path.stat().st_size > MAX_CLOUDS_FILE_BYTES:
            raise InvalidInput(f"{path} is larger than {MAX_CLOUDS_FILE_BYTES // 1024} KiB.")
        return parse_custom_clouds(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput(f"{path} cannot be read: {type(error).__name__}.") from None


def clouds_file() -> Path:
    """Where custom clouds are read from: ``$VAULTBROWSER_CLOUDS_FILE``, else ``clouds.json``
    in vaultbrowser's settings folder (%APPDATA%, ~/Library/Application Support, or
    $XDG_CONFIG_HOME / ~/.config)."""
    named = os.environ.get(CLOUDS_FILE_ENV)
    if named:
        return Path(named)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "vaultbrowser" / CLOUDS_FILE_NAME


@lru_cache(maxsize=1)
def available_clouds() -> tuple[AzureCloud, ...]:
    """The known clouds and the settings file's custom ones (read once). A broken file is
    logged and left out: ``clouds_file_problem()`` says why, for the window to show."""
    try:
        return (*KNOWN_CLOUDS, *load_custom_clouds(clouds_file()))
    except InvalidInput as error:
        log.warning("Custom clouds ignored: %s", error.message)
        return KNOWN_CLOUDS


def is_cloud_host(host: str) -> bool:
    """A vault, blob endpoint, Cosmos DB account or Resource Manager host of a known or
    custom cloud (what a bare host typed without https:// may be taken for)."""
    return any(cloud.owns_host(host) for cloud in available_clouds())


def clouds_file_problem() -> str | None:
    """Why the custom clouds file was not used (None: fine or absent)."""
    try:
        load_custom_clouds(clouds_file())
    except InvalidInput as error:
        return error.message
    return None
