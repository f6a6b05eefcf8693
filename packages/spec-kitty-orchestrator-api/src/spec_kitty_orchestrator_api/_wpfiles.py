"""WP prompt files: `kitty-specs/<slug>/tasks/WPnn[-title].md` with YAML frontmatter.

The frontmatter is validated strictly: `work_package_id` must equal the id in the file name,
`dependencies` is a list of WP ids, `subtasks` a list of ids, and an unknown key is an error
that names the file and the key. Lanes are never read from frontmatter: the event log rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._frontmatter import parse_frontmatter, split_frontmatter
from .errors import WPFileError, WPNotFoundError

WP_ID_RE = re.compile(r"^WP\d{2,}$")
_FILE_RE = re.compile(r"^(WP\d{2,})(?:-[^/]*)?\.md$")
TASKS_DIR = "tasks"
MAX_WP_FILE_BYTES = 2 * 1024 * 1024  # a prompt file: frontmatter plus a markdown body
MAX_WP_TITLE_CHARS = 500  # as a mission title: it travels in every WPCreated event
MAX_LIST_ITEMS = 1000  # dependencies / subtasks of one work package
MAX_ID_CHARS = 100  # one dependency or subtask id
_STR_KEYS = frozenset(
    {
        "agent",
        "agent_profile",
        "assignee",
        "authoritative_surface",
        "base_branch",
        "base_commit",
        "branch_strategy",
        "created_at",
        "description",
        "estimated_duration",
        "execution_mode",
        "merge_target_branch",
        "mission_id",
        "mission_slug",
        "model",
        "phase",
        "planning_base_branch",
        "priority",
        "review_feedback",
        "review_feedback_file",
        "review_status",
        "reviewed_by",
        "reviewer_agent",
        "role",
        "subtitle",
        "task_type",
    }
)
_ANY_KEYS = frozenset(
    {
        "activity_log",
        "create_intent",
        "history",
        "mission_number",
        "owned_files",
        "requirement_refs",
        "shell_pid",
        "tags",
        "tracker_refs",
    }
)
ALLOWED_KEYS = frozenset({"work_package_id", "title", "dependencies", "subtasks"}) | (
    _STR_KEYS | _ANY_KEYS
)


@dataclass(frozen=True, kw_only=True)
class WorkPackage:
    """One work package as authored in its prompt file."""

    wp_id: str
    title: str
    dependencies: tuple[str, ...]
    subtasks: tuple[str, ...]
    path: Path


def _fail(path: Path, message: str, **details: Any) -> WPFileError:
    return WPFileError(f"{path}: {message}", details={"file": str(path), **details})


def _shown(value: Any) -> str:
    """A value from the file as a message shows it: its repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 48 else text[:47] + "…"


