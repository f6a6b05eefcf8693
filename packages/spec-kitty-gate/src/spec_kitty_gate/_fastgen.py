"""Happy-path acceptors: a schema compiled once into generated, specialised Python functions.

``acceptor(compiler)`` returns ``accepts(value) -> bool`` for the schema a ``SchemaCompiler``
owns. ``True`` means that compiler's precise validator certainly accepts ``value``. ``False``
(or any exception) only means "not proven": the caller then runs the precise validator, which
gives the verdict and its details (code, path, rule, expected, actual). So an acceptor cannot
change a verdict provided it never answers ``True`` where the precise validator raises. It takes
the same ``plan`` decisions and applies the same type tests and keyword semantics, inlined:
one generated function per object or array schema, scalar checks inlined, required keys read
once, closed objects checked by counting keys, no exceptions, no paths, no keyword dispatch.
Only exact ``dict``/``list``/``tuple`` instances are walked (a subclass answers "not proven").

Generated source never contains artifact text: every key, enum, regex, limit and helper is
bound to a generated global name (``k0``, ``k1``...); the source holds only those names, the
variables ``v x y k c`` and Python syntax.
"""

from __future__ import annotations

import re
from typing import Any

from ._compile import (
    ARRAY_KEYWORDS,
    COMBINATORS,
    OBJECT_KEYWORDS,
    SchemaCompiler,
    plan,
    ref_name,
    scalar_only,
)
from ._containers import is_null_schema
from ._fastobj import Acceptor, Lines, Program, array_body, block, object_body, passes
from ._formats import FORMAT_CHECKERS
from ._leaves import NUMBER_RULES
from ._scan import has_legacy_key
from ._values import same

__all__ = ["Acceptor", "acceptor", "exact_acceptor", "passes"]

_NOT_BLANK = r"\S"  # re.search(r"\S", s) is None  <=>  not s or s.isspace()  (same Unicode table)
_TYPE_TESTS = {  # the JSON types of _leaves, as expressions over {0}
    "array": "isinstance({0}, (list, tuple))",
    "boolean": "isinstance({0}, bool)",
    "integer": "(type({0}) is int or (isinstance({0}, int) and not isinstance({0}, bool)))",
    "null": "{0} is None",
    "number": "(isinstance({0}, (int, float)) and not isinstance({0}, bool))",
    "object": "isinstance({0}, dict)",
    "string": "isinstance({0}, str)",
}
_LIMIT_FAILS = {"minimum": "<", "maximum": ">", "exclusiveMinimum": "<=", "exclusiveMaximum": ">="}


