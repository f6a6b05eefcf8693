"""The on-disk identity cache: emitting reads no YAML while the identity's files are unchanged,
and any change, damage or unwritable cache falls back to reading the identity the slow way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import spec_kitty_identity
from spec_kitty_cli._events import _emit, checkout_identity
from spec_kitty_cli._events._identity_cache import CACHE_FILE, load_cached, source_key


def _cache(root: Path) -> Path:
    return root / ".kittify" / "state" / CACHE_FILE


def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget what this process cached, as a new `spec-kitty` process would."""
    monkeypatch.setattr(_emit, "_IDENTITY_CACHE", {})


def _no_slow_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_: Path) -> None:
        raise AssertionError("the identity was read from config.yaml")

    monkeypatch.setattr(spec_kitty_identity, "load_project_identity", refuse)


def test_second_process_uses_the_cache(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = checkout_identity(project)
    assert json.loads(_cache(project).read_text())["identity"]["build_id"] == first.build_id
    _fresh_process(monkeypatch)
    _no_slow_path(monkeypatch)
    assert checkout_identity(project) == first


def test_next_process_imports_no_yaml(project: Path) -> None:
    checkout_identity(project)
    code = (
        "import sys; from pathlib import Path; from spec_kitty_cli._events import checkout_identity;"
        f"checkout_identity(Path({str(project)!r}));"
        "print('yaml' in sys.modules, 'filelock' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    assert out.stdout.split() == ["False", "False"]


def test_config_edited_after_the_cache_is_detected(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / ".kittify" / "config.yaml"
    first = checkout_identity(project)
    before = config.stat()
    text = config.read_text()
    slug = first.project_slug
    renamed = ("x" * len(slug)) if slug[0] != "x" else ("y" * len(slug))
    config.write_text(text.replace(f"slug: {slug}", f"slug: {renamed}"))
    os.utime(config, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    _fresh_process(monkeypatch)
    assert checkout_identity(project).project_slug == renamed
    assert load_cached(project).project_slug == renamed  # the cache was rewritten


def test_new_build_id_is_detected(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = checkout_identity(project)
    (project / ".kittify" / "state" / "build.json").unlink()
    _fresh_process(monkeypatch)
    assert checkout_identity(project).build_id != first.build_id


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b"[]",
        b'{"schema": 99}',
        b"\xff\xfe",
        None,  # right key, a field of the wrong type
        "missing-field",
    ],
)
def test_damaged_cache_falls_back_to_the_slow_path(
    project: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes | str | None
) -> None:
    first = checkout_identity(project)
    path = _cache(project)
    if damage is None or damage == "missing-field":
        doc = json.loads(path.read_text())
        if damage is None:
            doc["identity"]["node_id"] = 7
        else:
            del doc["identity"]["build_id"]
        path.write_text(json.dumps(doc))
    else:
        path.write_bytes(damage)
    assert load_cached(project) is None
    _fresh_process(monkeypatch)
    assert checkout_identity(project) == first
    assert load_cached(project) == first  # repaired


def test_repo_slug_from_origin_follows_the_remote(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = source_key(project)
    subprocess.run(
        ["git", "remote", "add", "origin", "https://example.invalid/acme/widgets.git"],
        cwd=project,
        check=True,
    )
    assert source_key(project) != key
    _fresh_process(monkeypatch)
    ident = checkout_identity(project)
    assert ident.repo_slug == "acme/widgets"
    assert ident == spec_kitty_identity.load_project_identity(project)


def test_unwritable_cache_never_fails_an_emit(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _cache(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.mkdir()  # a directory where the cache file should be: cannot be read nor replaced
    first = checkout_identity(project)
    _fresh_process(monkeypatch)
    assert checkout_identity(project) == first
    assert path.is_dir()
