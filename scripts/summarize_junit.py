"""Add up the JUnit XML files of every pytest run in a CI run and print one closing line.

Fails when a run reported no test at all (pytest's exit 5 already fails its tox env; this also
catches a CI whose envs ran nothing).
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main(folder: str) -> int:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    files = sorted(Path(folder).glob("junit-*.xml"))
    for path in files:
        root = ET.parse(path).getroot()
        suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
        count = 0
        for suite in suites:
            for key in totals:
                totals[key] += int(suite.get(key, 0))
            count += int(suite.get("tests", 0))
        print(f"  {path.stem.removeprefix('junit-'):24s} {count:5d} tests")
    failed = totals["failures"] + totals["errors"]
    passed = totals["tests"] - failed - totals["skipped"]
    print(f"tests: {passed} passed, {failed} failed, {totals['skipped']} skipped")
    if not files or totals["tests"] == 0:
        print("no test ran", file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".ci-results"))
