"""Step `config-identity`: `.kittify/config.yaml` with identity in legacy positions.

Legacy layout: one ``project:`` section holding ``uuid``, ``slug``, ``node_id`` and maybe
``build_id``. Canonical: ``project: {uuid, slug[, repo_slug]}`` in the tracked config, the build id
in this checkout's untracked ``.kittify/state/build.json`` and the node id in the per-user
``node.json``. A committed build id becomes THIS checkout's build id only if it has none yet
(other clones mint their own); a node id moves to node.json only if the user has none. Any other
unknown ``project`` key moves under the top-level ``legacy_extras.project``. Every other line
and comment of the file is kept byte for byte.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spec_kitty_identity import (
    checkout_state_dir,
    config_lock_path,
    config_path,
    load_build_id,
    load_node_id,
    load_project_identity,
    read_config,
    set_config_section,
    user_state_dir,
)
from spec_kitty_identity.errors import IdentityError

from ._context import Project, create_exclusive, read_text_strict, sha256_bytes, write_text
from ._model import Finding, StepPlan, StepReport
from ._runtime import ApplyContext
from .errors import UpgradeUnparseableError

STEP_ID = "config-identity"
TITLE = "Project identity: build and node ids out of the tracked .kittify/config.yaml"
CANONICAL = ("uuid", "slug", "repo_slug")
_TOP_KEY = re.compile(r"^[^\s#-][^:]*:")
BUILD_FILE = "build.json"
NODE_FILE = "node.json"


@dataclass(frozen=True, kw_only=True)
class _Work:
    sha256: str
    text: str | None  # the whole new file, or None: rewrite section by section
    project: dict[str, Any]
    extras: dict[str, Any]
    build_id: str | None
    node_id: str | None


def _scalar(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None


def _existing(path: Path, key: str) -> str | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))[key]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) and value.strip() else None


def _line_edit(text: str, drop: set[str], extras_block: str) -> str | None:
    """Remove one-line ``key: value`` entries of the project block; None if the layout differs."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(r"^project\s*:\s*(#.*)?$", ln)), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])), len(lines))
    kept, removed = [], set()
    for i in range(start + 1, end):
        match = re.match(r"^(\s+)([A-Za-z_]+)\s*:\s*(\S.*)?$", lines[i])
        if match and match.group(2) in drop and match.group(3):
            nxt = lines[i + 1] if i + 1 < end else ""
            if (
                nxt.strip()
                and not nxt.strip().startswith("#")
                and (len(nxt) - len(nxt.lstrip()) > len(match.group(1)))
            ):
                return None  # a multi-line value: leave it to the section writer
            removed.add(match.group(2))
            continue
        kept.append(lines[i])
    if removed != drop:
        return None
    new = "".join([*lines[: start + 1], *kept, *lines[end:]])
    if extras_block:
        new = f"{new}{'' if not new or new.endswith(chr(10)) else chr(10)}{extras_block}"
    return new


def detect(project: Project) -> StepPlan:
    import yaml

    path = config_path(project.root)
    if not path.is_file():
        if project.kittify.is_dir() or project.specs.is_dir():  # a hand-made project
            return _bootstrap_plan(project, path)
        return StepPlan(step=STEP_ID, title=TITLE)
    text = read_text_strict(path)
    try:
        config = read_config(project.root)
    except IdentityError as exc:
        raise UpgradeUnparseableError(
            f"{path} cannot be parsed; fix or restore it, then rerun `spec-kitty upgrade`",
            details={"file": str(path), "reason": exc.message},
        ) from exc
    section = config.get("project")
    if section is None:
        return _bootstrap_plan(project, path)
    if not isinstance(section, dict) or all(key in CANONICAL for key in section):
        return StepPlan(step=STEP_ID, title=TITLE)
    moved = sorted(k for k in section if k not in CANONICAL)
    summary = f"identity in legacy positions: project.{', project.'.join(moved)}"
    try:
        uuid.UUID(str(section.get("uuid")))
        if not _scalar(section.get("slug")):
            raise ValueError("project.slug is empty")
    except ValueError as exc:
        conflict = f"project.uuid/slug unusable ({exc}); fix them by hand"
        return StepPlan(
            step=STEP_ID,
            title=TITLE,
            findings=(Finding(step=STEP_ID, path=str(path), summary=summary, conflict=conflict),),
        )
    changes: list[str] = []
    derived: list[str] = []
    build_path = checkout_state_dir(project.root) / BUILD_FILE
    node_path = user_state_dir() / NODE_FILE
    legacy_build = _scalar(section.get("build_id"))
    legacy_node = _scalar(section.get("node_id"))
    for key, legacy, target, label in (
        ("build_id", legacy_build, build_path, "this checkout"),
        ("node_id", legacy_node, node_path, "this user"),
    ):
        have = _existing(target, key)
        if legacy and have is None:
            changes.append(f"project.{key} -> {target} ({label})")
        elif legacy and have != legacy:
            changes.append(f"project.{key} dropped: {label} keeps {have} (old value in the backup)")
        elif legacy:
            changes.append(f"project.{key} dropped: {target} already holds it")
        elif have is None:
            derived.append(f"{key} minted into {target}")
    extras = {k: section[k] for k in moved if k not in ("build_id", "node_id")}
    changes.extend(f"project.{k} -> legacy_extras.project.{k}" for k in extras)
    new_project = {k: section[k] for k in CANONICAL if k in section}
    existing_extras = config.get("legacy_extras")
    new_text = None
    if existing_extras is None:
        block = yaml.safe_dump(
            {"legacy_extras": {"project": extras}}, sort_keys=False, allow_unicode=True
        )
        new_text = _line_edit(text, set(moved), block if extras else "")
        if new_text is not None:
            expected = {**config, "project": new_project}
            if extras:
                expected["legacy_extras"] = {"project": extras}
            if yaml.safe_load(new_text) != expected:
                new_text = None
    work = _Work(
        sha256=sha256_bytes(text.encode("utf-8")),
        text=new_text,
        project=new_project,
        extras=extras,
        build_id=legacy_build,
        node_id=legacy_node,
    )
    finding = Finding(
        step=STEP_ID,
        path=str(path),
        summary=summary,
        changes=tuple(changes),
        derived=tuple(derived),
        work=work,
    )
    touches = (path, *(p for p in (build_path, node_path) if not p.exists()))
    return StepPlan(step=STEP_ID, title=TITLE, findings=(finding,), touches=touches)


def _bootstrap_plan(project: Project, path: Path) -> StepPlan:
    """0.x/1.x releases wrote no `project:` block: bootstrap project, build and node identity."""
    build_path = checkout_state_dir(project.root) / BUILD_FILE
    node_path = user_state_dir() / NODE_FILE
    derived = ["project.uuid minted, project.slug from the origin remote or the folder name"]
    derived += [
        f"{key} minted into {p}"
        for key, p in (("build_id", build_path), ("node_id", node_path))
        if not p.exists()
    ]
    finding = Finding(
        step=STEP_ID,
        path=str(path),
        summary="no project identity (written by a release before identity existed)",
        changes=("project: {uuid, slug} bootstrapped",),
        derived=tuple(derived),
        work=_Bootstrap(sha256=_digest(path)),
    )
    touches = (path, *(p for p in (build_path, node_path) if not p.exists()))
    return StepPlan(step=STEP_ID, title=TITLE, findings=(finding,), touches=touches)


def _digest(path: Path) -> str:
    return sha256_bytes(path.read_bytes() if path.is_file() else b"")


@dataclass(frozen=True, kw_only=True)
class _Bootstrap:
    sha256: str


def _apply_bootstrap(project: Project, finding: Finding) -> StepReport:
    from spec_kitty_identity import init_project

    path = Path(finding.path)
    if _digest(path) != finding.work.sha256:
        return StepReport(step=STEP_ID, title=TITLE, conflicts=(_changed(finding),))
    created = [
        str(p)
        for p in (checkout_state_dir(project.root) / BUILD_FILE, user_state_dir() / NODE_FILE)
        if not p.exists()
    ]
    identity = init_project(project.root)
    load_build_id(project.root)
    load_node_id()
    notes = (f"{path}: project {identity.project_uuid} ({identity.project_slug}) bootstrapped",)
    return StepReport(
        step=STEP_ID, title=TITLE, changed=(str(path),), created=tuple(created), notes=notes
    )


def _stamp(key: str, value: str) -> str:
    payload = {
        key: value,
        "created_at": datetime.now(UTC).isoformat(),
        "source": "spec-kitty upgrade",
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def apply(project: Project, plan: StepPlan, ctx: ApplyContext) -> StepReport:
    from filelock import FileLock

    changed: list[str] = []
    created: list[str] = []
    conflicts = list(plan.conflicts)
    notes: list[str] = []
    for finding in plan.actionable:
        if isinstance(finding.work, _Bootstrap):
            return _apply_bootstrap(project, finding)
        work: _Work = finding.work
        path = Path(finding.path)
        build_path = checkout_state_dir(project.root) / BUILD_FILE
        node_path = user_state_dir() / NODE_FILE
        if work.node_id and create_exclusive(node_path, _stamp("node_id", work.node_id)):
            created.append(str(node_path))
        if work.build_id and create_exclusive(build_path, _stamp("build_id", work.build_id)):
            created.append(str(build_path))
        with FileLock(str(config_lock_path(project.root)), timeout=30):
            if sha256_bytes(path.read_bytes()) != work.sha256:
                conflicts.append(_changed(finding))
                continue
            if work.text is not None:
                write_text(path, work.text)
        if work.text is None:
            if work.extras:
                merged = dict(read_config(project.root).get("legacy_extras") or {})
                merged["project"] = {**dict(merged.get("project") or {}), **work.extras}
                set_config_section(project.root, "legacy_extras", merged)
            set_config_section(project.root, "project", work.project)
            notes.append(f"{path}: project section rewritten (comments inside it not kept)")
        changed.append(str(path))
        if not build_path.exists():
            load_build_id(project.root)
            created.append(str(build_path))
            notes.append(f"{build_path}: build id minted")
        if not node_path.exists():
            load_node_id()
            created.append(str(node_path))
            notes.append(f"{node_path}: node id minted")
    return StepReport(
        step=STEP_ID,
        title=TITLE,
        changed=tuple(changed),
        created=tuple(created),
        notes=tuple(notes) + tuple(f"{f.path}: {d}" for f in plan.actionable for d in f.changes),
        conflicts=tuple(conflicts),
    )


def verify(project: Project, report: StepReport) -> list[str]:
    if not report.changed:
        return []
    try:
        load_project_identity(project.root)
    except IdentityError as exc:
        return [f"{config_path(project.root)}: {exc.message}"]
    return []


def _changed(finding: Finding) -> Finding:
    return Finding(
        step=finding.step,
        path=finding.path,
        summary=finding.summary,
        conflict="the file changed while upgrade ran; rerun `spec-kitty upgrade`",
    )
