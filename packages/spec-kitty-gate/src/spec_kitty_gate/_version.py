"""Installed version of spec-kitty-gate, read from the distribution metadata."""

from importlib.metadata import version

__version__ = version("spec-kitty-gate")
