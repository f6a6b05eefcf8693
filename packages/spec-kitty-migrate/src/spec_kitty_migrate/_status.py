"""Step `status-wp`: legacy status lines and WP frontmatter.

`kitty-specs/<slug>/status.events.jsonl`: ``feature_slug`` -> ``mission_slug``, ``work_package_id``
-> ``wp_id``, the lane alias ``doing`` -> ``in_progress`` (``from_lane``/``to_lane``), and
``mission_id`` stamped from the mission's meta.json on each rewritten line that lacks it. Line
order, event ids and every untouched line (byte for byte) are preserved.

`kitty-specs/<slug>/tasks/**/*.md` frontmatter: ``feature_slug:`` -> ``mission_slug:``, and the
``lane:`` key removed (the WP loader refuses it) after its lane is seeded into the status log
when the log has no transition of that work package yet (see `_wplane`); edited line by line,
every other byte of the file (the prompt body included) is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import _logfix as lf
from ._context import Project, mtime_utc, read_text_strict, sha256_bytes, write_text
from ._model import Finding, StepPlan, StepReport
from ._runtime import ApplyContext
from ._statuslog import EVENTS_FILE, STEP_ID, _events, _Work
from ._wplane import LaneConflict, Seed, append_seed, has_transition, lane_of, wp_id_of
from .errors import UpgradeUnparseableError

TITLE = "Status lines and WP frontmatter: feature_slug, the `doing` alias, the `lane:` key"
_FM_MARKERS = ("feature_slug", "lane")


def _frontmatter(path: Path, mission_id: str | None = None) -> Finding | None:
    import yaml

    text = read_text_strict(path)
    if not text.startswith("---") or not any(m in text for m in _FM_MARKERS):
        return None
    lines = text.splitlines(keepends=True)
    if lines[0].rstrip("\r\n") != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r\n") == "---"), None)
    if end is None:
        return None
    try:
        data = yaml.safe_load("".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise UpgradeUnparseableError(
            f"{path}: the frontmatter is not valid YAML; fix it, then rerun `spec-kitty upgrade`",
            details={"file": str(path), "reason": str(exc).replace("\n", " ")},
        ) from exc
    if not isinstance(data, dict) or not ("feature_slug" in data or "lane" in data):
        return None
    summary = "legacy keys in WP frontmatter"

    def blocked(reason: str) -> Finding:
        return Finding(step=STEP_ID, path=str(path), summary=summary, conflict=reason)

    expected = dict(data)
    changes: list[str] = []
    drop_slug_line = False
    if "feature_slug" in data:
        value = expected.pop("feature_slug")
        if "mission_slug" in data and data["mission_slug"] != value:
            return blocked(
                f"feature_slug={value!r} disagrees with mission_slug={data['mission_slug']!r}"
            )
        drop_slug_line = "mission_slug" in data
        expected["mission_slug"] = value
        changes.append("feature_slug -> mission_slug")
    seed: Seed | None = None
    if "lane" in data:
        try:
            seed = _seed(path, data, mission_id)
        except LaneConflict as exc:
            return blocked(str(exc))
        expected.pop("lane")
        if seed is None:
            changes.append(f"lane {data['lane']!r} removed (the status log already has the WP)")
        else:
            changes.append(
                f"lane {data['lane']!r} removed; {seed.wp_id} seeded as {seed.to_lane!r} "
                f"in {EVENTS_FILE}"
            )
    head = []
    for line in lines[1:end]:
        if line.startswith("feature_slug:"):
            if drop_slug_line:
                continue
            line = "mission_slug:" + line[len("feature_slug:") :]
        elif line.startswith("lane:"):
            continue
        head.append(line)
    if yaml.safe_load("".join(head)) != expected:
        return blocked("the frontmatter layout cannot be edited line by line; edit it by hand")
    new_text = "".join([lines[0], *head, *lines[end:]])
    return Finding(
        step=STEP_ID,
        path=str(path),
        summary=summary,
        changes=tuple(changes),
        work=_Work(text=new_text, sha256=sha256_bytes(text.encode("utf-8")), seed=seed),
    )


def _seed(path: Path, data: dict[str, Any], mission_id: str | None) -> Seed | None:
    """The seed for a WP file's `lane:` (None when the log already has the WP); or conflict."""
    lane = lane_of(data["lane"])
    wp_id = wp_id_of(path, data)
    mission_dir = path.parent
    while mission_dir.parent.name != "kitty-specs" and mission_dir != mission_dir.parent:
        mission_dir = mission_dir.parent
    log = mission_dir / EVENTS_FILE
    if has_transition(log, wp_id, seeding=True):
        return None
    if mission_id is None:
        raise LaneConflict(
            "the mission's meta.json is missing or in conflict, so the lane cannot be seeded "
            "into its status log; fix meta.json, then rerun upgrade"
        )
    return Seed(
        log=log, mission_dir=mission_dir, wp_id=wp_id, to_lane=lane, at=mtime_utc(path).isoformat()
    )


