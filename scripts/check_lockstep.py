"""Fail when versions or pins in the tree disagree (uv itself does not enforce `==` between members).

Checks:
- every dependency on a sibling spec-kitty package is pinned `==` to that sibling's version;
- spec-kitty-orchestrator is pinned to the release version everywhere (CLI extra, dev group, uv.lock);
- spec-kitty-events is pinned to the release version everywhere (dev group, tox.ini, uv.lock,
  the contract artifact's provenance);
- CHANGELOG.md has an `## Unreleased` section or a heading naming every package version.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$")


def _name(req: str) -> tuple[str, str]:
    match = REQ.match(req)
    assert match, req
    return match.group(1).lower().replace("_", "-"), match.group(3).strip()


def check(root: Path = ROOT) -> list[str]:
    errors: list[str] = []
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    release = meta["tool"]["spec-kitty"]["release"]
    packages = {}
    for pyproject in sorted((root / "packages").glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        packages[project["name"]] = (pyproject, project)
    versions = {name: project["version"] for name, (_, project) in packages.items()}
    for name, (path, project) in packages.items():
        reqs = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            reqs.extend(extra)
        for req in reqs:
            dep, spec = _name(req)
            if dep in versions and spec != f"=={versions[dep]}":
                errors.append(f"{path}: {name} pins {dep} {spec!r}, tree has =={versions[dep]}")
            if dep == "spec-kitty-orchestrator" and spec != f"=={release['orchestrator']}":
                errors.append(
                    f"{path}: spec-kitty-orchestrator {spec!r} != =={release['orchestrator']}"
                )
            if dep == "spec-kitty-events":
                errors.append(f"{path}: {name} must not depend on spec-kitty-events at run time")
    for req in meta.get("dependency-groups", {}).get("dev", []):
        dep, spec = _name(req)
        if dep in ("spec-kitty-orchestrator", "spec-kitty-events"):
            want = release["orchestrator" if dep == "spec-kitty-orchestrator" else "events"]
            if spec != f"=={want}":
                errors.append(f"pyproject.toml dev group: {dep} {spec!r} != =={want}")
    tox = (root / "tox.ini").read_text()
    for found in re.findall(r"spec-kitty-events(?:\[[^\]]*\])?==([0-9.]+)", tox):
        if found != release["events"]:
            errors.append(
                f"tox.ini pins spec-kitty-events=={found}, release is {release['events']}"
            )
    lock = root / "uv.lock"
    if lock.exists():
        locked = {
            p["name"]: p["version"]
            for p in tomllib.loads(lock.read_text())["package"]
            if "version" in p
        }
        for dep, key in (
            ("spec-kitty-orchestrator", "orchestrator"),
            ("spec-kitty-events", "events"),
        ):
            if locked.get(dep) != release[key]:
                errors.append(
                    f"uv.lock resolves {dep} {locked.get(dep)}, release is {release[key]}"
                )
        for name, version in versions.items():
            if locked.get(name) != version:
                errors.append(f"uv.lock has {name} {locked.get(name)}, tree has {version}")
    artifact = root / "contracts" / "contract.json"
    if artifact.exists():
        text = json.dumps(json.loads(artifact.read_text()).get("provenance", {}))
        if release["events"] not in text:
            errors.append(
                f"contracts/contract.json provenance does not name events {release['events']}"
            )
    changelog = (root / "CHANGELOG.md").read_text()
    if "## Unreleased" not in changelog:
        errors.append("CHANGELOG.md has no '## Unreleased' section")
    errors.extend(_release_section(changelog, versions, release))
    return errors


def _release_section(
    changelog: str, versions: dict[str, str], release: dict[str, str]
) -> list[str]:
    """A release heading for the CLI's version must name every package's version and the pins."""
    cli_version = versions.get("spec-kitty-cli", "")
    match = re.search(
        rf"^## \[{re.escape(cli_version)}\][^\n]*\n(.*?)(?=^## |\Z)", changelog, re.M | re.S
    )
    if match is None:
        return [f"CHANGELOG.md has no release section '## [{cli_version}]'"]
    section = match.group(1)
    errors = [
        f"CHANGELOG.md release {cli_version} does not name {name} {version}"
        for name, version in versions.items()
        if not re.search(rf"{re.escape(name)}\s*\|\s*{re.escape(version)}\b", section)
    ]
    for dep, key in (("spec-kitty-orchestrator", "orchestrator"), ("spec-kitty-events", "events")):
        if f"{dep} {release[key]}" not in section:
            errors.append(f"CHANGELOG.md release {cli_version} does not name {dep} {release[key]}")
    return errors


def main() -> int:
    errors = check()
    for error in errors:
        print(f"lockstep: {error}", file=sys.stderr)
    if not errors:
        print("lockstep: all pins agree with the tree")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
