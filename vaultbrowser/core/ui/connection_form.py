"""The connection dialog's vocabulary: which sign-in methods use which fields, the form's
modes, and the helpers that keep a pasted secret out of its messages."""

from __future__ import annotations

import re

from PySide6.QtWidgets import QComboBox

from vaultbrowser.core.services.connections import AuthMethod

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
