"""The dialogs of the Blob Storage write actions (``ui/blob_actions.py``).

Each dialog only collects an answer; the controller runs it through the window's
``DialogRunner`` and makes the requests. Inputs are validated here, as the user types, with the
service layer's own rules (passed in as callables raising ``InvalidInput``), so an invalid name
never reaches a request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDateTime, Qt, QTimeZone
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from vaultbrowser.blob.services.transfer_plans import ConflictChoice, ConflictDecision
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.ui.common_dialogs import KeyValueEditor, OptionalDateTime

Validator = Callable[[str], object]

ERROR_STYLE = "color: #b00020;"
HINT_STYLE = "color: palette(mid);"


def _plain_label(text: str = "", *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)  # names are data, never markup
    label.setWordWrap(wrap)
    return label


def validation_message(validate: Validator, value: str) -> str | None:
    """``validate``'s refusal as text, or None when ``value`` passes."""
    try:
        validate(value)
    except InvalidInput as error:
        return error.message
    return None


# --- containers -------------------------------------------------------------------------------

PUBLIC_ACCESS_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("Private (no anonymous access)", None),
    ("Blob (anonymous read of blobs by URL)", "blob"),
    ("Container (anonymous read and listing)", "container"),
)


class CreateContainerDialog(QDialog):
    """A new container's name (checked as it is typed) and its public access level."""

    def __init__(self, parent: QWidget | None, account: str, validate: Validator) -> None:
        super().__init__(parent)
        self.setWindowTitle("Create container")
        self._validate = validate
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("3–63 characters: a-z, 0-9 and single hyphens")
        self.message = _plain_label()
        self.access = QComboBox()
        for label, _value in PUBLIC_ACCESS_CHOICES:
            self.access.addItem(label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Account:", _plain_label(account))
        form.addRow("Name:", self.name_edit)
        form.addRow("", self.message)
        form.addRow("Public access:", self.access)
        # Room for a two-line message, so the dialog does not jump while the user types.
        self.message.setMinimumHeight(2 * self.message.fontMetrics().lineSpacing() + 4)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._check)
        self._check("")
        self.resize(560, self.sizeHint().height())

    def name(self) -> str:
        return self.name_edit.text()

    def public_access(self) -> str | None:
        return PUBLIC_ACCESS_CHOICES[self.access.currentIndex()][1]

    def error(self) -> str | None:
        """Why the typed name cannot be used (None: it can)."""
        if not self.name():
            return "Type a name."
        return validation_message(self._validate, self.name())

    def _check(self, _text: str) -> None:
        error = self.error()
        self.create_button.setEnabled(error is None)
        if error is None:
            self.message.setText("A valid container name.")
            self.message.setStyleSheet(HINT_STYLE)
        else:
            self.message.setText(error)
            self.message.setStyleSheet(ERROR_STYLE if self.name() else HINT_STYLE)

    def accept(self) -> None:
        if self.error() is None:  # Enter in the field must not bypass the check
            super().accept()


class UploadTargetDialog(QDialog):
    """Which container receives files dropped onto a storage account's row."""

    def __init__(self, parent: QWidget | None, account: str, containers: Sequence[str],
                 count: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Upload to which container?")
        self.combo = QComboBox()
        self.combo.addItems(list(containers))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.upload_button = buttons.addButton("Upload", QDialogButtonBox.ButtonRole.AcceptRole)
        self.upload_button.setEnabled(bool(containers))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label(
            f"Upload {count} dropped item(s) to a container of {account}:" if containers else
            f"{account} has no listed container. Create one first, then drop onto it."))
        layout.addWidget(self.combo)
        layout.addWidget(buttons)

    def container(self) -> str:
        return self.combo.currentText()


# --- conflicts --------------------------------------------------------------------------------


class ConflictDialog(QDialog):
    """Something already exists where a transfer wants to write: skip, overwrite or rename.

    Closing the dialog (Escape) skips the file: nothing is ever replaced without a click on
    Overwrite.
    """

    def __init__(self, parent: QWidget | None, title: str, message: str, *,
                 remaining_hint: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.choice = ConflictChoice.SKIP
        self.message = _plain_label(message)
        self.apply_to_all = QCheckBox("Do the same for every other conflict of this transfer")
        if remaining_hint:
            self.apply_to_all.setToolTip(remaining_hint)
        self.skip_button = QPushButton("Skip")
        self.overwrite_button = QPushButton("Overwrite")
        self.rename_button = QPushButton("Keep both (rename)")
        self.skip_button.setToolTip("Leave the existing one as it is; do not transfer this file")
        self.overwrite_button.setToolTip("Replace the existing one with this file")
        self.rename_button.setToolTip("Transfer this file under a new, free name "
                                      "(e.g. report (1).pdf)")
        for button, choice in ((self.skip_button, ConflictChoice.SKIP),
                               (self.overwrite_button, ConflictChoice.OVERWRITE),
                               (self.rename_button, ConflictChoice.RENAME)):
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, c=choice: self.choose(c))
        self.skip_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.overwrite_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.apply_to_all)
        layout.addLayout(buttons)
        self.resize(520, self.sizeHint().height())

    def choose(self, choice: ConflictChoice, *, for_all: bool | None = None) -> None:
        """Answer (tests call this as a click would)."""
        if for_all is not None:
            self.apply_to_all.setChecked(for_all)
        self.choice = choice
        self.accept()

    def reject(self) -> None:
        self.choice = ConflictChoice.SKIP
        super().reject()

    def decision(self) -> ConflictDecision:
        return ConflictDecision(self.choice, self.apply_to_all.isChecked())


