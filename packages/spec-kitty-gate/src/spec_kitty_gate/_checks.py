"""Surface engines: the artifact's surface entries compiled into checkers.

Three kinds of surface exist in the artifact: ``document`` (one schema plus rules), ``batch``
(a document whose item list is checked item by item as another surface) and ``event`` (an
envelope whose payload is checked by the schema of its discriminator, e.g. its event_type).
Every kind first rejects legacy values and legacy keys at every depth, then applies its schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._compile import SchemaCompiler, Validator
from ._values import Fail, summarize
from .errors import ArtifactError

__all__ = ["MISSING", "CompiledSurface", "compile_surface", "get_path"]

MISSING = object()
Path = tuple[str, ...]


def get_path(document: Any, path: Path) -> Any:
    value = document
    for key in path:
        if not isinstance(value, dict):
            return MISSING
        value = value.get(key, MISSING)
        if value is MISSING:
            return MISSING
    return value


def _at(fail: Fail, path: Path) -> Fail:
    fail.segments.extend(reversed(path))
    return fail


def _compile_deny_value(spec: dict[str, Any]) -> Callable[[Any], None]:
    path: Path = tuple(spec["path"])
    values = frozenset(spec["values"])
    match = spec["match"]
    if match == "exact":

        def matches(v: str) -> bool:
            return v in values
    elif match == "root_segment":
        separator = spec["separator"]

        def matches(v: str) -> bool:
            return v.split(separator, 1)[0] in values
    else:
        raise ArtifactError(f"unknown deny match {match!r}")

    def check(document: Any) -> None:
        value = get_path(document, path)
        if isinstance(value, str) and matches(value):
            raise _at(
                Fail("CONTRACT_LEGACY_SURFACE", "deny." + path[-1], "not legacy", value), path
            )

    return check


def _compile_rule(spec: dict[str, Any]) -> Callable[[Any], None]:
    rule_id = spec["id"]
    when = [(tuple(c["path"]), SchemaCompiler(c["schema"]).compile()) for c in spec["when"]]
    require = [
        (tuple(r["path"]), SchemaCompiler(r["schema"]).compile(), r["schema"])
        for r in spec["require"]
    ]

    def holds(document: Any) -> bool:
        for path, test in when:
            value = get_path(document, path)
            if value is MISSING:
                return False
            try:
                test(value)
            except Fail:
                return False
        return True

    def check(document: Any) -> None:
        if not holds(document):
            return
        for path, test, schema in require:
            value = get_path(document, path)
            if value is MISSING:
                raise _at(Fail("CONTRACT_RULE_VIOLATION", rule_id, "present", "absent"), path)
            try:
                test(value)
            except Fail:
                fail = Fail("CONTRACT_RULE_VIOLATION", rule_id, schema, summarize(value))
                raise _at(fail, path) from None

    return check


class CompiledSurface:
    """One surface of the artifact, ready to check documents."""

    def __init__(
        self, name: str, spec: dict[str, Any], artifact: dict[str, Any], registry: dict[str, Any]
    ) -> None:
        self.name = name
        self.kind: str = spec["kind"]
        self.deny_keys = frozenset(spec["deny_keys"])
        self.deny_values = [_compile_deny_value(d) for d in spec["deny_values"]]
        self.rules = [_compile_rule(r) for r in spec["rules"]]
        self._spec = spec
        self._artifact = artifact
        self._registry = registry
        opaque: frozenset[str] = frozenset()
        if self.kind == "batch":
            self.items_path: Path = tuple(spec["items"]["path"])
            self.item_surface: str = spec["items"]["surface"]
            opaque = frozenset(self.items_path[:1])
        elif self.kind == "event":
            self.signal_path: Path = tuple(spec["signal"]["path"])
            self.signal_value: str = spec["signal"]["value"]
            self.discriminator: Path = tuple(spec["discriminator"])
            self.payload_path: Path = tuple(spec["payload_path"])
            self.payload_common = SchemaCompiler(spec["payload_common"]).compile()
            self._payloads: dict[str | None, list[Validator]] = {}
            opaque = frozenset(self.payload_path[:1])
        elif self.kind != "document":
            raise ArtifactError(f"surface {name!r} has unknown kind {self.kind!r}")
        # The schema validator also owns the deny-list scan (see _compile).
        self.schema: Validator = SchemaCompiler(spec["schema"], self.deny_keys, opaque).compile()

    def check(self, document: Any) -> None:
        """Raise ``Fail`` at the first violation."""
        if not isinstance(document, dict):
            raise Fail("CONTRACT_INVALID_TYPE", "type", "object", summarize(document))
        if self.kind == "event":
            self._check_event(document)
            return
        for deny in self.deny_values:
            deny(document)
        self.schema(document)
        for rule in self.rules:
            rule(document)
        if self.kind == "batch":
            self._check_items(document)

    def _check_items(self, document: dict[str, Any]) -> None:
        items = get_path(document, self.items_path)
        item_surface: CompiledSurface = self._registry[self.item_surface]
        for index, item in enumerate(items):
            try:
                item_surface.check(item)
            except Fail as fail:
                fail.segments.append(index)
                raise _at(fail, self.items_path) from None

    def _check_event(self, document: dict[str, Any]) -> None:
        signal = get_path(document, self.signal_path)
        if signal != self.signal_value or not isinstance(signal, str):
            actual = "absent" if signal is MISSING else summarize(signal)
            fail = Fail("CONTRACT_SCHEMA_VERSION", "cutover_signal", self.signal_value, actual)
            raise _at(fail, self.signal_path)
        for deny in self.deny_values:
            deny(document)
        self.schema(document)
        for rule in self.rules:
            rule(document)
        payload = get_path(document, self.payload_path)
        if payload is MISSING:
            payload = {}
        try:
            self.payload_common(payload)
            for validator in self._payload_checks(get_path(document, self.discriminator)):
                validator(payload)
        except Fail as fail:
            raise _at(fail, self.payload_path) from None

    def _payload_checks(self, event_type: Any) -> list[Validator]:
        # Unknown types share one entry (a bounded cache) and get the deny-list scan only.
        known = event_type if event_type in self._spec["payloads"] else None
        cached = self._payloads.get(known)
        if cached is None:
            entry = (
                self._spec["payloads"][known] if known is not None else {"schemas": [], "rules": []}
            )
            library = self._artifact["library"]["schemas"]
            roots = [
                library[s["library"]] if "library" in s else s["inline"] for s in entry["schemas"]
            ]
            # The first schema owns the deny-list scan of the payload; without one, scan it all.
            cached = [SchemaCompiler(roots[0] if roots else True, self.deny_keys).compile()]
            cached += [SchemaCompiler(root).compile() for root in roots[1:]]
            cached += [_compile_rule(r) for r in entry["rules"]]
            self._payloads[known] = cached
        return cached


def compile_surface(
    name: str, artifact: dict[str, Any], registry: dict[str, Any]
) -> CompiledSurface:
    """Compile the artifact's surface ``name`` (KeyError when it does not exist)."""
    return CompiledSurface(name, artifact["surfaces"][name], artifact, registry)
