"""The README quickstart: exactly two commands, the first runs the main job end to end."""

from __future__ import annotations

import re
import subprocess
import sys

from sk_support import REPO


def _quickstart_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    return [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]


def test_readme_has_exactly_the_two_commands_ci_runs() -> None:
    assert _quickstart_commands() == ["bash scripts/quickstart", "bash .ci/run"]
    assert "bash .ci/run" in (REPO / ".github" / "workflows" / "ci.yml").read_text()
    assert "scripts/quickstart" in (REPO / ".ci" / "run").read_text()
    for script in ("scripts/quickstart", ".ci/run", "scripts/bootstrap.sh"):
        text = (REPO / script).read_text()
        assert "pip install" in text or "bootstrap.sh" in text  # installs what it needs itself


def test_main_job_drives_a_mission_end_to_end(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "demo.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "3/3 done" in out  # the board
    for event in ("MissionCreated", "WPCreated", "WPStatusChanged", "MissionClosed"):
        assert event in out  # the queued, gate-checked events
    assert "quickstart: mission 001-quickstart-checkout-flow done" in out