# --- deletes ----------------------------------------------------------------------------------


class DeleteBlobDialog(QDialog):
    """Delete one blob; whether its snapshots go too (a blob with snapshots cannot be deleted
    alone)."""

    def __init__(self, parent: QWidget | None, container: str, name: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete blob")
        self.snapshots = QCheckBox("Also delete its snapshots")
        self.snapshots.setToolTip("A blob that has snapshots can only be deleted with them")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton("Delete", QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button.setAutoDefault(False)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label(f"Delete the blob “{name}” from the container "
                                      f"“{container}”?"))
        layout.addWidget(_plain_label("If the account keeps deleted blobs (soft delete), it "
                                      "can be undeleted until its retention ends.", wrap=True))
        layout.addWidget(self.snapshots)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def include_snapshots(self) -> bool:
        return self.snapshots.isChecked()


class FolderDeleteDialog(QDialog):
    """Delete a virtual folder: says exactly how many blobs go, names the first of them."""

    SHOWN = 50

    def __init__(self, parent: QWidget | None, container: str, prefix: str,
                 names: Sequence[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete folder")
        self.names = list(names)
        self.count = len(self.names)
        self.summary = _plain_label(
            f"Delete {self.count:,} blob{'s' if self.count != 1 else ''} whose names start "
            f"with “{prefix}” in the container “{container}”?")
        bold = self.summary.font()
        bold.setBold(True)
        self.summary.setFont(bold)
        self.list = QListWidget()
        self.list.addItems(self.names[:self.SHOWN])
        if self.count > self.SHOWN:
            self.list.addItem(f"… and {self.count - self.SHOWN:,} more")
        self.snapshots = QCheckBox("Also delete their snapshots")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = buttons.addButton(
            f"Delete {self.count:,} blob{'s' if self.count != 1 else ''}",
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.delete_button.setAutoDefault(False)
        self.delete_button.setEnabled(self.count > 0)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(_plain_label(
            "Exactly these blobs are deleted, nothing else: blobs outside the folder that share "
            "its name (such as “" + prefix.rstrip("/") + "” or “" + prefix.rstrip("/")
            + "-2/…”) are not touched. Blobs added meanwhile are not deleted."))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.snapshots)
        layout.addWidget(buttons)
        self.resize(560, 420)

    def include_snapshots(self) -> bool:
        return self.snapshots.isChecked()


# --- metadata and tags ------------------------------------------------------------------------


class KeyValueDialog(QDialog):
    """Edit a blob's or container's metadata, or a blob's index tags."""

    def __init__(self, parent: QWidget | None, title: str, target: str, what: str,
                 pairs: Mapping[str, str], check: Callable[[dict[str, str]], None] | None,
                 rules: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.editor = KeyValueEditor(what, check)
        self.editor.set_pairs(pairs)
        self.message = _plain_label()
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("Save", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(_plain_label(target))
        if rules:
            hint = _plain_label(rules)
            hint.setStyleSheet(HINT_STYLE)
            layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._pairs: dict[str, str] | None = None
        self.resize(520, 360)

    def pairs(self) -> dict[str, str]:
        """The accepted pairs (valid: checked when the user pressed Save)."""
        assert self._pairs is not None
        return self._pairs

    def accept(self) -> None:
        try:
            self._pairs = self.editor.pairs()
        except InvalidInput as error:
            self.message.setText(error.message)
            self.message.show()
            return  # stays open: the user corrects the row
        super().accept()


# --- SAS ----------------------------------------------------------------------------------------

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
        self.kind_label = _plain_label(sas_kind_text(kind))
        self.kind_label.setStyleSheet(HINT_STYLE)
        self.message = _plain_label()
        self.message.setStyleSheet(ERROR_STYLE)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.generate_button = buttons.addButton("Generate",
                                                 QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("For:", _plain_label(target))
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
        self.summary = _plain_label(
            f"{kind_name} · permissions “{permissions}” · expires "
            f"{expires_on.strftime('%Y-%m-%d %H:%M')} UTC")
        warning = _plain_label(
            "Anyone who has this URL has these permissions until it expires. It is shown only "
            "now: vaultbrowser does not save or log it.")
        warning.setStyleSheet("color: #8a5300;")
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
