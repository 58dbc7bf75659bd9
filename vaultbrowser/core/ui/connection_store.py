"""``ConnectionStore``: the saved connections, in ``QSettings``, never with a secret."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QSettings

from vaultbrowser.core.services.connections import Connection
from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.core.services.kinds import ServiceKind, url_normalizer

log = logging.getLogger(__name__)

ARRAY = "connections"
# The keys Connection.to_settings() may write; nothing else is read back.
FIELDS = ("kind", "url", "auth", "name", "tenant_id", "client_id", "certificate_path",
          "secret_env", "read_only", "ca_path", "scope")


def _as_bool(value: Any) -> bool:
    """INI files give back ``"true"``/``"false"`` strings; native backends give bools."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


class ConnectionStore:
    """Persists connections through ``Connection.to_settings()`` only.

    The caller sets organization/application (or injects ``QSettings(path, IniFormat)``).
    Invalid saved entries are skipped by ``load()``: they are logged, kept in ``skipped`` and
    passed to ``on_invalid`` (e.g. ``ErrorReporter.report``); the next write drops them.
    """

    def __init__(self, settings: QSettings | None = None, *, kinds: Sequence[ServiceKind],
                 on_invalid: Callable[[InvalidInput], None] | None = None) -> None:
        self._settings = settings if settings is not None else QSettings()
        self._normalize_url = url_normalizer(kinds)  # each kind checks its own saved URLs
        self._on_invalid = on_invalid
        self.skipped: list[InvalidInput] = []

    @property
    def settings(self) -> QSettings:
        return self._settings

    def load(self) -> list[Connection]:
        """The saved connections, in order, without the invalid ones."""
        self.skipped = []
        connections: list[Connection] = []
        settings = self._settings
        count = settings.beginReadArray(ARRAY)
        entries: list[dict[str, Any]] = []
        for position in range(count):
            settings.setArrayIndex(position)
            entry = {key: settings.value(key) for key in FIELDS if settings.contains(key)}
            if "read_only" in entry:
                entry["read_only"] = _as_bool(entry["read_only"])
            entries.append(entry)
        settings.endArray()
        for position, entry in enumerate(entries, start=1):
            try:
                connections.append(Connection.from_settings(entry, self._normalize_url))
            except InvalidInput as error:
                log.warning("Skipping saved connection #%d: %s", position, error)
                self.skipped.append(error)
                if self._on_invalid is not None:
                    self._on_invalid(error)
        return connections

    def save(self, connections: list[Connection]) -> None:
        """Replace the saved list (no secret is written: only ``to_settings()``)."""
        settings = self._settings
        settings.remove(ARRAY)
        settings.beginWriteArray(ARRAY, len(connections))
        for position, connection in enumerate(connections):
            settings.setArrayIndex(position)
            for key, value in connection.to_settings().items():
                if key in FIELDS:  # a field added later must be listed here to be saved
                    settings.setValue(key, value)
        settings.endArray()
        settings.sync()

    def add(self, connection: Connection) -> list[Connection]:
        """Save ``connection``, replacing a saved one with the same ``key``; returns the list."""
        current = [c for c in self.load() if c.key != connection.key]
        current.append(connection)
        self.save(current)
        return current

    def remove(self, connection: Connection) -> list[Connection]:
        """Forget the saved connection with ``connection.key``; returns the remaining list."""
        current = [c for c in self.load() if c.key != connection.key]
        self.save(current)
        return current
