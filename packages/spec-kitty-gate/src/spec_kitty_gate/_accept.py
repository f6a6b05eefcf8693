"""Happy-path acceptors of whole surfaces, mirroring ``CompiledSurface.check``.

``surface_acceptor(surface)(document)`` is ``True`` only when ``surface.check(document)``
would not raise; ``False`` or an exception means "not proven" and the caller runs the precise
``check``, which decides and explains. Schemas are accepted by the generated acceptors of
``_fastgen``; legacy values and cross-field rules are tested with exact predicates wherever a
wrong "no" would skip a requirement.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._checks import MISSING, CompiledSurface, Path, get_path
from ._compile import SchemaCompiler
from ._fastgen import Acceptor, acceptor, exact_acceptor, passes

__all__ = ["surface_acceptor"]


def _getter(path: Path) -> Callable[[Any], Any]:
    """``get_path(document, path)``, specialised for the one-key paths the artifact uses."""
    if len(path) != 1:
        return lambda document: get_path(document, path)
    key = path[0]

    def get_one(document: Any) -> Any:
        return document.get(key, MISSING) if isinstance(document, dict) else MISSING

    return get_one


def rule_acceptor(spec: dict[str, Any]) -> Acceptor:
    """Mirrors ``_checks._compile_rule``: a rule that does not apply is satisfied."""
    when: list[tuple[Callable[[Any], Any], Acceptor]] = []
    for condition in spec["when"]:
        compiler = SchemaCompiler(condition["schema"])
        test, exact = exact_acceptor(compiler)
        when.append(
            (_getter(tuple(condition["path"])), test if exact else passes(compiler.compile()))
        )
    require = [
        (_getter(tuple(r["path"])), acceptor(SchemaCompiler(r["schema"]))) for r in spec["require"]
    ]

    def accepts(document: Any) -> bool:
        for get, test in when:
            value = get(document)
            if value is MISSING or not test(value):
                return True
        for get, test in require:
            value = get(document)
            if value is MISSING or not test(value):
                return False
        return True

    return accepts


def legacy_values(specs: list[dict[str, Any]]) -> Acceptor:
    """``True`` when a deny-listed value sits at one of the paths (``_compile_deny_value``).

    Called with exact dicts only; one-key paths are read with a plain ``dict.get``.
    """
    tests = [
        (
            spec["path"][0] if len(spec["path"]) == 1 else None,
            tuple(spec["path"]),
            frozenset(spec["values"]),
            spec["separator"] if spec["match"] == "root_segment" else None,
        )
        for spec in specs
    ]

    def found(document: dict[str, Any]) -> bool:
        for key, path, values, separator in tests:
            value = get_path(document, path) if key is None else document.get(key, MISSING)
            if isinstance(value, str):
                if separator is not None:
                    value = value.split(separator, 1)[0]
                if value in values:
                    return True
        return False

    return found


def _all(checks: list[Acceptor]) -> Acceptor:
    if len(checks) == 1:
        return checks[0]
    frozen = tuple(checks)

    def accepts(value: Any) -> bool:
        for check in frozen:  # noqa: SIM110 - all() over a generator costs more per call
            if not check(value):
                return False
        return True

    return accepts


def surface_acceptor(surface: CompiledSurface) -> Acceptor:
    """The acceptor of one compiled surface (document, batch or event)."""
    spec = surface._spec
    legacy = legacy_values(spec["deny_values"])
    schema = _all([acceptor(surface.schema_compiler), *map(rule_acceptor, spec["rules"])])
    if surface.kind == "event":
        return _event_acceptor(surface, legacy, schema)
    items: Callable[[Any], Any] | None = None
    if surface.kind == "batch":
        items = _getter(surface.items_path)
        registry, item_surface = surface._registry, surface.item_surface

    def accepts(document: Any) -> bool:
        if type(document) is not dict or legacy(document) or not schema(document):
            return False
        if items is not None:
            item_accepts = registry[item_surface].acceptor()  # a hot batch makes hot items
            for item in items(document):
                if not item_accepts(item):
                    return False
        return True

    return accepts


def _event_acceptor(surface: CompiledSurface, legacy: Acceptor, schema: Acceptor) -> Acceptor:
    signal, signal_value = _getter(surface.signal_path), surface.signal_value
    payload_at, discriminator = _getter(surface.payload_path), _getter(surface.discriminator)
    common = acceptor(surface.payload_common_compiler)
    by_type: dict[str | None, Acceptor] = {}

    def payload_acceptor(event_type: Any) -> Acceptor:
        known = surface.payload_entry(event_type)
        found = by_type.get(known)
        if found is None:
            checks = [acceptor(c) for c in surface.payload_compilers(known)]
            checks += [rule_acceptor(r) for r in surface.payload_rules(known)]
            found = by_type[known] = _all([common, *checks])
        return found

    def accepts(document: Any) -> bool:
        if type(document) is not dict:
            return False
        version = signal(document)
        if type(version) is not str or version != signal_value:
            return False
        if legacy(document) or not schema(document):
            return False
        payload = payload_at(document)
        event_type = discriminator(document)
        checks = by_type.get(event_type) or payload_acceptor(event_type)
        return checks({} if payload is MISSING else payload)

    return accepts
