"""Every vault open or discovered (``AllVaults``): an Azure sign-in's discovered vaults are
choices before anyone opens them, a vault open in the Key Vault tabs is listed once (open, not
discovered), and a discovered vault's service is opened for one run of a tool and closed
after it."""

from __future__ import annotations

from typing import Any

from tests.azure.ui.test_azure_view import Harness, arm, azure_connection, harness
from vaultbrowser.core.services.connections import AuthMethod, Connection
from vaultbrowser.keyvault.services.connections import KEY_VAULT
from vaultbrowser.keyvault.ui.across.vaults import AllVaults

__all__ = ["arm", "harness"]  # fixtures used by name


def test_discovered_then_open_vaults(harness: Harness, arm: Any, kv_emulator: Any) -> None:
    async def body() -> None:
        window = harness.window
        vaults = AllVaults(window)
        assert vaults.choices() == []
        await window.open_connection(azure_connection(arm))
        await harness.loaded()
        # Every vault of the demo world answers at the one emulator: listed once, discovered.
        choices = vaults.choices()
        assert [c.url for c in choices] == [kv_emulator.url.rstrip("/")]
        assert choices[0].discovered and choices[0].connection.kind == KEY_VAULT
        sessions_before = len(window.session._services)
        async with vaults.opened(choices) as opened:
            assert opened[0].discovered and not opened[0].read_only
            page = await opened[0].service.secrets.list()
            assert page.items is not None
            assert len(window.session._services) == sessions_before + 1
        assert len(window.session._services) == sessions_before  # closed after the run

        direct = Connection(KEY_VAULT, kv_emulator.url, AuthMethod.LOCAL_EMULATOR,
                            name="opened-vault", ca_path=str(kv_emulator.ca_path),
                            read_only=True)
        await window.open_connection(direct)
        choices = vaults.choices()
        assert [(c.label, c.discovered) for c in choices] == [("opened-vault", False)]
        async with vaults.opened(choices) as opened:
            assert opened[0].read_only  # the connection's read-only travels with it
            assert opened[0].service is choices[0].root.service  # the tree's own service
        assert len(window.session._services) >= 1

    harness.run(body)
