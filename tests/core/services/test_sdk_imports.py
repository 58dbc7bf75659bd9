"""The SDK is imported in a worker thread, never on the event loop's thread."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from vaultbrowser.app import KINDS


def test_import_sdk_runs_off_the_loop_thread_and_imports_every_module() -> None:
    # A fresh interpreter: in the test process the SDK is long imported.
    script = textwrap.dedent("""
        import asyncio, sys, threading
        import builtins
        from vaultbrowser.app import KINDS
        from vaultbrowser.core.services import sdk_imports

        main = threading.main_thread()
        on_main = []
        real_import = builtins.__import__

        def spy(name, *args, **kwargs):
            if name.startswith("azure.keyvault") and threading.current_thread() is main:
                on_main.append(name)
            return real_import(name, *args, **kwargs)

        builtins.__import__ = spy
        assert "azure.keyvault.secrets.aio" not in sys.modules
        modules = [n for kind in KINDS for n in kind.sdk_modules]
        asyncio.run(sdk_imports.import_sdk(modules))
        missing = [n for n in (*sdk_imports.COMMON_MODULES, *modules) if n not in sys.modules]
        print("ON_MAIN", on_main, "MISSING", missing)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    assert "ON_MAIN [] MISSING []" in result.stdout, result.stdout + result.stderr
    assert all(kind.sdk_modules for kind in KINDS)
