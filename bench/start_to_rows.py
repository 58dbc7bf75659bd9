"""Start to the first rows of the last-used connection (``python -m bench.start_to_rows``; also a
step of ``python -m bench``).

The runner prepares a home of its own (``HOME`` and ``XDG_CONFIG_HOME`` in a temp dir) whose
saved connections (``ConnectionStore``, the app's QSettings file) hold one Key Vault connection
to a running emulator (200 secrets, 20 ms per request, as the other Key Vault benches); its
local-emulator credential needs no token fetch, as a cached token would not. Each run launches a
fresh ``python -m bench.start_to_rows run``, which runs the real ``vaultbrowser.app.main([])``
unchanged: a timer, started before it, watches for the first item row in any tab of the window,
then closes the window (``main`` returns). The runner subtracts its launch time from the epoch
the child saw the rows at (interpreter start-up included), as ``cold_start`` does for the paint.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

SECRETS = 200
LATENCY_MS = 20
TARGET_S = 1.0


def _first_rows(app: Any) -> bool:
    """Whether a connection's tree shows an item row (not only "Loading…") in any tab."""
    for widget in app.topLevelWidgets():
        for pane in getattr(widget, "panes", ()):
            for root in pane.model.root_nodes():
                if root.children:
                    return True
    return False


def run() -> int:
    """One launch: ``vaultbrowser.app.main`` with the prepared home; the first rows' epoch."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])  # main() takes this one
    seen: dict[str, float] = {}

    def poll() -> None:
        if "rows_at" in seen or not _first_rows(app):
            return
        seen.update(rows_at=time.time(), in_process=time.perf_counter() - _STARTED)
        for widget in app.topLevelWidgets():
            if hasattr(widget, "panes"):
                widget.close()  # main() returns once the window has shut down

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(2)
    QTimer.singleShot(60_000, app.quit)  # never hang a bench

    from vaultbrowser.app import main

    code = main([])
    print("BENCH_RESULT " + json.dumps({**seen, "exit": code}), flush=True)
    return 0


@contextlib.contextmanager
def prepared_home(url: str, ca_path: str) -> Iterator[dict[str, str]]:
    """A temp home whose saved connections hold the vault; the environment to launch with."""
    from PySide6.QtCore import QSettings

    from vaultbrowser import APP_NAME
    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.connections import AuthMethod, Connection
    from vaultbrowser.core.ui.connection_store import ConnectionStore

    with tempfile.TemporaryDirectory(prefix="vaultbrowser-home-") as home:
        config = Path(home) / ".config"
        # QSettings() of an app named APP_NAME by APP_NAME reads this file on Linux
        settings = QSettings(str(config / APP_NAME / f"{APP_NAME}.conf"),
                             QSettings.Format.IniFormat)
        ConnectionStore(settings, kinds=KINDS).save([Connection(
            "keyvault", url, AuthMethod.LOCAL_EMULATOR, name="bench-vault", ca_path=ca_path)])
        settings.sync()
        yield {"HOME": home, "XDG_CONFIG_HOME": str(config)}


def measure_start_to_rows(plan: Any) -> tuple[list[Any], list[str]]:
    """The bench step: launch → first rows of the saved connection, ``cold_runs`` times."""
    from bench.common import Row, child, log
    from bench.seed import vault_seed
    from vaultbrowser.emulators.keyvault import run_emulator_in_thread

    values: list[float] = []
    in_process: list[float] = []
    notes: list[str] = []
    with run_emulator_in_thread(seed=vault_seed(SECRETS)) as emulator:
        emulator.faults.latency_ms = LATENCY_MS
        with prepared_home(emulator.url, str(emulator.ca_path)) as env:
            saved = {key: os.environ.get(key) for key in env}
            os.environ.update(env)  # child() passes the runner's environment on
            try:
                for run_number in range(plan.cold_runs):
                    launched = time.time()
                    try:
                        result = child(["bench.start_to_rows", "run"], timeout=120)
                    except Exception as exc:  # one broken run must not hide the others
                        notes.append(f"start to rows run {run_number + 1}: {exc}")
                        continue
                    if "rows_at" not in result:
                        notes.append(f"start to rows run {run_number + 1}: no rows in 60 s")
                        continue
                    values.append(result["rows_at"] - launched)
                    in_process.append(result["in_process"])
                    log(f"start to rows run {run_number + 1}: {values[-1]:.3f} s")
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value
    label = "start → first rows of the saved vault (fresh process)"
    rows = [
        Row(label, values, "s", f"≤ {TARGET_S:g} s",
            None if not values else statistics.median(values) <= TARGET_S),
        Row("start → first rows: of which in Python (imports → rows)", in_process, "s"),
    ]
    return rows, notes


if __name__ == "__main__":
    if sys.argv[1:] == ["run"]:
        raise SystemExit(run())
    from bench.common import plan_from_env, print_table

    found_rows, found_notes = measure_start_to_rows(plan_from_env())
    print_table(found_rows)
    for note in found_notes:
        print(f"note: {note}")
