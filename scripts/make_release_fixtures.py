"""Make legacy-project fixtures with the RELEASED spec-kitty-cli versions from PyPI.

For every release line it installs that release in its own venv, and drives it the way its own
`--help` and `tasks/README.md` say: `init`, create one mission, write three WP prompt files in the
format the release's README shows (the agent's part of /spec-kitty.tasks), finalize the tasks,
then move WP01 to done, WP02 to in progress and leave WP03 planned. HOME is a temp folder, so the
per-user state (`~/.spec-kitty/queue.db`, `~/.spec-kitty/projects/<uuid>/sync/sync.db`) lands in
the fixture; `SPEC_KITTY_ENABLE_SAAS_SYNC=1` turns on the offline event queue those releases keep.

Output, per release, under tests-integration/release_fixtures/<version>/:
  repo.bundle     every ref of the project (`git bundle create --all`), so branches such as
                  3.2.x's `kitty/mission-<slug>` coordination branch are kept
  overlay/        the working-tree files git does not hold (untracked or modified, not ignored)
  home/           the release's per-user state folder (`.spec-kitty/`)
  fixture.json    HEAD branch, deleted files, linked worktrees to re-create, the mission slug,
                  and `board`: the lanes the release's own board showed (`agent tasks status`)
  PROVENANCE.md   version, pip freeze, every command run (cwd, argv, exit code), sha256 of files

Slow and networked: run it by hand or with `uv run tox -e release-fixtures` (not in env_list).
Usage: python scripts/make_release_fixtures.py [--only 3.2.7] [--out DIR] [--cache DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests-integration" / "release_fixtures"
OLD_PINS = ["typer==0.25.1", "click<8.4"]  # 2.1.x/3.0.x do not import with today's typer/click
FEATURE = {"create": ["agent", "feature", "create-feature"], "finalize": ["agent", "feature"]}
MISSION = {"create": ["agent", "mission", "create"], "finalize": ["agent", "mission"]}
OLD_LANES = {"done": ["doing", "for_review", "done"], "wip": ["doing"]}
MID_LANES = {"done": ["doing", "for_review", "approved", "done"], "wip": ["doing"]}
# WP01 never had a branch to merge: the refusal names this flag as the way to record why.
DONE_OVERRIDE = ["--done-override-reason", "fixture mission: the work package has no code"]
NEW_LANES = {
    "done": ["claimed", "in_progress", "for_review", "in_review", "approved", "done"],
    "wip": ["claimed", "in_progress"],
}
RELEASES: dict[str, dict[str, Any]] = {
    "0.16.2": {"pins": [], **FEATURE, "sel": "--feature", "lanes": OLD_LANES, "fin_sel": False},
    "1.0.3": {"pins": [], **FEATURE, "sel": "--feature", "lanes": OLD_LANES},
    "2.1.3": {
        "pins": OLD_PINS,
        **FEATURE,
        "sel": "--feature",
        "lanes": MID_LANES,
        "done_extra": DONE_OVERRIDE,
    },
    "3.0.3": {
        "pins": OLD_PINS,
        **FEATURE,
        "sel": "--feature",
        "lanes": MID_LANES,
        "done_extra": DONE_OVERRIDE,
        "owned": True,
    },
    "3.1.10": {
        "pins": [],
        **MISSION,
        "sel": "--mission",
        "lanes": NEW_LANES,
        "owned": True,
        "git_init": True,
        "done_extra": DONE_OVERRIDE,
    },
    "3.2.7": {
        "pins": [],
        **MISSION,
        "sel": "--mission",
        "lanes": NEW_LANES,
        # 3.2 refuses to commit planning artifacts to `main`; its error names --start-branch.
        "create_extra": ["--start-branch", "feature/checkout-flow", "--topology", "coord"],
        "git_init": True,
        "done_extra": DONE_OVERRIDE,
    },
}
WPS = (("WP01", "Cart model", "cart-model"), ("WP02", "Payment step", "payment-step"))
WPS += (("WP03", "Receipt email", "receipt-email"),)
FREEZE = (
    "import importlib.metadata as m; print('\\n'.join(sorted(f\"{d.metadata['Name']}=={d.version}\" "
    "for d in m.distributions())))"
)
SPEC = """# Feature Specification: checkout flow

