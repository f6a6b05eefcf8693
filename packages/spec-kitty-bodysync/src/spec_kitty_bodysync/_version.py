"""Installed version of spec-kitty-bodysync, read from the distribution metadata."""

from importlib.metadata import version

__version__ = version("spec-kitty-bodysync")
