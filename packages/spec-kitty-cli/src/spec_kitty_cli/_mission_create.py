"""Creating a mission: meta.json (identity package), the scaffold, and the MissionCreated event.

Shared by `spec-kitty agent mission create`, `spec-kitty mission create` and `mission run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import CliError

BUILTIN_MISSION_TYPES = ("documentation", "plan", "research", "software-dev")

SPEC_TEMPLATE = """# {title}

Mission `{slug}` ({mission_type}), targeting `{target_branch}`.

## Problem

## Requirements

## Acceptance criteria
"""

TASKS_README = """# Work packages

One prompt file per work package: `WPnn-short-title.md`, with YAML frontmatter:

```yaml
---
work_package_id: WP01
title: Short title
dependencies: []
subtasks: []
---
```

Run `spec-kitty agent tasks finalize --mission {slug}` when the files are written.
"""


def check_mission_type(mission_type: str) -> str:
    if mission_type not in BUILTIN_MISSION_TYPES:
        raise CliError(
            "MISSION_TYPE_UNKNOWN",
            f"unknown mission type {mission_type!r}; custom mission definitions start with "
            "`spec-kitty mission run <key> --mission <slug>`",
            details={"mission_type": mission_type, "allowed": list(BUILTIN_MISSION_TYPES)},
        )
    return mission_type


def scaffold(
    mission_dir: Path, *, title: str, slug: str, mission_type: str, target_branch: str
) -> list[str]:
    """Write spec.md and tasks/README.md when absent; return the files created."""
    from spec_kitty_identity import atomic_write_text

    created = []
    tasks = mission_dir / "tasks"
    tasks.mkdir(exist_ok=True)
    files = {
        mission_dir / "spec.md": SPEC_TEMPLATE.format(
            title=title, slug=slug, mission_type=mission_type, target_branch=target_branch
        ),
        tasks / "README.md": TASKS_README.format(slug=slug),
    }
    for path, text in files.items():
        if not path.exists():
            atomic_write_text(path, text)
            created.append(str(path))
    return created


def mission_payload(root: Path, ref: Any) -> dict[str, Any]:
    """The identity keys every create-like command prints."""
    ident = ref.identity
    return {
        "mission_slug": ident.mission_slug,
        "mission_number": ident.mission_number,
        "mission_type": ident.mission_type,
        "mission_id": ident.mission_id,
        "mission_dir": str(ref.path.resolve()),
        "friendly_name": ident.friendly_name,
        "target_branch": ident.target_branch,
        "created_at": ident.created_at.isoformat(),
        "meta_file": str(ref.meta_path.resolve()),
    }


def create(
    root: Path,
    *,
    title: str,
    mission_type: str,
    target_branch: str | None,
    slug: str | None = None,
) -> dict[str, Any]:
    """Create a mission from the checkout ``root`` and return the printed payload.

    The mission folder goes to the main repository's kitty-specs/ (mission state is shared by the
    clone's worktrees); the MissionCreated event is stamped and queued by ``root`` itself.
    """
    from spec_kitty_identity import create_mission, load_project_identity, main_root_of

    from ._project import require_branch

    load_project_identity(root)  # fail early (not initialised, legacy config) before writing
    branch = require_branch(root, target_branch)
    from ._events import mission_catalog_payload
    from ._events._emit import preflight

    preflight(root)  # an unreadable or damaged queue refuses before anything exists
    created: list[str] = []

    def populate(staging: Path, identity: Any) -> None:
        names = scaffold(
            staging,
            title=identity.friendly_name,
            slug=identity.mission_slug,
            mission_type=mission_type,
            target_branch=branch,
        )
        created.extend(str(Path(name).relative_to(staging)) for name in names)

    def publish(ref: Any) -> None:
        from spec_kitty_orchestrator_api import Host, SinkEvent, record_events

        from ._queue_sink import QueueSink

        # One fact, one event id: the mission's status log gets the MissionCreated line first,
        # then the queue gets its envelope (same event_id, build_id, node_id, timestamp).
        created_event = SinkEvent(
            event_type="MissionCreated",
            aggregate_type="Mission",
            aggregate_id=ref.identity.mission_id,
            payload=mission_catalog_payload(ref.identity),
        )
        host = Host(main_root_of(root), sink=QueueSink(root), checkout=root)
        record_events(host, ref.identity.mission_id, [created_event])

    ref = create_mission(
        main_root_of(root),
        title=title,
        mission_type=mission_type,
        target_branch=branch,
        slug=slug,
        populate=populate,
        publish=publish,
    )
    folder = ref.path.resolve()
    files = [str(ref.meta_path.resolve()), *(str(folder / name) for name in created)]
    from .dossier import run_pipeline

    (run,) = run_pipeline(root, [ref])
    return {**mission_payload(root, ref), "created_files": files, "dossier": dossier_brief(run)}


def dossier_brief(run: Any) -> dict[str, Any]:
    """The dossier part of a command's answer: what the pipeline indexed and found missing."""
    return {
        "indexed": run.indexed,
        "missing": run.missing,
        "skipped": run.skipped,
        "snapshot_hash": run.snapshot_hash,
        "events": run.events,
    }


def create_command(title: str, mission_type: str, target_branch: str | None, as_json: bool) -> None:
    """The body of `agent mission create` and `mission create`: create, then report."""
    from ._output import success
    from ._project import checkout_root

    data = create(
        checkout_root(),
        title=title,
        mission_type=check_mission_type(mission_type),
        target_branch=target_branch,
    )

    def human() -> None:
        from rich.markup import escape

        from ._output import console

        out = console()
        out.print(f"[green]✓[/] Mission created: [bold]{escape(data['mission_slug'])}[/]")
        out.print(f"  number: {data['mission_number']}  type: {escape(data['mission_type'])}")
        out.print(f"  target: {escape(data['target_branch'])}")
        out.print(f"  folder: {escape(data['mission_dir'])}")
        slug = escape(data["mission_slug"])
        out.print(
            f"Next: `spec-kitty next --mission {slug}` issues the run's first step; or write "
            f"tasks/WP01-<title>.md and run `spec-kitty agent tasks finalize --mission {slug}`."
        )

    success(data, as_json=as_json, human=human)
