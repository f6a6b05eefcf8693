"""`spec-kitty init [PATH]`: create `.kittify/`, the project identity and the ignore rules."""

from __future__ import annotations

from pathlib import Path

import click

from .._output import json_option, success

GITIGNORE_ENTRIES = (
    ".kittify/state/",
    ".kittify/runtime/",
    ".kittify/logs/",
    ".kittify/orchestrator-run-state.json",
    ".worktrees/",
)


def _ensure_gitignore(root: Path) -> list[str]:
    from spec_kitty_identity import atomic_write_text

    path = root / ".gitignore"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in text.splitlines()}
    added = [entry for entry in GITIGNORE_ENTRIES if entry not in present]
    if added:
        block = "# spec-kitty per-checkout state\n" + "".join(f"{e}\n" for e in added)
        sep = "" if not text or text.endswith("\n") else "\n"
        atomic_write_text(path, f"{text}{sep}{block}")
    return added


@click.command("init")
@click.argument(
    "path", required=False, type=click.Path(file_okay=False, path_type=Path), default=Path(".")
)
@click.option(
    "--project-slug", default=None, help="Project slug (default: from the git remote or folder)."
)
@json_option
def init(path: Path, project_slug: str | None, as_json: bool) -> None:
    """Initialise a spec-kitty project in PATH (default: the current folder).

    Creates .kittify/config.yaml with the project identity (uuid, slug), the untracked
    per-checkout state folder and the .gitignore entries for it. Safe to run again: an existing
    identity is kept.
    """
    from spec_kitty_identity import checkout_state_dir, init_project

    root = path.resolve()
    root.mkdir(parents=True, exist_ok=True)
    identity = init_project(root, project_slug=project_slug)
    checkout_state_dir(root)
    added = _ensure_gitignore(root)
    data = {"project_root": str(root), **identity.as_sections(), "gitignore_added": added}

    in_git = any((folder / ".git").exists() for folder in (root, *root.parents))

    def human() -> None:
        from rich.markup import escape

        from .._output import console

        out = console()
        out.print(f"[green]✓[/] spec-kitty project ready in {escape(str(root))}")
        out.print(f"  project: {identity.project_slug} ({identity.project_uuid})", markup=False)
        out.print(f"  build:   {identity.build_id}", markup=False)
        out.print(f"  node:    {identity.node_id}", markup=False)
        if not in_git:
            out.print(
                "[yellow]warning:[/] this folder is not in a git repository; missions need "
                "one (their work merges into a branch)."
            )
            out.print(
                f"Next: `git init {escape(str(root))}`, then `spec-kitty mission create <title>`."
            )
        else:
            out.print("Next: `spec-kitty mission create <title>` creates your first mission.")

    success(data, as_json=as_json, human=human)
