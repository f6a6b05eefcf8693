#!/usr/bin/env python3
"""A fake `claude` agent for driving spec-kitty-orchestrator 0.1.2 without any AI.

Role from argv: implementation when the value after --allowedTools contains "Write", else
review. The WP id comes from the prompt's `work_package_id:` line; rework is recognised by the
`## Review Feedback` heading. Behaviour is steered by environment variables:

- FAKE_AGENT_LOG: append one JSON line per invocation (role, wp, cwd, rework).
- FAKE_AGENT_FAIL_IMPL: comma-separated WP ids whose implementation always fails.
- FAKE_AGENT_REJECT_ONCE: comma-separated WP ids whose first review is a rejection.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path


def _ids(var: str) -> set[str]:
    return {v.strip() for v in os.environ.get(var, "").split(",") if v.strip()}


def main() -> int:
    argv = sys.argv[1:]
    tools = argv[argv.index("--allowedTools") + 1] if "--allowedTools" in argv else ""
    role = "implementation" if "Write" in tools else "review"
    prompt = sys.stdin.read()
    match = re.search(r"^work_package_id:\s*(WP\d+)", prompt, re.MULTILINE)
    wp = match.group(1) if match else "WP??"
    rework = "## Review Feedback" in prompt
    cwd = Path.cwd()
    log = os.environ.get("FAKE_AGENT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            record = {"role": role, "wp": wp, "cwd": str(cwd), "rework": rework}
            handle.write(json.dumps(record) + "\n")
    if role == "implementation":
        if wp in _ids("FAKE_AGENT_FAIL_IMPL"):
            print(json.dumps({"error": f"implementation failed for {wp}"}))
            return 3
        name = f"{wp.lower()}.txt"
        (cwd / name).write_text(f"work of {wp}{' (rework)' if rework else ''}\n", encoding="utf-8")
        subprocess.run(["git", "add", name], cwd=cwd, check=True)
        subprocess.run(["git", "commit", "-q", "-m", f"{wp}: implement"], cwd=cwd, check=True)
        print(json.dumps({"result": "implemented", "files_modified": [name]}))
        return 0
    marker = cwd / f".rejected-{wp}"
    if wp in _ids("FAKE_AGENT_REJECT_ONCE") and not marker.exists():
        marker.write_text("rejected once\n", encoding="utf-8")
        print(json.dumps({"error": f"review rejected: {wp} needs a test"}))
        return 1
    print(json.dumps({"result": "approved"}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
