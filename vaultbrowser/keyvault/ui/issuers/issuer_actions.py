"""Certificate issuers and contacts of a vault: the Certificates tree's "Certificate issuers and
contacts…" action (vault rows and everything under them, in the context menu and the Actions
menu) opens an ``IssuersWindow`` for the vault, driven by an ``IssuersController``.

Every call goes through ``service.certificates.issuers`` / ``.contacts`` as a window task (the
activity panel lists it; failures reach the error dialog). On a read-only connection the write
buttons are disabled with the reason, and the transport would refuse a write anyway.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTreeWidgetItem

from vaultbrowser.core.models.details import Details
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.services.errors import VaultBrowserError
from vaultbrowser.core.ui.common_dialogs import TypedNameDialog
from vaultbrowser.keyvault.models.issuer_details import describe_contacts, describe_issuer
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot
from vaultbrowser.keyvault.services.certificates.issuer_inputs import (
    ContactRecord,
    IssuerRecord,
)
from vaultbrowser.keyvault.ui.issuers.issuer_dialogs import ContactsDialog, IssuerDialog
from vaultbrowser.keyvault.ui.issuers.issuer_window import IssuersWindow
from vaultbrowser.keyvault.ui.vault_actions import READ_ONLY_TIP

if TYPE_CHECKING:
    from vaultbrowser.core.ui.tree.tree_pane import TreePane
    from vaultbrowser.core.ui.window.context import WindowContext

OPEN_TEXT = "Certificate issuers and contacts…"
ISSUERS_TAB, CONTACTS_TAB = 0, 1
MAX_ISSUER_PAGES = 200  # 5,000 issuers: far past any real vault, but never an endless loop


class CertificateIssuerActions(QObject):
    """The action on the Certificates pane and the windows it opened (one per vault)."""

    def __init__(self, window: WindowContext, pane: TreePane) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.pane = pane
        model = pane.model
        assert isinstance(model, KeyVaultTreeModel)
        self.model: KeyVaultTreeModel = model
        self.controllers: dict[str, IssuersController] = {}  # by vault URL
        self.open_action = QAction(icon(Icon.CERTIFICATE), OPEN_TEXT, self)
        self.open_action.setToolTip("The vault's certificate issuers (CA accounts) and the "
                                    "contacts emailed about expiring certificates")
        self.open_action.triggered.connect(lambda _checked=False: self.open_selected())
        pane.action_providers.append(self.actions_for)
        model.rowsAboutToBeRemoved.connect(self._vaults_closing)

    def _root(self, index: QModelIndex | None = None) -> VaultRoot | None:
        """The vault of ``index`` (default: the selection); with one vault open, that one."""
        if index is None:
            index = self.pane.selected_source_index()
        vault = self.model.vault_index(index) if index.isValid() else QModelIndex()
        if not vault.isValid() and len(self.model.root_nodes()) == 1:
            vault = self.model.index(0, 0)
        root = self.model.record_of(vault) if vault.isValid() else None
        return root if isinstance(root, VaultRoot) else None

    def actions_for(self, index: QModelIndex) -> list[QAction | None]:
        self.open_action.setEnabled(self._root(index) is not None)
        return [self.open_action]

    def open_selected(self) -> IssuersController | None:
        root = self._root()
        return self.open(root) if root is not None else None

    def open(self, root: VaultRoot) -> IssuersController:
        """Show the vault's window (the one already open, raised, or a new one)."""
        key = root.service.vault_url
        controller = self.controllers.get(key)
        if controller is None:
            controller = IssuersController(self.window, root)
            self.controllers[key] = controller
            controller.view.finished.connect(lambda _code: self._closed(key, controller))
            controller.load()
        controller.view.show()
        controller.view.raise_()
        controller.view.activateWindow()
        return controller

    def _closed(self, key: str, controller: IssuersController) -> None:
        controller.cancel()
        if self.controllers.get(key) is controller:
            del self.controllers[key]
        controller.view.deleteLater()

    def _vaults_closing(self, parent: QModelIndex, first: int, last: int) -> None:
        """A vault's connection closes: its window closes with it (its client is going)."""
        if parent.isValid():
            return
        for row in range(first, last + 1):
            root = self.model.record_of(self.model.index(row, 0))
            controller = self.controllers.get(getattr(getattr(root, "service", None),
                                                      "vault_url", ""))
            if controller is not None:
                controller.view.close()


