"""What the first request would otherwise do on the loop's thread is done with the SDK import,
off it."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(script: str) -> str:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script)],
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout + result.stderr


def test_after_import_sdk_a_client_build_starts_no_process_and_imports_nothing() -> None:
    # A fresh interpreter: in the test process the SDK is long imported.
    out = _run("""
        import asyncio, subprocess, sys
        from vaultbrowser.app import KINDS
        from vaultbrowser.core.services import sdk_imports

        asyncio.run(sdk_imports.import_sdk(n for kind in KINDS for n in kind.sdk_modules))
        spawned = []
        real_popen = subprocess.Popen.__init__

        def spy(self, *args, **kwargs):
            spawned.append(args[:1])
            real_popen(self, *args, **kwargs)

        subprocess.Popen.__init__ = spy
        before = set(sys.modules)
        from azure.core.pipeline.policies import UserAgentPolicy
        from azure.core.rest._aiohttp import RestAioHttpTransportResponse  # noqa: F401
        UserAgentPolicy()  # every SDK client builds one: its user agent names the platform
        "x".encode("idna")
        print("SPAWNED", spawned, "NEW", sorted(set(sys.modules) - before))
    """)
    assert "SPAWNED [] NEW []" in out, out
