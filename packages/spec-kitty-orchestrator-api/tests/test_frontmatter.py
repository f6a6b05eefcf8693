from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from spec_kitty_orchestrator_api._frontmatter import (
    fast_parse,
    parse_frontmatter,
    split_frontmatter,
)

KEYS = st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True)
WORDS = st.text(alphabet="abcXYZ019 _./()'-:#\"[],{}!&*yn", min_size=0, max_size=20)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, st.one_of(WORDS, st.lists(WORDS, max_size=4)), max_size=5))
def test_fast_path_agrees_with_pyyaml_whenever_it_answers(doc: dict[str, object]) -> None:
    lines = []
    for key, value in doc.items():
        rendered = f"[{', '.join(value)}]" if isinstance(value, list) else value
        lines.append(f"{key}: {rendered}")
    text = "\n".join(lines) + "\n"
    fast = fast_parse(text)
    if fast is not None:
        assert fast == yaml.safe_load(text)


def test_fast_path_handles_typical_wp_frontmatter_and_defers_the_rest() -> None:
    text = (
        "work_package_id: WP03\ntitle: Wire parser (v2)\ndependencies: [WP01, WP02]\nsubtasks: []\n"
    )
    assert fast_parse(text) == {
        "work_package_id": "WP03",
        "title": "Wire parser (v2)",
        "dependencies": ["WP01", "WP02"],
        "subtasks": [],
    }
    for tricky in (
        "flag: yes\n",
        "n: 12\n",
        "t: 'quoted'\n",
        "d:\n  - WP01\n",
        "# c\na: b\n",
        "x: 2024-01-01\n",
    ):
        assert fast_parse(tricky) is None
        assert parse_frontmatter(tricky) == yaml.safe_load(tricky)


def test_a_repeated_key_is_refused_by_both_paths_naming_the_key() -> None:
    from spec_kitty_identity import InputRejected

    for text in ("a: b\na: c\n", "title: x\nnested: {k: 1, k: 2}\n"):
        assert fast_parse(text) is None
        with pytest.raises(InputRejected) as info:
            parse_frontmatter(text)
        assert info.value.reason == "duplicate_key"
        assert info.value.key in {"a", "k"}


def test_split_frontmatter() -> None:
    assert split_frontmatter("---\na: b\n---\nbody\n") == ("a: b\n", "body\n")
    assert split_frontmatter("---\r\na: b\r\n---\r\n") == ("a: b\n", "")
    assert split_frontmatter("---\na: b\n---x\nc: d\n---\n") == ("a: b\n---x\nc: d\n", "")
    assert split_frontmatter("no frontmatter") is None
    assert split_frontmatter("---\nnever closed\n") is None


def test_yaml_boolean_keys_go_to_pyyaml() -> None:
    from spec_kitty_orchestrator_api._frontmatter import fast_parse

    # PyYAML (YAML 1.1) reads these keys as booleans or null: the fast path must not answer.
    for key in ("no", "Yes", "ON", "off", "null", "y"):
        assert fast_parse(f"{key}: []\n") is None
    assert fast_parse("title: x\n") == {"title": "x"}
