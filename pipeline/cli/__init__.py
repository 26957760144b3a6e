"""The `mou` command line (SPEC.md §5)."""

from pipeline.cli import after_signing, interview, office, signing, users  # noqa: F401  (register mou interview, sla, amend, obligations, sign, verify, users)
from pipeline.cli.commands import cli, main

__all__ = ["cli", "main"]
