"""A key row's "Export public key…" and "Rotate now…" (``KeyExportAndRotate``, a part of
``KeyActions``), and the export dialog.

Export reads the selected version (one GET), shows the public key in the chosen format (PEM,
JWK, OpenSSH) and saves it (through a temporary file: no partial file, an existing file only
replaced when the user agrees) or copies it. It is a read: offered on read-only connections too.

Rotate now is a write: disabled on a read-only connection (and refused before any request if
triggered anyway). It reads the rotation policy first and asks, saying what happens: a new
version becomes current, the old ones stay, and when the new one expires.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.errors import LocalFileError, ReadOnlyRefused, VaultBrowserError
from vaultbrowser.core.ui.common_dialogs import confirm_box
from vaultbrowser.keyvault.models.details import load_details
from vaultbrowser.keyvault.models.key_rotation import policy_summary
from vaultbrowser.keyvault.models.vault_tree import item_row
from vaultbrowser.keyvault.services.key_export import (
    EXPORT_FORMATS,
    FILE_SUFFIXES,
    FORMAT_NAMES,
    ExportFormat,
    PublicKeyExport,
    fetch_public_key,
)
from vaultbrowser.keyvault.services.records import KeyRecord
from vaultbrowser.keyvault.ui import vault_files
from vaultbrowser.keyvault.ui.rotation_policy_dialog import RotationPolicyDialog
from vaultbrowser.keyvault.ui.vault_actions import MANAGED_TIP, Target, VaultItemActions

if TYPE_CHECKING:
    from vaultbrowser.core.ui.common_dialogs import DialogRunner
    from vaultbrowser.keyvault.ui.vault_files import FileChoices

_FILTERS: dict[ExportFormat, str] = {
    "pem": "PEM public key (*.pem);;All files (*)",
    "jwk": "JSON Web Key (*.json *.jwk);;All files (*)",
    "openssh": "OpenSSH public key (*.pub);;All files (*)",
}


class PublicKeyExportDialog(QDialog):
    """The public key in a chosen format, with Save… and Copy. ``saved_to`` / ``copied`` say
    what the user did (the dialog closes after either)."""

    def __init__(self, parent: QWidget | None, exported: PublicKeyExport, version: str,
                 files: FileChoices, dialogs: DialogRunner, directory: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Export public key — {exported.name}")
        self.exported = exported
        self.files = files
        self.dialogs = dialogs
        self.directory = directory
        self.saved_to: Path | None = None
        self.copied = False
        self.format_combo = QComboBox()
        for fmt in EXPORT_FORMATS:
            self.format_combo.addItem(FORMAT_NAMES[fmt], fmt)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.preview.setFont(mono)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.save_button = self.buttons.addButton("Save…", QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button = self.buttons.addButton("Copy", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.clicked.connect(self.save)
        self.copy_button.clicked.connect(self.copy)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Key:", QLabel(f"{exported.name} · {exported.description} · version "
                                   f"{version or 'latest'}"))
        form.addRow("Format:", self.format_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(640, 360)
        self.format_combo.currentIndexChanged.connect(self._update)
        self._update()

    @property
    def fmt(self) -> ExportFormat:
        return self.format_combo.currentData()

    def set_format(self, fmt: ExportFormat) -> None:
        self.format_combo.setCurrentIndex(EXPORT_FORMATS.index(fmt))

    def data(self) -> bytes | None:
        """The key in the chosen format, or None (the reason is shown instead)."""
        try:
            return self.exported.export(self.fmt)
        except VaultBrowserError:
            return None

    def _update(self) -> None:
        try:
            text = self.exported.export(self.fmt).decode("ascii")
            problem = ""
        except VaultBrowserError as error:
            text, problem = "", f"⚠ {error.message} {error.advice}"
        self.preview.setPlainText(text)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.save_button.setEnabled(not problem)
        self.copy_button.setEnabled(not problem)

    def copy(self) -> None:
        data = self.data()
        if data is None:
            return
        QGuiApplication.clipboard().setText(data.decode("ascii"))  # public: no clearing
        self.copied = True
        self.accept()

    def save(self) -> None:
        """Ask where (and whether to replace), then write atomically; errors stay in the
        dialog so another name can be tried."""
        data = self.data()
        if data is None:
            return
        suggested = self.directory / f"{self.exported.name}{FILE_SUFFIXES[self.fmt]}"
        path = self.files.choose_save_path(self, "Save the public key", suggested,
                                           _FILTERS[self.fmt])
        if path is None:
            return
        self.directory = path.parent
        overwrite = path.exists()
        if overwrite and not self.dialogs.confirm(
                self, "Replace file?", f"{path} already exists.\n\nReplace it with the public "
                "key?", "Replace"):
            return
        try:
            vault_files.save_bytes(path, data, overwrite=overwrite)
        except LocalFileError as error:
            self.problem.setText(f"⚠ {error.message} {error.advice}")
            self.problem.show()
            return
        self.saved_to = path
        self.accept()


class KeyExportAndRotate:
    """The two actions, composed into ``KeyActions`` (which offers them on key rows)."""

    def __init__(self, owner: VaultItemActions) -> None:
        self.owner = owner
        self.files: FileChoices = vault_files  # the view replaces it with its own choices
        self.last_directory = Path.home()
        self.export_action = owner._action(
            "Export public key…", self.export_selected,
            "Save or copy the selected version's public key as PEM, JWK or OpenSSH")
        self.rotate_action = owner._action(
            "Rotate now…", self.rotate_selected,
            "Create a new version of this key now (shows its rotation policy first)")
        self.policy_action = owner._action(
            "Edit rotation policy…", self.edit_policy_selected,
            "When this key rotates by itself, notifies, and when new versions expire")

    def actions(self, target: Target) -> list[QAction | None]:
        item = target.item
        owner = self.owner
        owner._enable(self.export_action, isinstance(item, KeyRecord), target, write=False)
        own = isinstance(item, KeyRecord) and not item.managed
        why_not = "" if item is None else MANAGED_TIP.format(noun="key")
        owner._enable(self.rotate_action, own, target, why_not=why_not)
        owner._enable(self.policy_action, own, target, why_not=why_not)
        return [self.export_action, self.rotate_action, self.policy_action]

    # --- export ------------------------------------------------------------------------------

    def export_selected(self) -> None:
        target = self.owner.target()
        record = target.item
        if not isinstance(record, KeyRecord) or target.root is None:
            return
        self.owner.run(self.export(target, record))

    async def export(self, target: Target, record: KeyRecord) -> None:
        assert target.root is not None
        window = self.owner.window
        result = await fetch_public_key(target.root.service.keys, record.name, record.version)
        dialog = PublicKeyExportDialog(window, result.value, record.version or "",
                                       self.files, window.dialogs, self.last_directory)
        try:
            await window.dialogs.wait(dialog)
            self.last_directory = dialog.directory
            what = FORMAT_NAMES[dialog.fmt]
            if dialog.saved_to is not None:
                window.show_response(f"{record.name}: public key saved",
                                     f"The public key ({what}) was saved to "
                                     f"{dialog.saved_to}.", result.response)
            elif dialog.copied:
                window.show_response(f"{record.name}: public key copied",
                                     f"The public key ({what}) is on the clipboard.",
                                     result.response)
        finally:
            dialog.deleteLater()

    # --- rotate -------------------------------------------------------------------------------

    def _writable_key(self, doing: str) -> tuple[Target, KeyRecord] | None:
        """The selected key, when the connection takes writes (else said, nothing sent)."""
        target = self.owner.target()
        record = target.item
        if not isinstance(record, KeyRecord) or target.root is None:
            return None
        if not self.owner.window.can_write(target.root):
            self.owner.window.reporter.report(ReadOnlyRefused(
                f"{doing} {record.name} was refused: the connection is read-only."))
            return None
        return target, record

    def rotate_selected(self) -> None:
        chosen = self._writable_key("Rotating")
        if chosen is not None:
            self.owner.run(self.rotate(chosen[0], chosen[1].name))

    def edit_policy_selected(self) -> None:
        chosen = self._writable_key("Changing the rotation policy of")
        if chosen is not None:
            self.owner.run(self.edit_policy(*chosen))

    async def edit_policy(self, target: Target, record: KeyRecord) -> None:
        assert target.root is not None
        window = self.owner.window
        keys = target.root.service.keys
        current = await keys.get_rotation_policy(record.name)
        dialog = RotationPolicyDialog(window, record.name, current.value)
        try:
            if await window.dialogs.wait(dialog) != QDialog.DialogCode.Accepted:
                return
            policy = dialog.policy()
        finally:
            dialog.deleteLater()
        await keys.set_rotation_policy(record.name, policy)
        # Show the key again: its details read the saved policy back (with a response).
        window.show_details(await load_details(item_row(record), target.root))

    async def rotate(self, target: Target, name: str) -> None:
        assert target.root is not None
        owner = self.owner
        keys = target.root.service.keys
        policy = await keys.get_rotation_policy(name)
        box = confirm_box(
            owner.window, "Rotate key now",
            f"Rotate the key “{name}” in {target.vault_name} now?\n\n"
            "A new version (same type and size) becomes the current one; the older versions "
            "stay and still decrypt and verify what they made.\n\n"
            f"Rotation policy:\n{policy_summary(policy.value)}", "Rotate now")
        if not await owner.confirmed(box):
            return
        result = await keys.rotate(name)
        model = owner.model
        item = model.find_item(target.vault_index, name)
        if item.isValid():
            model.update_record(item, item_row(result.value))
            if model.node_of(item).listed:
                model.refresh(item)  # its versions: one more
        owner.show_result(result.value, result.response)