## Requirements

### Functional Requirements

| ID | Title | User Story | Priority | Status |
|----|-------|------------|----------|--------|
| FR-001 | Cart | As a shopper, I want a cart so that I can buy several items. | High | Open |
| FR-002 | Payment | As a shopper, I want to pay so that my order is placed. | High | Open |
| FR-003 | Receipt | As a shopper, I want a receipt so that I can prove my order. | Low | Open |
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Fixture Maker",
    "GIT_AUTHOR_EMAIL": "fixtures@spec-kitty.invalid",
    "GIT_COMMITTER_NAME": "Fixture Maker",
    "GIT_COMMITTER_EMAIL": "fixtures@spec-kitty.invalid",
}


class Recorder:
    """Runs commands and keeps (cwd, argv, exit code) for PROVENANCE.md."""

    def __init__(self, env: dict[str, str], base: Path) -> None:
        self.env, self.base, self.log = env, base, []

    def run(self, argv: list[str], cwd: Path, *, check: bool = True) -> str:
        proc = subprocess.run(
            argv, cwd=cwd, env=self.env, capture_output=True, text=True, timeout=600, check=False
        )
        shown = [a.replace(str(self.base), "$WORK") for a in argv]
        self.log.append((str(cwd).replace(str(self.base), "$WORK"), shown, proc.returncode))
        if check and proc.returncode != 0:
            raise SystemExit(
                f"{' '.join(shown)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
            )
        return proc.stdout


def _venv(cache: Path, version: str, pins: list[str]) -> Path:
    venv = cache / f"spec-kitty-cli-{version}"
    exe = venv / "bin" / "spec-kitty"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # pip, not uv: these releases pin spec-kitty-runtime versions that were later yanked,
        # which pip still installs for an exact pin.
        pip = [str(venv / "bin" / "pip"), "install", "-q", f"spec-kitty-cli=={version}", *pins]
        subprocess.run(pip, check=True)
    return venv


def _last_json(text: str) -> dict[str, Any]:
    """The JSON object a release printed (one line, or pretty-printed after log lines)."""
    lines = text.strip().splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].startswith("{"):
            try:
                data: dict[str, Any] = json.loads("\n".join(lines[i:]))
            except ValueError:
                continue
            return data
    raise SystemExit(f"no JSON object in output:\n{text}")


def _kill_dashboard(project: Path) -> None:
    marker = project / ".kittify" / ".dashboard"
    lines = marker.read_text().splitlines() if marker.is_file() else []
    if len(lines) >= 4 and lines[3].strip().isdigit():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(lines[3]), 15)


def _write_wps(mission_dir: Path, with_lane: bool, with_refs: bool, owned: bool) -> None:
    tasks = ["# Tasks: checkout flow", ""]
    for n, (wp, title, kebab) in enumerate(WPS, start=1):
        deps = f"[{WPS[n - 2][0]}]" if n > 1 else "[]"
        tasks += [f"## {wp} - {title}", *([f"Depends on {WPS[n - 2][0]}"] if n > 1 else [])]
        tasks += [f"- [ ] T00{n} {title}", ""]
        head = [f'work_package_id: "{wp}"', f'title: "{title}"']
        head += ['lane: "planned"'] if with_lane else []
        head += [f"dependencies: {deps}", *([f"requirement_refs: [FR-00{n}]"] if with_refs else [])]
        if owned:  # 3.0/3.1 refuse WPs without disjoint ownership
            head += [f'owned_files: ["src/{kebab}/**"]', f'authoritative_surface: "src/{kebab}/"']
        head += ["subtasks:"]
        head += [f'  - "T00{n}"', 'phase: "Phase 1"', 'assignee: ""', 'agent: ""', "history:"]
        head += ['  - timestamp: "2026-01-01T00:00:00Z"', '    agent: "system"']
        head += ['    action: "Prompt generated via /spec-kitty.tasks"']
        body = [
            "---",
            *head,
            "---",
            "",
            f"# Work Package Prompt: {wp} \u2013 {title}",
            "",
            title,
            "",
        ]
        (mission_dir / "tasks" / f"{wp}-{kebab}.md").write_text("\n".join(body))
    (mission_dir / "tasks.md").write_text("\n".join(tasks))


