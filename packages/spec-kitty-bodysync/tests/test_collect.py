from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from spec_kitty_bodysync import Artifact, collect_artifacts


def _write(root: Path, rel: str, data: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_bytes(data.encode("utf-8"))


@pytest.fixture
def mission(tmp_path: Path) -> Path:
    root = tmp_path / "kitty-specs" / "001-user-auth"
    for rel, text in {
        "meta.json": '{"mission_slug": "001-user-auth"}\n',
        "spec.md": "# Spec\r\nwith CRLF\r\n",
        "plan.md": "# Plan\n",
        "tasks.md": "# Tasks\n",
        "data-model.md": "# Model\n",
        "tasks/WP01-login.md": "---\nwork_package_id: WP01\n---\n",
        "tasks/WP02-logout.md": "---\nwork_package_id: WP02\n---\n",
        "tasks/notes.txt": "not a prompt",
        "research/sources.csv": "a,b\n1,2\n",
        "research/deep/more.yaml": "k: v\n",
        "contracts/api.json": "{}\n",
        "contracts/api.yml": "openapi: 3\n",
        "checklists/requirements.md": "- [ ] done\n",
        "status.json": "{}\n",
        "status.events.jsonl": "{}\n",
        "README.md": "# not an artifact surface\n",
        "research/.hidden.md": "secret",
    }.items():
        _write(root, rel, text)
    return root


def test_collects_the_artifact_surfaces_only(mission: Path) -> None:
    got = collect_artifacts(mission)
    assert [a.artifact_path for a in got.artifacts] == [
        "checklists/requirements.md",
        "contracts/api.json",
        "contracts/api.yml",
        "data-model.md",
        "meta.json",
        "plan.md",
        "research/deep/more.yaml",
        "research/sources.csv",
        "spec.md",
        "tasks.md",
        "tasks/WP01-login.md",
        "tasks/WP02-logout.md",
    ]
    assert got.skipped == ()


def test_body_is_the_exact_file_bytes(mission: Path) -> None:
    spec = dict(collect_artifacts(mission).artifacts)["spec.md"]
    assert spec == "# Spec\r\nwith CRLF\r\n"  # no newline translation
    digest = hashlib.sha256((mission / "spec.md").read_bytes()).hexdigest()
    assert hashlib.sha256(spec.encode("utf-8")).hexdigest() == digest


def test_unusable_artifacts_are_reported_with_reasons(mission: Path) -> None:
    _write(mission, "research/figure.png", b"\x89PNG")
    _write(mission, "contracts/latin1.md", "café".encode("latin-1"))
    _write(mission, "checklists/blank.md", "  \n\n")
    _write(mission, "research/huge.md", "x" * 2048)
    os.symlink(mission / "plan.md", mission / "contracts" / "link.md")
    got = collect_artifacts(mission, max_bytes=1024)
    reasons = {s.artifact_path: s.reason for s in got.skipped}
    assert reasons == {
        "research/figure.png": "unsupported_extension",
        "contracts/latin1.md": "not_utf8",
        "checklists/blank.md": "empty",
        "research/huge.md": "too_large",
        "contracts/link.md": "symlink",
    }
    huge = next(s for s in got.skipped if s.reason == "too_large")
    assert "2,048 bytes" in huge.detail and "1,024" in huge.detail
    assert Artifact("plan.md", "# Plan\n") in got.artifacts
    assert all(a.artifact_path not in reasons for a in got.artifacts)


def test_empty_mission_folder(tmp_path: Path) -> None:
    got = collect_artifacts(tmp_path)
    assert got.artifacts == () and got.skipped == ()
