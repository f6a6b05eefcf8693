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
WARM_UP = 16  # checks of a surface left to the precise engine before its acceptor is generated
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
            self.payload_common_compiler = SchemaCompiler(spec["payload_common"])
            self.payload_common = self.payload_common_compiler.compile()
            self._payloads: dict[str | None, list[Validator]] = {}
            opaque = frozenset(self.payload_path[:1])
        elif self.kind != "document":
            raise ArtifactError(f"surface {name!r} has unknown kind {self.kind!r}")
        # The schema validator also owns the deny-list scan (see _compile).
        self.schema_compiler = SchemaCompiler(spec["schema"], self.deny_keys, opaque)
        self.schema: Validator = self.schema_compiler.compile()
        # ``accepts(document)``: True when the generated acceptor proves ``document`` conforms.
        # Generating it costs a few ms of compile(): a one-shot CLI command (a handful of
        # checks) never pays it; a sync loop pays it once, after WARM_UP checks.
        self.accepts: Callable[[Any], bool] = self._warming
        self._acceptor: Callable[[Any], bool] | None = None
        self._seen = 0

    def _warming(self, document: Any) -> bool:
        self._seen += 1
        if self._seen < WARM_UP:
            return False  # not proven: check() decides
        self.accepts = self.acceptor()  # from now on called directly, no counting
        return self.accepts(document)

    def acceptor(self) -> Callable[[Any], bool]:
        """The generated happy-path acceptor of this surface (see ``_accept``), built once."""
        if self._acceptor is None:
            from ._accept import surface_acceptor

            self._acceptor = surface_acceptor(self)
        return self._acceptor

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

    def _payload_checks(self, event_type: str) -> list[Validator]:
        known = self.payload_entry(event_type)  # unknown types share one entry: a bounded cache
        cached = self._payloads.get(known)
        if cached is None:
            cached = [c.compile() for c in self.payload_compilers(known)]
            cached += [_compile_rule(r) for r in self.payload_rules(known)]
            self._payloads[known] = cached
        return cached

    def payload_entry(self, event_type: Any) -> str | None:
        """``event_type`` when the artifact types its payload, else ``None``."""
        return event_type if event_type in self._spec["payloads"] else None

    def payload_rules(self, known: str | None) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = (
            self._spec["payloads"][known]["rules"] if known is not None else []
        )
        return rules

    def payload_compilers(self, known: str | None) -> list[SchemaCompiler]:
        """The payload schemas of an entry (an unknown type gets the deny-list scan only)."""
        entry = self._spec["payloads"][known] if known is not None else {"schemas": []}
        library = self._artifact["library"]["schemas"]
        roots = [library[s["library"]] if "library" in s else s["inline"] for s in entry["schemas"]]
        # The first schema owns the deny-list scan of the payload; without one, scan it all.
        first = SchemaCompiler(roots[0] if roots else True, self.deny_keys)
        return [first, *(SchemaCompiler(root) for root in roots[1:])]


def compile_surface(
    name: str, artifact: dict[str, Any], registry: dict[str, Any]
) -> CompiledSurface:
    """Compile the artifact's surface ``name`` (KeyError when it does not exist)."""
    return CompiledSurface(name, artifact["surfaces"][name], artifact, registry)
