"""The `mou` command line (SPEC.md §5)."""

from pipeline.cli.commands import cli, main

__all__ = ["cli", "main"]
