"""The `mou` command line (SPEC.md §5)."""

from pipeline.cli import office, signing  # noqa: F401  (register mou obligations, mou sign and mou verify)
from pipeline.cli.commands import cli, main

__all__ = ["cli", "main"]
