"""Installed version of spec-kitty-cli, read from its distribution metadata.

The version is taken from the `spec_kitty_cli-<version>.dist-info` folder on sys.path (the same
metadata importlib.metadata reads), because importing importlib.metadata costs ~35 ms and
`spec-kitty --version` must stay close to bare Python start-up. importlib.metadata is the fallback.
"""

from __future__ import annotations

import os
import sys


def _read_version() -> str:
    prefix = "spec_kitty_cli-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith(prefix) and name.endswith(".dist-info"):
                return name[len(prefix) : -len(".dist-info")]
    from importlib.metadata import version  # pragma: no cover - unusual layouts

    return version("spec-kitty-cli")  # pragma: no cover


__version__ = _read_version()
