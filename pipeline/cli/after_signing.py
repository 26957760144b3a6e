"""`mou sla` and `mou amend` (SPEC.md §5): the documents made after an agreement is signed — the SLA of year N and
the amendment agreement."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli.commands import cli, echo, library_option, settings_option
from pipeline.cli.loading import load_library, load_settings


@cli.command("sla")
@click.argument("spec", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--year", type=click.IntRange(2, 50), required=True, help="The year of the agreement (2, 3 …; year 1 is its annex)."
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
@click.option("--no-pdf", is_flag=True, help="Write the DOCX only.")
@library_option
@settings_option
def sla_cmd(spec, year, out_dir, no_pdf, library_dir, settings_file):
    """The SLA of year N of a signed agreement (from its sla_renewals) as a document of its own:
    OUT/<name>.sla-N.docx and .pdf. The agreement itself is not touched."""
    from pipeline.api import Converter, build_sla

    library = load_library(library_dir)
    settings = load_settings(settings_file)
    if no_pdf:
        paths = build_sla(spec, year, out_dir, library, settings, None)
    else:
        with Converter(timeout=settings.convert_timeout) as converter:
            paths = build_sla(spec, year, out_dir, library, settings, converter)
    for path in paths:
        echo(f"wrote {path}")


@cli.command("amend")
@click.argument("signed_spec", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("new_spec", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
@click.option(
    "--number", type=click.IntRange(1, 99), default=1, show_default=True, help="The amendment's number (ฉบับที่ N)."
)
@click.option("--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]), help="Its signing date (default: today).")
@click.option("--no-pdf", is_flag=True, help="Write the DOCX only.")
@click.option(
    "--workspace",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The office's record (a `mou serve` workspace): an instalment it marks as paid counts as paid.",
)
@library_option
@settings_option
def amend_cmd(signed_spec, new_spec, out_dir, number, when, no_pdf, workspace, library_dir, settings_file):
    """The amendment (บันทึกข้อตกลงแก้ไขเพิ่มเติม) that turns the signed agreement of SIGNED_SPEC into that of NEW_SPEC,
    clause by clause with the signed numbering: OUT/<signed name>.amendment-N.docx and .pdf."""
    from pipeline.api import Converter, build_amendment, recorded_paid

    library = load_library(library_dir)
    settings = load_settings(settings_file)
    day = when.date() if when else None
    paid = recorded_paid(_record_statuses(workspace), signed_spec.stem) if workspace else None
    if no_pdf:
        paths = build_amendment(signed_spec, new_spec, out_dir, library, settings, None, number, day, paid)
    else:
        with Converter(timeout=settings.convert_timeout) as converter:
            paths = build_amendment(signed_spec, new_spec, out_dir, library, settings, converter, number, day, paid)
    for path in paths:
        echo(f"wrote {path}")


def _record_statuses(workspace: Path) -> dict:
    """The obligation status (done, on which day) the workspace's record keeps; none in a workspace without one."""
    from pipeline.store.db import FILE
    from pipeline.store.record import Record

    return Record(workspace).statuses() if (workspace / ".mou" / FILE).is_file() else {}
