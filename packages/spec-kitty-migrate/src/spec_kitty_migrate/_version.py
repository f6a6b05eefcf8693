"""Installed version of spec-kitty-migrate, read from the distribution metadata."""

from importlib.metadata import version

__version__ = version("spec-kitty-migrate")
