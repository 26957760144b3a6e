"""The `mou` command line (SPEC.md §5): build, validate, clauses; every user mistake ends in one message, not a traceback."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .build import build
from .errors import MouError
from .library import load_library
from .pdf import Converter
from .settings import load_settings
from .validate import check_document, load_spec, missing_sections_error

library_option = click.option(
    "--library", "library_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A library folder with its own clauses/ and templates/ (default: the project's).",
)
settings_option = click.option(
    "--settings", "settings_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A YAML file overriding settings (sla_threshold, sla_min_term_months, sla_max_months, digits, convert_timeout).",
)


class MouGroup(click.Group):
    """Catches the project's one exception base and prints it without a traceback (exit 1)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MouError as exc:
            click.echo(exc.format(), err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("ยกเลิก / interrupted", err=True)
            ctx.exit(130)


@click.group(cls=MouGroup)
@click.version_option(package_name="mou-pipeline")
def cli():
    """Draft Thai public-service delegation agreements (grant, performance, commissioning) from a YAML spec."""


@cli.command("build")
@click.argument("spec", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--no-pdf", is_flag=True, help="Write the DOCX only (no LibreOffice).")
@library_option
@settings_option
def build_cmd(spec: Path, out_dir: Path, no_pdf: bool, library_dir: Path | None, settings_file: Path | None):
    """Validate SPEC, assemble it and write OUT/<name>.docx and OUT/<name>.pdf."""
    started = time.perf_counter()
    library = load_library(library_dir)
    settings = load_settings(settings_file)
    if no_pdf:
        built = build(spec, out_dir, library, settings, None)
    else:
        with Converter(timeout=settings.convert_timeout) as converter:
            built = build(spec, out_dir, library, settings, converter)
    for path in (built.docx, built.pdf):
        if path:
            click.echo(f"wrote {path}")
    click.echo(f"built {built.name} ({built.agreement.model}, {len(built.agreement.sections)} sections) in {time.perf_counter() - started:.2f} s")


@cli.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--model", type=click.Choice(["grant", "performance", "commissioning"]), help="The model of a DOCX/PDF that does not record it.")
@library_option
@settings_option
def validate_cmd(file: Path, model: str | None, library_dir: Path | None, settings_file: Path | None):
    """Check a spec (.yaml) against the rules, or a rendered .docx/.pdf for the required sections of its model."""
    library = load_library(library_dir)
    if file.suffix.lower() in (".docx", ".pdf"):
        report = check_document(file, library, model)
        if report.missing:
            raise missing_sections_error(report, library)
        click.echo(f"ok: {file} has all {len(report.found)} required sections of the {report.model} model")
    else:
        _, spec = load_spec(file, load_settings(settings_file), library)
        click.echo(f"ok: {file} ({spec.model}, {spec.language}) passes every rule")


@cli.command("clauses")
@library_option
def clauses_cmd(library_dir: Path | None):
    """List the clause library: id, title, models, required or optional, version."""
    library = load_library(library_dir)
    rows = sorted(library.clauses.values(), key=lambda c: ([s.id for s in library.sections.sections].index(c.section), c.order))
    click.echo(f"{'id':26} {'v':>3}  {'status':9} {'models':32} title")
    for c in rows:
        status = "required" if c.required else ("optional" if c.default else "on request")
        click.echo(f"{c.id:26} {c.version:>3}  {status:9} {','.join(c.models):32} {c.title.th} / {c.title.en}")


def main() -> None:
    cli(prog_name="mou")


if __name__ == "__main__":
    main()
