"""The generated program of an acceptor, and its object and array bodies (see ``_fastgen``).

They mirror ``_containers.object_validator`` and ``array_validator``: the same declared
properties (denied keys are never declared), the same required keys, the same treatment of
undeclared keys (propertyNames, closed, additionalProperties schema, or the deny-list scan).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._compile import SchemaCompiler
from ._leaves import Validator
from ._values import Fail

if TYPE_CHECKING:
    from ._fastgen import _Generator

__all__ = ["Acceptor", "Lines", "Program", "array_body", "block", "object_body", "passes"]

Acceptor = Callable[[Any], bool]
Lines = list[str]
MISSING: Any = object()


def passes(validator: Validator) -> Acceptor:
    """The exact acceptor of a precise validator (used where a guess would not do)."""

    def accepts(value: Any) -> bool:
        try:
            validator(value)
        except Fail:
            return False
        return True

    return accepts


class Program:
    """The generated module: function sources and the constants they name."""

    def __init__(self) -> None:
        self.names: dict[str, Any] = {"M": MISSING}
        self.sources: list[str] = []
        self.count = 0

    def const(self, value: Any) -> str:
        name = f"k{len(self.names)}"
        self.names[name] = value
        return name

    def reserve(self) -> str:
        self.count += 1
        return f"f{self.count}"

    def define(self, name: str, body: Lines) -> None:
        self.sources.append("\n".join([f"def {name}(v):", *body, "    return True"]))

    def build(self, entry: str) -> Acceptor:
        namespace = dict(self.names)
        code = compile("\n\n".join(self.sources), "<spec-kitty-gate acceptor>", "exec")
        exec(code, namespace)  # noqa: S102 - our own generated source, see the module docstring
        function: Acceptor = namespace[entry]
        return function


def block(out: Lines, ind: int, header: str, body: Lines) -> None:
    """Append ``header`` and its indented ``body``, or nothing when the body is empty."""
    if body:
        out.append("    " * ind + header)
        out.extend(body)


def object_body(gen: _Generator, node: dict[str, Any], typed: bool, out: Lines) -> None:
    """Statements over ``v`` mirroring ``object_validator(compiler, node, typed=typed)``."""
    fresh = type(gen)  # a generator without the deny-list, as _containers compiles these
    const, compiler, deny = gen.program.const, gen.compiler, gen.deny
    if typed:
        out.append("    if type(v) is not dict: return False")
    else:
        out.append("    if not isinstance(v, dict): return True")
        out.append("    if type(v) is not dict: return False")
    props = {k: s for k, s in node.get("properties", {}).items() if k not in deny}
    required = list(dict.fromkeys(node.get("required", ())))
    extra_schema = node.get("additionalProperties", True)
    closed = extra_schema is False
    extra = None if extra_schema in (True, False) else extra_schema
    has_names = "propertyNames" in node
    strict = bool(deny) or closed or extra is not None or has_names
    if deny and not closed:
        out.append(f"    if not {const(deny)}.isdisjoint(v): return False")
    for key in required:
        if key not in props:
            out.append(f"    if {const(key)} not in v: return False")
    counted = sum(1 for key in required if key in props)
    if strict:
        out.append(f"    c = {counted}")
    for key, sub in props.items():
        owner = gen
        if node is compiler.root and key in compiler.opaque:
            owner = fresh(SchemaCompiler(compiler.root), gen.program)
        name = const(key)
        if key in required:
            body: Lines = []
            owner.emit(sub, "x", 1, body)
            out.append(f"    x = v[{name}]" if body else f"    if {name} not in v: return False")
            out.extend(body)
            continue
        body = ["        c += 1"] if strict else []
        owner.emit(sub, "x", 2, body)
        if body:
            out.append(f"    x = v.get({name}, M)")
            block(out, 1, "if x is not M:", body)
    if closed:
        out.append("    if len(v) != c: return False")
    elif strict:
        undeclared: Lines = []
        if has_names:
            names = fresh(SchemaCompiler(compiler.root), gen.program)
            undeclared.append(
                f"            if not {names.function(node['propertyNames'])}(k): return False"
            )
        if extra is None:
            gen.open("y", 3, undeclared)
        else:
            gen.emit(extra, "y", 3, undeclared)
        if undeclared:
            out.append("    if len(v) != c:")
            out.append("        for k, y in v.items():")
            out.append(f"            if k in {const(frozenset(props))}: continue")
            out.extend(undeclared)


def array_body(gen: _Generator, node: dict[str, Any], typed: bool, out: Lines) -> None:
    """Statements over ``v`` mirroring ``array_validator(compiler, node, typed=typed)``."""
    strict = "    if type(v) is not list and type(v) is not tuple: return False"
    if typed:
        out.append(strict)
    else:
        out.append("    if not isinstance(v, (list, tuple)): return True")
        out.append(strict)
    if "minItems" in node:
        out.append(f"    if len(v) < {gen.program.const(node['minItems'])}: return False")
    if node.get("maxItems") is not None:
        out.append(f"    if len(v) > {gen.program.const(node['maxItems'])}: return False")
    body: Lines = []
    gen.emit(node.get("items", True), "x", 2, body)
    block(out, 1, "for x in v:", body)
