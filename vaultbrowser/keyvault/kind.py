"""The Key Vault kind as the registry sees it (``app.KINDS``): names, URLs, sign-in methods,
command-line options, and the lazily loaded service, audit, demo and Qt view."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vaultbrowser.core.services.connections import ENTRA_METHODS, AuthMethod, Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import DemoProvider, ServiceKind
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.services.signin.clouds import signed_in_like
from vaultbrowser.keyvault.services.addresses import parse_vault_address
from vaultbrowser.keyvault.services.connections import KEY_VAULT, normalize_vault_url

# The X.509 parser and PKCS#12 (cryptography) too: the window's modules import them where a
# function first needs them, so a certificate's details or a revealed PFX never import them
# on the loop's thread.
SDK_MODULES = ("vaultbrowser.keyvault.services.vault_service", "azure.keyvault.secrets.aio",
               "azure.keyvault.certificates.aio", "azure.keyvault.keys.aio",
               "vaultbrowser.keyvault.services.certificates.x509",
               "cryptography.hazmat.primitives.serialization.pkcs12")


# A key, gold with a dark outline: legible at 16 px on light and dark backgrounds.
ICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<g stroke="#5c4500" stroke-width="1.6" stroke-linejoin="round" fill="#f2b705">
<circle cx="10" cy="16" r="7"/>
<path d="M16 13.5h13v5h-2.5v4h-4v-4H16z"/>
</g>
<circle cx="9" cy="16" r="2.4" fill="#fff6d6" stroke="#5c4500" stroke-width="1.2"/>
</svg>"""


def _open(session: Any, connection: Connection) -> Any:
    from vaultbrowser.keyvault.services.opener import open_vault

    return open_vault(session, connection)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vault", action="append", default=[], metavar="URL",
                        help="a Key Vault URL or name (repeatable); Entra ID sign-in")


def _connections_from_args(args: argparse.Namespace) -> list[Connection]:
    return [Connection(KEY_VAULT, normalize_vault_url(url)) for url in args.vault]


async def _audit(collector: Any, connection: Connection) -> None:
    from vaultbrowser.keyvault.services.audit import audit_vault

    await audit_vault(collector, connection)


def _demo(workdir: Path, seed: bool) -> DemoProvider:
    from vaultbrowser.keyvault.services.demo.keyvault_demo import KeyVaultDemo

    return KeyVaultDemo(workdir, seed)


def _connection_for_vault(endpoint: str, sign_in: Connection,
                          account_key: SecretValue | None) -> Connection:
    """A vault discovery found, opened with the sign-in that found it."""
    if account_key is not None:
        raise InvalidInput("Key Vault opens with Entra ID sign-in only, not with a key.")
    return signed_in_like(sign_in, KEY_VAULT, normalize_vault_url(endpoint))


def _view(window: Any) -> Any:
    from vaultbrowser.keyvault.ui.view import KeyVaultView

    return KeyVaultView(window)


KIND = ServiceKind(
    name=KEY_VAULT,
    label="Key Vault",
    nouns=("vault", "vaults"),
    url_label="Vault URL",
    url_placeholder="myvault or https://myvault.vault.azure.net",
    normalize_url=normalize_vault_url,
    auth_methods=(*ENTRA_METHODS, AuthMethod.LOCAL_EMULATOR),
    sdk_modules=SDK_MODULES,
    open=_open,
    add_arguments=_add_arguments,
    connections_from_args=_connections_from_args,
    audit=_audit,
    demo=_demo,
    view=_view,
    resource_type="microsoft.keyvault/vaults",
    connection_for_resource=_connection_for_vault,
    parse_address=parse_vault_address,
    icon_svg=ICON_SVG,
)
