"""MissionIdentity: the canonical `kitty-specs/<slug>/meta.json`, and finding missions.

The loader accepts canonical keys only. Any other key — whatever it is — is refused with an error
that names the key and the file and points to `spec-kitty upgrade`, which owns every rewrite of
older layouts. The writer emits canonical keys only: indent 2, sorted, trailing newline.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ._atomic import atomic_write_text
from ._inputs import (
    MAX_DOC_BYTES,
    MAX_NAME_CHARS,
    InputRejected,
    check_text,
    loads_json,
    read_bounded,
)
from ._ulid import is_ulid
from .errors import (
    LegacyStateError,
    MissionAmbiguousError,
    MissionMetaError,
    MissionNotFoundError,
    MissionSlugError,
)

SPECS_DIR = "kitty-specs"
META_FILE = "meta.json"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NUMBER = 2**53 - 1  # exact in every JSON reader
MAX_TITLE_CHARS = 500
MAX_SLUG_CHARS = 200  # a folder name, with room for `<slug>.lock` and friends (255 bytes)
# An existing mission's slug is its identity as the SaaS knows it (3.0.0 asks for a non-empty
# string): any folder name an earlier spec-kitty wrote, e.g. `checkout-flow-01M94VNM`. Only a
# name that cannot be one folder is refused. NEW missions keep the stricter SLUG_RE.
_FOLDER_RE = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")
REQUIRED_KEYS = (
    "created_at",
    "friendly_name",
    "mission_id",
    "mission_number",
    "mission_slug",
    "mission_type",
    "target_branch",
)
_OPTIONAL_STR = (
    "accepted_at",
    "accepted_by",
    "acceptance_mode",
    "merged_at",
    "merged_by",
    "merged_commit",
    "merged_into",
    "merged_strategy",
)
OPTIONAL_KEYS = (*_OPTIONAL_STR, "legacy_extras", "merged_wps")
CANONICAL_KEYS = frozenset(REQUIRED_KEYS + OPTIONAL_KEYS)


@dataclass(frozen=True, kw_only=True)
class MissionIdentity:
    """The canonical identity and lifecycle record of one mission (meta.json)."""

    mission_id: str
    mission_slug: str
    mission_number: int
    mission_type: str
    friendly_name: str
    target_branch: str
    created_at: datetime
    accepted_at: str | None = None
    accepted_by: str | None = None
    acceptance_mode: str | None = None
    merged_at: str | None = None
    merged_by: str | None = None
    merged_commit: str | None = None
    merged_into: str | None = None
    merged_strategy: str | None = None
    merged_wps: tuple[str, ...] | None = None
    legacy_extras: dict[str, Any] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """meta.json content: canonical keys only, optional ones omitted when unset."""
        data: dict[str, Any] = {
            "created_at": self.created_at.isoformat(),
            "friendly_name": self.friendly_name,
            "mission_id": self.mission_id,
            "mission_number": self.mission_number,
            "mission_slug": self.mission_slug,
            "mission_type": self.mission_type,
            "target_branch": self.target_branch,
        }
        for key in _OPTIONAL_STR:
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.merged_wps is not None:
            data["merged_wps"] = list(self.merged_wps)
        if self.legacy_extras is not None:
            data["legacy_extras"] = self.legacy_extras
        return data

    def replace(self, **changes: Any) -> MissionIdentity:
        """A copy with ``changes`` applied (validated like a loaded record)."""
        return mission_identity_from_dict({**self.to_json_dict(), **_jsonable(changes)})


def is_existing_slug(slug: str) -> bool:
    """True for a slug an existing mission may carry: one folder name, no surrounding blanks."""
    return bool(_FOLDER_RE.match(slug)) and slug == slug.strip() and slug not in {".", ".."}


def _jsonable(changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(changes)
    if isinstance(out.get("created_at"), datetime):
        out["created_at"] = out["created_at"].isoformat()
    if isinstance(out.get("merged_wps"), tuple):
        out["merged_wps"] = list(out["merged_wps"])
    return out


def _fail(source: str, message: str, **details: Any) -> MissionMetaError:
    return MissionMetaError(f"{source}: {message}", details={"file": source, **details})


def mission_identity_from_dict(data: Any, *, source: str = "meta.json") -> MissionIdentity:
    """Validate a meta.json document strictly and build the record."""
    if not isinstance(data, dict):
        raise _fail(source, "meta.json must be a JSON object")
    for key in sorted(data):
        if key not in CANONICAL_KEYS:
            raise LegacyStateError(
                f"{source}: unknown key `{key}`; run `spec-kitty upgrade` to rewrite this mission",
                details={"file": source, "key": key, "hint": "spec-kitty upgrade"},
            )
    missing = [key for key in REQUIRED_KEYS if key not in data]
    if missing:
        raise _fail(source, f"missing required key `{missing[0]}`", key=missing[0], missing=missing)
    for key in ("friendly_name", "mission_slug", "mission_type", "target_branch", *_OPTIONAL_STR):
        value = data.get(key)
        required = key in REQUIRED_KEYS or value is not None
        if required and (not isinstance(value, str) or not value.strip()):
            raise _fail(source, f"`{key}` must be a non-empty string", key=key)
    if not is_ulid(data["mission_id"]):
        raise _fail(source, "`mission_id` must be a 26-character ULID", key="mission_id")
    number = data["mission_number"]
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= MAX_NUMBER:
        raise _fail(
            source,
            f"`mission_number` must be an integer from 1 to {MAX_NUMBER}",
            key="mission_number",
        )
    if not is_existing_slug(data["mission_slug"]):
        raise _fail(source, "`mission_slug` must be a single folder name", key="mission_slug")
    try:
        created = datetime.fromisoformat(data["created_at"])
    except (TypeError, ValueError) as exc:
        raise _fail(source, "`created_at` must be an ISO-8601 timestamp", key="created_at") from exc
    if created.tzinfo is None:
        raise _fail(source, "`created_at` must carry a UTC offset", key="created_at")
    merged_wps = data.get("merged_wps")
    if merged_wps is not None and (
        not isinstance(merged_wps, list) or not all(isinstance(w, str) for w in merged_wps)
    ):
        raise _fail(source, "`merged_wps` must be a list of strings", key="merged_wps")
    extras = data.get("legacy_extras")
    if extras is not None and not isinstance(extras, dict):
        raise _fail(source, "`legacy_extras` must be an object", key="legacy_extras")
    return MissionIdentity(
        mission_id=data["mission_id"],
        mission_slug=data["mission_slug"],
        mission_number=number,
        mission_type=data["mission_type"],
        friendly_name=data["friendly_name"],
        target_branch=data["target_branch"],
        created_at=created,
        merged_wps=tuple(merged_wps) if merged_wps is not None else None,
        legacy_extras=extras,
        **{key: data.get(key) for key in _OPTIONAL_STR},
    )


def load_mission_meta(path: Path) -> MissionIdentity:
    """Load and validate ``path`` (a meta.json); its slug must equal its folder's name."""
    try:
        raw = read_bounded(path, MAX_DOC_BYTES)
    except FileNotFoundError as exc:
        raise MissionMetaError(
            f"{path} does not exist", details={"file": str(path), "key": None}
        ) from exc
    except InputRejected as exc:
        raise _fail(str(path), exc.message, **exc.details) from exc
    except OSError as exc:
        raise _fail(
            str(path), f"cannot be read ({exc.strerror or exc})", reason="unreadable"
        ) from exc
    try:
        data = loads_json(raw)
    except InputRejected as exc:
        raise _fail(str(path), exc.message, **exc.details) from exc
    except ValueError as exc:
        raise _fail(str(path), f"not valid JSON ({exc})", parse_error=str(exc)) from exc
    identity = mission_identity_from_dict(data, source=str(path))
    if identity.mission_slug != path.parent.name:
        raise _fail(
            str(path),
            f"`mission_slug` {identity.mission_slug!r} differs from folder {path.parent.name!r}",
            key="mission_slug",
        )
    return identity


