"""``ScanBar``: the Keys pane's server-side filters — a SCAN MATCH pattern, a TYPE, the
namespace delimiter and the Flat box — applied to the tree when the user presses Enter or
picks a type (each change lists the connections again, so typing alone sends nothing). The
shape (Flat, delimiter) is remembered in the saved settings when there are any."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from vaultbrowser.core.services.errors import InvalidInput
from vaultbrowser.redis.models.key_tree import DEFAULT_DELIMITER, RedisTreeModel
from vaultbrowser.redis.services.keys import KEY_TYPES

ALL_TYPES = "All types"
FLAT_KEY = "redis/flat"
DELIMITER_KEY = "redis/delimiter"


class ScanBar(QWidget):
    def __init__(self, model: RedisTreeModel, parent: QWidget | None = None, *,
                 settings: Any = None) -> None:
        super().__init__(parent)
        self.model = model
        self._settings = settings  # QSettings, or None: choices last for this run
        self.match_edit = QLineEdit()
        self.match_edit.setPlaceholderText("MATCH pattern, e.g. sessions:*  (Enter)")
        self.match_edit.setToolTip("SCAN MATCH on the server: * any characters, ? one, "
                                   "[abc] one of them, \\ escapes. Enter applies it.")
        self.match_edit.setClearButtonEnabled(True)
        self.type_combo = QComboBox()
        self.type_combo.addItem(ALL_TYPES, None)
        for name in KEY_TYPES:
            self.type_combo.addItem(name, name)
        self.type_combo.setToolTip("SCAN TYPE on the server: list keys of this type only")
        self.delimiter_edit = QLineEdit(DEFAULT_DELIMITER.decode())
        self.delimiter_edit.setMaximumWidth(40)
        self.delimiter_edit.setToolTip("Namespaces split key names on this delimiter (Enter)")
        self.flat_check = QCheckBox("Flat")
        self.flat_check.setToolTip("List every key by its full name, no namespaces")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Keys:"))
        layout.addWidget(self.match_edit, 1)
        layout.addWidget(self.type_combo)
        layout.addWidget(QLabel("Namespaces on"))
        layout.addWidget(self.delimiter_edit)
        layout.addWidget(self.flat_check)
        self.match_edit.returnPressed.connect(self.apply)
        self.match_edit.textChanged.connect(self._cleared)
        self.type_combo.currentIndexChanged.connect(self.apply)
        self.delimiter_edit.returnPressed.connect(self.apply)
        self.flat_check.toggled.connect(model.set_flat)
        self.flat_check.toggled.connect(self.delimiter_edit.setDisabled)
        self.flat_check.toggled.connect(self._save)
        self._restore()

    def _restore(self) -> None:
        if self._settings is None:
            return
        delimiter = str(self._settings.value(DELIMITER_KEY, "") or "")
        if delimiter and len(delimiter) <= 8:
            self.delimiter_edit.setText(delimiter)
            self.model.set_delimiter(delimiter.encode())
        flat = self._settings.value(FLAT_KEY, False)
        self.flat_check.setChecked(flat is True or str(flat).lower() == "true")

    def _save(self, *_args: Any) -> None:
        if self._settings is not None:
            self._settings.setValue(FLAT_KEY, self.flat_check.isChecked())
            self._settings.setValue(DELIMITER_KEY, self.model.delimiter.decode("utf-8",
                                                                               "replace"))

    def _cleared(self, text: str) -> None:
        if not text and self.model.match is not None:  # the clear button lists all again
            self.apply()

    def apply(self) -> None:
        """Give the pattern, type and delimiter to the tree.

        Raises:
            InvalidInput: an empty delimiter (the field is set back).
        """
        delimiter = self.delimiter_edit.text().encode()
        if not delimiter:
            self.delimiter_edit.setText(self.model.delimiter.decode("utf-8", "replace"))
            raise InvalidInput("The namespace delimiter is empty.",
                               advice="Use ':' or another separator.")
        self.model.set_delimiter(delimiter)
        self._save()
        self.model.set_filter(self.match_edit.text().encode() or None,
                              self.type_combo.currentData())
