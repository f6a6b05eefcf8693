"""`python -m spec_kitty_cli` runs the `spec-kitty` command."""

from spec_kitty_cli.main import main

main()
