"""Dialogs of the Key Vault write actions: new secret / version, properties, new key.

Each dialog validates its inputs in ``accept`` (the same checks the service makes, before any
request): an invalid input keeps the dialog open with the reason under the fields, so a
refused name never reaches the vault. ``inputs()`` returns what the controller sends.

A secret value lives in a password field only while the dialog is open: ``take_value()``
hands it over as a ``SecretValue`` and clears the field; the controller deletes the dialog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.models.tones import Tone, tone_style
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.ui.common_dialogs import KeyValueEditor, OptionalDateTime
from vaultbrowser.keyvault.services.inputs import (
    EC_CURVES,
    RSA_SIZES,
    PropertyChanges,
    validate_item_name,
    validate_secret_value,
    validate_tags,
)
from vaultbrowser.keyvault.services.records import (
    CertificateRecord,
    KeyRecord,
    SecretRecord,
    VaultItemRecord,
)

CONTENT_TYPES = ("", "text/plain", "application/json", "application/x-pem-file",
                 "application/x-pkcs12")
KEY_SIZES = RSA_SIZES
CURVES = EC_CURVES


def check_dates(not_before: datetime | None, expires_on: datetime | None) -> None:
    if not_before is not None and expires_on is not None and expires_on <= not_before:
        raise InvalidInput("The expiry must come after the not-before date.")


class ValidatingDialog(QDialog):
    """A form dialog whose OK validates first; the reason stays visible under the fields."""

    ok_text = "OK"

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setStyleSheet(tone_style(Tone.ERROR))
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.addButton(self.ok_text,
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        # Only once the button is in the dialog does the dialog take it as its default (Enter
        # in a field means OK); set earlier, the dialog would pick the first button, Cancel.
        self.ok_button.setDefault(True)

    def validate(self) -> None:
        """Raise ``InvalidInput`` when a field is wrong (subclasses)."""

    def accept(self) -> None:
        try:
            self.validate()
        except InvalidInput as error:
            self.show_error(error.message)
            return
        self.error_label.hide()
        super().accept()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    @property
    def error_text(self) -> str:
        return self.error_label.text() if not self.error_label.isHidden() else ""


def tags_editor() -> KeyValueEditor:
    """Tags with Key Vault's rules (at most 15; names ≤ 512, values ≤ 256 characters)."""
    editor = KeyValueEditor("tag", validate_tags)
    editor.table.setMinimumHeight(96)
    editor.table.setMaximumHeight(150)
    return editor


# --- secrets ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretInputs:
    """What a new secret or version is created with (the value travels separately)."""

    name: str
    content_type: str | None
    enabled: bool
    not_before: datetime | None
    expires_on: datetime | None
    tags: dict[str, str] = field(default_factory=dict)

    def options(self) -> dict[str, Any]:
        return {"content_type": self.content_type, "enabled": self.enabled,
                "not_before": self.not_before, "expires_on": self.expires_on,
                "tags": self.tags}