def write_mission_meta(path: Path, identity: MissionIdentity) -> None:
    """Write meta.json atomically with canonical keys only."""
    text = json.dumps(identity.to_json_dict(), indent=2, sort_keys=True, ensure_ascii=False)
    atomic_write_text(path, text + "\n")


@dataclass(frozen=True, kw_only=True)
class MissionRef:
    """A mission found on disk: its folder and its identity."""

    path: Path
    identity: MissionIdentity

    @property
    def slug(self) -> str:
        return self.identity.mission_slug

    @property
    def meta_path(self) -> Path:
        return self.path / META_FILE


def specs_root(project_root: Path) -> Path:
    """The `kitty-specs/` folder of a project."""
    return project_root / SPECS_DIR


def iter_mission_dirs(project_root: Path) -> Iterator[Path]:
    """Mission folders (those holding a meta.json), sorted by name."""
    root = specs_root(project_root)
    if not root.is_dir():
        return
    for child in sorted(root.iterdir()):
        # any entry named meta.json counts: a FIFO or folder there is refused, never skipped
        if not child.name.startswith(".") and os.path.lexists(child / META_FILE):
            yield child


def list_missions(project_root: Path) -> list[MissionRef]:
    """Every mission, strictly loaded (a legacy meta.json raises, naming its file)."""
    return [
        MissionRef(path=d, identity=load_mission_meta(d / META_FILE))
        for d in iter_mission_dirs(project_root)
    ]


