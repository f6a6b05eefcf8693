"""Step `meta-json`: legacy `kitty-specs/<slug>/meta.json` -> the canonical MissionIdentity.

Legacy keys read here (and only here): ``feature_slug`` and the duplicate ``slug`` (folded into
``mission_slug``), ``feature_number`` (a string like "064" -> the integer ``mission_number``) and
``mission`` (the type -> ``mission_type``). Keys the canonical model knows are kept; every other
key moves unchanged under ``legacy_extras``. Disagreeing values block the file (a conflict).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spec_kitty_identity import (
    CANONICAL_KEYS,
    REQUIRED_KEYS,
    MissionIdentity,
    load_mission_meta,
    mission_identity_from_dict,
)
from spec_kitty_identity.errors import IdentityError

from ._context import (
    Conflict,
    Project,
    deterministic_ulid,
    git_default_branch,
    mtime_utc,
    read_text_strict,
    sha256_bytes,
    write_text,
)
from ._model import Finding, StepPlan, StepReport
from ._runtime import ApplyContext
from .errors import UpgradeUnparseableError

STEP_ID = "meta-json"
TITLE = "Mission meta.json: legacy keys to mission_slug, mission_number, mission_type"
SLUG_KEYS = ("mission_slug", "feature_slug", "slug")
NUMBER_KEYS = ("mission_number", "feature_number")
TYPE_KEYS = ("mission_type", "mission")
LEGACY_TARGET = {
    "feature_slug": "mission_slug",
    "slug": "mission_slug",
    "feature_number": "mission_number",
    "mission": "mission_type",
}
LEGACY_KEYS = frozenset(LEGACY_TARGET)
_OPTIONAL = CANONICAL_KEYS - set(REQUIRED_KEYS) - {"legacy_extras"}
_PREFIX_RE = re.compile(r"^(\d+)-")
DEFAULT_TYPE = "software-dev"


@dataclass(frozen=True, kw_only=True)
class _Work:
    text: str
    sha256: str
    mission_id: str


def _read(path: Path) -> dict[str, Any]:
    text = read_text_strict(path)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UpgradeUnparseableError(
            f"{path} is not valid JSON; fix or restore it, then rerun `spec-kitty upgrade`",
            details={"file": str(path), "reason": str(exc)},
        ) from exc
    if not isinstance(data, dict):
        raise UpgradeUnparseableError(
            f"{path} must hold a JSON object",
            details={"file": str(path), "reason": "not an object"},
        )
    return data


def _as_number(key: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise Conflict(f"`{key}` is {value!r}, not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise Conflict(f"`{key}` is {value!r}, not a number")
    if number < 1:
        raise Conflict(f"`{key}` is {value!r}; a mission number must be >= 1")
    return number


def _agree(data: dict[str, Any], keys: tuple[str, ...], norm: Any = None) -> tuple[Any, list[str]]:
    """The one value the present keys agree on (None if absent), and which keys held it."""
    seen: dict[str, Any] = {}
    for key in keys:
        if key in data and data[key] is not None:
            seen[key] = norm(key, data[key]) if norm else data[key]
    if len(set(map(repr, seen.values()))) > 1:
        shown = ", ".join(f"{k}={data[k]!r}" for k in seen)
        raise Conflict(f"legacy and canonical values disagree: {shown}")
    return (next(iter(seen.values())) if seen else None), list(seen)


def _known_number(folder: Path, data: dict[str, Any]) -> int | None:
    try:
        number, _ = _agree(data, NUMBER_KEYS, _as_number)
    except Conflict:
        return None
    if number is None and (match := _PREFIX_RE.match(folder.name)):
        number = int(match.group(1)) or None
    return number if isinstance(number, int) else None


def _created_key(data: dict[str, Any]) -> str:
    """A sortable creation stamp (ISO text in UTC), "" when absent or unreadable."""
    try:
        stamp = datetime.fromisoformat(str(data.get("created_at")))
    except ValueError:
        return ""
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


def _created_at(path: Path, data: dict[str, Any], derived: list[str]) -> str:
    raw = data.get("created_at")
    if raw is None:
        value = mtime_utc(path)
        derived.append(f"created_at = {value.isoformat()} (meta.json mtime, UTC)")
        return value.isoformat()
    try:
        parsed = datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise Conflict(f"`created_at` {raw!r} is not an ISO-8601 timestamp") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
        derived.append(f"created_at {raw!r} had no offset: read as UTC")
    return parsed.isoformat()


def _transform(
    project: Project, path: Path, data: dict[str, Any], number_hint: int
) -> tuple[MissionIdentity, list[str], list[str]]:
    folder = path.parent.name
    changes: list[str] = []
    derived: list[str] = []
    slug, slug_keys = _agree(data, SLUG_KEYS)
    if slug is None:
        slug = folder
        derived.append(f"mission_slug = {folder!r} (folder name)")
    elif slug != folder:
        raise Conflict(f"the slug {slug!r} ({', '.join(slug_keys)}) differs from folder {folder!r}")
    number, _ = _agree(data, NUMBER_KEYS, _as_number)
    if number is None:
        number = number_hint
        derived.append(f"mission_number = {number} (folder prefix or next free number)")
    mission_type, _ = _agree(data, TYPE_KEYS)
    if mission_type is None:
        mission_type = DEFAULT_TYPE
        derived.append(f"mission_type = {DEFAULT_TYPE!r} (none recorded)")
    new: dict[str, Any] = {
        "mission_slug": slug,
        "mission_number": number,
        "mission_type": mission_type,
        "created_at": _created_at(path, data, derived),
    }
    if data.get("friendly_name"):
        new["friendly_name"] = data["friendly_name"]
    elif isinstance(data.get("title"), str) and data["title"].strip():
        new["friendly_name"] = data["title"].strip()  # hand-made metas name it `title`
        derived.append(f"friendly_name = {new['friendly_name']!r} (the legacy `title`)")
    else:
        new["friendly_name"] = _PREFIX_RE.sub("", folder).replace("-", " ") or folder
        derived.append(f"friendly_name = {new['friendly_name']!r} (folder name)")
    if data.get("target_branch"):
        new["target_branch"] = data["target_branch"]
    else:
        new["target_branch"] = git_default_branch(project.root)
        derived.append(f"target_branch = {new['target_branch']!r} (git default branch)")
    if data.get("mission_id") is not None:
        new["mission_id"] = data["mission_id"]
    else:
        stamp = int(datetime.fromisoformat(new["created_at"]).timestamp() * 1000)
        new["mission_id"] = deterministic_ulid(stamp, f"{project.project_uuid()}:{slug}")
        derived.append(f"mission_id = {new['mission_id']} (minted)")
    extras = data.get("legacy_extras") or {}
    if not isinstance(extras, dict):
        raise Conflict("`legacy_extras` is not an object")
    extras = dict(extras)
    for key, value in data.items():
        if key in new or key in LEGACY_KEYS or key == "legacy_extras":
            continue
        if key in _OPTIONAL and value is not None:
            new[key] = value
        elif key not in CANONICAL_KEYS:
            if key in extras and extras[key] != value:
                raise Conflict(f"`{key}` differs from legacy_extras.{key}")
            extras[key] = value
            changes.append(f"{key} -> legacy_extras.{key}")
    renamed = [f"{key} -> {LEGACY_TARGET[key]}" for key in LEGACY_TARGET if key in data]
    changes[:0] = renamed
    if isinstance(data.get("mission_number"), str):
        changes.append(f"mission_number {data['mission_number']!r} -> {number}")
    while True:
        candidate = {**new, **({"legacy_extras": extras} if extras else {})}
        try:
            identity = mission_identity_from_dict(candidate, source=str(path))
            break
        except IdentityError as exc:
            bad = exc.details.get("key")
            if not isinstance(bad, str) or bad not in _OPTIONAL or bad not in new:
                raise Conflict(exc.message) from exc
            extras[bad] = new.pop(bad)
            changes.append(
                f"{key} (not canonical: {exc.message.split(': ', 1)[-1]}) -> legacy_extras"
            )
    return identity, changes, derived


def _canonical(path: Path) -> MissionIdentity | None:
    try:
        return load_mission_meta(path)
    except IdentityError:
        return None


def detect(project: Project) -> StepPlan:
    paths = sorted(project.specs.glob("*/meta.json")) if project.specs.is_dir() else []
    docs = {path: _read(path) for path in paths}
    mission_ids: dict[str, str | None] = {}
    project.cache["mission_ids"] = mission_ids
    pending: list[Path] = []
    for path in paths:
        identity = _canonical(path)
        if identity is None:
            pending.append(path)
        else:
            mission_ids[path.parent.name] = identity.mission_id
    known = [n for p in paths if (n := _known_number(p.parent, docs[p])) is not None]
    next_free = max(known, default=0)
    # A missing mission_number is assigned in creation order (created_at, then folder name).
    hints: dict[Path, int] = {}
    for path in sorted(pending, key=lambda p: (_created_key(docs[p]), p.parent.name)):
        number = _known_number(path.parent, docs[path])
        if number is None:
            next_free += 1
            number = next_free
        hints[path] = number
    findings: list[Finding] = []
    for path in pending:
        data = docs[path]
        hint = hints[path]
        legacy = sorted(k for k in data if k not in CANONICAL_KEYS)
        summary = f"legacy keys {', '.join(legacy)}" if legacy else "not loadable as canonical"
        try:
            identity, changes, derived = _transform(project, path, data, hint)
        except Conflict as exc:
            mission_ids[path.parent.name] = None
            findings.append(
                Finding(step=STEP_ID, path=str(path), summary=summary, conflict=str(exc))
            )
            continue
        mission_ids[path.parent.name] = identity.mission_id
        text = json.dumps(identity.to_json_dict(), indent=2, sort_keys=True, ensure_ascii=False)
        raw = path.read_bytes()
        work = _Work(text=text + "\n", sha256=sha256_bytes(raw), mission_id=identity.mission_id)
        findings.append(
            Finding(
                step=STEP_ID,
                path=str(path),
                summary=summary,
                changes=tuple(changes),
                derived=tuple(derived),
                work=work,
            )
        )
    touches = tuple(Path(f.path) for f in findings if not f.blocked)
    return StepPlan(step=STEP_ID, title=TITLE, findings=tuple(findings), touches=touches)


def apply(project: Project, plan: StepPlan, ctx: ApplyContext) -> StepReport:
    changed: list[str] = []
    conflicts = list(plan.conflicts)
    for finding in plan.actionable:
        path = Path(finding.path)
        work: _Work = finding.work
        if sha256_bytes(path.read_bytes()) != work.sha256:
            conflicts.append(_changed_meanwhile(finding))
            continue
        write_text(path, work.text)
        changed.append(str(path))
    notes = tuple(f"{f.path}: {d}" for f in plan.actionable for d in f.derived)
    return StepReport(
        step=STEP_ID, title=TITLE, changed=tuple(changed), notes=notes, conflicts=tuple(conflicts)
    )


def verify(project: Project, report: StepReport) -> list[str]:
    problems = []
    for name in report.changed:
        try:
            load_mission_meta(Path(name))
        except IdentityError as exc:
            problems.append(f"{name}: {exc.message}")
    return problems


def _changed_meanwhile(finding: Finding) -> Finding:
    return Finding(
        step=finding.step,
        path=finding.path,
        summary=finding.summary,
        conflict="the file changed while upgrade ran; rerun `spec-kitty upgrade`",
    )
