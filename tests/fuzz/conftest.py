"""Property-based tests of every parser that takes text or bytes from outside (hypothesis).

Each test feeds generated and mutated inputs (seeded with the hostile cases real tenants hold)
and asserts: our own value or one of our typed errors, never another exception, a hang or
unbounded memory. ``FUZZ_EXAMPLES`` (default 1000) sets how many inputs each test takes;
the session prints how many each parser took.
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
settings.register_profile(
    "vaultbrowser", max_examples=EXAMPLES, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
settings.load_profile("vaultbrowser")

INPUTS: Counter[str] = Counter()


@pytest.fixture
def fed() -> Any:
    """``fed(parser_name)`` counts one input given to that parser."""
    return lambda name: INPUTS.update([name])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if INPUTS:
        terminalreporter.section("fuzzed inputs per parser")
        for name, count in sorted(INPUTS.items()):
            terminalreporter.write_line(f"{name}: {count:,}")
