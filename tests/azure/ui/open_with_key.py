"""The Azure tab's "Open with … key" for a discovered resource, as the Cosmos DB and Redis
tests walk it: ARM's view on its node, the action refused in read-only mode and for a resource
that takes Entra ID only, then offered and opening the resource's own tab."""

from __future__ import annotations

from tests.azure.ui.test_azure_view import Harness, azure_connection
from vaultbrowser.azure.services.connections import AZURE
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.emulators.arm.server import ArmEmulator


async def open_with_key(harness: Harness, arm: ArmEmulator, *, kind: str, keyed: str,
                        entra_only: str, label: str, arm_says: dict[str, str]) -> Connection:
    """Sign in read-only: ``keyed``'s node shows ``arm_says`` under "What Resource Manager
    says" and the action ``label`` is disabled, saying read-only. Sign in again: disabled for
    ``entra_only`` ("Entra ID only"), enabled for ``keyed``, and it opens a connection of
    ``kind``, which is returned."""
    window = harness.window
    await window.open_connection(azure_connection(arm, read_only=True))
    window.show_pane("Azure")
    await harness.loaded()
    await harness.wait_for(lambda: harness.find(keyed).isValid())
    view = window.view(AZURE)
    node = harness.find(keyed)
    details = view.describe(harness.model.record_of(node), None)
    arm_view = dict(next(s for s in details.sections
                         if s.title == "What Resource Manager says").rows)
    assert {name: arm_view.get(name) for name in arm_says} == arm_says
    view.actions.actions_for(node)
    key_action = view.actions.open_with_key_action
    assert key_action.text() == label
    assert not key_action.isEnabled() and "read-only" in key_action.toolTip()
    window.remove_connection(window.connections[0])

    await window.open_connection(azure_connection(arm))
    await harness.loaded()
    await harness.wait_for(lambda: harness.find(entra_only).isValid())
    view.actions.actions_for(harness.find(entra_only))
    assert not key_action.isEnabled() and "Entra ID only" in key_action.toolTip()
    node = harness.find(keyed)
    view.actions.actions_for(node)
    assert key_action.isEnabled()
    harness.select(node)
    view.actions.open_selected_with_key()
    await harness.wait_for(lambda: any(c.kind == kind for c in window.connections))
    return next(c for c in window.connections if c.kind == kind)
