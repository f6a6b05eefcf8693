"""Cutover acceptance 5: the feature-era audit finds nothing outside spec-kitty-migrate.

`scripts/audit_feature_era.py` runs both ways (the package sources of this tree, and the
installed distributions), each with zero hits. Independently of the script's own file listing,
every file of every installed spec-kitty import package (wherever it is installed: the built
wheels in the `wheels` env, the editable source in `integration`) is scanned with the audit's
rules and the artifact's deny-list. Controls prove the scans are not vacuous: the audit's rules
cover every word of the artifact's deny-list, and spec-kitty-migrate (the allowed place) does
contain legacy words the same scan finds.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest
from acceptance_support import deny_list, scan_text

from sk_support import REPO, load_script

PACKAGES = {
    "spec_kitty_identity": "spec-kitty-identity",
    "spec_kitty_gate": "spec-kitty-gate",
    "spec_kitty_bodysync": "spec-kitty-bodysync",
    "spec_kitty_orchestrator_api": "spec-kitty-orchestrator-api",
    "spec_kitty_migrate": "spec-kitty-migrate",
    "spec_kitty_cli": "spec-kitty-cli",
}
SCRIPT = REPO / "scripts" / "audit_feature_era.py"


def _installed_package_files() -> dict[str, list[tuple[str, Path]]]:
    """(import-relative path, file) of every file of each installed spec-kitty import package."""
    out: dict[str, list[tuple[str, Path]]] = {}
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        (folder,) = {Path(p) for p in spec.submodule_search_locations}
        out[name] = [
            (f"{name}/{p.relative_to(folder).as_posix()}", p)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts
        ]
    return out


@pytest.mark.parametrize("mode", [[], ["--installed"]], ids=["tree", "installed"])
def test_the_audit_script_finds_nothing(mode: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *mode], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("0 hits"), done.stdout
    scanned = int(done.stdout.split("files scanned")[0].split()[-1])
    assert scanned > 0


def test_every_installed_package_file_is_clean() -> None:
    audit = load_script("audit_feature_era")
    files = _installed_package_files()
    for name, listing in files.items():
        assert sum(rel.endswith(".py") for rel, _ in listing) >= 2, name
    everything = [item for listing in files.values() for item in listing]
    assert audit.scan(everything) == []
    # The artifact's deny-list too (outside migrate and the artifact itself, which names them).
    hits = []
    for rel, path in everything:
        if rel.startswith("spec_kitty_migrate/") or rel.endswith("contract.json"):
            continue
        if rel.startswith("spec_kitty_cli/missions_custom/") or rel.endswith("commands/mission.py"):
            continue  # mission_key there means a custom mission definition's key
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        hits += scan_text(text, rel)
    assert hits == []


def test_the_scans_are_not_vacuous() -> None:
    audit = load_script("audit_feature_era")
    deny = deny_list()
    for word in deny.words + deny.flags:
        assert audit.DENY.search(word) or audit.MISSION_KEY.search(word), word
    for kind in deny.aggregate_types:
        assert audit.DENY.search(f'{{"aggregate_type": "{kind}"}}'), kind
    migrate = _installed_package_files()["spec_kitty_migrate"]
    raw_hits = [
        rel
        for rel, path in migrate
        if path.suffix == ".py" and audit.DENY.search(path.read_text(encoding="utf-8"))
    ]
    assert raw_hits, "spec-kitty-migrate reads legacy state: the scan must see its words"
    relabelled = [(rel.replace("spec_kitty_migrate/", "spec_kitty_cli/"), p) for rel, p in migrate]
    assert audit.scan(relabelled), "the same files outside migrate must be hits"


def _editable(dist_name: str) -> bool:
    files = distribution(dist_name).files or []
    return not any(str(f).endswith(".py") for f in files)


EDITABLE = any(_editable(d) for d in PACKAGES.values())


def test_the_installed_audit_reads_every_package_source() -> None:
    audit = load_script("audit_feature_era")
    listed = {rel for rel, _ in audit.installed_files()}
    for name, listing in _installed_package_files().items():
        sources = {rel for rel, _ in listing if rel.endswith(".py")}
        assert sources <= listed, (name, sorted(sources - listed)[:5])
