"""``ConnectionDialog``: add a connection of any registered kind, validated as you type.

The form is driven by the kinds (``ServiceKind``): their labels, URL fields, sign-in methods and
pasted connections (a connection string, a SAS URL). Validation is the kind's own (its
``normalize_url``, its parsers): the ``InvalidInput`` message shows inline and OK stays disabled
until the form is valid. A pasted secret lives only in the returned ``Connection.secret``;
messages never echo it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

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
from vaultbrowser.core.services.connections import AuthMethod, Connection, is_loopback_url
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import PastedConnection, ServiceKind
from vaultbrowser.core.services.records import SecretValue
from vaultbrowser.core.ui.connection_form import (
    ENV_NAME,
    FROM_ENV,
    MODE_URL,
    PASTE,
    SECRET_LABELS,
    USES_CLIENT,
    USES_TENANT,
    A,
    as_noun,
    certificate_file_row,
    refill,
    scrub,
    typed_url,
    with_local_ca,
)
from vaultbrowser.core.ui.kind_icon import kind_icon


class ConnectionDialog(QDialog):
    """Add a connection, or edit one (``editing``). After ``accept`` read it with
    ``connection()``.

    Editing starts from the connection's fields. A secret held in memory is never shown: left
    empty, the connection keeps it (a pasted connection string or SAS URL too)."""

    def __init__(self, parent: QWidget | None = None, *, kinds: Sequence[ServiceKind],
                 kind: str | None = None, editing: Connection | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit connection" if editing else "Add connection")
        self.setMinimumWidth(520)
        self._kinds = {k.name: k for k in kinds}
        self._accepted: Connection | None = None
        self._editing = editing
        self._build()
        if editing is not None:
            kind = editing.kind
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind), 0))
        self._sync()
        if editing is not None:
            self._fill_from(editing)

    def _fill_from(self, connection: Connection) -> None:
        """Start the form from ``connection`` (its kind cannot change)."""
        self.ok_button.setText("Save")
        self.kind_combo.setEnabled(False)
        pasted = next((p for p in self.kind.pasted_connections if p.auth is connection.auth),
                      None)
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(
            pasted.mode if pasted is not None else MODE_URL), 0))
        self.auth_combo.setCurrentIndex(max(self.auth_combo.findData(connection.auth), 0))
        self.url_edit.setText(connection.url)
        self.tenant_edit.setText(connection.tenant_id or "")
        self.client_edit.setText(connection.client_id or "")
        self.cert_edit.setText(connection.certificate_path or "")
        self.ca_edit.setText(connection.ca_path or "")
        if connection.secret_env:
            self.source_combo.setCurrentIndex(max(self.source_combo.findData(FROM_ENV), 0))
            self.env_edit.setText(connection.secret_env)
        self.name_edit.setText(connection.name)
        self.read_only_check.setChecked(connection.read_only)
        self._sync()

    def _kept(self) -> Connection | None:
        """The edited connection whose in-memory secret an empty field keeps."""
        editing = self._editing
        if (editing is None or editing.secret is None or self.secret_from_env
                or self.secret_edit.text().strip()):
            return None
        return editing

    # --- layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        self.kind_combo = QComboBox()
        for kind in self._kinds.values():
            self.kind_combo.addItem(kind_icon(kind), kind.label, kind.name)
        self.mode_combo = QComboBox()
        self.url_choice_combo = QComboBox()  # presets of the URL (an Azure sign-in's clouds)
        self.url_choice_combo.activated.connect(self._use_url_choice)
        self.url_edit = QLineEdit()
        self.auth_combo = QComboBox()
        self.tenant_edit = QLineEdit()
        self.tenant_edit.setPlaceholderText("Directory (tenant) id or domain")
        self.client_edit = QLineEdit()
        self.client_edit.setPlaceholderText("Application (client) id")
        self.cert_edit, cert_row = certificate_file_row(self, "PEM or PFX file")
        self.ca_edit, ca_row = certificate_file_row(
            self, "The local server's CA certificate (optional)")
        self.source_combo = QComboBox()
        self.source_combo.addItem("Paste it here (kept in memory only)", PASTE)
        self.source_combo.addItem("Read it from an environment variable", FROM_ENV)
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.env_edit = QLineEdit()
        self.env_edit.setPlaceholderText("e.g. VAULTBROWSER_SECRET")
        self.read_only_check = QCheckBox("Read-only (audit mode: nothing is changed)")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Optional display name")
        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setMinimumHeight(self.fontMetrics().height() * 2 + 4)

        form = self.form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Service", self.kind_combo)
        form.addRow("Connect with", self.mode_combo)
        form.addRow("Cloud", self.url_choice_combo)
        form.addRow("Vault URL", self.url_edit)
        form.addRow("Sign-in method", self.auth_combo)
        form.addRow("Tenant id", self.tenant_edit)
        form.addRow("Client id", self.client_edit)
        form.addRow("Certificate", cert_row)
        form.addRow("CA certificate", ca_row)
        form.addRow("Secret", self.source_combo)
        form.addRow("Value", self.secret_edit)
        form.addRow("Variable name", self.env_edit)
        form.addRow("Display name", self.name_edit)
        form.addRow("", self.read_only_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addWidget(self.buttons)

        for combo in (self.kind_combo, self.mode_combo, self.auth_combo, self.source_combo):
            combo.currentIndexChanged.connect(self._sync)
        for edit in (self.url_edit, self.tenant_edit, self.client_edit, self.cert_edit,
                     self.ca_edit, self.secret_edit, self.env_edit, self.name_edit):
            edit.textChanged.connect(self._validate)

    # --- state ----------------------------------------------------------------------------------

    @property
    def kind(self) -> ServiceKind:
        return self._kinds[self.kind_combo.currentData()]

    @property
    def mode(self) -> str:
        return self.mode_combo.currentData() or MODE_URL

    @property
    def pasted(self) -> PastedConnection | None:
        """The pasted connection the mode stands for (None: URL and sign-in)."""
        return next((p for p in self.kind.pasted_connections if p.mode == self.mode), None)

    @property
    def auth(self) -> AuthMethod:
        pasted = self.pasted
        if pasted is not None:
            return pasted.auth
        data = self.auth_combo.currentData()
        return AuthMethod(data) if data else A.DEFAULT

    @property
    def secret_from_env(self) -> bool:
        return self.source_combo.currentData() == FROM_ENV

    def _sync(self) -> None:
        """Show the fields that apply to the chosen kind, mode and method; then validate."""
        kind = self.kind
        modes = [(f"{kind.url_label} and sign-in", MODE_URL)] + [
            (pasted.label, pasted.mode) for pasted in kind.pasted_connections]
        refill(self.mode_combo, modes)
        refill(self.auth_combo, [(method.label, method) for method in kind.auth_methods])
        choices = list(kind.url_choices()) if kind.url_choices is not None else []
        refill(self.url_choice_combo, [(label, url) for label, url in choices])
        if choices and not self.url_edit.text().strip():
            self.url_edit.setText(choices[0][1])
        mode, auth, from_env, pasted = self.mode, self.auth, self.secret_from_env, self.pasted
        # A variable holding only the credential (a SAS token) needs the URL typed in.
        env_credential_only = pasted is not None and from_env and not pasted.env_names_resource
        show_url = mode == MODE_URL or env_credential_only
        self.form.labelForField(self.url_edit).setText(kind.url_label)
        self.url_edit.setPlaceholderText(kind.url_placeholder)
        needs_secret = auth.needs_secret or auth is A.SERVICE_PRINCIPAL_CERTIFICATE
        secret_label = SECRET_LABELS.get(auth, "Secret")
        if pasted is not None:
            secret_label = pasted.env_label if env_credential_only else pasted.label
        self.form.labelForField(self.source_combo).setText(secret_label)
        self.form.labelForField(self.secret_edit).setText("Value")
        rows = {
            self.mode_combo: len(modes) > 1,
            self.url_choice_combo: bool(choices) and show_url,
            self.url_edit: show_url,
            self.auth_combo: mode == MODE_URL,
            self.tenant_edit: mode == MODE_URL and auth in USES_TENANT,
            self.client_edit: mode == MODE_URL and auth in USES_CLIENT,
            self.cert_edit.parentWidget(): auth is A.SERVICE_PRINCIPAL_CERTIFICATE,
            self.source_combo: needs_secret,
            self.secret_edit: needs_secret and not from_env,
            self.env_edit: needs_secret and from_env,
        }
        for widget, visible in rows.items():
            self.form.setRowVisible(widget, visible)
        keeps = self._editing is not None and self._editing.secret is not None
        self.secret_edit.setPlaceholderText(
            "Leave empty to keep the current secret" if keeps and not from_env
            else pasted.placeholder if pasted is not None and not from_env else "")
        self._validate()

    def _use_url_choice(self, index: int) -> None:
        url = self.url_choice_combo.itemData(index)
        if isinstance(url, str):
            self.url_edit.setText(url)

    # --- validation -----------------------------------------------------------------------------

    def build(self) -> Connection:
        """The connection the form describes.

        Raises:
            InvalidInput: the form is not valid (the message never contains the secret).
        """
        try:
            return self._build_connection()
        except InvalidInput as error:
            secret = self.secret_edit.text()
            if not secret:
                raise
            message, advice = scrub(error.message, secret), scrub(error.advice, secret)
            if (message, advice) == (error.message, error.advice):
                raise
            raise InvalidInput(message, advice=advice) from None

    def _build_connection(self) -> Connection:
        auth, mode, pasted = self.auth, self.mode, self.pasted
        name, read_only = self.name_edit.text().strip(), self.read_only_check.isChecked()
        needs_secret = auth.needs_secret or auth is A.SERVICE_PRINCIPAL_CERTIFICATE
        env_name = self._env_name() if needs_secret else None
        kept = self._kept()
        if pasted is not None and kept is not None and kept.auth is pasted.auth:
            # The pasted text names the resource and holds the secret: it stays as it was.
            connection = replace(kept, name=name, read_only=read_only)
        elif pasted is not None and (env_name is None or pasted.env_names_resource):
            text = self._secret_text(env_name, as_noun(pasted.label))
            connection = pasted.build(text, name, read_only)
        else:
            connection = Connection(kind=self.kind.name, url=self._url(), auth=auth, name=name,
                                    read_only=read_only)
        if env_name is not None:
            connection = replace(connection, secret=None, secret_env=env_name)
        elif mode == MODE_URL and needs_secret and (
                auth.needs_secret or self.secret_edit.text().strip()):
            connection = connection.with_secret(self._pasted_secret(auth))
        return self._with_identity(connection, auth)

    def _url(self) -> str:
        return typed_url(self.kind, self.url_edit.text())

    def _env_name(self) -> str | None:
        if not self.secret_from_env:
            return None
        name = self.env_edit.text().strip()
        if not name:
            raise InvalidInput("Enter the name of the environment variable that holds the "
                               "secret.")
        if not ENV_NAME.match(name):
            raise InvalidInput(f"'{name}' is not a valid environment variable name.")
        return name

    def _secret_text(self, env_name: str | None, what: str) -> str:
        if env_name is not None:
            value = os.environ.get(env_name, "")
            if not value:
                raise InvalidInput(f"The environment variable {env_name} is not set: the "
                                   f"{what} is needed now to know where to connect.")
            return value
        text = self.secret_edit.text().strip()
        if not text:
            raise InvalidInput(f"Paste the {what}.")
        return text

    def _pasted_secret(self, auth: AuthMethod) -> SecretValue:
        text = self.secret_edit.text().strip()
        kept = self._kept()
        if not text and kept is not None and kept.auth is auth and kept.secret is not None:
            return kept.secret
        if not text:
            raise InvalidInput(f"Paste the {SECRET_LABELS[auth].lower()}, or read it from an "
                               "environment variable.")
        return self.kind.check_secret(auth, text)

    def _with_identity(self, connection: Connection, auth: AuthMethod) -> Connection:
        tenant = self.tenant_edit.text().strip() if auth in USES_TENANT else ""
        client = self.client_edit.text().strip() if auth in USES_CLIENT else ""
        cert = self.cert_edit.text().strip() if auth is A.SERVICE_PRINCIPAL_CERTIFICATE else ""
        if auth in (A.SERVICE_PRINCIPAL_SECRET, A.SERVICE_PRINCIPAL_CERTIFICATE) and not (
                tenant and client):
            raise InvalidInput("A service principal needs a tenant id and a client id.")
        if auth is A.SERVICE_PRINCIPAL_CERTIFICATE and not cert:
            raise InvalidInput("Choose the service principal's certificate file (PEM or PFX).")
        if cert and not os.path.isfile(cert):
            raise InvalidInput(f"The certificate file {cert} does not exist.")
        return with_local_ca(replace(connection, tenant_id=tenant or None,
                                     client_id=client or None, certificate_path=cert or None),
                             self.ca_edit.text().strip())

    def _validate(self) -> None:
        try:
            connection = self.build()
        except InvalidInput as error:
            connection = None
            self._show_message(error.message, error=True)
        self.form.setRowVisible(self.ca_edit.parentWidget(), self._ca_applies(connection))
        self.ok_button.setEnabled(connection is not None)
        if connection is None:
            return
        note = f"Connects to {connection.url}"
        env_name = self.env_edit.text().strip()
        if self.secret_from_env and env_name and not os.environ.get(env_name):
            note += f"\nNote: {env_name} is not set now; set it before connecting."
        self._show_message(note, error=False)

    def _ca_applies(self, connection: Connection | None) -> bool:
        """The CA row shows for a server on this computer (the typed URL, or the pasted
        connection's endpoint once valid), and while it holds a path (to clear it)."""
        if self.auth is A.LOCAL_EMULATOR or self.ca_edit.text().strip():
            return True
        if connection is not None:
            return is_loopback_url(connection.url)
        if not self.form.isRowVisible(self.url_edit):
            return False
        try:
            return is_loopback_url(self._url())
        except InvalidInput:
            return False

    def _show_message(self, text: str, *, error: bool) -> None:
        self.message_label.setText(text)
        self.message_label.setStyleSheet(tone_style(Tone.ERROR if error else Tone.MUTED))

    @property
    def message(self) -> str:
        """The inline message: the validation error, or where a valid form connects."""
        return self.message_label.text()

    @property
    def is_valid(self) -> bool:
        return self.ok_button.isEnabled()

    # --- result ---------------------------------------------------------------------------------

    def accept(self) -> None:
        try:
            connection = self.build()
        except InvalidInput as error:
            self._show_message(error.message, error=True)
            self.ok_button.setEnabled(False)
            return
        self._accepted = connection
        self.secret_edit.clear()  # from now on the secret lives only in the Connection
        super().accept()

    def connection(self) -> Connection:
        """The accepted connection (or, before accept, the one the form describes).

        Raises:
            InvalidInput: not accepted and the form is not valid.
        """
        return self._accepted if self._accepted is not None else self.build()
