"""Building and painting the window (every kind's view) imports nothing of the Azure SDK (not
even azure-core), no redis-py and no ``cryptography``: those take about a second and load in a
worker thread after the first paint (``sdk_imports``). redis-py (~135 ms), cryptography
(~90 ms) and azure-core (~40 ms) were imported before it through the services the views
import. Nor is any module a kind names for that background import (``sdk_modules``: its
service's entry point), nor the transport (``http.transport``): those are what the first
connection needs, not the first paint."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# Top-level packages (and package prefixes) the first paint does not need.
NOT_BEFORE_PAINT = ("azure", "aiohttp", "redis", "hiredis", "cryptography")


def _loaded_at_first_paint(tmp_path: Path) -> str:
    # A fresh interpreter: in the test process the SDK is long imported.
    script = textwrap.dedent(f"""
        import asyncio, sys
        import qasync
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        from vaultbrowser.app import KINDS
        from vaultbrowser.core.services.config import Settings
        from vaultbrowser.core.services.session import ServiceSession
        from vaultbrowser.core.ui.error_dialog import ErrorReporter
        from vaultbrowser.core.ui.window.first_paint import FirstPaintWatch
        from vaultbrowser.core.ui.window.main_window import MainWindow
        window = MainWindow(ServiceSession(), Settings(), kinds=KINDS,
                            reporter=ErrorReporter(modal=False))
        painted = loop.create_future()
        FirstPaintWatch(window, lambda at, epoch: painted.done() or painted.set_result(at))
        window.show()
        with loop:
            loop.run_until_complete(asyncio.wait_for(painted, 60))
            print("VIEWS", len(window.panes))
            print("LOADED", sorted(name for name in sys.modules if any(
                name == package or name.startswith(package + ".")
                for package in {NOT_BEFORE_PAINT!r})))
            later = ["vaultbrowser.core.services.http.transport",
                     *(name for kind in KINDS for name in kind.sdk_modules)]
            print("EARLY", sorted(name for name in later if name in sys.modules))
            loop.run_until_complete(window.aclose())
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True, env=env)
    return result.stdout + result.stderr


def test_the_window_is_painted_without_the_sdk(tmp_path: Path) -> None:
    output = _loaded_at_first_paint(tmp_path)
    assert "LOADED []" in output, output
    assert "EARLY []" in output, output
    assert "VIEWS 0" not in output


APP_CHILD = textwrap.dedent(f"""
    import sys
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if (event.type() == QEvent.Type.Paint and hasattr(watched, "panes")
                    and not hasattr(self, "seen")):
                self.seen = sorted(name for name in sys.modules if any(
                    name == package or name.startswith(package + ".")
                    for package in {NOT_BEFORE_PAINT!r} + ("vaultbrowser.emulators",)))
                print("LOADED", self.seen, flush=True)
                QTimer.singleShot(0, watched.close)
            return False

    watch = FirstPaint()
    app.installEventFilter(watch)
    QTimer.singleShot(60_000, app.quit)
    from vaultbrowser.app import main
    print("EXIT", main(["--demo"]))
""")


def test_the_app_paints_before_the_sdk_and_the_demo_load(tmp_path: Path) -> None:
    """``vaultbrowser.app.main`` as a first launch runs it (the demo): the SDK's background
    import and the demo's emulators start once the window has painted; started before, they
    held the GIL half the time and ~290 more modules were imported by the paint."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-c", APP_CHILD], capture_output=True, text=True,
                            timeout=120, check=False, env=env)
    assert "LOADED []" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
    assert "EXIT 0" in result.stdout, result.stdout[-2000:] + result.stderr[-2000:]
