"""The connection dialog's vocabulary: which sign-in methods use which fields, the form's
modes, and the helpers that keep a pasted secret out of its messages."""

from __future__ import annotations

import os
import re
from dataclasses import replace

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from vaultbrowser.core.services.connections import (
    AuthMethod,
    Connection,
    is_loopback_url,
    with_assumed_https,
)
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import ServiceKind
from vaultbrowser.core.services.signin.clouds import is_cloud_host

A = AuthMethod
USES_TENANT = {A.DEFAULT, A.AZURE_CLI, A.INTERACTIVE_BROWSER, A.DEVICE_CODE,
               A.SERVICE_PRINCIPAL_SECRET, A.SERVICE_PRINCIPAL_CERTIFICATE}
USES_CLIENT = {A.DEFAULT, A.MANAGED_IDENTITY, A.SERVICE_PRINCIPAL_SECRET,
               A.SERVICE_PRINCIPAL_CERTIFICATE}
SECRET_LABELS = {A.SERVICE_PRINCIPAL_SECRET: "Client secret",
                 A.SERVICE_PRINCIPAL_CERTIFICATE: "Certificate password",
                 A.ACCOUNT_KEY: "Account key"}

MODE_URL = "url"  # the kind's URL and a sign-in method; other modes are pasted connections
PASTE, FROM_ENV = "paste", "env"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


SECRET_KEYS = {"accountkey", "sharedaccesssignature", "sig", "signature"}


def scrub(message: str, secret: str) -> str:
    """``message`` without the secret or its key/signature values (defence in depth)."""
    pieces = {secret.strip()}
    for part in re.split(r"[;&?]", secret):
        key, _, value = part.partition("=")
        if key.strip().lower() in SECRET_KEYS:
            pieces.add(value.strip())
    for piece in sorted(pieces, key=len, reverse=True):
        if len(piece) >= 4 and piece in message:
            message = message.replace(piece, "…")
    return message



def typed_url(kind: ServiceKind, text: str) -> str:
    """``kind``'s URL for what was typed; a host it refuses as typed is tried as https://
    when it is an Azure cloud's host or loopback with a port ("acct.documents.azure.cn").

    Raises:
        InvalidInput: as the kind's ``normalize_url``.
    """
    try:
        return kind.normalize_url(text)
    except InvalidInput:
        assumed = with_assumed_https(text.strip(), is_cloud_host)
        if assumed == text.strip():
            raise
        return kind.normalize_url(assumed)


def with_local_ca(connection: Connection, ca_path: str) -> Connection:
    """``connection`` trusting the CA file ``ca_path`` ("" for none): for a server on this
    computer only, whatever the sign-in (an account key, a connection string, none).

    Raises:
        InvalidInput: a CA for an endpoint that is not loopback, or a file that is not there.
    """
    if not ca_path:
        return replace(connection, ca_path=None)
    if not is_loopback_url(connection.url):
        raise InvalidInput(
            "A CA certificate is only for a server on this computer (localhost, 127.0.0.1): "
            "Azure endpoints are verified with the system's trusted certificates.",
            advice="Clear the CA certificate field.")
    if not os.path.isfile(ca_path):
        raise InvalidInput(f"The CA certificate file {ca_path} does not exist.")
    return replace(connection, ca_path=ca_path)


def refill(combo: QComboBox, items: list[tuple[str, object]]) -> None:
    """Give ``combo`` these (label, data) items, keeping the chosen data when still offered."""
    if [(combo.itemText(i), combo.itemData(i)) for i in range(combo.count())] == items:
        return
    previous = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    for label, data in items:
        combo.addItem(label, data)
    combo.setCurrentIndex(max(combo.findData(previous), 0))
    combo.blockSignals(False)


def as_noun(label: str) -> str:
    """"Connection string" → "connection string"; an acronym ("SAS URL") stays."""
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]


def certificate_file_row(parent: QWidget, placeholder: str) -> tuple[QLineEdit, QWidget]:
    """A path field with its Browse… button (a certificate or CA file): the field, the row."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    browse = QPushButton("Browse…")
    browse.clicked.connect(lambda: _browse(parent, edit))
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(edit, 1)
    box.addWidget(browse)
    return edit, row


def _browse(parent: QWidget, edit: QLineEdit) -> None:
    path, _ = QFileDialog.getOpenFileName(parent, "Choose a certificate file", edit.text(),
                                          "Certificates (*.pem *.crt *.cer *.pfx *.p12);;"
                                          "All files (*)")
    if path:
        edit.setText(path)
