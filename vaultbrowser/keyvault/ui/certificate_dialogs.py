"""Certificate dialogs: the issuance policy (create / edit), import, and the pending operation.

The policy dialog validates through ``CertificatePolicyInput.validate()`` (the service's own
rules) before it closes. The import dialog's password lives in its field only until
``take_password()``; the controller deletes the dialog after use.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.keyvault.services.certificates.file_inspection import inspect_certificate_file
from vaultbrowser.keyvault.services.certificates.inputs import (
    PEM,
    PKCS12,
    CertificateOperationRecord,
    CertificatePolicyInput,
)
from vaultbrowser.keyvault.services.inputs import validate_item_name
from vaultbrowser.keyvault.services.records import CertificatePolicyRecord
from vaultbrowser.keyvault.ui.vault_dialogs import CURVES, KEY_SIZES, ValidatingDialog, tags_editor

# The extended key usages people pick; any other OID can be typed.
EKUS = (
    ("Server authentication", "1.3.6.1.5.5.7.3.1"),
    ("Client authentication", "1.3.6.1.5.5.7.3.2"),
    ("Code signing", "1.3.6.1.5.5.7.3.3"),
    ("Email protection", "1.3.6.1.5.5.7.3.4"),
)
_OID = re.compile(r"^[0-2](\.\d+)+$")


_STATUS = {"inprogress": "in progress", "completed": "completed", "cancelled": "cancelled",
           "failed": "failed"}


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in re.split(r"[\s,;]+", text.strip()) if part)


class CertificatePolicyDialog(ValidatingDialog):
    """A new certificate's policy (``policy`` None) or an edit of an existing one's."""

    ok_text = "Create"

    def __init__(self, parent: QWidget | None, vault_name: str, *, name: str | None = None,
                 policy: CertificatePolicyRecord | None = None) -> None:
        editing = policy is not None
        self.ok_text = "Save policy" if editing else "Create"
        super().__init__(parent, f"Policy of {name}" if editing
                         else f"New certificate in {vault_name}")
        self.editing = editing
        self.name_edit = QLineEdit(name or "")
        self.name_edit.setReadOnly(editing)
        self.name_edit.setPlaceholderText("1–127 letters, digits and hyphens")
        self.issuer_combo = QComboBox()
        self.issuer_combo.setEditable(True)
        self.issuer_combo.addItems(["Self"])
        self.issuer_combo.setToolTip("\"Self\" for a self-signed certificate, or the name of "
                                     "an issuer configured in the vault")
        self.subject_edit = QLineEdit()
        self.subject_edit.setPlaceholderText("CN=www.example.com")
        self.dns_edit = QLineEdit()
        self.dns_edit.setPlaceholderText("www.example.com, example.com")
        self.type_combo = QComboBox()
        self.type_combo.addItems(["RSA", "EC"])
        self.size_combo = QComboBox()
        self.size_combo.addItems([str(size) for size in KEY_SIZES])
        self.curve_combo = QComboBox()
        self.curve_combo.addItems(CURVES)
        self.exportable_check = QCheckBox("Exportable private key")
        self.exportable_check.setChecked(True)
        self.reuse_check = QCheckBox("Reuse key on renewal")
        self.format_combo = QComboBox()
        self.format_combo.addItem("PKCS#12 (.pfx)", PKCS12)
        self.format_combo.addItem("PEM (.pem)", PEM)
        self.validity = QSpinBox()
        self.validity.setRange(1, 1200)
        self.validity.setValue(12)
        self.validity.setSuffix(" months")
        self.eku_checks: list[tuple[QCheckBox, str]] = []
        eku_box = QWidget()
        eku_grid = QGridLayout(eku_box)
        eku_grid.setContentsMargins(0, 0, 0, 0)
        for position, (label, oid) in enumerate(EKUS):
            check = QCheckBox(label)
            check.setToolTip(oid)
            self.eku_checks.append((check, oid))
            eku_grid.addWidget(check, position // 2, position % 2)
        self.eku_checks[0][0].setChecked(True)
        self.eku_checks[1][0].setChecked(True)
        self.other_ekus = QLineEdit()
        self.other_ekus.setPlaceholderText("other OIDs, e.g. 1.3.6.1.5.5.7.3.8")
        self.action_combo = QComboBox()
        self.action_combo.addItem("Renew automatically", "AutoRenew")
        self.action_combo.addItem("Email the vault's contacts", "EmailContacts")
        self.action_combo.addItem("The issuer's default", None)
        self.at_percent = QRadioButton("at")
        self.percent = QSpinBox()
        self.percent.setRange(1, 99)
        self.percent.setValue(80)
        self.percent.setSuffix(" % of lifetime")
        self.before_days = QRadioButton("")
        self.days = QSpinBox()
        self.days.setRange(1, 36500)
        self.days.setValue(30)
        self.days.setSuffix(" days before expiry")
        self.at_percent.setChecked(True)
        trigger_group = QButtonGroup(self)
        trigger_group.addButton(self.at_percent)
        trigger_group.addButton(self.before_days)
        trigger = QWidget()
        trigger_layout = QHBoxLayout(trigger)
        trigger_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.at_percent, self.percent, self.before_days, self.days):
            trigger_layout.addWidget(widget)
        trigger_layout.addStretch(1)
        self.certificate_type = QLineEdit()
        self.certificate_type.setPlaceholderText("only for some issuers (e.g. OV-SSL)")
        self.enabled_check = QCheckBox("Enabled")
        self.enabled_check.setChecked(True)
        self.tags = tags_editor()

        key = QWidget()
        key_layout = QHBoxLayout(key)
        key_layout.setContentsMargins(0, 0, 0, 0)
        key_layout.addWidget(self.type_combo)
        key_layout.addWidget(self.size_combo)
        key_layout.addWidget(self.curve_combo)
        key_layout.addWidget(self.exportable_check)
        key_layout.addWidget(self.reuse_check)
        key_layout.addStretch(1)
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Issuer", self.issuer_combo)
        self.form.addRow("Subject", self.subject_edit)
        self.form.addRow("DNS names", self.dns_edit)
        self.form.addRow("Key", key)
        self.form.addRow("Format", self.format_combo)
        self.form.addRow("Validity", self.validity)
        self.form.addRow("Extended key usage", eku_box)
        self.form.addRow("", self.other_ekus)
        self.form.addRow("Lifetime action", self.action_combo)
        self.form.addRow("", trigger)
        self.form.addRow("Certificate type", self.certificate_type)
        self._key_usage: tuple[str, ...] = ()
        self._emails: tuple[str, ...] = ()
        self._upns: tuple[str, ...] = ()
        self._transparency: bool | None = None
        if not editing:
            self.form.addRow("", self.enabled_check)
            self.form.addRow("Tags", self.tags)
        self.type_combo.currentTextChanged.connect(self._on_type)
        self.action_combo.currentIndexChanged.connect(self._on_action)
        if policy is not None:
            self._fill(policy)
        self._on_type(self.type_combo.currentText())
        self._on_action()
        self.resize(640, self.sizeHint().height())

    def _fill(self, record: CertificatePolicyRecord) -> None:
        policy = CertificatePolicyInput.from_record(record)
        self.issuer_combo.setEditText(policy.issuer_name)
        self.subject_edit.setText(policy.subject)
        self.dns_edit.setText(", ".join(policy.dns_names))
        self._emails, self._upns = policy.emails, policy.upns  # kept as they are
        self.type_combo.setCurrentText(policy.key_type)
        if policy.key_size:
            self.size_combo.setCurrentText(str(policy.key_size))
        if policy.curve:
            self.curve_combo.setCurrentText(policy.curve)
        self.exportable_check.setChecked(policy.exportable)
        self.reuse_check.setChecked(policy.reuse_key)
        self.format_combo.setCurrentIndex(1 if policy.content_type == PEM else 0)
        self.validity.setValue(policy.validity_in_months)
        known = {oid for _, oid in EKUS}
        for check, oid in self.eku_checks:
            check.setChecked(oid in policy.enhanced_key_usage)
        self.other_ekus.setText(", ".join(o for o in policy.enhanced_key_usage
                                          if o not in known))
        self.certificate_type.setText(policy.certificate_type or "")
        self._key_usage = policy.key_usage
        self._transparency = policy.certificate_transparency
        index = self.action_combo.findData(policy.lifetime_action)
        self.action_combo.setCurrentIndex(index if index >= 0 else 2)
        if policy.lifetime_percentage is not None:
            self.at_percent.setChecked(True)
            self.percent.setValue(policy.lifetime_percentage)
        elif policy.days_before_expiry is not None:
            self.before_days.setChecked(True)
            self.days.setValue(policy.days_before_expiry)

    def _on_type(self, key_type: str) -> None:
        self.size_combo.setVisible(key_type == "RSA")
        self.curve_combo.setVisible(key_type == "EC")

    def _on_action(self, *_args: object) -> None:
        active = self.action_combo.currentData() is not None
        for widget in (self.at_percent, self.percent, self.before_days, self.days):
            widget.setEnabled(active)

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    def validate(self) -> None:
        if not self.editing:
            validate_item_name(self.name)
        self.policy().validate()

    def policy(self) -> CertificatePolicyInput:
        """The policy as the service takes it (not yet validated: see ``validate``).

        Raises:
            InvalidInput: an extended key usage that is not an OID.
        """
        ekus = [oid for check, oid in self.eku_checks if check.isChecked()]
        for oid in _split(self.other_ekus.text()):
            if not _OID.match(oid):
                raise InvalidInput(f"{oid!r} is not an OID (digits separated by dots).")
            if oid not in ekus:
                ekus.append(oid)
        key_type = self.type_combo.currentText()
        action = self.action_combo.currentData()
        by_percent = self.at_percent.isChecked()
        return CertificatePolicyInput(
            issuer_name=self.issuer_combo.currentText().strip(),
            subject=self.subject_edit.text().strip(),
            dns_names=_split(self.dns_edit.text()),
            emails=self._emails,
            upns=self._upns,
            key_type=key_type,
            key_size=int(self.size_combo.currentText()) if key_type == "RSA" else None,
            curve=self.curve_combo.currentText() if key_type == "EC" else None,
            exportable=self.exportable_check.isChecked(),
            reuse_key=self.reuse_check.isChecked(),
            content_type=self.format_combo.currentData(),
            validity_in_months=self.validity.value(),
            enhanced_key_usage=tuple(ekus),
            key_usage=self._key_usage,
            lifetime_action=action,
            lifetime_percentage=self.percent.value() if action and by_percent else None,
            days_before_expiry=self.days.value() if action and not by_percent else None,
            certificate_type=self.certificate_type.text().strip() or None,
            certificate_transparency=self._transparency,
        )


class ImportCertificateDialog(ValidatingDialog):
    """Import a PFX (with its password) or a PEM file as a certificate."""

    ok_text = "Import"

    def __init__(self, parent: QWidget | None, vault_name: str, path: Path,
                 data: bytes) -> None:
        super().__init__(parent, f"Import a certificate into {vault_name}")
        self._data = data
        self.is_pem = is_pem = b"-----BEGIN" in data
        source = QLabel(f"{path.name} ({'PEM' if is_pem else 'PFX / PKCS#12'})")
        source.setTextFormat(Qt.TextFormat.PlainText)
        source.setToolTip(str(path))
        self.name_edit = QLineEdit(_name_from(path.stem))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(
            "not needed for PEM" if is_pem else "the PFX file's password (empty if none)")
        self.password_edit.setEnabled(not is_pem)
        self.enabled_check = QCheckBox("Enabled")
        self.enabled_check.setChecked(True)
        self.tags = tags_editor()
        self.form.addRow("File", source)
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Password", self.password_edit)
        self.form.addRow("", self.enabled_check)
        self.form.addRow("Tags", self.tags)
        (self.name_edit if is_pem else self.password_edit).setFocus()
        self.resize(480, self.sizeHint().height())

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    def validate(self) -> None:
        """The name, the tags, and the file opened locally with the password: a wrong
        password is said here, before any request."""
        validate_item_name(self.name)
        self.tags.pairs()
        inspect_certificate_file(self._data, self._password())

    def _password(self) -> SecretValue | None:
        text = self.password_edit.text()
        return SecretValue(text) if text and not self.is_pem else None

    def take_password(self) -> SecretValue | None:
        """The typed password, once (None for PEM or an empty field); the field is cleared."""
        password = self._password()
        self.password_edit.clear()
        return password

    def done(self, result: int) -> None:
        if result != QDialog.DialogCode.Accepted:
            self.password_edit.clear()
        self._data = b""
        super().done(result)


def _name_from(stem: str) -> str:
    """A file name as a Key Vault name: other characters become hyphens."""
    name = re.sub(r"[^0-9A-Za-z-]+", "-", stem).strip("-")
    return name[:127]


class CertificateOperationDialog(QDialog):
    """Shows a pending certificate operation until it completes; Cancel asks the vault to
    cancel it (``cancel_requested``). Closing the window only hides it: the operation goes on
    and its outcome is shown in the detail pane."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None, name: str) -> None:
        super().__init__(parent)
        self.name = name
        self.setWindowTitle(f"Creating certificate {name}")
        self.setWindowModality(Qt.WindowModality.NonModal)
        self.status_label = QLabel("Starting…")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.status_label.font()
        font.setBold(True)
        self.status_label.setFont(font)
        self.details_label = QLabel("")
        self.details_label.setTextFormat(Qt.TextFormat.PlainText)
        self.details_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the vault gives no percentage
        self.cancel_button = QPushButton("Cancel operation")
        self.cancel_button.setToolTip("Ask the vault to cancel this certificate request")
        self.cancel_button.clicked.connect(self._on_cancel)
        self.hide_button = QPushButton("Hide")
        self.hide_button.setToolTip("Keep waiting in the background; the result shows in the "
                                    "detail pane")
        self.hide_button.clicked.connect(self.hide)
        buttons = QDialogButtonBox()
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        buttons.addButton(self.hide_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status_label)
        layout.addWidget(self.details_label)
        layout.addWidget(self.progress)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancel_requested.emit()

    def cancel_failed(self) -> None:
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel operation")

    def show_operation(self, operation: CertificateOperationRecord) -> None:
        status = _STATUS.get(operation.status.lower(), operation.status)
        self.status_label.setText(f"Status: {status}"
                                  + ("  (cancellation requested)"
                                     if operation.cancellation_requested else ""))
        text = operation.status_details or ""
        if operation.error_message:
            text = f"{text}\n{operation.error_code or 'Error'}: {operation.error_message}"
        if text.strip() != self.details_label.text():
            self.details_label.setText(text.strip())
            self.adjustSize()  # the wrapped details need their height
        if not operation.in_progress:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.cancel_button.setEnabled(False)

    def reject(self) -> None:
        self.hide()  # Escape / the close button: hide, never cancel by accident
