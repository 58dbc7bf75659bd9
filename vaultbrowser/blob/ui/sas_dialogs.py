"""The dialogs of shared access signatures: choose a SAS's permissions and times, then show the URL
(a secret: masked until revealed, copied through the secret clipboard).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, QTimeZone
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.blob.ui.blob_dialogs import ERROR_STYLE, HINT_STYLE, plain_label
from vaultbrowser.core.models.tones import Tone, tone_style
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.ui.common_dialogs import OptionalDateTime

# (letter, label) in the order the service expects letters in a blob/container SAS.
BLOB_PERMISSIONS = (("r", "Read"), ("a", "Add"), ("c", "Create"), ("w", "Write"),
                    ("d", "Delete"), ("t", "Tags"))
CONTAINER_PERMISSIONS = (("r", "Read"), ("a", "Add"), ("c", "Create"), ("w", "Write"),
                         ("d", "Delete"), ("l", "List"), ("t", "Tags"))
USER_DELEGATION = "user-delegation"
ACCOUNT_KEY = "account-key"


def sas_kind_text(kind: str | None) -> str:
    if kind == USER_DELEGATION:
        return ("User-delegation SAS: signed with a key issued to your Entra ID sign-in; it "
                "ends at the latest when that key expires (7 days) and can be revoked by "
                "revoking user delegation keys.")
    if kind == ACCOUNT_KEY:
        return ("Account-key SAS: signed with the storage account key; it stays valid until "
                "it expires unless the account key is rotated.")
    return ("This connection can sign no SAS (it has neither an Entra ID sign-in nor an "
            "account key).")


class SasDialog(QDialog):
    """Permissions and validity of a SAS URL for a blob or a container."""

    MAX_DAYS_USER_DELEGATION = 7

    def __init__(self, parent: QWidget | None, target: str, *, container_level: bool,
                 kind: str | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Generate SAS URL")
        self.kind = kind
        letters = CONTAINER_PERMISSIONS if container_level else BLOB_PERMISSIONS
        self.checks: dict[str, QCheckBox] = {}
        box = QGroupBox("Permissions")
        grid = QGridLayout(box)
        for i, (letter, label) in enumerate(letters):
            check = QCheckBox(label)
            check.setChecked(letter == "r")
            check.toggled.connect(self._check)
            self.checks[letter] = check
            grid.addWidget(check, i // 4, i % 4)
        self.expiry = QDateTimeEdit()
        self.expiry.setTimeZone(QTimeZone.utc())
        self.expiry.setDisplayFormat("yyyy-MM-dd HH:mm 'UTC'")
        self.expiry.setCalendarPopup(True)
        self.expiry.setDateTime(QDateTime.currentDateTimeUtc().addSecs(3600))
        self.expiry.dateTimeChanged.connect(self._check)
        self.start = OptionalDateTime("Valid from")
        self.kind_label = plain_label(sas_kind_text(kind))
        self.kind_label.setStyleSheet(HINT_STYLE)
        self.message = plain_label()
        self.message.setStyleSheet(ERROR_STYLE)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.generate_button = buttons.addButton("Generate",
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("For:", plain_label(target))
        form.addRow("Expires:", self.expiry)
        form.addRow("", self.start)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addWidget(self.kind_label)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._check()
        self.resize(520, self.sizeHint().height())

    def permissions(self) -> str:
        return "".join(letter for letter, check in self.checks.items() if check.isChecked())

    def set_permissions(self, letters: str) -> None:
        for letter, check in self.checks.items():
            check.setChecked(letter in letters)

    def expires_on(self) -> datetime:
        return datetime.fromtimestamp(self.expiry.dateTime().toSecsSinceEpoch(), UTC)

    def set_expires_on(self, when: datetime) -> None:
        self.expiry.setDateTime(QDateTime.fromSecsSinceEpoch(int(when.timestamp()),
                                                             QTimeZone.utc()))

    def starts_on(self) -> datetime | None:
        return self.start.value()

    def error(self) -> str | None:
        if self.kind is None:
            return "This connection cannot sign a SAS."
        if not self.permissions():
            return "Choose at least one permission."
        now = datetime.now(UTC)
        expires = self.expires_on()
        if expires <= now:
            return "The expiry must be in the future."
        if self.kind == USER_DELEGATION and expires - now > timedelta(
                days=self.MAX_DAYS_USER_DELEGATION):
            return "A user-delegation SAS can be valid for at most 7 days."
        return None

    def _check(self, *_args: object) -> None:
        error = self.error()
        self.generate_button.setEnabled(error is None)
        self.message.setText(error or "")
        self.message.setVisible(error is not None)

    def accept(self) -> None:
        if self.error() is None:
            super().accept()


class SasUrlDialog(QDialog):
    """Shows a generated SAS URL once, with Copy. The URL is not kept after the dialog closes
    (it is never logged, stored in settings or shown in the detail pane)."""

    def __init__(self, parent: QWidget | None, url: SecretValue, *, kind: str | None,
                 permissions: str, expires_on: datetime,
                 copy: Callable[[str], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("SAS URL")
        self._url: SecretValue | None = url
        self._copy = copy or (lambda text: QGuiApplication.clipboard().setText(text))
        self.url_field = QLineEdit(url.reveal())
        self.url_field.setReadOnly(True)
        self.url_field.setCursorPosition(0)
        self.copy_button = QPushButton("Copy")
        self.copy_button.clicked.connect(self.copy_url)
        row = QHBoxLayout()
        row.addWidget(self.url_field, 1)
        row.addWidget(self.copy_button)
        kind_name = {USER_DELEGATION: "User-delegation SAS",
                     ACCOUNT_KEY: "Account-key SAS"}.get(kind or "", "SAS")
        self.summary = plain_label(
            f"{kind_name} · permissions “{permissions}” · expires "
            f"{expires_on.strftime('%Y-%m-%d %H:%M')} UTC")
        warning = plain_label(
            "Anyone who has this URL has these permissions until it expires. It is shown only "
            "now: vaultbrowser does not save or log it.")
        warning.setStyleSheet(tone_style(Tone.WARNING))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(row)
        layout.addWidget(warning)
        layout.addWidget(buttons)
        self.resize(640, self.sizeHint().height())

    def url(self) -> str:
        return self._url.reveal() if self._url is not None else ""

    def copy_url(self) -> None:
        if self._url is not None:
            self._copy(self._url.reveal())
            self.copy_button.setText("Copied")

    def done(self, code: int) -> None:
        # Forget the URL with the dialog.
        self._url = None
        self.url_field.clear()
        super().done(code)
