"""DoneEvidence for approved/done: given by the caller (--evidence-json) or derived from git.

Derived evidence names the repository (its repo slug, else the project slug), the branch and the
commit of the WP workspace (`.worktrees/<slug>-<WP>` when it exists, else the main repository;
a detached workspace reports branch "HEAD"), and the review: the actor as reviewer, verdict
"approved" and the review reference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._git import GitError, current_branch, head_commit
from ._policy import json_object_option
from .errors import TransitionRejectedError, UsageError

_EVIDENCE_KEYS = frozenset({"repos", "review", "verification"})
_REPO_KEYS = frozenset({"repo", "branch", "commit", "files_touched"})
_REVIEW_KEYS = frozenset({"reviewer", "verdict", "reference"})
_VERIFICATION_KEYS = frozenset({"command", "result", "summary"})


def workspace_path(root: Path, slug: str, wp_id: str) -> Path:
    """Where a WP's workspace lives: `<main repo>/.worktrees/<slug>-<WP>`."""
    return (root / ".worktrees" / f"{slug}-{wp_id}").resolve()


def _bad(message: str, **details: Any) -> UsageError:
    return UsageError(f"Invalid --evidence-json: {message}", details=details)


def _check_entries(
    key: str, value: Any, allowed: frozenset[str], required: tuple[str, ...]
) -> None:
    if not isinstance(value, list):
        raise _bad(f"`{key}` must be a list", key=key)
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise _bad(f"`{key}[{index}]` must be an object", key=key)
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise _bad(f"unknown key `{key}[{index}].{unknown[0]}`", key=key)
        for name in required:
            if not isinstance(entry.get(name), str) or not entry[name].strip():
                raise _bad(f"`{key}[{index}].{name}` must be a non-empty string", key=key)


def parse_evidence(raw: str | None) -> dict[str, Any] | None:
    """Validate --evidence-json (USAGE_ERROR when it is not a DoneEvidence-shaped object)."""
    if raw is None:
        return None
    data = json_object_option(raw, _bad)
    unknown = sorted(set(data) - _EVIDENCE_KEYS)
    if unknown:
        raise _bad(f"unknown key `{unknown[0]}`", key=unknown[0])
    review = data.get("review")
    if review is not None:
        _check_entries("review", [review], _REVIEW_KEYS, ("reviewer", "verdict"))
    if "repos" in data:
        _check_entries("repos", data["repos"], _REPO_KEYS, ("repo", "branch", "commit"))
        if not data["repos"]:
            raise _bad("`repos` needs at least one entry", key="repos")
    if "verification" in data:
        _check_entries(
            "verification", data["verification"], _VERIFICATION_KEYS, ("command", "result")
        )
    return data


def git_repo_evidence(root: Path, slug: str, wp_id: str, repo_name: str) -> dict[str, Any]:
    """{repo, branch, commit} of the WP workspace, else the main repository."""
    ws = workspace_path(root, slug, wp_id)
    where = ws if (ws / ".git").exists() else root
    try:
        commit = head_commit(where)
        branch = current_branch(where) or "HEAD"
    except GitError as exc:
        raise TransitionRejectedError(
            f"cannot derive evidence from git in {where} ({exc.stderr}); pass --evidence-json",
            details={"workspace": str(where), "guard": "evidence"},
        ) from exc
    return {"repo": repo_name, "branch": branch, "commit": commit}


def done_evidence(
    *,
    root: Path,
    slug: str,
    wp_id: str,
    actor: str,
    review_ref: str | None,
    given: dict[str, Any] | None,
    repo_name: str,
) -> dict[str, Any]:
    """Complete DoneEvidence: the caller's parts kept, missing repos/review derived."""
    evidence = dict(given or {})
    if not evidence.get("repos"):
        evidence["repos"] = [git_repo_evidence(root, slug, wp_id, repo_name)]
    if evidence.get("review") is None:
        review: dict[str, Any] = {"reviewer": actor, "verdict": "approved"}
        if review_ref:
            review["reference"] = review_ref
        evidence["review"] = review
    evidence.setdefault("verification", [])
    return evidence
