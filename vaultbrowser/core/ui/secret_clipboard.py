"""``SecretClipboard``: the one way a secret (a value, a SAS URL) goes to the clipboard.

The entry is marked for clipboard managers not to keep it in their history, and it is cleared
after ``clear_after_seconds`` and when the application quits, each time only if the clipboard
still holds it (the user may have copied something else meanwhile). Only a hash of what was
copied is kept while waiting.

The marks, where Qt lets an application set them:
- Linux/BSD (KDE Klipper and the managers that follow it): ``x-kde-passwordManagerHint: secret``;
- Windows (clipboard history and cloud clipboard, Windows 10 1809+):
  ``ExcludeClipboardContentFromMonitorProcessing`` and ``CanIncludeInClipboardHistory`` /
  ``CanUploadToCloudClipboard`` set to 0, through Qt's ``application/x-qt-windows-mime``;
- macOS: the nspasteboard.org ``org.nspasteboard.ConcealedType`` convention (honoured by most
  clipboard managers); Qt puts a MIME type on the pasteboard under that UTI only with a
  converter, which ``_MacConcealedType`` registers where PySide6 offers ``QUtiMimeConverter``.
"""

from __future__ import annotations

import hashlib
import sys

from PySide6.QtCore import QMimeData, QObject, QTimer
from PySide6.QtGui import QGuiApplication

PASSWORD_HINT_MIME = "x-kde-passwordManagerHint"
_WINDOWS_FORMAT = 'application/x-qt-windows-mime;value="{}"'
_WINDOWS_EXCLUDE = _WINDOWS_FORMAT.format("ExcludeClipboardContentFromMonitorProcessing")
_WINDOWS_NO_HISTORY = _WINDOWS_FORMAT.format("CanIncludeInClipboardHistory")
_WINDOWS_NO_CLOUD = _WINDOWS_FORMAT.format("CanUploadToCloudClipboard")
MAC_CONCEALED_MIME = "application/x-vaultbrowser-concealed"
MAC_CONCEALED_UTI = "org.nspasteboard.ConcealedType"
_DWORD_ZERO = b"\x00\x00\x00\x00"


def secret_mime_data(text: str) -> QMimeData:
    """``text`` as clipboard data marked "do not keep" for every platform's managers."""
    mime = QMimeData()
    mime.setText(text)
    mime.setData(PASSWORD_HINT_MIME, b"secret")
    mime.setData(_WINDOWS_EXCLUDE, _DWORD_ZERO)
    mime.setData(_WINDOWS_NO_HISTORY, _DWORD_ZERO)
    mime.setData(_WINDOWS_NO_CLOUD, _DWORD_ZERO)
    mime.setData(MAC_CONCEALED_MIME, b"")
    return mime


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class SecretClipboard(QObject):
    """Copies secrets to the clipboard and clears them later (see the module docstring)."""

    def __init__(self, clear_after_seconds: int = 30, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clear_after_ms = clear_after_seconds * 1000
        self._pending: list[bytes] = []  # hashes of what we copied and have not cleared yet
        app = QGuiApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.clear_now)
        _register_mac_converter()

    @property
    def holds_pending(self) -> bool:
        """Whether something this object copied may still be on the clipboard."""
        return bool(self._pending)

    @property
    def pending_digests(self) -> tuple[bytes, ...]:
        return tuple(self._pending)

    def copy(self, text: str) -> None:
        QGuiApplication.clipboard().setMimeData(secret_mime_data(text))
        digest = _digest(text)
        self._pending.append(digest)
        QTimer.singleShot(self._clear_after_ms, self, lambda: self._clear_if_ours(digest))

    def clear_now(self) -> None:
        """Clear the clipboard now if it still holds something copied here (quitting)."""
        for digest in list(self._pending):
            self._clear_if_ours(digest)

    def _clear_if_ours(self, digest: bytes) -> None:
        clipboard = QGuiApplication.clipboard()
        if _digest(clipboard.text()) == digest:
            clipboard.clear()
        if digest in self._pending:
            self._pending.remove(digest)


_mac_converter: object | None = None


def _register_mac_converter() -> None:
    """On macOS, put ``MAC_CONCEALED_MIME`` on the pasteboard as the concealed-type UTI."""
    global _mac_converter
    if sys.platform != "darwin" or _mac_converter is not None:
        return
    try:
        from PySide6.QtGui import QUtiMimeConverter  # type: ignore[attr-defined]
    except ImportError:  # not in this PySide6 build: the KDE/Windows marks still go
        return

    class _MacConcealedType(QUtiMimeConverter):  # type: ignore[misc, valid-type]
        def canConvert(self, mime: str, uti: str) -> bool:
            return mime == MAC_CONCEALED_MIME and uti == MAC_CONCEALED_UTI

        def mimeForUti(self, uti: str) -> str:
            return MAC_CONCEALED_MIME if uti == MAC_CONCEALED_UTI else ""

        def utiForMime(self, mime: str) -> str:
            return MAC_CONCEALED_UTI if mime == MAC_CONCEALED_MIME else ""

        def convertToMime(self, mime: str, data: list, uti: str) -> object:
            return b""

        def convertFromMime(self, mime: str, data: object, uti: str) -> list:
            return [b""]

    _mac_converter = _MacConcealedType()
