"""The Redis kind's import rules bite: redis-py only in redis/services, no Qt there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_house_rules import _lint, copy_of_the_code  # noqa: F401 (the fixture)


@pytest.mark.parametrize(("module", "wrong_import", "broken"), [
    ("core/models/formatting.py", "import redis.asyncio", "Only the Redis kind's services/"),
    ("redis/services/wire/names.py", "import PySide6.QtCore", "never import Qt"),
    ("redis/services/wire/names.py", "from vaultbrowser.blob.services import rules",
     "Kinds meet only in core and app.py"),
])
def test_a_wrong_import_breaks_a_redis_contract(copy_of_the_code: Path,  # noqa: F811
                                                module: str, wrong_import: str,
                                                broken: str) -> None:
    path = copy_of_the_code / "vaultbrowser" / module
    original = path.read_text(encoding="utf-8")
    path.write_text(original + f"\n{wrong_import}  # noqa\n", encoding="utf-8")
    try:
        result = _lint(copy_of_the_code)
    finally:
        path.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout
    _, _, report = result.stdout.partition("Broken contracts")
    assert broken in report, result.stdout
