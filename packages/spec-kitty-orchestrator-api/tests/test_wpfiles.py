from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spec_kitty_orchestrator_api import (
    WPFileError,
    WPNotFoundError,
)
from spec_kitty_orchestrator_api._wpfiles import find_wp_file, load_work_packages, validate_graph


def test_loads_sorted_work_packages_and_ignores_other_files(write_wp: Any, tmp_path: Path) -> None:
    write_wp(tmp_path, "WP02", title="Two", deps=["WP01"])
    write_wp(tmp_path, "WP01", title="One", extra="owned_files: [src/a.py]\n")
    (tmp_path / "tasks" / "README.md").write_text("# notes\n")
    (tmp_path / "tasks" / ".gitkeep").write_text("")
    wps = load_work_packages(tmp_path)
    assert list(wps) == ["WP01", "WP02"]
    assert wps["WP02"].dependencies == ("WP01",)
    assert wps["WP01"].title == "One"
    validate_graph(wps)


def test_no_tasks_folder_means_no_work_packages(write_wp: Any, tmp_path: Path) -> None:
    assert load_work_packages(tmp_path) == {}


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ("lane: doing\n", "lane"),
        ("feature_slug: 001-x\n", "feature_slug"),
        ("agent: [a]\n", "agent"),
    ],
)
def test_unknown_or_mistyped_keys_name_file_and_key(
    write_wp: Any, tmp_path: Path, extra: str, key: str
) -> None:
    path = write_wp(tmp_path, "WP01", extra=extra)
    with pytest.raises(WPFileError) as err:
        load_work_packages(tmp_path)
    assert err.value.details == {"file": str(path), "key": key}
    assert str(path) in err.value.message and key in err.value.message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("no frontmatter\n", None),
        ("---\n[unclosed\n---\n", None),
        ("---\n- a list\n---\n", None),
        ("---\nwork_package_id: WP09\n---\n", "work_package_id"),
        ("---\nwork_package_id: WP01\ntitle: ''\n---\n", "title"),
        ("---\nwork_package_id: WP01\ndependencies: WP02\n---\n", "dependencies"),
        ("---\nwork_package_id: WP01\ndependencies: [T1]\n---\n", "dependencies"),
        ("---\nwork_package_id: WP01\ndependencies: [WP01]\n---\n", "dependencies"),
        ("---\nwork_package_id: WP01\ntitle: " + "t" * 501 + "\n---\n", "title"),
        ("---\nwork_package_id: WP01\nsubtasks: [" + "T," * 1001 + "]\n---\n", "subtasks"),
        ("---\nwork_package_id: WP01\nsubtasks: [" + "T" * 101 + "]\n---\n", "subtasks"),
        ("---\nwork_package_id: WP01\ndependencies: [WP" + "0" * 500 + "]\n---\n", "dependencies"),
        ("---\nwork_package_id: " + "W" * 100_000 + "\n---\n", "work_package_id"),
    ],
)
def test_malformed_files_are_structured_errors(
    write_wp: Any, tmp_path: Path, text: str, key: str | None
) -> None:
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "WP01-x.md").write_text(text)
    with pytest.raises(WPFileError) as err:
        load_work_packages(tmp_path)
    assert err.value.code == "WP_FILE_INVALID"
    assert err.value.details["key"] == key
    assert len(err.value.message) < len(str(tmp_path)) + 300  # never echoes a huge value


def test_duplicate_ids_unknown_deps_and_cycles(write_wp: Any, tmp_path: Path) -> None:
    write_wp(tmp_path, "WP01", name="WP01-a.md")
    write_wp(tmp_path, "WP01", name="WP01-b.md")
    with pytest.raises(WPFileError, match="two prompt files"):
        load_work_packages(tmp_path)
    (tmp_path / "tasks" / "WP01-b.md").unlink()
    write_wp(tmp_path, "WP02", deps=["WP07"])
    with pytest.raises(WPFileError, match="unknown work package") as err:
        validate_graph(load_work_packages(tmp_path))
    assert err.value.details["unknown"] == ["WP07"]
    write_wp(tmp_path, "WP02", deps=["WP03"])
    write_wp(tmp_path, "WP03", deps=["WP02"])
    with pytest.raises(WPFileError, match="cycle") as err:
        validate_graph(load_work_packages(tmp_path))
    assert err.value.details["cycle"] == ["WP02", "WP03", "WP02"]


def test_find_wp_file(write_wp: Any, tmp_path: Path) -> None:
    path = write_wp(tmp_path, "WP01")
    assert find_wp_file(tmp_path, "WP01") == path
    for wanted in ("WP02", "../WP01", "wp01"):
        with pytest.raises(WPNotFoundError):
            find_wp_file(tmp_path, wanted)
