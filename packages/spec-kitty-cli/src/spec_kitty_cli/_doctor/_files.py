"""Doctor's file checks: identity, meta.json and WP files, status logs, symlinks out of the project.

Everything is read, nothing is written: identity files are not minted, the state folder's
`.gitignore` is not created, a missing file is a finding.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._model import Report

STATE = Path(".kittify") / "state"
RESTORE = "restore it from git (`git checkout -- FILE`) or fix it by hand"


def check_identity(report: Report, checkout: Path) -> None:
    from spec_kitty_identity import load_project_identity, read_config, user_state_dir

    facts = report.checks.setdefault("identity", {})
    try:
        config = read_config(checkout)
    except Exception as exc:
        report.add_error("identity", exc, f"fix .kittify/config.yaml: {RESTORE}")
        return
    linked = (checkout / ".git").is_file()
    if "project" not in config and not linked:
        report.add(
            "identity",
            "PROJECT_NOT_INITIALIZED",
            "the project has no identity in .kittify/config.yaml",
            "run `spec-kitty init`",
            file=checkout / ".kittify" / "config.yaml",
        )
        return
    missing = [
        path
        for path in (checkout / STATE / "build.json", user_state_dir() / "node.json")
        if not path.is_file()
    ]
    for path in missing:
        report.add(
            "identity",
            "IDENTITY_NOT_MINTED",
            f"{path.name} does not exist yet",
            "any spec-kitty command that writes (or `spec-kitty upgrade`) mints it",
            file=path,
        )
    if missing or not (checkout / STATE / ".gitignore").is_file():
        return
    try:
        identity = load_project_identity(checkout)
    except Exception as exc:
        report.add_error("identity", exc, f"fix the file named: {RESTORE}")
        return
    facts.update(identity.as_sections())


def check_missions(report: Report, main_root: Path) -> None:
    from spec_kitty_identity import load_mission_meta
    from spec_kitty_orchestrator_api import load_work_packages

    root = main_root / "kitty-specs"
    facts = report.checks.setdefault("missions", {"count": 0, "work_packages": 0})
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".creating-"):
            report.add(
                "missions",
                "MISSION_CREATE_INTERRUPTED",
                f"{folder.name} is the staging folder of an interrupted `mission create`",
                f"remove it: `rm -r {folder}` (the mission was never created)",
                file=folder,
            )
            continue
        if folder.name.startswith(".") or not folder.is_dir():
            continue
        meta = folder / "meta.json"
        if not os.path.lexists(meta):
            report.add(
                "missions",
                "MISSION_META_MISSING",
                f"{folder.name}/ has no meta.json",
                "restore meta.json from git, or remove the folder if it is not a mission",
                file=meta,
            )
            continue
        try:
            load_mission_meta(meta)
        except Exception as exc:
            report.add_error("missions", exc, f"fix meta.json: {RESTORE}", file=meta)
            continue
        facts["count"] += 1
        try:
            facts["work_packages"] += len(load_work_packages(folder))
        except Exception as exc:
            report.add_error("missions", exc, "fix the WP prompt file named (frontmatter)")
        check_status_log(report, folder)


def check_status_log(report: Report, mission_dir: Path) -> None:
    from spec_kitty_orchestrator_api import scan_log

    scan = scan_log(mission_dir / "status.events.jsonl")
    facts = report.checks.setdefault("status_logs", {"logs": 0, "lines": 0})
    facts["logs"] += 1 if scan.exists else 0
    facts["lines"] += scan.lines
    for problem in scan.problems:
        fix = (
            "run `spec-kitty upgrade` to rewrite legacy status lines"
            if problem.code == "LEGACY_STATE"
            else "restore the log from git or remove the line (the log is append-only)"
        )
        report.add(
            "status_logs",
            problem.code,
            problem.message,
            fix,
            file=scan.path,
            line=problem.line,
            **problem.details,
        )
    if scan.torn_tail:
        report.add(
            "status_logs",
            "STATUS_LOG_TORN_TAIL",
            "the last line is incomplete (a write was interrupted)",
            "nothing to do by hand: the next change sets it aside in status.events.jsonl.torn",
            file=scan.path,
            line=scan.lines + 1,
        )


def check_symlinks(report: Report, project: Path) -> None:
    """Every symlink under `.kittify/` and `kitty-specs/` that resolves outside the project."""
    real_root = os.path.realpath(project)
    seen = 0
    for top in (project / ".kittify", project / "kitty-specs"):
        if top.is_symlink():
            entries = [str(top)]
        else:
            entries = []
            for folder, dirs, files in os.walk(top):
                entries.extend(os.path.join(folder, name) for name in (*dirs, *files))
        for entry in entries:
            if not os.path.islink(entry):
                continue
            seen += 1
            real = os.path.realpath(entry)
            if real != real_root and not real.startswith(real_root + os.sep):
                report.add(
                    "symlinks",
                    "STATE_SYMLINK_OUTSIDE_PROJECT",
                    f"{entry} leads out of the project to {real}; spec-kitty refuses to write it",
                    "replace the symlink with a regular file or folder (copy the target in)",
                    file=entry,
                    resolves_to=real,
                )
    report.checks["symlinks"] = {"symlinks": seen}
