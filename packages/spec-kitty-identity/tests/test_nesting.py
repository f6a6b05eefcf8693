"""Nesting limits found by our own lexical scan: never short of the true depth, close above it."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from spec_kitty_identity import json_nesting_exceeds, yaml_nesting_exceeds

scalars = st.one_of(
    st.integers(),
    st.booleans(),
    st.none(),
    st.text(alphabet="ab[]{}#:'\"- |>\\", max_size=6),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(
            st.text(alphabet="abc[]#'\"", min_size=1, max_size=4), inner, min_size=1, max_size=3
        ),
    ),
    max_leaves=12,
)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


@settings(max_examples=300, deadline=None)
@given(documents, st.booleans())
def test_yaml_scan_never_falls_short_of_the_true_depth(doc: Any, flow: bool) -> None:
    text = yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True)
    true_depth = depth(doc)
    if true_depth > 0:
        assert yaml_nesting_exceeds(text, true_depth - 1)
    # a mapping inside a sequence item can count once more per level, never more than twice
    assert not yaml_nesting_exceeds(text, 2 * true_depth + 1)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_json_scan_is_exact(doc: Any) -> None:
    text = json.dumps(doc)
    true_depth = depth(doc)
    assert not json_nesting_exceeds(text, true_depth)
    if true_depth > 0:
        assert json_nesting_exceeds(text, true_depth - 1)


def test_pathological_nesting_is_found_before_any_parser_runs() -> None:
    assert yaml_nesting_exceeds("[" * 200_000 + "]" * 200_000, 64)
    assert yaml_nesting_exceeds("steps:\n" + "- " * 100_000 + "x\n", 64)
    assert yaml_nesting_exceeds("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 80)), 64)
    assert json_nesting_exceeds("[" * 100_000, 64)


def test_brackets_in_quotes_comments_and_block_scalars_do_not_count() -> None:
    text = "a: '[[[['\nb: \"{{{{\"  # [[[[\nc: |\n  [[[[[[[[\n  {{{{{{{{\nd: x\n"
    assert not yaml_nesting_exceeds(text, 1)
    assert not json_nesting_exceeds('{"a": "[[[[\\"[["}', 1)
