"""Step `status-wp`: legacy status lines and WP frontmatter.

`kitty-specs/<slug>/status.events.jsonl`: ``feature_slug`` -> ``mission_slug``, ``work_package_id``
-> ``wp_id``, the lane alias ``doing`` -> ``in_progress`` (``from_lane``/``to_lane``), and
``mission_id`` stamped from the mission's meta.json on each rewritten line that lacks it. Line
order, event ids and every untouched line (byte for byte) are preserved.

`kitty-specs/<slug>/tasks/**/*.md` frontmatter: ``feature_slug:`` -> ``mission_slug:`` and
``lane: doing`` -> ``lane: in_progress``, edited line by line; the prompt body is not touched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._context import Project, read_text_strict, sha256_bytes, write_text
from ._model import Finding, StepPlan, StepReport
from ._runtime import ApplyContext
from .errors import UpgradeUnparseableError

STEP_ID = "status-wp"
TITLE = "Status lines and WP frontmatter: feature_slug and the `doing` lane alias"
EVENTS_FILE = "status.events.jsonl"
RENAMES = {"feature_slug": "mission_slug", "work_package_id": "wp_id"}
LANE_KEYS = ("from_lane", "to_lane")
LANE_ALIASES = {"doing": "in_progress"}
_MARKERS = ("feature_slug", "work_package_id", '"doing"')
_FM_MARKERS = ("feature_slug", "doing")


class _Conflict(Exception):
    pass


@dataclass(frozen=True, kw_only=True)
class _Work:
    text: str
    sha256: str


def _fix_line(obj: dict[str, Any], mission_id: str | None, changes: set[str]) -> bool:
    touched = False
    for old, new in RENAMES.items():
        if old in obj:
            value = obj.pop(old)
            if new in obj and obj[new] != value:
                raise _Conflict(f"{old}={value!r} disagrees with {new}={obj[new]!r}")
            obj[new] = value
            changes.add(f"{old} -> {new}")
            touched = True
    for key in LANE_KEYS:
        if obj.get(key) in LANE_ALIASES:
            changes.add(f"{key} {obj[key]!r} -> {LANE_ALIASES[obj[key]]!r}")
            obj[key] = LANE_ALIASES[obj[key]]
            touched = True
    if touched and mission_id and "mission_id" not in obj and "to_lane" in obj:
        obj["mission_id"] = mission_id
        changes.add("mission_id stamped from meta.json")
    return touched


def _events(path: Path, mission_id: str | None) -> Finding | None:
    text = read_text_strict(path)
    if not any(marker in text for marker in _MARKERS):
        return None
    out: list[str] = []
    changes: set[str] = set()
    count = 0
    summary = "legacy keys or lane aliases in status lines"
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        if not body.strip():
            out.append(line)
            continue
        try:
            obj = json.loads(body)
        except ValueError as exc:
            raise UpgradeUnparseableError(
                f"{path}:{number} is not a JSON object; fix or restore it, then rerun upgrade",
                details={"file": str(path), "line": number, "reason": str(exc)},
            ) from exc
        if not isinstance(obj, dict):
            raise UpgradeUnparseableError(
                f"{path}:{number} is not a JSON object",
                details={"file": str(path), "line": number, "reason": "not an object"},
            )
        try:
            touched = _fix_line(obj, mission_id, changes)
        except _Conflict as exc:
            return Finding(
                step=STEP_ID, path=str(path), summary=summary, conflict=f"line {number}: {exc}"
            )
        if touched:
            count += 1
            ending = line[len(body) :]
            out.append(json.dumps(obj, sort_keys=True, ensure_ascii=False) + ending)
        else:
            out.append(line)
    if not count:
        return None
    return Finding(
        step=STEP_ID,
        path=str(path),
        summary=f"{count} status line(s) with legacy keys or lane aliases",
        changes=tuple(sorted(changes)),
        rows=count,
        work=_Work(text="".join(out), sha256=sha256_bytes(text.encode("utf-8"))),
    )


def _frontmatter(path: Path) -> Finding | None:
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
    if not isinstance(data, dict):
        return None
    expected = dict(data)
    changes: list[str] = []
    drop_slug_line = False
    if "feature_slug" in data:
        value = expected.pop("feature_slug")
        if "mission_slug" in data and data["mission_slug"] != value:
            return Finding(
                step=STEP_ID,
                path=str(path),
                summary="feature_slug in WP frontmatter",
                conflict=f"feature_slug={value!r} disagrees with mission_slug={data['mission_slug']!r}",
            )
        drop_slug_line = "mission_slug" in data
        expected["mission_slug"] = value
        changes.append("feature_slug -> mission_slug")
    if data.get("lane") in LANE_ALIASES:
        expected["lane"] = LANE_ALIASES[data["lane"]]
        changes.append(f"lane {data['lane']!r} -> {expected['lane']!r}")
    if not changes:
        return None
    head = []
    for line in lines[1:end]:
        if line.startswith("feature_slug:"):
            if drop_slug_line:
                continue
            line = "mission_slug:" + line[len("feature_slug:") :]
        elif re.match(r"^lane:\s*['\"]?doing['\"]?\s*(#.*)?$", line.rstrip("\r\n")):
            line = re.sub(r"(['\"]?)doing\1", r"\1in_progress\1", line, count=1)
        head.append(line)
    if yaml.safe_load("".join(head)) != expected:
        return Finding(
            step=STEP_ID,
            path=str(path),
            summary="legacy keys in WP frontmatter",
            conflict="the frontmatter layout cannot be edited line by line; edit it by hand",
        )
    new_text = "".join([lines[0], *head, *lines[end:]])
    return Finding(
        step=STEP_ID,
        path=str(path),
        summary="legacy keys in WP frontmatter",
        changes=tuple(changes),
        work=_Work(text=new_text, sha256=sha256_bytes(text.encode("utf-8"))),
    )


def detect(project: Project) -> StepPlan:
    mission_ids: dict[str, str | None] = project.cache.get("mission_ids", {})
    findings: list[Finding] = []
    if project.specs.is_dir():
        for folder in sorted(p for p in project.specs.iterdir() if p.is_dir()):
            events = folder / EVENTS_FILE
            if events.is_file():
                found = _events(events, mission_ids.get(folder.name))
                if found is not None:
                    findings.append(found)
            tasks = folder / "tasks"
            if tasks.is_dir():
                for wp in sorted(tasks.rglob("*.md")):
                    found = _frontmatter(wp)
                    if found is not None:
                        findings.append(found)
    touches = tuple(Path(f.path) for f in findings if not f.blocked)
    return StepPlan(step=STEP_ID, title=TITLE, findings=tuple(findings), touches=touches)


def apply(project: Project, plan: StepPlan, ctx: ApplyContext) -> StepReport:
    changed: list[str] = []
    conflicts = list(plan.conflicts)
    for finding in plan.actionable:
        path = Path(finding.path)
        work: _Work = finding.work
        if sha256_bytes(path.read_bytes()) != work.sha256:
            conflicts.append(
                Finding(
                    step=STEP_ID,
                    path=finding.path,
                    summary=finding.summary,
                    conflict="the file changed while upgrade ran; rerun `spec-kitty upgrade`",
                )
            )
            continue
        write_text(path, work.text)
        changed.append(str(path))
    return StepReport(step=STEP_ID, title=TITLE, changed=tuple(changed), conflicts=tuple(conflicts))


def verify(project: Project, report: StepReport) -> list[str]:
    problems = []
    for name in report.changed:
        path = Path(name)
        found = _events(path, None) if path.name == EVENTS_FILE else _frontmatter(path)
        if found is not None:
            problems.append(f"{name}: still holds legacy keys after the rewrite")
    return problems
