"""Property-based tests of every parser that takes text or bytes from outside (hypothesis).

Each test feeds generated and mutated inputs (seeded with the hostile cases real tenants hold)
and asserts: our own value or one of our typed errors, never another exception, a hang or
unbounded memory. ``FUZZ_EXAMPLES`` (default 1000) sets how many inputs each test takes;
the session prints how many each parser took.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
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

_PROPERTY = "fuzzed inputs"


@pytest.fixture
def fed(request: pytest.FixtureRequest) -> Iterator[Any]:
    """``fed(parser_name)`` counts one input given to that parser. The counts ride on the test's
    report (``user_properties``), so the summary adds them up under pytest-xdist too, where the
    tests run in worker processes."""
    inputs: Counter[str] = Counter()
    yield lambda name: inputs.update([name])
    request.node.user_properties.append((_PROPERTY, dict(inputs)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    totals: Counter[str] = Counter()
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "teardown":
                continue
            for key, value in getattr(report, "user_properties", ()):
                if key == _PROPERTY:
                    totals.update(value)
    if totals:
        terminalreporter.section("fuzzed inputs per parser")
        for name, count in sorted(totals.items()):
            terminalreporter.write_line(f"{name}: {count:,}")
