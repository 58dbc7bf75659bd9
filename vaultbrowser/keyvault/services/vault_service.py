"""``KeyVaultService``: one vault — its secrets, certificates and keys, each a part it has.

``service.secrets``, ``service.certificates`` and ``service.keys`` share one set of lazily
created SDK clients (``VaultClients``) and offer the same listing and lifecycle methods
(``list``, ``list_versions``, ``list_deleted``, ``get``, ``delete``, ``recover``, ``purge``,
``update_properties``), so a tree or an action works with whichever it is given. Every call
returns our own records with the ``ResponseInfo`` of the call that produced them and raises
only ``VaultBrowserError``s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vaultbrowser.keyvault.services.certificates.operations import VaultCertificates
from vaultbrowser.keyvault.services.clients import VaultClients
from vaultbrowser.keyvault.services.keys import VaultKeys
from vaultbrowser.keyvault.services.secrets import VaultSecrets

if TYPE_CHECKING:  # the transport (azure-core) loads after the window's first paint
    from vaultbrowser.core.services.http.transport import RecordingTransport


class KeyVaultService:
    """One vault. Create with the session's factory; close with ``close()``.

    ``client_options`` are passed to every SDK client (transport, retry and timeout settings,
    ``connection_verify`` for the local emulator, ``api_version``).
    """

    def __init__(self, vault_url: str, credential: Any, transport: RecordingTransport,
                 **client_options: Any) -> None:
        self.clients = VaultClients(vault_url, credential, transport, **client_options)
        self.vault_url = self.clients.vault_url
        self.secrets = VaultSecrets(self.clients)
        self.certificates = VaultCertificates(self.clients)
        self.keys = VaultKeys(self.clients)

    async def close(self) -> None:
        await self.clients.close()
