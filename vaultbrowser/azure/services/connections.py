"""An Azure sign-in connection: which Resource Manager endpoint (cloud) and how to sign in.

Its URL is the cloud's Resource Manager endpoint (``https://management.azure.com`` for Azure
public); the local ARM emulator's loopback address in the demo and tests.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from vaultbrowser.core.services.connections import (
    host_and_port,
    is_loopback_host,
    split_address,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.signin.clouds import available_clouds

AZURE = "azure"
PUBLIC_ARM = "https://management.azure.com"
# The Resource Manager hosts of the clouds vaultbrowser knows (public, US Government, China).
ARM_HOSTS = ("management.azure.com", "management.usgovcloudapi.net",
             "management.chinacloudapi.cn")


def normalize_arm_url(text: str) -> str:
    """``https://management.azure.com`` (or another cloud's, or a loopback emulator's) from
    what the user typed; empty text means Azure public.

    Raises:
        InvalidInput: not https, or not a Resource Manager endpoint.
    """
    text = text.strip() or PUBLIC_ARM
    parts, host, port = split_address(text, bare_name_suffix="")
    if parts.scheme != "https":
        raise InvalidInput("Azure Resource Manager is only reachable over https://.",
                           advice=f"Use {PUBLIC_ARM} (or your cloud's endpoint).")
    managers = {urlsplit(cloud.resource_manager).hostname for cloud in available_clouds()}
    if not host or not (is_loopback_host(host) or host in ARM_HOSTS or host in managers):
        raise InvalidInput(
            f"'{host or text}' is not an Azure Resource Manager endpoint.",
            advice=f"Use {PUBLIC_ARM}, https://management.usgovcloudapi.net or "
                   "https://management.chinacloudapi.cn.")
    if parts.query or parts.fragment or parts.path.strip("/"):
        raise InvalidInput("The Resource Manager endpoint has no path or query.",
                           advice=f"Use {PUBLIC_ARM}.")
    return urlunsplit(("https", host_and_port(host, port), "", "", ""))
