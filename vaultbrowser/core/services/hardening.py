"""Process hardening at start: no core dumps of a process that holds secret values.

A revealed secret, a pasted account key or a token sits in this process's memory; a core dump
would write it to disk (and crash reporters upload dumps). At start, on Linux and macOS, the
core size limit becomes 0 (``RLIMIT_CORE``, inherited by child processes) and on Linux the
process is marked non-dumpable (``PR_SET_DUMPABLE`` 0: no core dump whatever the limit, no
ptrace attach by other processes of the same user, /proc/<pid>/mem closed to them).

Windows has no per-process switch that Python can set: Windows Error Reporting may write a
dump of a crashing process as its machine policy says (README, "Reliability and security").

``VAULTBROWSER_ALLOW_CORE_DUMPS=1`` leaves the process as it is (to debug a crash locally).
"""

from __future__ import annotations

import ctypes
import os
import sys

ALLOW_CORE_DUMPS_ENV = "VAULTBROWSER_ALLOW_CORE_DUMPS"
_PR_SET_DUMPABLE = 4
_PR_GET_DUMPABLE = 3


def disable_core_dumps() -> tuple[str, ...]:
    """Apply the measures this platform allows; returns their names (for tests and logs)."""
    if os.environ.get(ALLOW_CORE_DUMPS_ENV) == "1":
        return ()
    done: list[str] = []
    try:
        import resource
    except ImportError:  # Windows
        return ()
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        done.append("RLIMIT_CORE=0")
    except (ValueError, OSError):
        pass
    if sys.platform.startswith("linux") and _prctl(_PR_SET_DUMPABLE, 0) == 0:
        done.append("PR_SET_DUMPABLE=0")
    return tuple(done)


def is_dumpable() -> bool | None:
    """Linux: whether the process may dump core (``PR_GET_DUMPABLE``); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    result = _prctl(_PR_GET_DUMPABLE, 0)
    return None if result < 0 else bool(result)


def _prctl(option: int, argument: int) -> int:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(option, argument, 0, 0, 0))
    except (OSError, AttributeError):
        return -1
