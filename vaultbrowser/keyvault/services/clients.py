"""``VaultClients``: one vault's official ``.aio`` SDK clients, created on first use.

Their imports are heavy and a window may never open the keys tree, so each client is built the
first time a part of ``KeyVaultService`` asks for it, with the session's transport and options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the transport (azure-core) loads after the window's first paint
    from vaultbrowser.core.services.http.transport import RecordingTransport


class VaultClients:
    """The secret, certificate and key clients of one vault; ``close`` closes those made."""

    def __init__(self, vault_url: str, credential: Any, transport: RecordingTransport,
                 **client_options: Any) -> None:
        self.vault_url = vault_url.rstrip("/")
        self._credential = credential
        self._options = {"transport": transport, **client_options}
        self._secrets: Any = None
        self._certificates: Any = None
        self._keys: Any = None

    @property
    def secret_client(self) -> Any:
        if self._secrets is None:
            from azure.keyvault.secrets.aio import SecretClient

            self._secrets = SecretClient(self.vault_url, self._credential, **self._options)
        return self._secrets

    @property
    def certificate_client(self) -> Any:
        if self._certificates is None:
            from azure.keyvault.certificates.aio import CertificateClient

            self._certificates = CertificateClient(
                self.vault_url, self._credential, **self._options
            )
        return self._certificates

    @property
    def key_client(self) -> Any:
        if self._keys is None:
            from azure.keyvault.keys.aio import KeyClient

            self._keys = KeyClient(self.vault_url, self._credential, **self._options)
        return self._keys

    async def close(self) -> None:
        for client in (self._secrets, self._certificates, self._keys):
            if client is not None:
                await client.close()
        self._secrets = self._certificates = self._keys = None
