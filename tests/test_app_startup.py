"""The start-up order of ``vaultbrowser.app.main`` with a saved connection: the other kinds' SDK
waits until the saved vault's first rows are in (it imports afterwards); a saved entry found
invalid is reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from vaultbrowser import APP_NAME

CHILD = textwrap.dedent("""
    import json, os, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    seen = {}
    from vaultbrowser.core.ui import error_dialog

    reported = []
    error_dialog.ErrorReporter.report = lambda self, error: reported.append(str(error))

    def poll():
        for widget in app.topLevelWidgets():
            for pane in getattr(widget, "panes", ()):
                if "rows" not in seen and any(root.children for root in
                                              pane.model.root_nodes()):
                    seen["rows"] = {"blob_sdk": "azure.storage.blob.aio" in sys.modules}
                    QTimer.singleShot(1500, widget.close)  # the rest of the SDK meanwhile

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(2)
    QTimer.singleShot(60_000, app.quit)
    from vaultbrowser.app import main

    code = main([])
    seen.update(exit=code, reported=reported,
                blob_sdk_at_exit="azure.storage.blob.aio" in sys.modules)
    print("RESULT " + json.dumps(seen))
""")


def _saved_home(home: Path, url: str, ca_path: str) -> dict[str, str]:
    from PySide6.QtCore import QSettings

    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.ui.connection_store import ConnectionStore

    config = home / ".config"
    settings = QSettings(str(config / APP_NAME / f"{APP_NAME}.conf"),
                         QSettings.Format.IniFormat)
    ConnectionStore(settings, kinds=KINDS).save([Connection(
        "keyvault", url, AuthMethod.LOCAL_EMULATOR, name="saved-vault", ca_path=ca_path)])
    # A second entry that no longer parses: skipped, and reported once there is a reporter.
    settings.beginWriteArray("connections", 2)
    settings.setArrayIndex(1)
    settings.setValue("kind", "keyvault")
    settings.setValue("url", "not a vault url")
    settings.setValue("auth", AuthMethod.LOCAL_EMULATOR.value)
    settings.endArray()
    settings.sync()
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(config)}


def test_start_up_order_with_a_saved_vault(tmp_path: Path) -> None:
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    seed = {"secrets": {f"secret-{i:03d}": f"value-{i}" for i in range(40)}}
    with run_emulator_in_thread(seed=seed) as emulator:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
               **_saved_home(tmp_path, emulator.url, str(emulator.ca_path))}
        result = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                                timeout=120, env=env, check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, result.stdout[-2000:] + result.stderr[-3000:]
    seen = json.loads(lines[-1].removeprefix("RESULT "))
    # The blob SDK was not imported while the vault's first page loaded; it was afterwards.
    assert seen["rows"] == {"blob_sdk": False}
    assert seen["blob_sdk_at_exit"] is True
    assert seen["exit"] == 0
    assert len(seen["reported"]) == 1, seen["reported"]
