"""Installed version of spec-kitty-identity, read from the distribution metadata."""

from importlib.metadata import version

__version__ = version("spec-kitty-identity")