class _Generator:
    """Emits the acceptor of the schemas one ``SchemaCompiler`` owns (same root, deny, defs)."""

    def __init__(self, compiler: SchemaCompiler, program: Program) -> None:
        self.compiler = compiler
        self.program = program
        self.deny = compiler.deny
        self.defs: dict[str, str] = {}
        self.exact = True  # False once a subclass guard may answer "not proven"

    def function(self, schema: Any) -> str:
        """The name of a generated function accepting ``schema``."""
        if isinstance(schema, dict):
            shape, _ = plan(schema)
            if shape in ("object", "array"):
                return self._container(schema, shape, typed=True)
            if shape == "ref":
                return self._ref(schema["$ref"])
        name = self.program.reserve()
        body: Lines = []
        self.emit(schema, "v", 1, body)
        self.program.define(name, body)
        return name

    def emit(self, schema: Any, var: str, ind: int, out: Lines) -> None:
        """Append statements returning False unless ``var`` is accepted by ``schema``."""
        pad = "    " * ind
        if schema is True:
            self.open(var, ind, out)
            return
        if schema is False:
            out.append(pad + "return False")
            return
        shape, active = plan(schema)
        if shape == "open":
            self.open(var, ind, out)
        elif shape == "ref":
            self._call_ref(schema["$ref"], var, ind, out)
        elif shape in ("object", "array"):
            out.append(f"{pad}if not {self._container(schema, shape, typed=True)}({var}):")
            out.append(f"{pad}    return False")
        elif shape == "string":
            self._string(schema, var, ind, out)
        elif shape == "scalar":
            self._type(schema["type"], var, ind, out)
            self._values(schema, var, ind, out)
        elif shape == "combinator":
            key = next(iter(active))
            self._combinator(key, schema[key], var, ind, out)
        else:
            self._general(schema, active, var, ind, out)

    def _general(self, node: dict[str, Any], active: frozenset[str], var: str, ind: int,
                 out: Lines) -> None:  # fmt: skip
        pad = "    " * ind
        if "$ref" in node:
            self._call_ref(node["$ref"], var, ind, out)
        if "type" in node:
            self._type(node["type"], var, ind, out)
        self._values(node, var, ind, out)
        for keywords, shape in ((OBJECT_KEYWORDS, "object"), (ARRAY_KEYWORDS, "array")):
            if active & keywords:
                name = self._container(node, shape, typed=False)
                out.append(f"{pad}if not {name}({var}): return False")
        for key in COMBINATORS:
            if key in node:
                self._combinator(key, node[key], var, ind, out)
        if "not" in node:
            exact = self.program.const(passes(self.compiler.negate(node["not"])))
            out.append(f"{pad}if not {exact}({var}): return False")
        if self.deny and not scalar_only(node):
            self.open(var, ind, out)

    def open(self, var: str, ind: int, out: Lines) -> None:
        if self.deny:
            scan, deny = self.program.const(has_legacy_key), self.program.const(self.deny)
            out.append(
                f"{'    ' * ind}if isinstance({var}, (dict, list, tuple)) and {scan}({var}, {deny}):"
            )
            out.append(f"{'    ' * ind}    return False")

    def _call_ref(self, ref: str, var: str, ind: int, out: Lines) -> None:
        target = self.compiler.root["$defs"][ref_name(self.compiler.root, ref)]
        if isinstance(target, dict) and plan(target)[0] in ("string", "scalar"):
            self.emit(target, var, ind, out)  # a leaf holds no $ref: inline it
        else:
            out.append(f"{'    ' * ind}if not {self._ref(ref)}({var}): return False")

    def _ref(self, ref: str) -> str:
        name = ref_name(self.compiler.root, ref)
        if name not in self.defs:
            self.defs[name] = function = self.program.reserve()  # recursion finds it by name
            target = self.compiler.root["$defs"][name]
            shape = plan(target)[0] if isinstance(target, dict) else ""
            if shape in ("object", "array"):
                self._container(target, shape, typed=True, name=function)
            else:
                body: Lines = []
                self.emit(target, "v", 1, body)
                self.program.define(function, body)
        return self.defs[name]

    def _container(
        self, node: dict[str, Any], shape: str, *, typed: bool, name: str | None = None
    ) -> str:
        self.exact = False
        name = name or self.program.reserve()
        body: Lines = []
        (object_body if shape == "object" else array_body)(self, node, typed, body)
        self.program.define(name, body)
        return name

    def _type(self, types: str | list[str], var: str, ind: int, out: Lines) -> None:
        names = [types] if isinstance(types, str) else list(types)
        test = " or ".join(_TYPE_TESTS[t].format(var) for t in names)
        out.append(f"{'    ' * ind}if not ({test}): return False")

    def _values(self, node: dict[str, Any], var: str, ind: int, out: Lines) -> None:
        """enum, const, then the string and number keywords, as _compile applies them."""
        if "enum" in node:
            self._enum(list(node["enum"]), var, ind, out)
        if "const" in node:
            self._const(node["const"], var, ind, out)
        limits: Lines = []  # apply to strings only, as _leaves.string_checks(node) does
        self._string_limits(node, var, ind + 1, limits)
        block(out, ind, f"if isinstance({var}, str):", limits)
        rules = [(k, node[k]) for k in NUMBER_RULES if k in node]
        checks = [
            f"{'    ' * (ind + 1)}if {var} {_LIMIT_FAILS[k]} {self.program.const(v)}: return False"
            for k, v in rules
        ]
        test = f"if isinstance({var}, (int, float)) and not isinstance({var}, bool):"
        block(out, ind, test, checks)

    def _enum(self, values: list[Any], var: str, ind: int, out: Lines) -> None:
        pad = "    " * ind
        if all(type(v) is str for v in values):  # same(x, s) <=> type(x) is str and x == s
            allowed = self.program.const(frozenset(values))
            out.append(f"{pad}if not (type({var}) is str and {var} in {allowed}): return False")
        else:
            one_of = self.program.const(lambda x: any(same(x, v) for v in values))
            out.append(f"{pad}if not {one_of}({var}): return False")

    def _const(self, value: Any, var: str, ind: int, out: Lines) -> None:
        pad, name = "    " * ind, self.program.const(value)
        if value is None or value is True or value is False:  # same(x, c) <=> x is c
            out.append(f"{pad}if {var} is not {name}: return False")
        elif type(value) is str:
            out.append(f"{pad}if not (type({var}) is str and {var} == {name}): return False")
        else:
            out.append(f"{pad}if not {self.program.const(same)}({var}, {name}): return False")

    def _string(self, node: dict[str, Any], var: str, ind: int, out: Lines) -> None:
        """``type: string`` with its constraints, as _leaves.fused_string applies them."""
        pad = "    " * ind
        if "enum" in node and not all(isinstance(v, str) for v in node["enum"]):
            self._type("string", var, ind, out)
            self._enum(list(node["enum"]), var, ind, out)
            return
        if node.get("pattern") == _NOT_BLANK:  # one type test for the commonest string shape
            search = self.program.const(re.compile(_NOT_BLANK).search)
            out.append(f"{pad}if type({var}) is str:")
            out.append(f"{pad}    if not {var} or {var}.isspace(): return False")
            out.append(f"{pad}elif not isinstance({var}, str) or {search}({var}) is None:")
            out.append(f"{pad}    return False")
            node = {k: v for k, v in node.items() if k != "pattern"}
            if type(node.get("minLength")) is int and node["minLength"] <= 1:
                del node["minLength"]  # a non-blank string is never shorter than 1
        else:
            out.append(f"{pad}if not isinstance({var}, str): return False")
        if "enum" in node:
            allowed = self.program.const(frozenset(node["enum"]))
            out.append(f"{pad}if {var} not in {allowed}: return False")
        if "const" in node:
            out.append(f"{pad}if {var} != {self.program.const(node['const'])}: return False")
        self._string_limits(node, var, ind, out)

    def _string_limits(self, node: dict[str, Any], var: str, ind: int, out: Lines) -> None:
        pad = "    " * ind
        if "minLength" in node:
            out.append(
                f"{pad}if len({var}) < {self.program.const(node['minLength'])}: return False"
            )
        if node.get("maxLength") is not None:
            out.append(
                f"{pad}if len({var}) > {self.program.const(node['maxLength'])}: return False"
            )
        pattern = node.get("pattern")
        if pattern is not None:
            search = self.program.const(re.compile(pattern).search)
            if pattern == _NOT_BLANK:
                out.append(f"{pad}if type({var}) is str:")
                out.append(f"{pad}    if not {var} or {var}.isspace(): return False")
                out.append(f"{pad}elif {search}({var}) is None: return False")
            else:
                out.append(f"{pad}if {search}({var}) is None: return False")
        fmt = node.get("format")
        if fmt is not None:
            out.append(f"{pad}if not {self.program.const(FORMAT_CHECKERS[fmt])}({var}):")
            out.append(f"{pad}    return False")

    def _combinator(self, key: str, schemas: list[Any], var: str, ind: int, out: Lines) -> None:
        pad = "    " * ind
        nulls = [i for i, s in enumerate(schemas) if is_null_schema(s)]
        if key == "allOf":
            for schema in schemas:
                self.emit(schema, var, ind, out)
        elif len(schemas) == 2 and len(nulls) == 1:  # optional: None, or the other schema
            body: Lines = []
            self.emit(schemas[1 - nulls[0]], var, ind + 1, body)
            block(out, ind, f"if {var} is not None:", body)
        elif key == "anyOf" and schemas:
            tests = " or ".join(f"{self.function(s)}({var})" for s in schemas)
            out.append(f"{pad}if not ({tests}): return False")
        else:  # oneOf counts matches: only the exact precise answer will do
            exact = self.program.const(passes(self.compiler.combinator(key, schemas)))
            out.append(f"{pad}if not {exact}({var}): return False")


def acceptor(compiler: SchemaCompiler) -> Acceptor:
    """The happy-path acceptor of ``compiler``'s root schema (see the module docstring)."""
    return exact_acceptor(compiler)[0]


def exact_acceptor(compiler: SchemaCompiler) -> tuple[Acceptor, bool]:
    """The acceptor, and whether its ``False`` is exact too (no subclass guard was needed)."""
    program = Program()
    generator = _Generator(compiler, program)
    entry = generator.function(compiler.root)
    return program.build(entry), generator.exact
