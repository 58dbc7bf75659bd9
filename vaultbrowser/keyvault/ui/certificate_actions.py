"""``CertificateActions``: create (with its pending operation), import, download, policy,
properties, delete / recover / purge of certificates.

A certificate owns a key and a secret of the same name: after a change that creates, removes
or brings back a certificate, the secrets and keys trees of that vault re-list (their vault
node only) when they are listed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from vaultbrowser.core.audit.trail import latest_identity
from vaultbrowser.core.models.icons import Icon, icon
from vaultbrowser.core.services.errors import ServiceError
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.ui.common_dialogs import confirm_box
from vaultbrowser.keyvault.models.details import describe_certificate
from vaultbrowser.keyvault.models.item_types import CERTIFICATES
from vaultbrowser.keyvault.services.records import CertificateRecord
from vaultbrowser.keyvault.ui import vault_files
from vaultbrowser.keyvault.ui.certificate_dialogs import (
    CertificateOperationDialog,
    CertificatePolicyDialog,
    ImportCertificateDialog,
)
from vaultbrowser.keyvault.ui.vault_actions import Target, VaultItemActions
from vaultbrowser.keyvault.ui.vault_files import FileChoices

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vaultbrowser.core.ui.tree.tree_pane import TreePane
    from vaultbrowser.core.ui.window.context import WindowContext
    from vaultbrowser.keyvault.models.vault_tree import KeyVaultTreeModel
    from vaultbrowser.keyvault.services.certificates.inputs import (
        CertificateOperationRecord,
        CertificatePolicyInput,
    )

IMPORT_FILTER = "Certificates (*.pfx *.p12 *.pem *.crt *.cer);;All files (*)"


def operation_text(operation: CertificateOperationRecord) -> str:
    status = "in progress" if operation.in_progress else operation.status
    text = f"Certificate operation: {status}"
    if operation.cancellation_requested:
        text += " (cancellation requested)"
    if operation.status_details:
        text += f" — {operation.status_details}"
    if operation.error_message:
        text += f" — {operation.error_code or 'error'}: {operation.error_message}"
    return text


class CertificateActions(VaultItemActions):
    item_type = CERTIFICATES

    def __init__(self, window: WindowContext, pane: TreePane, files: FileChoices,
                 related: Sequence[KeyVaultTreeModel]) -> None:
        super().__init__(window, pane)
        self.files = files
        self.related = tuple(related)  # the secrets and keys trees (a certificate's key, secret)
        self.poll_interval = 1.0  # seconds before the first read of a pending operation
        self.max_poll_interval = 30.0
        self.last_directory = Path.home()
        # Pending operations being watched, by certificate name (tests, and one per name).
        self.operations: dict[str, CertificateOperationDialog] = {}
        self.edit_action.setText("Edit properties (enabled, tags)…")
        self.create_action = self._action("New certificate…", self.create_certificate,
                                          "Create a certificate from an issuance policy "
                                          "(self-signed or a named issuer)")
        self.import_action = self._action("Import certificate…", self.import_certificate,
                                          "Import a PFX (PKCS#12) or PEM file with its "
                                          "private key")
        self.cer_action = self._action("Download certificate (.cer)…",
                                       lambda: self.download_public("cer"),
                                       "Save the public certificate (DER)")
        self.pem_action = self._action("Download certificate (.pem)…",
                                       lambda: self.download_public("pem"),
                                       "Save the public certificate (PEM)")
        self.private_action = self._action("Download with private key (PFX/PEM)…",
                                           self.download_private,
                                           "Save the certificate with its private key, read "
                                           "through its secret (asks first)")
        self.policy_action = self._action("Edit policy…", self.edit_policy,
                                          "Change the issuance policy used for renewals")
        for action, which in ((self.create_action, Icon.NEW), (self.import_action, Icon.UPLOAD),
                              (self.cer_action, Icon.DOWNLOAD)):
            action.setIcon(icon(which))

    def active_actions(self, target: Target) -> list[QAction | None]:
        item = target.item
        vault = target.root is not None
        self._enable(self.create_action, vault, target, why_not="Select a vault first")
        self._enable(self.import_action, vault, target, why_not="Select a vault first")
        self._enable(self.cer_action, item is not None, target, write=False)
        self._enable(self.pem_action, item is not None, target, write=False)
        self._enable(self.private_action, item is not None, target, write=False)
        self._enable(self.policy_action, item is not None, target)
        return [self.create_action, self.import_action, None, self.cer_action,
                self.pem_action, self.private_action, None, self.policy_action,
                *super().active_actions(target)]

    # --- create, with the pending operation --------------------------------------------------

    def create_certificate(self) -> None:
        target = self.target()
        if target.root is None:
            return
        dialog = CertificatePolicyDialog(self.window, target.vault_name)
        try:
            if not self.window.dialogs.run(dialog):
                return
            name, policy = dialog.name, dialog.policy()
            enabled, tags = dialog.enabled_check.isChecked(), dialog.tags.pairs()
        finally:
            dialog.deleteLater()
        self.run(self.create(target, name, policy, enabled=enabled, tags=tags))

    async def create(self, target: Target, name: str, policy: CertificatePolicyInput, *,
                     enabled: bool, tags: dict[str, str]) -> None:
        """Start the operation, show it until it ends, then show the certificate."""
        assert target.root is not None
        service = target.root.service
        started = await service.certificates.issuance.create(name, policy, enabled=enabled,
                                                             tags=tags)
        operation, response = started.value, started.response
        self.window.show_response(f"Certificate {name}", operation_text(operation), response)
        if policy.issuer_name.lower() == "unknown" and operation.in_progress:
            # Nothing to wait for: the request waits for a certificate signed elsewhere.
            self.window.show_response(
                f"Certificate {name}", operation_text(operation) + "\n\nThe issuer is "
                "Unknown: the request stays pending until a certificate signed by your CA for "
                "its CSR is merged into the vault.", response)
            return
        progress = CertificateOperationDialog(self.window, name)
        previous = self.operations.pop(name, None)
        if previous is not None:
            previous.close()
        self.operations[name] = progress
        progress.cancel_requested.connect(
            lambda: self.run(self.cancel_operation(target, name, progress)))
        progress.show_operation(operation)
        progress.show()
        try:
            delay = self.poll_interval
            while operation.in_progress:
                # Self-signed requests finish in seconds, an issuer's may take hours: read
                # the operation less and less often (at most every max_poll_interval).
                await asyncio.sleep(delay)
                delay = min(delay * 1.5, self.max_poll_interval)
                polled = await service.certificates.issuance.get_operation(name)
                operation, response = polled.value, polled.response
                progress.show_operation(operation)
        finally:
            if self.operations.get(name) is progress:
                del self.operations[name]
            progress.close()
            progress.deleteLater()
        if operation.completed:
            certificate = await service.certificates.get(name)
            index = self.model.insert_item(target.vault_index, certificate.value.properties)
            self.show_new_row(index)
            self.after_item_change(target, name, removed=False)
            self.window.show_details(describe_certificate(certificate.value,
                                                          certificate.response))
            return
        self.window.show_response(f"Certificate {name}", operation_text(operation), response)
        if operation.status.lower() == "failed":
            raise ServiceError(
                f"The vault could not issue the certificate {name}: "
                f"{operation.error_message or operation.status_details or 'no reason given'}",
                error_code=operation.error_code,
                advice="Check the issuer and the policy, then create it again.")

    async def cancel_operation(self, target: Target, name: str,
                               progress: CertificateOperationDialog) -> None:
        assert target.root is not None
        try:
            result = await target.root.service.certificates.issuance.cancel_operation(name)
        except BaseException:
            progress.cancel_failed()
            raise
        progress.show_operation(result.value)

    # --- import ------------------------------------------------------------------------------

    def import_certificate(self) -> None:
        target = self.target()
        if target.root is None:
            return
        path = self.files.choose_open_path(self.window, "Import a certificate",
                                           self.last_directory, IMPORT_FILTER)
        if path is None:
            return
        self.last_directory = path.parent
        data = vault_files.read_bytes(path)
        dialog = ImportCertificateDialog(self.window, target.vault_name, path, data)
        try:
            if not self.window.dialogs.run(dialog):
                return
            name, password = dialog.name, dialog.take_password()
            enabled, tags = dialog.enabled_check.isChecked(), dialog.tags.pairs()
        finally:
            dialog.password_edit.clear()
            dialog.deleteLater()
        self.run(self.import_data(target, name, data, password, enabled=enabled, tags=tags))

    async def import_data(self, target: Target, name: str, data: bytes,
                          password: SecretValue | None, *, enabled: bool,
                          tags: dict[str, str]) -> None:
        assert target.root is not None
        result = await target.root.service.certificates.files.import_file(
            name, data, password=password, enabled=enabled, tags=tags)
        self.show_new_row(self.model.insert_item(target.vault_index, result.value))
        self.after_item_change(target, name, removed=False)
        self.show_result(result.value, result.response)

    # --- downloads ---------------------------------------------------------------------------

    def _ask_destination(self, title: str, suggested: str, name_filter: str
                         ) -> tuple[Path, bool] | None:
        """A path to save to, and whether the user agreed to replace the file there."""
        path = self.files.choose_save_path(self.window, title,
                                           self.last_directory / suggested, name_filter)
        if path is None:
            return None
        self.last_directory = path.parent
        if path.exists():
            if not self.window.dialogs.confirm(
                    self.window, "Replace file?",
                    f"{path} already exists.\n\nReplace it with the downloaded file?",
                    "Replace"):
                return None
            return path, True
        return path, False

    def download_public(self, fmt: str) -> None:
        target = self.target()
        record = target.item
        if record is None or target.root is None:
            return
        label = "DER certificate (*.cer)" if fmt == "cer" else "PEM certificate (*.pem)"
        chosen = self._ask_destination(f"Save the certificate {record.name}",
                                       f"{record.name}.{fmt}", label)
        if chosen is not None:
            self.run(self.save_public(target, record, fmt, *chosen))

    async def save_public(self, target: Target, record: CertificateRecord, fmt: str,
                          path: Path, overwrite: bool) -> None:
        assert target.root is not None
        result = await target.root.service.certificates.files.download(record.name, record.version,
                                                                fmt=fmt)
        await self._save(path, result.value, overwrite)
        self.window.show_response(f"{record.name} downloaded",
                                  f"The public certificate ({len(result.value):,} bytes) was "
                                  f"saved to {path}.", result.response)

    def download_private(self) -> None:
        target = self.target()
        record = target.item
        if record is None or target.root is None:
            return
        connection = target.root.connection
        audited = "\n\nThis connection is in read-only audit mode: the download is recorded " \
            "in the audit trail." if connection.read_only else ""
        if not self.window.dialogs.confirm(
                self.window, "Download the private key",
                f"Save {record.name} with its private key?\n\nThe file holds the private key "
                "(a PFX without a password, or an unencrypted PEM): anyone who can read it can "
                f"act as this certificate's owner. Keep it safe and delete it after use.{audited}",
                "Download private key"):
            return
        chosen = self._ask_destination(f"Save {record.name} with its private key",
                                       f"{record.name}.pfx",
                                       "PKCS#12 (*.pfx);;PEM (*.pem);;All files (*)")
        if chosen is None:
            return
        if connection.read_only and self.window.trail is not None:
            self.window.trail.record_event(
                "download certificate private key (confirmed)",
                connection=connection.display_name, resource=record.id,
                identity=latest_identity(self.window.session.journal, connection.display_name))
        self.run(self.save_private(target, record, *chosen))

    async def save_private(self, target: Target, record: CertificateRecord, path: Path,
                           overwrite: bool) -> None:
        assert target.root is not None
        result = await target.root.service.certificates.files.download_private(record.name,
                                                                        record.version)
        export = result.value
        if path.suffix.lower() != export.suffix:
            # The vault decides the format (the policy's content type): name the file for it.
            path = path.with_suffix(export.suffix)
            overwrite = False
            if path.exists():
                box = confirm_box(self.window, "Replace file?",
                                  f"The certificate's format is {export.suffix}: {path} already "
                                  "exists.\n\nReplace it?", "Replace")
                if not await self.confirmed(box):
                    return
                overwrite = True
        await self._save(path, export.data, overwrite)
        self.window.show_response(f"{record.name} downloaded",
                                  f"The certificate with its private key was saved to {path}. "
                                  "Delete the file once it is no longer needed.",
                                  result.response)

    async def _save(self, path: Path, data: bytes, overwrite: bool) -> None:
        await asyncio.get_running_loop().run_in_executor(
            None, lambda: vault_files.save_bytes(path, data, overwrite=overwrite))

    # --- policy ------------------------------------------------------------------------------

    def edit_policy(self) -> None:
        target = self.target()
        record = target.item
        if record is None or target.root is None:
            return
        self.run(self.change_policy(target, record.name))

    async def change_policy(self, target: Target, name: str) -> None:
        """Read the policy, let the user edit it (a window-modal dialog), save it."""
        assert target.root is not None
        service = target.root.service
        current = await service.certificates.get_policy(name)
        dialog = CertificatePolicyDialog(self.window, target.vault_name, name=name,
                                         policy=current.value)
        try:
            if await self.window.dialogs.wait(dialog) != dialog.DialogCode.Accepted:
                return
            policy = dialog.policy()
        finally:
            dialog.deleteLater()
        result = await service.certificates.update_policy(name, policy)
        saved = result.value
        key = f"{saved.key_type or ''} {saved.key_size or saved.curve or ''}".strip()
        summary = "; ".join(part for part in (
            f"issuer {saved.issuer_name}", saved.subject, key,
            f"{saved.validity_in_months} months" if saved.validity_in_months else "",
            ", ".join(saved.lifetime_actions) or "no lifetime action") if part)
        self.window.show_response(f"Policy of {name} saved", summary, result.response)

    # --- the certificate's key and secret --------------------------------------------------------

    def after_item_change(self, target: Target, name: str, *, removed: bool) -> None:
        """Re-list the vault in the secrets and keys trees (the certificate's key and secret
        changed with it), where that vault is listed; a removed certificate's rows simply go
        from active listings."""
        for model in self.related:
            for node in model.root_nodes():
                if node.record is not target.root or not node.listed:
                    continue
                vault = model.index_of(node)
                row = model.find_item(vault, name)
                if removed and not model.show_deleted:
                    if row.isValid():
                        self.remove_row(model, row)
                else:
                    model.refresh(vault)
