"""Installed version of spec-kitty-orchestrator-api, read from the distribution metadata."""

from importlib.metadata import version

__version__ = version("spec-kitty-orchestrator-api")
