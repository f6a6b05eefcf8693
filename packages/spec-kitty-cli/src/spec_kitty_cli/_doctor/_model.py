"""What doctor reports: findings (each a code, a message and a fix) and per-check facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One thing to fix: a stable ``code``, what is wrong, and how to fix it."""

    check: str
    code: str
    message: str
    fix: str
    file: str | None = None
    line: int | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "file": self.file,
            "line": self.line,
            "details": self.details,
        }


@dataclass(kw_only=True)
class Report:
    """Every finding plus what each check saw (counts, schema versions)."""

    findings: list[Finding] = field(default_factory=list)
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, check: str, code: str, message: str, fix: str, **extra: Any) -> None:
        file = extra.pop("file", None)
        line = extra.pop("line", None)
        self.findings.append(
            Finding(
                check=check,
                code=code,
                message=message,
                fix=fix,
                file=None if file is None else str(file),
                line=line,
                details=extra,
            )
        )

    def add_error(self, check: str, exc: BaseException, fix: str, **extra: Any) -> None:
        """A structured error from a loader, as a finding (its code, message and details)."""
        from spec_kitty_identity import as_structured

        error = as_structured(exc)
        details = {**extra, **(error.details if error else {})}
        fallback = details.pop("file", None)
        file = extra.get("file") if fallback is None else fallback
        details.pop("file", None)
        line = details.pop("line", None)
        code = error.code if error else type(exc).__name__
        if code == "LEGACY_STATE":
            fix = "run `spec-kitty upgrade` to rewrite legacy state in canonical terms"
        message = (error.message if error else "") or str(exc)
        self.add(check, code, message, fix, file=file, line=line, **details)

    @property
    def clean(self) -> bool:
        return not self.findings
