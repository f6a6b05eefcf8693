"""spec-kitty-orchestrator-api."""

from ._version import __version__

__all__ = ["__version__"]
