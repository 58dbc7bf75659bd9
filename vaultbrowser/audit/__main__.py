"""``python -m vaultbrowser.audit …``: the same as ``vaultbrowser audit …``."""

from __future__ import annotations

import sys

from vaultbrowser.audit.cli import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
