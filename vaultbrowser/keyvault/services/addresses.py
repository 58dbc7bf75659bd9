"""Key Vault addresses pasted anywhere: a vault URL, or a secret, key or certificate id (with or
without its version), e.g. ``https://kv1.vault.azure.net/secrets/db-password/3f2a…``."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

from vaultbrowser.core.services.connections import (
    AuthMethod,
    Connection,
    host_and_port,
    is_loopback_host,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import Address
from vaultbrowser.keyvault.services.connections import (
    KEY_VAULT,
    KEY_VAULT_SUFFIXES,
    normalize_vault_url,
)
from vaultbrowser.keyvault.services.inputs import validate_item_name, validate_version

ITEM_COLLECTIONS = ("secrets", "keys", "certificates")
_ID_ADVICE = ("A Key Vault id looks like https://<vault>.vault.azure.net/secrets/<name> "
              "(optionally /<version>); keys and certificates alike.")


def parse_vault_address(text: str) -> Address | None:
    """The vault (and item) ``text`` names; None when it is not a Key Vault address.

    A loopback ``https://`` address counts when it has no path or an item path (the local
    emulator).

    Raises:
        InvalidInput: a Key Vault address with something wrong in it.
    """
    try:
        parts = urlsplit(text.strip())
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    segments = [unquote(part) for part in parts.path.split("/") if part]
    loopback = is_loopback_host(host)
    if loopback:
        if parts.scheme != "https" or (segments and segments[0] not in ITEM_COLLECTIONS):
            return None
    elif not host.endswith(KEY_VAULT_SUFFIXES) or parts.scheme not in ("https", "http"):
        return None
    vault_url = normalize_vault_url(urlunsplit(("https", host_and_port(host, port), "", "", "")))
    if parts.scheme != "https":
        raise InvalidInput("Key Vault is only reachable over https://.", advice=_ID_ADVICE)
    if parts.fragment or (parts.query and not parts.query.startswith("api-version=")):
        raise InvalidInput("A Key Vault id has no query or fragment.", advice=_ID_ADVICE)
    connection = Connection(KEY_VAULT, vault_url,
                            AuthMethod.LOCAL_EMULATOR if loopback else AuthMethod.DEFAULT)
    if not segments:
        return Address(KEY_VAULT, connection, (), text)
    collection = segments[0].lower()
    if collection not in ITEM_COLLECTIONS or len(segments) not in (2, 3):
        raise InvalidInput(
            f"'/{'/'.join(segments)[:80]}' is not a secret, key or certificate id of the vault.",
            advice=_ID_ADVICE)
    name = validate_item_name(segments[1])
    version = validate_version(segments[2]) if len(segments) == 3 else None
    return Address(KEY_VAULT, connection,
                   (collection, name, *((version,) if version else ())), text)
