"""merge-mission: integrate every work package's work into the target branch.

Where WP work is found: the WP workspace the orchestrator created, the git worktree
`<main repo>/.worktrees/<slug>-<WP>` (its HEAD commit, detached or not), else a local branch
named `<slug>-<WP>`. A WP whose commit is already contained in the target is reported in
`already_merged_wps`; one without a workspace in `no_work_wps`.

The work is integrated in a temporary detached worktree (`.worktrees/.merge-<slug>-<hex>`),
WPs in dependency order, with `merge` (a --no-ff merge commit per WP), `squash` (one squashed
commit per WP) or `rebase` (each WP's commits cherry-picked onto the target). Only when every
WP went in cleanly is the target advanced: a fast-forward of the main checkout when it has the
target checked out, else a compare-and-swap `git update-ref`. A conflict leaves the target
untouched and answers PREFLIGHT_FAILED. Approved WPs then move to done, and meta.json records
merged_at/merged_into/merged_strategy/merged_commit/merged_wps.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._evidence import workspace_path
from ._git import GitError, branch_exists, current_branch, git, is_ancestor, preflight_error
from ._host import Host
from ._store import Change, Move, transact
from ._view import MissionView
from .errors import UnsupportedStrategyError

STRATEGIES = ("merge", "squash", "rebase")
MERGE_ACTOR = "merge-mission"


def _order(view: MissionView) -> list[str]:
    placed: list[str] = []
    pending = view.wp_ids()
    while pending:
        ready = [
            w for w in pending if all(d in placed or d not in pending for d in view.dependencies(w))
        ]
        chosen = ready or pending[:1]
        placed.extend(chosen)
        pending = [w for w in pending if w not in chosen]
    return placed


def _wp_commit(root: Path, slug: str, wp_id: str) -> str | None:
    ws = workspace_path(root, slug, wp_id)
    try:
        if (ws / ".git").exists():
            return git(ws, "rev-parse", "HEAD")
        if branch_exists(root, f"{slug}-{wp_id}"):
            return git(root, "rev-parse", f"refs/heads/{slug}-{wp_id}")
    except GitError:
        return None
    return None


def _integrate(tmp: Path, strategy: str, wp_id: str, commit: str, label: str) -> bool:
    """Bring one WP's work into the temporary worktree; False when it was already there."""
    if strategy == "merge":
        git(tmp, "merge", "--no-ff", "--no-edit", "-m", f"Merge {label} {wp_id}", commit)
        return True
    if strategy == "squash":
        git(tmp, "merge", "--squash", commit)
        if not git(tmp, "diff", "--cached", "--name-only"):
            return False
        git(tmp, "commit", "-q", "-m", f"{label} {wp_id} (squashed)")
        return True
    # rebase: replay the WP's commits that the target does not hold yet (by patch id)
    pending = [
        line[2:] for line in git(tmp, "cherry", "HEAD", commit).splitlines() if line.startswith("+")
    ]
    if not pending:
        return False
    git(tmp, "cherry-pick", "--allow-empty", *pending)
    return True


def _run_merge(
    root: Path, target: str, strategy: str, slug: str, work: list[tuple[str, str]]
) -> tuple[str, list[str]]:
    """(new tip, WPs whose work went in) — integrated in a temporary detached worktree."""
    tmp = root / ".worktrees" / f".merge-{slug}-{uuid.uuid4().hex[:8]}"
    git(root, "worktree", "add", "-q", "--detach", str(tmp), f"refs/heads/{target}")
    merged: list[str] = []
    try:
        for wp_id, commit in work:
            try:
                if _integrate(tmp, strategy, wp_id, commit, slug):
                    merged.append(wp_id)
            except GitError as exc:
                raise preflight_error(
                    f"integrating {wp_id} into {target} with {strategy} failed; the target "
                    "branch is unchanged",
                    target,
                    [f"{wp_id}: {exc.stderr}"],
                ) from exc
        return git(tmp, "rev-parse", "HEAD"), merged
    finally:
        git(root, "worktree", "remove", "--force", str(tmp), check=False)
        git(root, "worktree", "prune", check=False)