def _id_list(path: Path, key: str, value: Any, pattern: re.Pattern[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"`{key}` must be a list of strings", key=key)
    if len(value) > MAX_LIST_ITEMS:
        raise _fail(
            path, f"`{key}` has {len(value)} entries; the limit is {MAX_LIST_ITEMS}", key=key
        )
    for item in value:
        shown = _shown(item)
        if len(item) > MAX_ID_CHARS:
            raise _fail(
                path, f"`{key}` entry {shown} is longer than {MAX_ID_CHARS} characters", key=key
            )
        if pattern is not None and not pattern.match(item):
            raise _fail(path, f"`{key}` entry {shown} is not a WP id like WP01", key=key)
    return tuple(value)


def parse_wp_text(path: Path, wp_id: str, text: str) -> WorkPackage:
    """Validate one prompt file's text (``wp_id`` is the id taken from its file name)."""
    parts = split_frontmatter(text)
    if parts is None:
        raise _fail(path, "missing YAML frontmatter (a `---` block at the top)", key=None)
    from spec_kitty_identity import InputRejected

    try:
        data = parse_frontmatter(parts[0])
    except InputRejected as exc:
        raise _fail(path, f"frontmatter {exc.message}", **{"key": None, **exc.details}) from exc
    except Exception as exc:  # yaml.YAMLError; yaml is imported lazily
        reason = str(exc).replace("\n", " ")
        raise _fail(path, f"frontmatter is not valid YAML ({reason})", key=None) from exc
    if not isinstance(data, dict):
        raise _fail(path, "frontmatter must be a mapping", key=None)
    unknown = [str(key) for key in sorted(data, key=str) if key not in ALLOWED_KEYS]
    if unknown:
        allowed = ", ".join(sorted(ALLOWED_KEYS))
        listed = ", ".join(f"`{key}`" for key in unknown)
        noun = "key" if len(unknown) == 1 else "keys"
        details: dict[str, Any] = {"key": unknown[0]}
        if len(unknown) > 1:
            details["keys"] = unknown
        raise _fail(path, f"unknown frontmatter {noun} {listed}; allowed: {allowed}", **details)
    if data.get("work_package_id") != wp_id:
        raise _fail(
            path,
            f"`work_package_id` must be {wp_id!r} (the id in the file name), "
            f"found {_shown(data.get('work_package_id'))}",
            key="work_package_id",
        )
    for key in _STR_KEYS & data.keys():
        if data[key] is not None and not isinstance(data[key], str):
            raise _fail(path, f"`{key}` must be a string", key=key)
    title = data.get("title", wp_id)
    if not isinstance(title, str) or not title.strip():
        raise _fail(path, "`title` must be a non-empty string", key="title")
    if len(title) > MAX_WP_TITLE_CHARS:
        raise _fail(
            path,
            f"`title` is {len(title)} characters; the limit is {MAX_WP_TITLE_CHARS}",
            key="title",
        )
    deps = _id_list(path, "dependencies", data.get("dependencies"), WP_ID_RE)
    if wp_id in deps:
        raise _fail(path, f"{wp_id} depends on itself", key="dependencies")
    subtasks = _id_list(path, "subtasks", data.get("subtasks"), None)
    return WorkPackage(
        wp_id=wp_id, title=title.strip(), dependencies=deps, subtasks=subtasks, path=path
    )


def wp_files(mission_dir: Path) -> dict[str, Path]:
    """WP id -> prompt file, for every `tasks/WPnn[-title].md` (README.md etc. ignored)."""
    found: dict[str, Path] = {}
    tasks = mission_dir / TASKS_DIR
    try:
        names = sorted(p.name for p in tasks.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return found
    for name in names:
        match = _FILE_RE.match(name)
        if match is None:
            continue
        wp_id = match.group(1)
        if wp_id in found:
            raise _fail(
                tasks / name,
                f"two prompt files for {wp_id}: {found[wp_id].name} and {name}",
                key="work_package_id",
            )
        found[wp_id] = tasks / name
    return found


def load_work_packages(mission_dir: Path) -> dict[str, WorkPackage]:
    """Every work package of a mission, validated, keyed and sorted by WP id."""
    from spec_kitty_identity import InputRejected, decode_utf8, read_bounded

    wps: dict[str, WorkPackage] = {}
    problems: list[WPFileError] = []
    files = sorted(wp_files(mission_dir).items())
    for wp_id, path in files:
        try:
            try:
                text = decode_utf8(read_bounded(path, MAX_WP_FILE_BYTES))
            except InputRejected as exc:
                raise _fail(path, exc.message, **{"key": None, **exc.details}) from exc
            except OSError as exc:
                raise _fail(path, f"cannot read ({exc.strerror or exc})", key=None) from exc
            wps[wp_id] = parse_wp_text(path, wp_id, text)
        except WPFileError as exc:  # report every file's problem in one pass
            problems.append(exc)
    if not problems:
        validate_graph(wps)
        return wps
    known = {wp_id for wp_id, _ in files}  # a file that failed still names its work package
    problems.extend(graph_problems(wps, known=known))
    raise _combined(problems)


def _combined(problems: list[WPFileError]) -> WPFileError:
    """One error for several problems: the first one's details, plus ``errors`` listing all."""
    first = problems[0]
    if len(problems) == 1:
        return first
    listed = [{"message": p.message, **p.details} for p in problems]
    return WPFileError(
        f"{len(problems)} problems in work package files; the first: {first.message}",
        details={**first.details, "errors": listed},
    )


def graph_problems(wps: dict[str, WorkPackage], *, known: set[str]) -> list[WPFileError]:
    """Unknown dependencies and cycles among ``wps`` (dependencies on ``known`` ids allowed)."""
    problems: list[WPFileError] = []
    for wp in wps.values():
        missing = [dep for dep in wp.dependencies if dep not in known]
        if missing:
            problems.append(
                _fail(
                    wp.path,
                    f"depends on unknown work package(s) {', '.join(missing)}",
                    key="dependencies",
                    unknown=missing,
                )
            )
    if not problems:  # cycles among the files that parsed
        from dataclasses import replace

        parsed = {
            wp_id: replace(wp, dependencies=tuple(d for d in wp.dependencies if d in wps))
            for wp_id, wp in wps.items()
        }
        try:
            validate_graph(parsed)
        except WPFileError as exc:
            problems.append(exc)
    return problems


def validate_graph(wps: dict[str, WorkPackage]) -> None:
    """Every dependency names a known work package and the graph has no cycle."""
    for wp in wps.values():
        missing = [dep for dep in wp.dependencies if dep not in wps]
        if missing:
            raise _fail(
                wp.path,
                f"depends on unknown work package(s) {', '.join(missing)}",
                key="dependencies",
                unknown=missing,
            )
    state: dict[str, int] = {}  # 1: on the current path, 2: done (iterative: no recursion)
    for start in sorted(wps):
        if state.get(start):
            continue
        state[start] = 1
        path, stack = [start], [iter(wps[start].dependencies)]
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                raise _fail(
                    wps[dep].path,
                    f"dependency cycle: {' -> '.join(cycle)}",
                    key="dependencies",
                    cycle=cycle,
                )
            elif not state.get(dep):
                state[dep] = 1
                path.append(dep)
                stack.append(iter(wps[dep].dependencies))


def find_wp_file(mission_dir: Path, wp_id: str) -> Path:
    """The prompt file of ``wp_id`` (WP_NOT_FOUND when absent)."""
    path = wp_files(mission_dir).get(wp_id) if WP_ID_RE.match(wp_id) else None
    if path is None:
        raise WPNotFoundError(
            f"Work package {wp_id!r} not found in {mission_dir / TASKS_DIR}",
            details={"wp_id": wp_id, "tasks_dir": str(mission_dir / TASKS_DIR)},
        )
    return path
