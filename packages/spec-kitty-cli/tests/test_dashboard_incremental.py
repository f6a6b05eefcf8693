"""The dashboard folds appended status lines into its cached view exactly as a full read would."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spec_kitty_cli.dashboard._views import MissionCache
from spec_kitty_orchestrator_api import LANES, open_mission

WPS = ["WP01", "WP02", "WP03"]


@pytest.fixture
def mission(project: Path, run_cli: Callable[..., Any]) -> tuple[Path, str]:
    slug = str(
        run_cli("agent", "mission", "create", "Fold", "--json", cwd=project).json()["mission_slug"]
    )
    tasks = project / "kitty-specs" / slug / "tasks"
    for wp in WPS:
        (tasks / f"{wp}.md").write_text(f"---\nwork_package_id: {wp}\ntitle: {wp}\n---\n")
    assert run_cli("agent", "tasks", "finalize", "--mission", slug, "--json").exit_code == 0
    return project, slug


def _record(rng: random.Random, slug: str, n: int, at: str) -> dict[str, Any]:
    wp = rng.choice(WPS)
    if rng.random() < 0.2:
        return {
            "actor": "a",
            "at": at,
            "build_id": "b",
            "delta": {"note": f"n{n}"},
            "event_id": f"01N{n:023d}",
            "kind": "annotation",
            "wp_id": wp,
        }
    return {
        "actor": rng.choice(["ann", "bob"]),
        "at": at,
        "build_id": "b",
        "event_id": f"01M{n:023d}",
        "evidence": None,
        "execution_mode": "worktree",
        "force": rng.random() < 0.3,
        "from_lane": rng.choice([None, *LANES]),
        "mission_id": "x",
        "mission_slug": slug,
        "policy_metadata": None,
        "reason": None,
        "review_ref": rng.choice([None, "r1"]),
        "to_lane": rng.choice(LANES),
        "wp_id": wp,
    }


def _append(log: Path, records: list[dict[str, Any]]) -> None:
    with log.open("a", encoding="utf-8") as handle:
        for r in records:
            handle.write(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n")


def test_folding_equals_a_full_read(mission: tuple[Path, str]) -> None:
    root, slug = mission
    log = root / "kitty-specs" / slug / "status.events.jsonl"
    cache = MissionCache(root)
    rng = random.Random(20)
    written: list[dict[str, Any]] = []
    for step in range(150):
        batch = []
        for i in range(rng.randint(1, 3)):
            n = step * 10 + i
            late = rng.random() < 0.1  # sometimes a record that sorts before what was folded
            at = f"2031-01-01T00:{(0 if late else 30):02d}:{n // 60 % 60:02d}.{n:06d}+00:00"
            if written and rng.random() < 0.05:
                batch.append(rng.choice(written))  # a replayed (duplicate) line
            else:
                batch.append(_record(rng, slug, n, at))
        written.extend(batch)
        _append(log, batch)
        got = cache.entry(slug).view
        full = open_mission(root, slug)
        assert got.reduced == full.reduced, step
        assert got.log.transitions == full.log.transitions
        assert got.log.annotations == full.log.annotations
        assert got.log.valid_size == full.log.valid_size
    assert cache.extended > 50 and cache.reads > 2  # both paths were taken


def test_anything_unusual_reads_the_whole_log(mission: tuple[Path, str]) -> None:
    root, slug = mission
    log = root / "kitty-specs" / slug / "status.events.jsonl"
    cache = MissionCache(root)
    cache.entry(slug)
    rng = random.Random(3)
    reads = cache.reads
    log.write_bytes(log.read_bytes() + b'{"torn":')  # an interrupted write
    assert cache.entry(slug).view.log.torn_tail is not None and cache.reads == reads + 1
    text = log.read_bytes()[: -len(b'{"torn":')]
    tmp = log.with_suffix(".new")
    tmp.write_bytes(text)
    os.replace(tmp, log)  # a rewrite (new inode)
    assert cache.entry(slug).view.log.torn_tail is None and cache.reads == reads + 2
    _append(log, [_record(rng, slug, 1, "2031-01-01T00:00:00+00:00")])
    assert cache.reads == reads + 2 and cache.entry(slug) and cache.extended == 1
    data = bytearray(log.read_bytes())
    data[-2] = ord("X")  # an edit in place of a line already folded, then growth
    log.write_bytes(bytes(data))
    _append(log, [_record(rng, slug, 2, "2031-01-01T00:00:01+00:00")])
    with pytest.raises(Exception) as err:  # the full reader names the broken line
        cache.entry(slug)
    assert getattr(err.value, "code", "") == "STATUS_LOG_CORRUPT"
    assert cache.extended == 1
