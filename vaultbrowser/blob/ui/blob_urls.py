"""The blob pane's URL actions: Copy URL (never a credential in it) and Generate SAS URL…
(an account-key or user-delegation SAS, shown once and copied to a clipboard that clears)."""

from __future__ import annotations

from urllib.parse import quote

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QGuiApplication

from vaultbrowser.blob.models.blob_tree import AccountRoot
from vaultbrowser.blob.services.records import BlobRecord, ContainerRecord
from vaultbrowser.blob.ui.blob_pane_tools import BlobPaneTools
from vaultbrowser.blob.ui.sas_dialogs import ACCOUNT_KEY, USER_DELEGATION, SasDialog, SasUrlDialog
from vaultbrowser.core.services.connections import AuthMethod
from vaultbrowser.core.ui.secret_clipboard import SecretClipboard
from vaultbrowser.core.ui.window.context import WindowContext

# Sign-in methods whose client signs with Shared Key (the account key): an account-key SAS.
_SHARED_KEY_AUTH = {AuthMethod.ACCOUNT_KEY, AuthMethod.CONNECTION_STRING,
                    AuthMethod.LOCAL_EMULATOR}


def sas_kind(root: AccountRoot) -> str | None:
    """How a SAS of this connection will be signed (the service decides the same way)."""
    auth = root.connection.auth
    if auth is AuthMethod.SAS:
        return None
    return ACCOUNT_KEY if auth in _SHARED_KEY_AUTH else USER_DELEGATION


class BlobUrlActions(QObject):
    """Copy URL and Generate SAS URL… for a container or blob row (a part of ``BlobActions``)."""

    def __init__(self, window: WindowContext, tools: BlobPaneTools) -> None:
        super().__init__(tools.pane)
        self._window = window
        self._tools = tools
        self.copy_url_action = tools.action(
            "Copy URL", self._on_copy_url, write=False,
            tip="Copy the URL (no credentials in it)")
        self.sas_action = tools.action(
            "Generate SAS URL…", self._on_generate_sas, write=True,
            tip="A URL that grants chosen permissions until it expires")
        self.secret_clipboard = SecretClipboard(window.settings.clipboard_clear_seconds, self)

    def update_actions(self, index: QModelIndex, applies: bool, writable: bool) -> None:
        """Enable both for a container or live blob row (SAS: when the sign-in can sign one)."""
        self._tools.enable(self.copy_url_action, applies, writable)
        root = self._tools.root_of(index)
        can_sign = root is not None and sas_kind(root) is not None
        self._tools.enable(self.sas_action, applies and can_sign, writable)
        if writable and applies and not can_sign:
            self.sas_action.setToolTip("This connection signs in with a SAS: it cannot sign "
                                       "another one")

    def url_of(self, index: QModelIndex | QPersistentModelIndex) -> str:
        record = self._tools.model.record_of(index)
        service = self._tools.service_of(index)
        if isinstance(record, ContainerRecord):
            return f"{service.account_url}/{quote(record.name)}"
        return str(service.urls.blob_url(record.container, record.name))

    def _on_copy_url(self) -> None:
        index = self._tools.selection()
        if not index.isValid():
            return
        url = self.url_of(index)
        QGuiApplication.clipboard().setText(url)
        self._window.statusBar().showMessage(f"Copied {url}", 5000)

    def _on_generate_sas(self) -> None:
        self._tools.run(self.generate_sas(self._tools.selected()))

    async def generate_sas(self, index: QPersistentModelIndex) -> bool:
        record = self._tools.model.record_of(index)
        root = self._tools.root_of(QModelIndex(index))
        assert root is not None
        kind = sas_kind(root)
        if isinstance(record, ContainerRecord):
            container, name, target = record.name, None, f"the container “{record.name}”"
        else:
            assert isinstance(record, BlobRecord)
            container, name = record.container, record.name
            target = f"“{record.name}” in “{record.container}”"
        dialog = SasDialog(self._window, target, container_level=name is None, kind=kind)
        if not await self._tools.ask(dialog):
            return False
        permissions, expires = dialog.permissions(), dialog.expires_on()
        result = await root.service.urls.generate_sas_url(
            container, name, permissions=permissions, expires_on=expires,
            starts_on=dialog.starts_on())
        # The URL is shown once, in its own dialog; the detail pane shows only the response of
        # the user delegation key request (an account-key SAS makes no request).
        self._window.show_response(
            "SAS URL generated",
            f"A {'user-delegation' if kind == USER_DELEGATION else 'account-key'} SAS for "
            f"{target} (permissions “{permissions}”) was generated and shown once.",
            result.response)
        shown = SasUrlDialog(self._window, result.value, kind=kind, permissions=permissions,
                             expires_on=expires, copy=self.copy_secret)
        await self._window.dialogs.wait(shown)
        return True

    def copy_secret(self, text: str) -> None:
        """Copy a credential-bearing text (a SAS URL): marked for clipboard managers not to
        keep, cleared later and at quit if the clipboard still holds it."""
        self.secret_clipboard.copy(text)
