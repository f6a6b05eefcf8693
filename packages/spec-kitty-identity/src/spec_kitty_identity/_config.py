"""`.kittify/config.yaml`: read it strictly, write one section at a time, atomically.

The file is tracked in git and shared by every checkout, so it only ever holds project-wide
values. A config that cannot be parsed is an error and is never overwritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ._atomic import atomic_write_text
from ._inputs import InputRejected, decode_utf8, read_bounded
from ._roots import KITTIFY_DIR, checkout_state_dir
from .errors import ConfigError

CONFIG_NAME = "config.yaml"


def config_path(project_root: Path) -> Path:
    """Where the project config lives."""
    return project_root / KITTIFY_DIR / CONFIG_NAME


def config_lock_path(project_root: Path) -> Path:
    """The lock serialising config edits: in untracked state, so `git status` never shows it."""
    return checkout_state_dir(project_root) / "config.yaml.lock"


def _parse(path: Path, text: str) -> dict[str, Any]:
    import yaml

    from ._yaml import safe_load

    try:
        data = safe_load(text) if text.strip() else {}
    except InputRejected as exc:
        raise ConfigError(
            f"{path} {exc.message}; fix or restore it (spec-kitty never overwrites it)",
            details={"file": str(path), **exc.details},
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{path} is not valid YAML; fix or restore it (spec-kitty never overwrites it)",
            details={"file": str(path), "parse_error": str(exc).replace("\n", " ")},
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path} must hold a mapping at the top level, found {type(data).__name__}",
            details={"file": str(path), "found": type(data).__name__},
        )
    return data


def read_config(project_root: Path) -> dict[str, Any]:
    """The parsed config (empty when the file does not exist)."""
    path = config_path(project_root)
    try:
        text = decode_utf8(read_bounded(path))
    except FileNotFoundError:
        return {}
    except InputRejected as exc:
        raise ConfigError(
            f"{path} {exc.message}", details={"file": str(path), **exc.details}
        ) from exc
    except OSError as exc:
        raise ConfigError(
            f"{path} cannot be read ({exc.strerror or exc})",
            details={"file": str(path), "reason": "unreadable"},
        ) from exc
    return _parse(path, text)


def set_config_section(project_root: Path, key: str, value: dict[str, Any]) -> None:
    """Replace (or add) one top-level section, keeping every other key and comment.

    Runs under a file lock so two processes cannot interleave their read-modify-write.
    """
    from filelock import FileLock

    from ._yaml import replace_top_level_block

    path = config_path(project_root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(config_lock_path(project_root)), timeout=30):
        read_config(project_root)  # refuses what it cannot read, before any write
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        before = _parse(path, text)
        new_text = replace_top_level_block(text, key, value)
        after = _parse(path, new_text)
        expected = {**before, key: value}
        if after != expected:  # pragma: no cover - defensive: never write a config we misread
            raise ConfigError(
                f"refusing to rewrite {path}: its layout could not be edited safely",
                details={"file": str(path), "section": key},
            )
        atomic_write_text(path, new_text)
