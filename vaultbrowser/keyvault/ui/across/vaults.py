"""Every vault open or discovered, for the tools that work across vaults.

Open vaults are the Key Vault trees' roots (their services are the trees' own). Discovered
vaults are those an Azure sign-in's tree has listed (``found_connections`` of the other views):
their services are opened for one run of a tool, through the window's session (so every call is
in the Activity panel and read-only is enforced in the transport), and closed after it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.ui.window.context import WindowContext
from vaultbrowser.keyvault.models.vault_tree import VaultRoot
from vaultbrowser.keyvault.services.across.vault_set import Vault
from vaultbrowser.keyvault.services.connections import KEY_VAULT


@dataclass(frozen=True)
class VaultChoice:
    """A vault the user can pick: open (``root``) or discovered (``connection`` only)."""

    label: str
    connection: Connection
    root: VaultRoot | None = None

    @property
    def discovered(self) -> bool:
        return self.root is None

    @property
    def url(self) -> str:
        return self.connection.url.rstrip("/")


class AllVaults:
    """The window's vaults: ``choices()`` lists them, ``opened(choices)`` gives their
    ``Vault``s for one run of a tool."""

    def __init__(self, window: WindowContext, roots: Sequence[VaultRoot] | None = None) -> None:
        self._window = window
        self._roots = roots  # tests may fix the open roots; else the Secrets tree's

    def open_roots(self) -> list[VaultRoot]:
        if self._roots is not None:
            return list(self._roots)
        model = self._window.view(KEY_VAULT).secrets_pane.model
        return [node.record for node in model.root_nodes() if isinstance(node.record, VaultRoot)]

    def choices(self) -> list[VaultChoice]:
        """Open vaults first (in tree order), then discovered ones not open, each URL once."""
        chosen: list[VaultChoice] = []
        seen: set[str] = set()
        for root in self.open_roots():
            url = root.service.vault_url.rstrip("/").lower()
            if url not in seen:
                seen.add(url)
                chosen.append(VaultChoice(root.connection.display_name, root.connection, root))
        kind = next((k for k in self._window.kinds if k.name == KEY_VAULT), None)
        for view in self._window.kind_views():
            found = getattr(view, "found_connections", None)
            if kind is None or found is None:
                continue
            for connection in found(kind):
                url = connection.url.rstrip("/").lower()
                if url not in seen:
                    seen.add(url)
                    chosen.append(VaultChoice(connection.display_name, connection))
        return chosen

    @contextlib.asynccontextmanager
    async def opened(self, choices: Sequence[VaultChoice]) -> AsyncIterator[list[Vault]]:
        """The chosen vaults' services; those opened here are closed on the way out."""
        # Here, not at module level: the Key Vault services load after the first paint.
        from vaultbrowser.keyvault.services.opener import open_vault

        session = self._window.session
        opened_here = []
        vaults: list[Vault] = []
        try:
            for choice in choices:
                if choice.root is not None:
                    service = choice.root.service
                else:
                    service = open_vault(session, choice.connection)
                    opened_here.append(service)
                vaults.append(Vault(choice.label, service,
                                    read_only=session.is_read_only(choice.connection),
                                    discovered=choice.discovered))
            yield vaults
        finally:
            for service in opened_here:
                with contextlib.suppress(Exception):
                    await session.close_service(service)
