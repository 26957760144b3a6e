"""The `mou` command line (SPEC.md §5)."""

from pipeline.cli import signing  # noqa: F401  (registers mou sign and mou verify)
from pipeline.cli.commands import cli, main

__all__ = ["cli", "main"]