def resolve_mission(project_root: Path, selector: str) -> MissionRef:
    """Find a mission by slug, number (`001` or `1`), mission_id, or unambiguous id prefix.

    A selector that matches nothing is MissionNotFoundError listing the missions that exist.
    """
    try:
        check_text(selector, max_chars=MAX_NAME_CHARS)
    except InputRejected as exc:
        raise MissionNotFoundError(
            f"Mission selector {exc.message}: use a mission slug or mission_id",
            details={"mission": selector[:64], **exc.details},
        ) from exc
    selector = selector.strip()
    if selector and "/" not in selector and selector not in {".", ".."}:
        direct = specs_root(project_root) / selector
        if (direct / META_FILE).is_file():
            return MissionRef(path=direct, identity=load_mission_meta(direct / META_FILE))
    missions = list_missions(project_root) if selector else []
    if selector.isdigit():
        numbered = [m for m in missions if m.identity.mission_number == int(selector)]
        if len(numbered) == 1:
            return numbered[0]
    wanted = selector.upper()
    matches = [m for m in missions if m.identity.mission_id.startswith(wanted)]
    exact = [m for m in matches if m.identity.mission_id == wanted]
    if exact:
        return exact[0]
    if len(matches) == 1 and len(wanted) >= 4:
        return matches[0]
    if len(matches) > 1 and len(wanted) >= 4:
        raise MissionAmbiguousError(
            f"Mission selector {selector!r} matches {len(matches)} missions; use the full slug",
            details={"mission": selector, "candidates": sorted(m.slug for m in matches)},
        )
    slugs = (
        [m.slug for m in missions] if missions else [m.slug for m in list_missions(project_root)]
    )
    known = f"; missions here: {', '.join(slugs[:10])}" if slugs else "; there are no missions yet"
    raise MissionNotFoundError(
        f"Mission {selector[:100]!r} not found in kitty-specs/{known}",
        details={
            "mission": selector[:200],
            "specs_dir": str(specs_root(project_root)),
            "candidates": slugs[:20],
        },
    )


def kebab_title(title: str) -> str:
    """A kebab-case folder name part from a free-text title (at most 60 characters)."""
    if len(title) > MAX_TITLE_CHARS:
        raise MissionSlugError(
            f"the mission title is {len(title)} characters; the limit is {MAX_TITLE_CHARS}",
            details={"title": title[:64], "reason": "too_long", "limit": MAX_TITLE_CHARS},
        )
    kebab = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    if not kebab:
        raise MissionSlugError(
            f"cannot make a mission slug from the title {title!r}: use letters or digits",
            details={"title": title},
        )
    return kebab


def validate_mission_slug(slug: str) -> str:
    """Refuse anything that is not a plain kebab-case folder name ("/", "..", spaces, case)."""
    if len(slug) > MAX_SLUG_CHARS:
        raise MissionSlugError(
            f"mission slug is {len(slug)} characters; the limit is {MAX_SLUG_CHARS}",
            details={"mission_slug": slug[:64], "reason": "too_long", "limit": MAX_SLUG_CHARS},
        )
    if not SLUG_RE.match(slug):
        raise MissionSlugError(
            f"invalid mission slug {slug!r}: use lower-case kebab-case like 001-user-auth",
            details={"mission_slug": slug},
        )
    return slug


def replace_fields(identity: MissionIdentity, **changes: Any) -> MissionIdentity:
    """`dataclasses.replace` for callers that already hold validated values."""
    return dataclasses.replace(identity, **changes)
