"""Turning schema violations into the problems `mission run` reports, with file lines.

Each problem is ``{"code", "message", "details": {"field", "line"?, ...}}``. Absent or blank
required fields become one MISSION_REQUIRED_FIELD_MISSING (``field`` = the first,
``missing_fields`` = all of them); every other violation is its own MISSION_YAML_MALFORMED, an
unknown key with ``allowed_keys``. Lines come from composing the YAML again (errors only).
"""

from __future__ import annotations

from typing import Any

MALFORMED = "MISSION_YAML_MALFORMED"
MISSING = "MISSION_REQUIRED_FIELD_MISSING"
_LIST_FIELDS = {"requires_inputs", "options", "depends_on"}


def _dotted(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _type_name(value: Any) -> str:
    names = {dict: "mapping", list: "list", str: "string", bool: "bool", int: "int"}
    return names.get(type(value), type(value).__name__)


def _at(doc: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        if (isinstance(doc, dict) and part in doc) or (
            isinstance(doc, list) and isinstance(part, int) and part < len(doc)
        ):
            doc = doc[part]
        else:
            return None
    return doc


def _malformed(field: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": MALFORMED, "message": message, "details": {"field": field, **extra}}


def raw_problems(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """What the models cannot see: a step spelling agent_profile both ways."""
    steps = doc.get("steps")
    found = []
    for index, raw in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(raw, dict) and "agent_profile" in raw and "agent-profile" in raw:
            field = f"steps.{index}"
            found.append(
                _malformed(
                    field, f"`{field}` spells agent_profile twice (agent_profile, agent-profile)"
                )
            )
    return found


def _one(err: dict[str, Any], doc: Any) -> tuple[str, dict[str, Any] | None]:
    """('missing', field) or ('malformed', problem) for one pydantic error."""
    from ._schema import allowed_keys

    loc = tuple(err["loc"])
    kind = err["type"]
    field = _dotted(loc)
    value = _at(doc, loc)
    if loc == ("steps",) and kind == "too_short":
        return "missing", {"fields": ["steps"]}
    absent = kind == "string_type" and value is None  # `name:` with no value is absent
    if (
        absent
        or kind == "missing"
        or (kind == "string_too_short" and loc and not isinstance(loc[-1], int))
    ):
        if loc == ("mission",):
            return "missing", {"fields": ["mission.key", "mission.name", "mission.version"]}
        return "missing", {"fields": [field]}
    names = [p for p in loc if isinstance(p, str)]
    if names and names[-1] in _LIST_FIELDS and (isinstance(loc[-1], int) or kind == "list_type"):
        parent = _dotted(loc[:-1]) if isinstance(loc[-1], int) else field
        return "malformed", _malformed(parent, f"`{parent}` must be a list of non-empty strings")
    if kind == "extra_forbidden":
        allowed = allowed_keys(loc[:-1])
        return "malformed", _malformed(
            field,
            f"unknown key `{field}`; allowed keys: {', '.join(allowed)}",
            allowed_keys=allowed,
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "malformed", _malformed(
            field, f"`{field}` must be a mapping, found {_type_name(value)}"
        )
    if kind == "list_type":
        return "malformed", _malformed(
            field, f"`{field}` must be a list, found {_type_name(value)}"
        )
    if kind == "string_type":
        return "malformed", _malformed(
            field, f"`{field}` must be a string, found {_type_name(value)} (quote it in YAML)"
        )
    if kind == "string_pattern_mismatch" and loc == ("mission", "key"):
        return "malformed", _malformed(
            field, f"`mission.key` {value!r} must be kebab-case like erp-integration"
        )
    return "malformed", _malformed(field, f"`{field}`: {err['msg']}")


def problems_of(exc: Any, doc: Any) -> list[dict[str, Any]]:
    """The problems of a pydantic ValidationError, in its (document) order."""
    found: list[dict[str, Any]] = []
    missing: list[str] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        kind, what = _one(err, doc)
        if kind == "missing":
            assert what is not None
            if not missing:
                found.append({"code": MISSING, "message": "", "details": {}})
            missing += [f for f in what["fields"] if f not in missing]
            continue
        assert what is not None
        mark = (what["details"]["field"], what["message"])
        if mark not in seen:
            seen.add(mark)
            found.append(what)
    for problem in found:
        if problem["code"] == MISSING:
            also = ", ".join(f"`{f}`" for f in missing[1:])
            problem["message"] = f"required field `{missing[0]}` is missing" + (
                f" (also missing: {also})" if also else ""
            )
            problem["details"] = {"field": missing[0], "missing_fields": missing}
    return found


def duplicate_ids(ids: list[str]) -> list[dict[str, Any]]:
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if not duplicates:
        return []
    return [_malformed("steps", f"duplicate step ids: {', '.join(duplicates)}")]


def _node_line(node: Any, loc: list[str]) -> int | None:
    """The 1-based line of the node at dotted ``loc`` (or of its deepest existing parent)."""
    line: int = int(node.start_mark.line) + 1
    for part in loc:
        child = None
        if node.id == "mapping":
            for key_node, value_node in node.value:
                if str(key_node.value) == part:
                    line = int(key_node.start_mark.line) + 1
                    child = value_node
                    break
        elif node.id == "sequence" and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
            line = int(child.start_mark.line) + 1
        if child is None:
            return line
        node = child
    return line


def add_lines(problems: list[dict[str, Any]], text: str) -> None:
    """Add ``line`` to each problem whose field can be found in the YAML text."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.YAMLError:  # pragma: no cover - the text was parsed once already
        return
    if root is None:  # pragma: no cover - an empty file never reaches the schema
        return
    for problem in problems:
        field = problem["details"].get("field")
        if field:
            problem["details"]["line"] = _node_line(root, field.split("."))
