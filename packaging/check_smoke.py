"""Check `vaultbrowser --smoke-test` result files: the installers' checks here (test_deb.sh)
and in CI (.github/workflows/installers.yml) use this one definition of a passing run.

    python packaging/check_smoke.py [--version X.Y.Z] RESULT_JSON...

Prints a line per file; exit 1 naming the first file and field that fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

MIN_ROWS = 2


def problems(result: dict[str, object], version: str | None) -> list[str]:
    found = []
    if result.get("ok") is not True:
        found.append(f"ok is {result.get('ok')!r} (unavailable: {result.get('unavailable')})")
    if version is not None and result.get("version") != version:
        found.append(f"version {result.get('version')!r}, expected {version!r}")
    if result.get("icons") is not True:
        found.append(f"icons {result.get('icons')!r}: the icon font is missing from the bundle")
    trees = result.get("trees")
    if not isinstance(trees, dict) or not trees:
        found.append(f"trees {trees!r}, expected the rows each tree listed")
        return found
    for tree, rows in trees.items():
        # Every demo root holds several items: two rows at least, or the tree did not list.
        if not isinstance(rows, int) or rows < MIN_ROWS:
            found.append(f"{tree} {rows!r} rows, expected at least {MIN_ROWS}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", help="the version every result must report")
    parser.add_argument("results", nargs="+", type=Path)
    args = parser.parse_args(argv)
    for path in args.results:
        result = json.loads(path.read_text(encoding="utf-8"))
        failed = problems(result, args.version)
        if failed:
            print(f"{path}: FAIL: {'; '.join(failed)}\n{json.dumps(result, indent=2)}",
                  file=sys.stderr)
            return 1
        listed = ", ".join(f"{rows} {tree}" for tree, rows in result["trees"].items())
        print(f"  {path.name}: ok: {listed}; first paint {result.get('first_paint_seconds')} s, "
              f"first rows {result.get('first_rows_seconds')} s (in-process clocks); "
              f"{result.get('platform')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