class IssuersController(QObject):
    """Loads and changes one vault's issuers and contacts in its ``IssuersWindow``."""

    def __init__(self, window: WindowContext, root: VaultRoot) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window = window
        self.root = root
        self.service = root.service
        writable = window.can_write(root)
        self.view = view = IssuersWindow(window, root.name,  # type: ignore[arg-type]
                                         "" if writable else READ_ONLY_TIP)
        self.contacts: tuple[ContactRecord, ...] = ()
        # What each tab last showed in the detail pane (switching tabs shows it again).
        self._tab_details: dict[int, Details] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._selection_task: asyncio.Task[Any] | None = None
        for button, tip in (
                (view.new_button, "Add an issuer (a CA account) to this vault"),
                (view.edit_button, "Change the selected issuer (read from the vault first)"),
                (view.delete_button, "Delete the selected issuer (asks for its name)"),
                (view.edit_contacts_button, "Replace the vault's certificate contacts"),
                (view.delete_contacts_button, "Remove every certificate contact")):
            button.setToolTip(tip if writable else READ_ONLY_TIP)
        self._writable = writable
        view.new_button.clicked.connect(self.create_issuer)
        view.edit_button.clicked.connect(self.edit_issuer)
        view.delete_button.clicked.connect(self.delete_issuer)
        view.refresh_issuers_button.clicked.connect(lambda: self.run(self.list_issuers()))
        view.edit_contacts_button.clicked.connect(self.edit_contacts)
        view.delete_contacts_button.clicked.connect(self.delete_contacts)
        view.refresh_contacts_button.clicked.connect(lambda: self.run(self.read_contacts()))
        view.issuer_list.currentItemChanged.connect(self._issuer_selected)
        view.tabs.currentChanged.connect(self._tab_changed)
        self._sync_buttons()

    # --- tasks ----------------------------------------------------------------------------

    def run(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = self.window.run_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def wait_idle(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def load(self) -> None:
        self.run(self.list_issuers())
        self.run(self.read_contacts())

    def _sync_buttons(self) -> None:
        view, selected = self.view, self.view.selected_issuer() is not None
        writable = self._writable
        view.new_button.setEnabled(writable)
        view.edit_button.setEnabled(writable and selected)
        view.delete_button.setEnabled(writable and selected)
        view.edit_contacts_button.setEnabled(writable)
        view.delete_contacts_button.setEnabled(writable and bool(self.contacts))

    def _show(self, tab: int, details: Details) -> None:
        self._tab_details[tab] = details
        if self.view.tabs.currentIndex() == tab:
            self.view.detail_pane.show_details(details)

    def _tab_changed(self, tab: int) -> None:
        details = self._tab_details.get(tab)
        if details is not None:
            self.view.detail_pane.show_details(details)
        elif tab == ISSUERS_TAB:
            self.view.detail_pane.show_message("Certificate issuers",
                                               "Select an issuer to read its settings.")

    # --- issuers ----------------------------------------------------------------------------

    async def list_issuers(self) -> None:
        """Every page of issuers, rows appearing as pages arrive."""
        view, issuers = self.view, self.service.certificates.issuers
        view.clear_issuers()
        view.issuer_status.setText("Loading…")
        token: str | None = None
        try:
            for _ in range(MAX_ISSUER_PAGES):
                page = await issuers.list(continuation=token)
                view.add_issuers(page.items)
                token = page.next_token
                if token is None:
                    break
                view.issuer_status.setText(f"{len(view.issuer_names())} loaded · loading more…")
        except VaultBrowserError as error:
            view.issuer_status.setText(f"The issuers could not be listed: {error.message}")
            raise
        count = len(view.issuer_names())
        view.issuer_status.setText(
            (f"{count} issuer{'s' * (count != 1)}" if count else "No issuers: certificates "
             "here are self-signed or merged (issuers “Self” and “Unknown”).")
            + (" · more not loaded" if token else ""))
        self._sync_buttons()

    def _issuer_selected(self, item: QTreeWidgetItem | None, _previous: Any) -> None:
        self._sync_buttons()
        if self._selection_task is not None:
            self._selection_task.cancel()  # the previous selection's GET is no longer wanted
        if item is not None:
            self._selection_task = self.run(self.read_issuer(item.text(0)))

    async def read_issuer(self, name: str) -> IssuerRecord:
        """The issuer's GET, shown in the detail pane; its row keeps the full record."""
        self.view.detail_pane.show_loading(name)
        result = await self.service.certificates.issuers.get(name)
        self._show_issuer(result.value, result.response)
        return result.value

    def _show_issuer(self, record: IssuerRecord, response: Any) -> None:
        item = self.view.put_issuer(record)
        if self.view.issuer_list.currentItem() is not item:
            self.view.issuer_list.blockSignals(True)  # selecting it must not GET it again
            self.view.issuer_list.setCurrentItem(item)
            self.view.issuer_list.blockSignals(False)
        self._show(ISSUERS_TAB, describe_issuer(record, response))
        self._sync_buttons()

    def create_issuer(self) -> None:
        dialog = IssuerDialog(self.view, self.root.name)
        try:
            if not self.window.dialogs.run(dialog):
                return
            name, issuer = dialog.name, dialog.take_issuer()
        finally:
            dialog.deleteLater()
        self.run(self._create(name, issuer))

    async def _create(self, name: str, issuer: Any) -> None:
        result = await self.service.certificates.issuers.create(name, issuer)
        self._show_issuer(result.value, result.response)

    def edit_issuer(self) -> None:
        selected = self.view.selected_issuer()
        if selected is not None:
            self.run(self._edit(selected.name))

    async def _edit(self, name: str) -> None:
        """Read the issuer (the edit starts from what the vault holds now), ask, save."""
        current = await self.read_issuer(name)
        dialog = IssuerDialog(self.view, self.root.name, current)
        try:
            if await self.window.dialogs.wait(dialog) != dialog.DialogCode.Accepted:
                return
            issuer = dialog.take_issuer()
        finally:
            dialog.password_edit.clear()
            dialog.deleteLater()
        result = await self.service.certificates.issuers.update(current, issuer)
        self._show_issuer(result.value, result.response)

    def delete_issuer(self) -> None:
        selected = self.view.selected_issuer()
        if selected is None:
            return
        name = selected.name
        dialog = TypedNameDialog(
            self.view, "Delete issuer",
            f"Delete the certificate issuer “{name}” from {self.root.name}?\n\nIts account "
            "settings and password are removed for good (issuers have no soft delete). "
            "Certificates whose policy names it keep their versions but cannot be renewed "
            "through it until an issuer of that name exists again.", name, "Delete issuer")
        try:
            if not self.window.dialogs.run(dialog):
                return
            typed = dialog.typed()
        finally:
            dialog.deleteLater()
        self.run(self._delete(name, typed))

    async def _delete(self, name: str, typed: str) -> None:
        result = await self.service.certificates.issuers.delete(name, typed_name=typed)
        self.view.remove_issuer(name)
        self._show(ISSUERS_TAB, Details(
            f"{name} deleted", f"The certificate issuer “{name}” was deleted from "
            f"{self.root.name}.", (), result.response, result.value))
        self._sync_buttons()

    # --- contacts ----------------------------------------------------------------------------

    async def read_contacts(self) -> None:
        view = self.view
        view.contact_status.setText("Loading…")
        try:
            result = await self.service.certificates.contacts.get()
        except VaultBrowserError as error:
            view.contact_status.setText(f"The contacts could not be read: {error.message}")
            raise
        self._show_contacts(result.value, result.response)

    def _show_contacts(self, contacts: tuple[ContactRecord, ...], response: Any) -> None:
        self.contacts = contacts
        self.view.show_contacts(contacts)
        self._show(CONTACTS_TAB, describe_contacts(self.root.name, contacts, response))
        self._sync_buttons()

    def edit_contacts(self) -> None:
        dialog = ContactsDialog(self.view, self.root.name, self.contacts)
        try:
            if not self.window.dialogs.run(dialog):
                return
            contacts = dialog.contacts()
        finally:
            dialog.deleteLater()
        self.run(self._set_contacts(contacts))

    async def _set_contacts(self, contacts: Any) -> None:
        result = await self.service.certificates.contacts.set(contacts)
        self._show_contacts(result.value, result.response)

    def delete_contacts(self) -> None:
        count = len(self.contacts)
        if not count or not self.window.dialogs.confirm(
                self.view, "Delete all contacts",
                f"Delete all {count} certificate contact{'s' * (count != 1)} of "
                f"{self.root.name}?\n\nNobody will be emailed about expiring certificates "
                "until contacts are set again.", "Delete all contacts"):
            return
        self.run(self._delete_contacts())

    async def _delete_contacts(self) -> None:
        result = await self.service.certificates.contacts.delete()
        self.contacts = ()
        self.view.show_contacts(())
        count = len(result.value)
        self._show(CONTACTS_TAB, Details(
            "Contacts deleted", f"{count} contact{'s' * (count != 1)} deleted from "
            f"{self.root.name}.", (), result.response, ()))
        self._sync_buttons()

