"""Cold start to the first painted window, in a fresh process: ``python -m bench.cold_start``.

app.py has no "open the window and quit after the first paint" switch, so this script does
what ``vaultbrowser.app.main`` does up to ``window.show()`` (imports, QApplication, the qasync
loop, ServiceSession, MainWindow; no emulators, no connections, no saved settings) and stops
after the first paint. Printed: ``BENCH_RESULT {"in_process": s, "painted_at": epoch s,
"modules": n}``; the runner subtracts its own launch time from ``painted_at`` (interpreter
start-up included). ``modules``: how many modules were imported when the window had painted
(a figure load on the machine does not move; the SDK, redis-py and cryptography load later).
"""

import time

_STARTED = time.perf_counter()

import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    from vaultbrowser.app import KINDS
    from vaultbrowser.core.services.config import Settings
    from vaultbrowser.core.services.session import ServiceSession
    from vaultbrowser.core.ui.error_dialog import ErrorReporter
    from vaultbrowser.core.ui.window.first_paint import FirstPaintWatch
    from vaultbrowser.core.ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window = MainWindow(ServiceSession(), Settings(), kinds=KINDS,
                        reporter=ErrorReporter(modal=False))
    painted = loop.create_future()

    FirstPaintWatch(window, lambda at, epoch: painted.done()
                    or painted.set_result((at, epoch, len(sys.modules))))
    window.show()
    with loop:
        done, wall, modules = loop.run_until_complete(asyncio.wait_for(painted, 30))
        loop.run_until_complete(window.aclose())
    print("BENCH_RESULT " + json.dumps({"in_process": done - _STARTED, "painted_at": wall,
                                        "modules": modules}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