class SecretDialog(ValidatingDialog):
    """A new secret (``existing`` None: the name is typed) or a new version of ``existing``."""

    ok_text = "Create"

    def __init__(self, parent: QWidget | None, vault_name: str,
                 existing: SecretRecord | None = None) -> None:
        title = (f"New version of {existing.name}" if existing is not None
                 else f"New secret in {vault_name}")
        super().__init__(parent, title)
        self.existing = existing
        self.name_edit = QLineEdit(existing.name if existing is not None else "")
        self.name_edit.setPlaceholderText("1–127 letters, digits and hyphens")
        self.name_edit.setReadOnly(existing is not None)
        self.value_edit = QLineEdit()
        self.value_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.value_edit.setPlaceholderText("the secret value (hidden)")
        self.content_type = QComboBox()
        self.content_type.setEditable(True)
        self.content_type.addItems(CONTENT_TYPES)
        self.enabled_check = QCheckBox("Enabled")
        self.enabled_check.setChecked(True)
        self.not_before = OptionalDateTime("Not before")
        self.expires = OptionalDateTime("Expires")
        self.tags = tags_editor()
        if existing is not None:  # a new version starts from the current one's properties
            self.content_type.setEditText(existing.content_type or "")
            self.tags.set_pairs(dict(existing.tags))
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Value", self.value_edit)
        self.form.addRow("Content type", self.content_type)
        self.form.addRow("", self.enabled_check)
        self.form.addRow("", self.not_before)
        self.form.addRow("", self.expires)
        self.form.addRow("Tags", self.tags)
        (self.value_edit if existing is not None else self.name_edit).setFocus()
        self.resize(520, self.sizeHint().height())

    def validate(self) -> None:
        self.inputs()
        if not self.value_edit.text():
            raise InvalidInput("Enter the secret's value.")
        validate_secret_value(SecretValue(self.value_edit.text()))  # at most 25 KB

    def inputs(self) -> SecretInputs:
        """The form's values.

        Raises:
            InvalidInput: a bad name, dates in the wrong order, or bad tags.
        """
        name = self.name_edit.text().strip()
        validate_item_name(name)
        not_before, expires_on = self.not_before.value(), self.expires.value()
        check_dates(not_before, expires_on)
        return SecretInputs(name=name, content_type=self.content_type.currentText().strip()
                            or None, enabled=self.enabled_check.isChecked(),
                            not_before=not_before, expires_on=expires_on,
                            tags=self.tags.pairs())

    def take_value(self) -> SecretValue:
        """The typed value, once: the field is cleared."""
        value = SecretValue(self.value_edit.text())
        self.value_edit.clear()
        return value

    def done(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            self.value_edit.clear()  # cancelled: the value goes with the question
        super().done(result)


# --- properties of one version ------------------------------------------------------------------


class PropertiesDialog(ValidatingDialog):
    """Edit a version's properties: enabled, dates, content type (secrets) and tags.

    Certificates' dates come from the X.509 certificate, so a certificate offers enabled and
    tags only; keys have Enable/Disable actions of their own, so a key offers dates and tags.
    ``changes()`` holds only what the user changed.
    """

    ok_text = "Save"

    def __init__(self, parent: QWidget | None, record: VaultItemRecord, what: str) -> None:
        version = record.version or "latest version"
        super().__init__(parent, f"Properties of {record.name} ({version})")
        self.record = record
        self.enabled_check = QCheckBox("Enabled")
        self.enabled_check.setChecked(record.enabled is not False)
        self.not_before = OptionalDateTime("Not before")
        self.not_before.set_value(record.not_before)
        self.expires = OptionalDateTime("Expires")
        self.expires.set_value(record.expires_on)
        self.content_type: QComboBox | None = None
        self.tags = tags_editor()
        self.tags.set_pairs(dict(record.tags))
        heading = QLabel(f"{what} {record.name}, {version}")
        heading.setTextFormat(Qt.TextFormat.PlainText)
        self.form.addRow(heading)
        if not isinstance(record, KeyRecord):
            self.form.addRow("", self.enabled_check)
        if not isinstance(record, CertificateRecord):
            self.form.addRow("", self.not_before)
            self.form.addRow("", self.expires)
        if isinstance(record, SecretRecord):
            self.content_type = QComboBox()
            self.content_type.setEditable(True)
            self.content_type.addItems(CONTENT_TYPES)
            self.content_type.setEditText(record.content_type or "")
            self.form.addRow("Content type", self.content_type)
        self.form.addRow("Tags", self.tags)
        self.resize(520, self.sizeHint().height())

    def validate(self) -> None:
        self.changes()

    def changes(self) -> PropertyChanges:
        """The changed properties only (every other field ``UNCHANGED``).

        Raises:
            InvalidInput: dates in the wrong order or bad tags.
        """
        record = self.record
        out: dict[str, Any] = {}
        if not isinstance(record, KeyRecord):
            enabled = self.enabled_check.isChecked()
            if enabled != (record.enabled is not False):
                out["enabled"] = enabled
        if not isinstance(record, CertificateRecord):
            not_before, expires_on = self.not_before.value(), self.expires.value()
            check_dates(not_before, expires_on)
            for label, now, before in (("not-before date", not_before, record.not_before),
                                       ("expiry", expires_on, record.expires_on)):
                if now is None and before is not None:
                    raise InvalidInput(f"Key Vault cannot remove a {label} once it is set: "
                                       "set another date instead.")
            if not _same_time(not_before, record.not_before):
                out["not_before"] = not_before
            if not _same_time(expires_on, record.expires_on):
                out["expires_on"] = expires_on
        if self.content_type is not None and isinstance(record, SecretRecord):
            content_type = self.content_type.currentText().strip() or None
            if content_type != (record.content_type or None):
                if content_type is None:
                    raise InvalidInput("Key Vault cannot remove a content type once it is "
                                       "set: set another one instead.")
                out["content_type"] = content_type
        tags = self.tags.pairs()
        if tags != dict(record.tags):
            out["tags"] = tags
        return PropertyChanges(**out)


def _same_time(a: datetime | None, b: datetime | None) -> bool:
    """Equal to the minute (the editor shows minutes: an untouched date is not a change)."""
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) < 60


# --- keys ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyInputs:
    name: str
    key_type: str
    size: int | None
    curve: str | None
    enabled: bool
    not_before: datetime | None
    expires_on: datetime | None
    tags: dict[str, str] = field(default_factory=dict)


class KeyDialog(ValidatingDialog):
    """A new RSA (size) or EC (curve) key."""

    ok_text = "Create"

    def __init__(self, parent: QWidget | None, vault_name: str) -> None:
        super().__init__(parent, f"New key in {vault_name}")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("1–127 letters, digits and hyphens")
        self.type_combo = QComboBox()
        self.type_combo.addItems(["RSA", "EC"])
        self.size_combo = QComboBox()
        self.size_combo.addItems([str(size) for size in KEY_SIZES])
        self.curve_combo = QComboBox()
        self.curve_combo.addItems(CURVES)
        self.enabled_check = QCheckBox("Enabled")
        self.enabled_check.setChecked(True)
        self.not_before = OptionalDateTime("Not before")
        self.expires = OptionalDateTime("Expires")
        self.tags = tags_editor()
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Key type", self.type_combo)
        self.form.addRow("Key size", self.size_combo)
        self.form.addRow("Curve", self.curve_combo)
        self.form.addRow("", self.enabled_check)
        self.form.addRow("", self.not_before)
        self.form.addRow("", self.expires)
        self.form.addRow("Tags", self.tags)
        self.type_combo.currentTextChanged.connect(self._on_type)
        self._on_type(self.type_combo.currentText())
        self.resize(480, self.sizeHint().height())

    def _on_type(self, key_type: str) -> None:
        self.size_combo.setEnabled(key_type == "RSA")
        self.curve_combo.setEnabled(key_type == "EC")

    def validate(self) -> None:
        self.inputs()

    def inputs(self) -> KeyInputs:
        name = self.name_edit.text().strip()
        validate_item_name(name)
        not_before, expires_on = self.not_before.value(), self.expires.value()
        check_dates(not_before, expires_on)
        key_type = self.type_combo.currentText()
        return KeyInputs(
            name=name, key_type=key_type,
            size=int(self.size_combo.currentText()) if key_type == "RSA" else None,
            curve=self.curve_combo.currentText() if key_type == "EC" else None,
            enabled=self.enabled_check.isChecked(), not_before=not_before,
            expires_on=expires_on, tags=self.tags.pairs())