def detect(project: Project) -> StepPlan:
    mission_ids: dict[str, str | None] = project.cache.get("mission_ids", {})
    findings: list[Finding] = []
    touches: list[Path] = []
    if project.specs.is_dir():
        for folder in sorted(p for p in project.specs.iterdir() if p.is_dir()):
            events = folder / EVENTS_FILE
            log_blocked = None
            if events.is_file() or (folder / "meta.json").is_file():
                found = _events(events, mission_ids.get(folder.name), project.root)
                if found is not None:
                    findings.append(found)
                    log_blocked = found.conflict
                    if found.work is not None and found.work.side is not None:
                        touches.append(found.work.side[0])
            tasks = folder / "tasks"
            if tasks.is_dir():
                for wp in sorted(tasks.rglob("*.md")):
                    found = _frontmatter(wp, mission_ids.get(folder.name))
                    if found is not None and found.work is not None and found.work.seed:
                        if log_blocked is not None:
                            found = Finding(
                                step=STEP_ID,
                                path=found.path,
                                summary=found.summary,
                                conflict=f"{EVENTS_FILE} of the mission is in conflict, so the "
                                "lane cannot be seeded there; fix that file first",
                            )
                        else:
                            touches.append(found.work.seed.log)
                    if found is not None:
                        findings.append(found)
    touches[:0] = [Path(f.path) for f in findings if not f.blocked]
    return StepPlan(
        step=STEP_ID,
        title=TITLE,
        findings=tuple(findings),
        touches=tuple(dict.fromkeys(touches)),
    )


def _changed_meanwhile(finding: Finding, reason: str) -> Finding:
    return Finding(step=STEP_ID, path=finding.path, summary=finding.summary, conflict=reason)


def apply(project: Project, plan: StepPlan, ctx: ApplyContext) -> StepReport:
    changed: list[str] = []
    notes: list[str] = []
    conflicts = list(plan.conflicts)
    for finding in plan.actionable:
        path = Path(finding.path)
        work: _Work = finding.work
        current = path.read_bytes() if path.exists() else b""
        if sha256_bytes(current) != work.sha256:
            conflicts.append(
                _changed_meanwhile(
                    finding, "the file changed while upgrade ran; rerun `spec-kitty upgrade`"
                )
            )
            continue
        if work.seed is not None:
            # the seed first: a kill before the WP file is rewritten keeps the lane recoverable
            try:
                seeded = append_seed(project.root, work.seed)
            except LaneConflict as exc:
                conflicts.append(_changed_meanwhile(finding, str(exc)))
                continue
            if seeded:
                notes.append(f"{work.seed.log}: {work.seed.wp_id} seeded as {work.seed.to_lane!r}")
                changed.append(str(work.seed.log))
        if work.side is not None:
            # the lifecycle lines first: a kill before the log is rewritten keeps them twice
            # (the log still has them), never zero times
            write_text(work.side[0], work.side[1])
            changed.append(str(work.side[0]))
        write_text(path, work.text)
        changed.append(str(path))
    return StepReport(
        step=STEP_ID,
        title=TITLE,
        changed=tuple(dict.fromkeys(changed)),
        notes=tuple(notes),
        conflicts=tuple(conflicts),
    )


def verify(project: Project, report: StepReport) -> list[str]:
    problems = []
    for name in report.changed:
        path = Path(name)
        if path.name == lf.LIFECYCLE_FILE:
            continue
        if path.name == EVENTS_FILE:
            found = _events(path, None, project.root)
        else:
            found = _frontmatter(path)
        if found is not None:
            problems.append(f"{name}: still holds legacy keys after the rewrite")
    return problems
