"""``KindTabs``: the window's tabs, one per tree of each kind, that fit beside the detail pane.

Seven tabs under their full labels ("Key Vault Certificates") want about 850 px; the trees'
side of a 1280 px window has about 760, and a tab bar that scrolls cuts its first tab at the
left edge. A tab shows its kind's icon, so its text leaves out the kind's name where the label
starts with it ("Secrets" beside the Key Vault icon); the full label stays the tab's tooltip
and its accessible name (what a screen reader says). Narrower still, texts are elided before
the bar scrolls.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget, QWidget

from vaultbrowser.core.services.kinds import ServiceKind
from vaultbrowser.core.ui.kind_icon import kind_icon


def tab_text(kind_label: str, label: str) -> str:
    """``label`` without the kind's name before it ("Key Vault Secrets" → "Secrets"); a label
    that is the kind's name only, or does not start with it, stays whole."""
    prefix = f"{kind_label} "
    if label.lower().startswith(prefix.lower()):
        return label[len(prefix):].strip() or label
    return label


class KindTabs(QTabWidget):
    """The trees' tabs: ``add_tree`` adds one under its kind's icon."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setElideMode(Qt.TextElideMode.ElideRight)

    def add_tree(self, pane: QWidget, kind: ServiceKind, label: str) -> int:
        """Add ``pane``'s tab; its text is ``tab_text``, its tooltip and accessible name
        ``label``. Returns its index."""
        index = self.addTab(pane, kind_icon(kind), tab_text(kind.label, label))
        self.setTabToolTip(index, label)
        self.tabBar().setAccessibleTabName(index, label)
        return index

    def label(self, index: int) -> str:
        """The full label of the tab at ``index`` ("Key Vault Secrets")."""
        return self.tabBar().accessibleTabName(index)
