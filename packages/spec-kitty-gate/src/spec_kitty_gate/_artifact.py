"""Load the contract artifact shipped as package data (once per process)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from .errors import ArtifactError

__all__ = ["ARTIFACT_RESOURCE", "load_artifact"]

ARTIFACT_RESOURCE = "contract.json"
_TOP_LEVEL = ("artifact_id", "artifact_version", "deny", "formats", "provenance", "surfaces")


@functools.cache
def load_artifact() -> dict[str, Any]:
    """Read and parse ``contract.json`` from the installed package; cached for the process."""
    try:
        # The artifact sits beside this module in wheels and editable installs alike; reading it
        # by path avoids importing importlib.resources (~10 ms of every CLI call's start-up).
        text = (Path(__file__).parent / ARTIFACT_RESOURCE).read_text("utf-8")
        artifact = json.loads(text)
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read the spec-kitty contract artifact: {exc}") from exc
    if not isinstance(artifact, dict) or any(k not in artifact for k in _TOP_LEVEL):
        raise ArtifactError("the spec-kitty contract artifact is malformed")
    return artifact
