"""Property tests: mutated envelopes are rejected; arbitrary JSON never crashes the gate."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec_kitty_gate import ContractViolation, artifact_info, check, surfaces

SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
DENY_KEYS = artifact_info()["deny"]["keys"]


def _required_fields(kit) -> list[str]:
    return list(kit.artifact()["surfaces"]["event"]["schema"]["required"])


def _mistyped(value: Any) -> list[Any]:
    others = [None, 0, -1, 1.5, True, "", " ", "x", [], {}, ["x"], {"x": 1}]
    return [o for o in others if type(o) is not type(value) or o in ("", " ")]


def _rejected(doc: Any) -> bool:
    try:
        check("event", doc)
    except ContractViolation:
        return True
    return False


@SETTINGS
@given(data=st.data())
def test_required_field_removed_emptied_or_mistyped_is_rejected(kit, data: st.DataObject) -> None:
    env = kit.wp_status_changed()
    field = data.draw(st.sampled_from(_required_fields(kit)))
    how = data.draw(st.sampled_from(["removed", "emptied", "mistyped"]))
    if how == "removed":
        del env[field]
    elif how == "emptied":
        env[field] = (
            ""
            if isinstance(env[field], str)
            else type(env[field])()
            if not isinstance(env[field], int)
            else -1
        )
    else:
        env[field] = data.draw(st.sampled_from(_mistyped(env[field])))
    assert _rejected(env), (field, how, env.get(field))


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if isinstance(value, dict | list) else []
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        found += _containers(item, (*path, key))
    return found


@SETTINGS
@given(data=st.data())
def test_legacy_key_inserted_at_any_depth_is_rejected(kit, data: st.DataObject) -> None:
    env = kit.wp_status_changed()
    if data.draw(st.booleans()):  # an open payload: an event type the library does not model
        env["event_type"] = "HistoryAdded"
        env["payload"] = data.draw(st.dictionaries(st.text(max_size=5), json_values, max_size=4))
    path = data.draw(st.sampled_from(_containers(env)))
    key = data.draw(st.sampled_from(DENY_KEYS))
    target = env
    for step in path:
        target = target[step]
    if isinstance(target, dict):
        target[key] = data.draw(json_values)
    else:
        target.append({key: data.draw(json_values)})
    assert _rejected(env)
    if isinstance(target, dict):
        with_code = None
        try:
            check("event", env)
        except ContractViolation as exc:
            with_code = exc.code
        assert with_code in {"CONTRACT_LEGACY_SURFACE", "CONTRACT_SCHEMA_VERSION"} or path == ()


@SETTINGS
@given(surface=st.sampled_from([*surfaces(), "nope"]), doc=json_values)
def test_arbitrary_json_only_ever_raises_contract_violation(surface: str, doc: Any) -> None:
    try:
        check(surface, doc)
    except ContractViolation as exc:
        assert exc.code.startswith("CONTRACT_")


@SETTINGS
@given(data=st.data(), value=json_values)
def test_arbitrary_field_values_only_ever_raise_contract_violation(
    kit, data: st.DataObject, value: Any
) -> None:
    env = kit.wp_status_changed()
    path = data.draw(st.sampled_from(_containers(env)))
    target = env
    for step in path:
        target = target[step]
    if isinstance(target, dict) and target:
        target[data.draw(st.sampled_from(sorted(target)))] = value
    else:
        target.append(value) if isinstance(target, list) else target.update(extra=value)
    batch = {"events": [copy.deepcopy(env), env]}
    for surface, doc in (("event", env), ("event_batch", batch)):
        with contextlib.suppress(ContractViolation):
            check(surface, doc)
