from __future__ import annotations

import json
from pathlib import Path


def test_create_mission_writes_canonical_meta(project: Path, run_cli) -> None:
    res = run_cli("agent", "mission", "create", "User auth flow", "--json", cwd=project)
    assert res.exit_code == 0, res.stderr
    data = res.json()
    assert data["mission_slug"] == "001-user-auth-flow"
    assert data["mission_number"] == 1
    meta = json.loads((Path(data["mission_dir"]) / "meta.json").read_text())
    assert set(meta) == {
        "created_at",
        "friendly_name",
        "mission_id",
        "mission_number",
        "mission_slug",
        "mission_type",
        "target_branch",
    }
