"""Fail unless the named spec-kitty distribution is the only spec-kitty-* package installed.

Used by the `isolated-*` tox envs: a leaf package must install and pass its tests alone.
"""

from __future__ import annotations

import sys
from importlib.metadata import distributions


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: check_isolation.py <distribution>", file=sys.stderr)
        return 2
    wanted = argv[0]
    present = sorted({(d.metadata["Name"] or "").lower() for d in distributions()} - {""})
    ours = [name for name in present if name.startswith("spec-kitty")]
    if ours != [wanted]:
        print(f"isolation: expected only {wanted}, found {ours}", file=sys.stderr)
        return 1
    print(f"isolation: {wanted} is installed alone")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
