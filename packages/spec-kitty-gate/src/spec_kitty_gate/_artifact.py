"""Load the contract artifact shipped as package data (once per process)."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from .errors import ArtifactError

__all__ = ["ARTIFACT_RESOURCE", "load_artifact"]

ARTIFACT_RESOURCE = "contract.json"
_TOP_LEVEL = ("artifact_id", "artifact_version", "deny", "formats", "provenance", "surfaces")


@functools.cache
def load_artifact() -> dict[str, Any]:
    """Read and parse ``contract.json`` from the installed package; cached for the process."""
    try:
        text = resources.files(__package__).joinpath(ARTIFACT_RESOURCE).read_text("utf-8")
        artifact = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read the spec-kitty contract artifact: {exc}") from exc
    if not isinstance(artifact, dict) or any(k not in artifact for k in _TOP_LEVEL):
        raise ArtifactError("the spec-kitty contract artifact is malformed")
    return artifact
