"""``RotationPolicyDialog``: edit a key's rotation policy in days (rotate a time after creation
or before expiry, notify before expiry, the expiry time of new versions). Its ``accept``
checks the rules (``RotationPolicyInput.validated``) and says what is wrong in the dialog."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.keyvault.models.key_rotation import duration_days
from vaultbrowser.keyvault.services.key_rotation_policy import MAX_DAYS, RotationPolicyInput
from vaultbrowser.keyvault.services.records import KeyRotationPolicyRecord

AFTER_CREATION, BEFORE_EXPIRY = "after creation", "before expiry"


def _days_box(value: int | None, default: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, MAX_DAYS)
    box.setSuffix(" days")
    box.setValue(value or default)
    return box


class RotationPolicyDialog(QDialog):
    def __init__(self, parent: QWidget | None, key_name: str,
                 current: KeyRotationPolicyRecord) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rotation policy — {key_name}")
        rotate = next((a for a in current.lifetime_actions if a.action.lower() == "rotate"),
                      None)
        notify = next((a for a in current.lifetime_actions if a.action.lower() == "notify"),
                      None)
        self.rotate_check = QCheckBox("Rotate automatically")
        self.rotate_check.setChecked(rotate is not None)
        self.rotate_when = QComboBox()
        self.rotate_when.addItems([AFTER_CREATION, BEFORE_EXPIRY])
        if rotate is not None and rotate.time_before_expiry:
            self.rotate_when.setCurrentText(BEFORE_EXPIRY)
        self.rotate_days = _days_box(duration_days(
            rotate.time_after_create or rotate.time_before_expiry) if rotate else None, 90)
        self.notify_check = QCheckBox("Notify (Event Grid)")
        self.notify_check.setChecked(notify is not None)
        self.notify_days = _days_box(duration_days(notify.time_before_expiry)
                                     if notify else None, 30)
        self.expiry_check = QCheckBox("New versions expire")
        self.expiry_check.setChecked(current.expires_in is not None)
        self.expiry_days = _days_box(duration_days(current.expires_in), 365)
        grid = QGridLayout()
        grid.addWidget(self.rotate_check, 0, 0)
        grid.addWidget(self.rotate_days, 0, 1)
        grid.addWidget(self.rotate_when, 0, 2)
        grid.addWidget(self.notify_check, 1, 0)
        grid.addWidget(self.notify_days, 1, 1)
        grid.addWidget(QLabel("before expiry"), 1, 2)
        grid.addWidget(self.expiry_check, 2, 0)
        grid.addWidget(self.expiry_days, 2, 1)
        grid.addWidget(QLabel("after creation"), 2, 2)
        rules = QLabel("Key Vault's rules: new versions live at least 28 days; a rotation or "
                       "notification comes at least 7 days after creation or before expiry. "
                       "Durations are saved in days.")
        rules.setWordWrap(True)
        rules.setStyleSheet("color: palette(mid);")
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Save policy", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(rules)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        for check, boxes in ((self.rotate_check, (self.rotate_days, self.rotate_when)),
                             (self.notify_check, (self.notify_days,)),
                             (self.expiry_check, (self.expiry_days,))):
            for box in boxes:
                box.setEnabled(check.isChecked())
                check.toggled.connect(box.setEnabled)

    def policy(self) -> RotationPolicyInput:
        rotate = self.rotate_days.value() if self.rotate_check.isChecked() else None
        before = self.rotate_when.currentText() == BEFORE_EXPIRY
        return RotationPolicyInput(
            rotate_after_create_days=None if before else rotate,
            rotate_before_expiry_days=rotate if before else None,
            notify_before_expiry_days=(self.notify_days.value()
                                       if self.notify_check.isChecked() else None),
            expires_in_days=self.expiry_days.value() if self.expiry_check.isChecked() else None)

    def accept(self) -> None:
        try:
            self.policy().validated()
        except InvalidInput as error:
            self.problem.setText(f"⚠ {error.message}")
            self.problem.show()
            return
        super().accept()