def _advance(root: Path, target: str, old: str, tip: str) -> None:
    try:
        if current_branch(root) == target:
            git(root, "merge", "--ff-only", "-q", tip)
        else:
            git(root, "update-ref", f"refs/heads/{target}", tip, old)
    except GitError as exc:
        raise preflight_error(
            f"cannot advance {target} to the merged result", target, [exc.stderr]
        ) from exc


def _done_moves(view: MissionView, target: str, tip: str, repo: str) -> list[Move]:
    events = {e["event_id"]: e for e in view.log.transitions}
    moves = []
    for wp_id in view.wp_ids():
        state = view.status(wp_id)
        if state.lane != "approved":
            continue
        previous = events.get(state.last_event_id or "", {}).get("evidence") or {}
        review = previous.get("review") or {"reviewer": MERGE_ACTOR, "verdict": "approved"}
        evidence = {
            "repos": [{"repo": repo, "branch": target, "commit": tip}],
            "review": review,
            "verification": previous.get("verification", []),
        }
        moves.append(
            Move(
                wp_id=wp_id,
                from_lane="approved",
                to_lane="done",
                actor=MERGE_ACTOR,
                reason=f"Merged into {target}",
                review_ref=state.review_ref,
                evidence=evidence,
            )
        )
    return moves


def merge_mission(
    host: Host,
    mission: str,
    *,
    target: str | None = None,
    strategy: str = "merge",
    push: bool = False,
) -> dict[str, Any]:
    """Merge every WP's work into the target branch (see the module docstring)."""
    if strategy not in STRATEGIES:
        raise UnsupportedStrategyError(
            f"Unsupported merge strategy {strategy!r}; use merge, squash or rebase",
            details={"strategy": strategy, "allowed": list(STRATEGIES)},
        )
    root = host.root

    def decide(view: MissionView) -> Change:
        branch = target or view.identity.target_branch
        errors = [
            f"{w} is {view.lane(w)}, not approved or done"
            for w in view.wp_ids()
            if view.lane(w) not in {"approved", "done"}
        ]
        if not branch_exists(root, branch):
            errors.append(f"target branch {branch!r} does not exist")
        if errors:
            raise preflight_error(f"merge-mission preflight failed for {view.slug}", branch, errors)
        old = git(root, "rev-parse", f"refs/heads/{branch}")
        work: list[tuple[str, str]] = []
        merged_already: list[str] = []
        no_work: list[str] = []
        for wp_id in _order(view):
            commit = _wp_commit(root, view.slug, wp_id)
            if commit is None:
                no_work.append(wp_id)
            elif is_ancestor(root, commit, old):
                merged_already.append(wp_id)
            else:
                work.append((wp_id, commit))
        tip, merged = _run_merge(root, branch, strategy, view.slug, work) if work else (old, [])
        merged_already += [w for w, _ in work if w not in merged]
        if tip != old:
            _advance(root, branch, old, tip)
        meta = view.identity.replace(
            merged_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            merged_into=branch,
            merged_strategy=strategy,
            merged_commit=tip,
            merged_wps=merged,
        )
        result = {
            **view.identity_fields(),
            "merged": True,
            "target_branch": branch,
            "strategy": strategy,
            "merged_wps": merged,
            "already_merged_wps": merged_already,
            "no_work_wps": no_work,
            "merged_commit": tip,
            "worktree_removed": False,
            "pushed": False,
        }
        moves = _done_moves(view, branch, tip, host.repo_name())
        return Change(moves=moves, meta=meta, result=result)

    result = transact(root, mission, decide, sink=host.sink, origin=host.origin).change.result
    if push:
        try:
            git(root, "push", "-q", "origin", f"refs/heads/{result['target_branch']}")
        except GitError as exc:
            raise preflight_error(
                "merged locally, but pushing the target branch failed",
                result["target_branch"],
                [exc.stderr],
            ) from exc
        result["pushed"] = True
    return result
