"""In the `newest` env: say which installed versions differ from uv.lock (information, exit 0).

The newest world exists to find defects that only the versions users get can show; this line
tells the reader of a failing `newest` run which versions were new.
"""

from __future__ import annotations

import sys

from check_locked_env import differences

if __name__ == "__main__":
    found = differences()
    print(f"newest: {len(found)} distributions differ from uv.lock")
    for line in found:
        print(f"  {line}")
    sys.exit(0)
