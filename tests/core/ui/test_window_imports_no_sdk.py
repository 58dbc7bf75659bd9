"""Building the window (every kind's view) imports no Azure SDK client package: those take
about a second and load in a worker thread after the first paint (``sdk_imports``)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SDK_PACKAGES = ("azure.storage", "azure.keyvault", "azure.mgmt", "aiohttp")


def test_the_window_is_built_without_the_sdk(tmp_path: Path) -> None:
    # A fresh interpreter: in the test process the SDK is long imported.
    script = textwrap.dedent(f"""
        import sys
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from vaultbrowser.app import KINDS
        from vaultbrowser.core.services.config import Settings
        from vaultbrowser.core.services.session import ServiceSession
        from vaultbrowser.core.ui.error_dialog import ErrorReporter
        from vaultbrowser.core.ui.window.main_window import MainWindow
        window = MainWindow(ServiceSession(), Settings(), kinds=KINDS,
                            reporter=ErrorReporter(modal=False))
        print("VIEWS", len(window.panes))
        print("LOADED", sorted(name for name in sys.modules
                               if name.startswith({SDK_PACKAGES!r})))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True, env=env)
    assert "LOADED []" in result.stdout, result.stdout + result.stderr
    assert "VIEWS 0" not in result.stdout