def _commit_pending(rec: Recorder, project: Path) -> None:
    """What the releases' own refusals say to do before a move: commit the mission's files."""
    if rec.run(["git", "status", "--porcelain", "kitty-specs"], project).strip():
        rec.run(["git", "add", "kitty-specs"], project)
        rec.run(["git", "commit", "-q", "-m", "docs: mission artifacts"], project)


def drive(version: str, cfg: dict[str, Any], cache: Path, work: Path) -> dict[str, Any]:
    venv = _venv(cache, version, cfg["pins"])
    home = work / "home"
    home.mkdir(parents=True)
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
        "HOME": str(home),
        "SPEC_KITTY_NON_INTERACTIVE": "1",
        "SPEC_KITTY_ENABLE_SAAS_SYNC": "1",
        "LANG": "C.UTF-8",
        **GIT_ENV,
    }
    rec = Recorder(env, work)
    sk = str(venv / "bin" / "spec-kitty")
    rec.run(["git", "config", "--global", "init.defaultBranch", "main"], work)
    rec.run([sk, "init", "proj", "--ai", "claude", "--non-interactive"], work)
    project = work / "proj"
    _kill_dashboard(project)
    if cfg.get("git_init"):
        rec.run(["git", "init", "-q"], project)
        rec.run(["git", "add", "-A"], project)
        rec.run(["git", "commit", "-q", "-m", "spec-kitty init"], project)
    created = _last_json(
        rec.run(
            [sk, *cfg["create"], "checkout-flow", *cfg.get("create_extra", []), "--json"], project
        )
    )
    slug = created.get("mission_slug") or created.get("feature")
    mission_dir = project / "kitty-specs" / slug
    readme = (mission_dir / "tasks" / "README.md").read_text()
    spec = mission_dir / "spec.md"
    if not spec.is_file() or not spec.read_text().strip():  # the agent's /spec-kitty.specify
        spec.write_text(SPEC)
    refs = "FR-001" in spec.read_text()
    _write_wps(
        mission_dir, with_lane="lane:" in readme, with_refs=refs, owned=cfg.get("owned", False)
    )
    sel = [cfg["sel"], slug]
    fin_sel = sel if cfg.get("fin_sel", True) else []
    rec.run([sk, *cfg["finalize"], "finalize-tasks", *fin_sel, "--json"], project)
    rec.run([sk, "agent", "tasks", "mark-status", "T001", "--status", "done", *sel], project)
    for wp, lanes in (("WP01", cfg["lanes"]["done"]), ("WP02", cfg["lanes"]["wip"])):
        for lane in lanes:
            _commit_pending(rec, project)
            rec.run(
                [
                    sk,
                    "agent",
                    "tasks",
                    "move-task",
                    wp,
                    "--to",
                    lane,
                    "--agent",
                    "claude",
                    "--note",
                    f"fixture: {lane}",
                    *sel,
                    *(cfg.get("done_extra", []) if lane == "done" else []),
                    "--json",
                ],
                project,
            )
    board = _last_json(rec.run([sk, "agent", "tasks", "status", *sel, "--json"], project))
    _kill_dashboard(project)
    return {
        "project": project,
        "home": home,
        "slug": slug,
        "board": board,
        "rec": rec,
        "freeze": rec.run([str(venv / "bin" / "python"), "-c", FREEZE], work),
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export(version: str, made: dict[str, Any], out: Path) -> None:
    project: Path = made["project"]
    rec: Recorder = made["rec"]
    target = out / version
    if target.exists():
        shutil.rmtree(target)
    (target / "overlay").mkdir(parents=True)
    git = ["git", "-C", str(project)]
    subprocess.run(
        [*git, "bundle", "create", "-q", str(target / "repo.bundle"), "--all"], check=True
    )
    head = subprocess.run(
        [*git, "symbolic-ref", "--short", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    status = subprocess.run(
        [*git, "status", "--porcelain", "-z", "--untracked-files=all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    deleted = []
    for entry in filter(None, status.split("\0")):
        code, rel = entry[:2], entry[3:]
        if rel.startswith(".worktrees/"):
            continue
        if "D" in code:
            deleted.append(rel)
            continue
        dest = target / "overlay" / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / rel, dest)
    worktrees = []
    listing = subprocess.run(
        [*git, "worktree", "list", "--porcelain"], capture_output=True, text=True, check=True
    ).stdout
    for block in listing.strip().split("\n\n")[1:]:
        fields = dict(line.split(" ", 1) for line in block.splitlines() if " " in line)
        path = Path(fields["worktree"]).relative_to(project)
        worktrees.append(
            {"path": str(path), "branch": fields.get("branch", "").removeprefix("refs/heads/")}
        )
    home_state = made["home"] / ".spec-kitty"
    if home_state.is_dir():
        shutil.copytree(
            home_state,
            target / "home" / ".spec-kitty",
            ignore=shutil.ignore_patterns("*.lock", "daemon*", "*.pid"),
        )
    board = {wp["id"]: wp["lane"] for wp in made["board"]["work_packages"]}
    meta = {
        "version": version,
        "head": head,
        "mission_slug": made["slug"],
        "deleted": deleted,
        "worktrees": worktrees,
        "board": board,
    }
    (target / "fixture.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    files = sorted(p for p in target.rglob("*") if p.is_file())
    lines = [
        f"# Fixture made by spec-kitty-cli {version}",
        "",
        "Made by `scripts/make_release_fixtures.py` (see its docstring); do not edit by hand.",
        "",
        "## Installed (pip freeze)",
        "",
        "```",
        made["freeze"].strip(),
        "```",
        "",
        "## Commands (cwd, argv, exit code); $WORK is a temp folder, HOME=$WORK/home",
        "",
        "Environment: SPEC_KITTY_NON_INTERACTIVE=1 SPEC_KITTY_ENABLE_SAAS_SYNC=1, fixed git",
        "author/committer (Fixture Maker <fixtures@spec-kitty.invalid>).",
        "",
        "```",
    ]
    lines += [f"[{cwd}] {' '.join(argv)}  -> {rc}" for cwd, argv, rc in rec.log]
    lines += [
        "```",
        "",
        f"Board shown by the release: {json.dumps(board, sort_keys=True)}",
        "",
        "## sha256",
        "",
        "```",
    ]
    lines += [f"{_sha(p)}  {p.relative_to(target)}" for p in files]
    lines += ["```", ""]
    (target / "PROVENANCE.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", help="a release version (repeatable)")
    parser.add_argument("--out", type=Path, default=OUT, help="fixture folder")
    parser.add_argument("--cache", type=Path, default=None, help="keep the venvs here")
    args = parser.parse_args(argv)
    wanted = args.only or list(RELEASES)
    with tempfile.TemporaryDirectory(prefix="sk-fixtures-") as tmp:
        cache = args.cache or Path(tmp) / "venvs"
        cache.mkdir(parents=True, exist_ok=True)
        for version in wanted:
            print(f"spec-kitty-cli {version}: making the fixture", file=sys.stderr)
            work = Path(tmp) / f"work-{version}"
            work.mkdir()
            export(version, drive(version, RELEASES[version], cache, work), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
