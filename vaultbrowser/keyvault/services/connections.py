"""Key Vault addresses: the one canonical vault URL from what the user typed."""

from __future__ import annotations

from urllib.parse import urlunsplit

from vaultbrowser.core.services.connections import host_and_port, is_loopback_host, split_address
from vaultbrowser.core.services.errors import InvalidInput

KEY_VAULT = "keyvault"  # the kind's name: ``Connection.kind``, saved settings

KEY_VAULT_SUFFIXES = (
    ".vault.azure.net",
    ".vault.azure.cn",
    ".vault.usgovcloudapi.net",
    ".vault.microsoftazure.de",
    ".managedhsm.azure.net",
)


def normalize_vault_url(text: str) -> str:
    """``https://name.vault.azure.net`` from what the user typed (a bare name works too).

    Raises:
        InvalidInput: not a Key Vault URL (wrong scheme, host outside Azure's vault domains).
    """
    text = text.strip()
    if not text:
        raise InvalidInput("Enter a vault URL such as https://myvault.vault.azure.net.")
    parts, host, port = split_address(text, bare_name_suffix=".vault.azure.net")
    loopback = is_loopback_host(host)
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
    netloc = host_and_port(host, port)
    return urlunsplit(("https", netloc, "", "", ""))
