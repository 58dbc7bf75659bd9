"""The Key Vault kind's Qt half: the Secrets, Certificates and Keys trees, their actions, how
rows are described, and revealing a secret's value."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject

from vaultbrowser.core.audit.trail import latest_identity
from vaultbrowser.core.models.details import Details, Row
from vaultbrowser.core.models.lazy_tree import LazyTreeModel
from vaultbrowser.core.models.tree_node import Node
from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import NotFound
from vaultbrowser.core.services.kinds import Address
from vaultbrowser.core.services.records import ResponseInfo
from vaultbrowser.core.ui.tree.tree_pane import TreePane
from vaultbrowser.core.ui.window.context import WindowContext, open_and_show
from vaultbrowser.keyvault.models import details as vault_details
from vaultbrowser.keyvault.models.item_types import CERTIFICATES, KEYS, SECRETS
from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel, VaultRoot, filled_row
from vaultbrowser.keyvault.services.records import CertificateRecord, KeyRecord, SecretRecord
from vaultbrowser.keyvault.ui import vault_files
from vaultbrowser.keyvault.ui.across.tools import KeyVaultTools
from vaultbrowser.keyvault.ui.certificate_actions import CertificateActions
from vaultbrowser.keyvault.ui.issuers.issuer_actions import CertificateIssuerActions
from vaultbrowser.keyvault.ui.secret_key_actions import KeyActions, SecretActions
from vaultbrowser.keyvault.ui.secret_value_viewer import SecretValueViewer


class KeyVaultActions(QObject):
    """The Key Vault panes' controllers: ``secrets``, ``certificates``, ``keys``.

    ``choose_open_path`` / ``choose_save_path`` ask for files (``QFileDialog``); tests replace
    them with functions returning paths.
    """

    def __init__(self, window: WindowContext, secrets: TreePane, certificates: TreePane,
                 keys: TreePane) -> None:
        super().__init__(secrets)
        self.choose_open_path: Callable[..., Path | None] = vault_files.choose_open_path
        self.choose_save_path: Callable[..., Path | None] = vault_files.choose_save_path
        self.secrets = SecretActions(window, secrets)
        self.keys = KeyActions(window, keys)
        self.keys.export_rotate.files = self  # its saves ask through the same choosers
        self.certificates = CertificateActions(window, certificates, self,
                                               (self.secrets.model, self.keys.model))
        self.issuers = CertificateIssuerActions(window, certificates)  # issuers, contacts


class KeyVaultView:
    """Three tabs over the same vault roots; ``actions`` holds each tab's write actions."""

    def __init__(self, window: WindowContext) -> None:
        self.window = window
        paging = window.settings.paging
        self.secrets_pane = TreePane(KeyVaultTreeModel(SECRETS, paging), "Secrets")
        self.certificates_pane = TreePane(KeyVaultTreeModel(CERTIFICATES, paging),
                                          "Certificates")
        self.keys_pane = TreePane(KeyVaultTreeModel(KEYS, paging), "Keys")
        self.panes = (("Key Vault Secrets", self.secrets_pane),
                      ("Key Vault Certificates", self.certificates_pane),
                      ("Key Vault Keys", self.keys_pane))
        self.actions = KeyVaultActions(window, self.secrets_pane, self.certificates_pane,
                                       self.keys_pane)
        window.detail_pane.reveal_requested.connect(self.reveal)
        self.value_viewer = SecretValueViewer()
        window.detail_pane.add_value_viewer(self.value_viewer)
        window.detail_pane.details_changed.connect(self.value_viewer.show_details)
        window.detail_pane.value_hidden.connect(self.value_viewer.clear)
        self.tools = KeyVaultTools(window, self)
        self.tool_actions = self.tools.actions

    def make_root(self, connection: Connection, service: Any) -> VaultRoot:
        return VaultRoot(connection, service)

    def describe(self, record: Any, response: ResponseInfo | None) -> Details:
        return vault_details.describe(record, response)

    async def load_details(self, record: Any, root: Any) -> Details:
        return await vault_details.load_details(record, root)

    def contents_rows(self, records: Sequence[Any]) -> tuple[Row, ...]:
        return vault_details.contents_rows(records)

    def details_loaded(self, model: LazyTreeModel, node: Node, record: Any,
                       details: Details) -> None:
        if node.parent is not None and type(details.record) is type(record):
            # Fill what listings lack (subject, key type…) but keep the row's identity, as
            # the background fill of the rows in view does (row_fill.py).
            model.update_record(node, filled_row(record, details.record))

    # --- pasted addresses ------------------------------------------------------------------------

    async def open_address(self, address: Address) -> None:
        """Open the vault; for an item id, select the item (and its version) in its tab."""
        assert address.connection is not None
        connection = await open_and_show(self.window, address.connection)
        if connection is None or not address.path:
            return
        collection, name, *version = address.path
        pane = {"secrets": self.secrets_pane, "keys": self.keys_pane,
                "certificates": self.certificates_pane}[collection]
        model = pane.model
        vault = await model.find_paging(QModelIndex(), lambda record: isinstance(
            record, VaultRoot) and record.connection.key == connection.key)
        item = await model.find_paging(vault, lambda record: getattr(record, "name", None)
                                       == name) if vault.isValid() else QModelIndex()
        if not item.isValid():
            raise NotFound(f"{name} is not among the vault's {collection} (or the listing "
                           "failed: see its row).")
        if version:
            found = await model.find_paging(item, lambda record: getattr(
                record, "version", None) == version[0])
            if not found.isValid():
                raise NotFound(f"{name} has no version {version[0]}.")
            item = found
        self.window.reveal(pane, item)

    def address_of(self, record: Any, root: Any) -> tuple[str, str] | None:
        """A vault's URL, or an item's id without its version (a pin opens the latest)."""
        if isinstance(record, VaultRoot):
            return record.connection.url, record.name
        collection = ("secrets" if isinstance(record, SecretRecord) else "keys" if isinstance(
            record, KeyRecord) else "certificates" if isinstance(record, CertificateRecord)
            else None)
        if collection is None or getattr(record, "is_deleted", False):
            return None
        host = record.vault_url.split("://", 1)[-1].rstrip("/")
        return f"{record.vault_url.rstrip('/')}/{collection}/{record.name}", (
            f"{record.name} ({collection[:-1]} in {host})")

    # --- revealing a secret's value ---------------------------------------------------------

    def reveal(self, record: Any) -> None:
        """The detail pane's Reveal: fetch the value (asking first on a read-only connection,
        and recording it in the audit trail)."""
        if not isinstance(record, SecretRecord):
            return
        root = self._vault_root_of(record)
        if root is None:
            return
        window = self.window
        connection = root.connection
        if connection.read_only:
            what = f"{record.name}" + (f" (version {record.version})" if record.version else "")
            if not window.confirm_reveal(what):
                window.detail_pane.value_failed()
                return
            if window.trail is not None:
                window.trail.record_event("reveal secret value (confirmed)",
                                          connection=connection.display_name,
                                          resource=record.id,
                                          identity=latest_identity(
                                              window.session.journal, connection.display_name))
        window.run_task(self._reveal_value(root, record))

    async def _reveal_value(self, root: VaultRoot, record: SecretRecord) -> None:
        pane = self.window.detail_pane
        try:
            result = await root.service.secrets.get_value(record.name, record.version)
        except BaseException:
            pane.value_failed()
            raise
        current: Details | None = pane.details
        if current is not None and current.record == record:
            pane.show_value(result.value, result.response)
            self.value_viewer.show_value(result.value, getattr(current.record, "content_type",
                                                               record.content_type))

    def _vault_root_of(self, record: SecretRecord) -> VaultRoot | None:
        for node in self.secrets_pane.model.root_nodes():
            if isinstance(node.record, VaultRoot) and node.record.service.vault_url == (
                    record.vault_url.rstrip("/")):
                return node.record
        return None

