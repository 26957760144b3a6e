"""The `mou` command line (SPEC.md §5): build, validate, clauses; every user mistake ends in one message, not a traceback."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import click

from pipeline.cli.loading import load_library, load_settings
from pipeline.errors import Message, MouError, printable

# The stages are imported inside the commands that use them: `mou --help` and every command's help answer without
# importing the documents, pydantic or the web app, and `mou batch` itself only plans and reports (its workers render
# and convert), so a no-op run of hundreds stays well under a second and its process small.


def echo(message="", **kw) -> None:
    """click.echo with every control character shown, not acted on: spec values and file names reach the terminal
    in messages, and an ESC or OSC sequence in them would recolour it, retitle it or plant a link."""
    click.echo(printable(str(message)), **kw)


library_option = click.option(
    "--library",
    "library_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A library folder with its own clauses/ and templates/ (default: the project's).",
)
settings_option = click.option(
    "--settings",
    "settings_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A YAML file overriding settings (sla_threshold, sla_min_term_months, sla_max_months, digits, convert_timeout).",
)


strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings (missing authority, a funder that does not sign) as errors."
)


def _warn(warnings) -> None:
    from pipeline.api import warning_lines

    for line in warning_lines(warnings):
        echo(line, err=True)


class MouGroup(click.Group):
    """Catches the project's one exception base and prints it without a traceback (exit 1)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MouError as exc:
            echo(exc.format(), err=True)
            ctx.exit(exc.exit_code)
        except Terminated:
            echo("หยุดตามคำสั่ง (SIGTERM) ไม่มีไฟล์ใดเขียนค้างไว้ / stopped (SIGTERM); no file was left half-written", err=True)
            ctx.exit(128 + signal.SIGTERM)
        except KeyboardInterrupt:
            echo("ยกเลิก / interrupted", err=True)
            ctx.exit(130)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug of mou's own: one message, the traceback kept in a file for the report
            echo(
                f"ข้อผิดพลาดภายในโปรแกรม (ไม่ใช่ความผิดของข้อมูล) / internal error (not a fault in your files): "
                f"{type(exc).__name__}: {exc}\n{_save_traceback()}",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)


INTERNAL_ERROR = 70  # EX_SOFTWARE: distinct from 1 (a problem in the input) so that scripts and tests can tell


def _save_traceback() -> str:
    import tempfile
    import traceback

    try:
        fd, path = tempfile.mkstemp(prefix="mou-error-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
        return f"รายละเอียดบันทึกไว้ที่ {path} กรุณาแจ้งผู้ดูแลพร้อมไฟล์นี้ / details saved to {path}: please report it with that file"
    except OSError:
        return "กรุณาแจ้งผู้ดูแล / please report it"


class Terminated(KeyboardInterrupt):
    """SIGTERM (timeout, systemd, docker), raised where the command is so that it cleans up as after Ctrl-C."""


def _terminate(signum, frame):
    raise Terminated()


def not_a_batch_folder(out_dir: Path) -> None:
    """`mou build` and `mou interview` write one agreement; a folder `mou batch` keeps (its manifest, or its lock while
    the first run goes) is refused: a file replaced there would be called "edited by hand" and never regenerated."""
    from pipeline.run.manifest import LOCK_NAME, MANIFEST_NAME

    if (out_dir / MANIFEST_NAME).exists() or (out_dir / LOCK_NAME).exists():
        raise MouError(
            Message(
                f"โฟลเดอร์ {out_dir} เป็นของ mou batch (มี {MANIFEST_NAME}) สร้างข้อตกลงในโฟลเดอร์นี้ด้วย mou batch หรือเลือก --out อื่น",
                f"{out_dir} is kept by mou batch (it holds {MANIFEST_NAME}): build its agreements with "
                f"`mou batch SPECS_DIR --out {out_dir}`, or give another --out",
            )
        )


@click.group(cls=MouGroup)
@click.version_option(package_name="mou-pipeline")
def cli():
    """Draft Thai public-service delegation agreements (grant, performance, commissioning) from a YAML spec."""


@cli.command("build")
@click.argument("spec", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
@click.option("--no-pdf", is_flag=True, help="Write the DOCX only (no LibreOffice).")
@click.option("--force", is_flag=True, help="Overwrite the outputs of a signed agreement (its spec has `signed`).")
@strict_option
@library_option
@settings_option
def build_cmd(
    spec: Path,
    out_dir: Path,
    no_pdf: bool,
    force: bool,
    strict: bool,
    library_dir: Path | None,
    settings_file: Path | None,
):
    """Validate SPEC, assemble it and write OUT/<name>.docx and OUT/<name>.pdf."""
    from pipeline.api import Converter, build

    started = time.perf_counter()
    not_a_batch_folder(out_dir)
    library = load_library(library_dir)
    settings = load_settings(settings_file)
    if no_pdf:
        built = build(spec, out_dir, library, settings, None, strict=strict, force=force)
    else:
        with Converter(timeout=settings.convert_timeout) as converter:
            built = build(spec, out_dir, library, settings, converter, strict=strict, force=force)
    _warn(built.warnings)
    for path in (built.docx, built.pdf):
        if path:
            echo(f"wrote {path}")
    echo(
        f"built {built.name} ({built.agreement.model}, {len(built.agreement.sections)} sections) in {time.perf_counter() - started:.2f} s"
    )


@cli.command("validate")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--model",
    type=click.Choice(["grant", "performance", "commissioning"]),
    help="The model of a DOCX/PDF that does not record it.",
)
@strict_option
@library_option
@settings_option
def validate_cmd(file: Path, model: str | None, strict: bool, library_dir: Path | None, settings_file: Path | None):
    """Check a spec (.yaml) against the rules, or a rendered .docx/.pdf for the required sections of its model."""
    from pipeline.api import check_document, check_spec, missing_sections_error, text_layer_missing
    from pipeline.errors import DocumentError, Problem

    library = load_library(library_dir)
    if file.suffix.lower() in (".docx", ".pdf"):
        report = check_document(file, library, model)
        if report.missing:
            raise missing_sections_error(report, library)
        unreadable = text_layer_missing(file.read_bytes())
        if unreadable:
            raise DocumentError(
                f"ชั้นข้อความของ PDF ไม่มีหัวข้อ {len(unreadable)} หัวข้อ (ค้นหาหรือคัดลอกไม่ได้) / the PDF's text layer lacks "
                f"{len(unreadable)} of its own section headings (search and copy cannot find them)",
                [
                    Problem(str(file), None, "", f"ไม่พบ “{h}” ในชั้นข้อความ", f"'{h}' is not in the text layer")
                    for h in unreadable
                ],
            )
        echo(f"ok: {file} has all {len(report.found)} required sections of the {report.model} model")
    else:
        checked = check_spec(file, load_settings(settings_file), library, strict)
        spec = checked.spec
        _warn(checked.warnings)
        echo(f"ok: {file} ({spec.model}, {spec.language}) passes every rule")


def _program() -> str:
    """The command as the user can type it again: `.venv/bin/mou` after `make` (it is not on the PATH), else `mou`."""
    import shutil

    arg = sys.argv[0] if sys.argv else "mou"
    if os.path.basename(arg) == "mou" and shutil.which("mou") != os.path.abspath(arg):
        return os.path.relpath(arg) if not os.path.relpath(arg).startswith("..") else os.path.abspath(arg)
    return "mou"


def plain_name(name: str) -> bool:
    """A name that stays a file inside --out: no folder part, not hidden, not "..", no control character, not too long."""
    return (
        0 < len(name) <= 100
        and name.strip() == name
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and printable(name) == name
        and "\x00" not in name
    )


@cli.command("batch")
@click.argument("specs_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (holds the manifest and the report).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 32),
    default=min(os.cpu_count() or 1, 4),
    show_default=True,
    help="Agreements built at once, each worker with its own LibreOffice.",
)
@click.option("--force", is_flag=True, help="Rebuild everything, and overwrite outputs edited by hand.")
@click.option("--no-pdf", is_flag=True, help="Write DOCX only.")
@click.option("--prune", is_flag=True, help="Remove the outputs of specs that were deleted (not those edited by hand).")
@click.option(
    "--no-redline", is_flag=True, help="Do not write NAME.redline.docx (the changes since the last build, tracked)."
)
@library_option
@settings_option
def batch_cmd(specs_dir, out_dir, jobs, force, no_pdf, prune, no_redline, library_dir, settings_file):
    """Regenerate every agreement of SPECS_DIR into OUT: only what changed (spec, clause, template, settings,
    pipeline) unless --force; prints why each was rebuilt and saves the report in OUT/mou-report.txt."""
    from pipeline.run.context import start_early

    start_early(specs_dir, out_dir, library_dir, not no_pdf, jobs)  # what the workers need starts while this plans
    from pipeline.errors import Interrupted
    from pipeline.run.batch import BatchOptions, run_batch
    from pipeline.run.manifest import REPORT_NAME
    from pipeline.run.report import report_text

    settings = load_settings(settings_file)
    bar = {}

    def progress(total):
        if sys.stderr.isatty():
            bar["bar"] = click.progressbar(
                length=total, label=f"สร้าง / building {total}", file=sys.stderr, show_pos=True, show_eta=True, width=30
            )
            bar["bar"].__enter__()
            return lambda result: bar["bar"].update(1)
        count = iter(range(1, total + 1))  # a log, not a terminal: a line at every tenth

        def line(result):
            n = next(count)
            if n == total or n % max(1, total // 10) == 0:
                echo(f"[{n}/{total}] {result['name']}", err=True)

        return line

    try:
        options = BatchOptions(jobs=jobs, force=force, pdf=not no_pdf, prune=prune, redlines=not no_redline)
        result = run_batch(specs_dir, out_dir, library_dir, settings, options, progress=progress)
    finally:
        if "bar" in bar:
            bar["bar"].__exit__(None, None, None)
    echo(report_text(result), nl=False)
    echo(f"(รายงานบันทึกไว้ที่ / report saved to {out_dir / REPORT_NAME})")
    if result.interrupted:
        stop = Interrupted(
            f"หยุดกลางคัน บันทึกข้อตกลงที่สร้างเสร็จแล้วไว้ในรายการ ดูรายงานที่ {out_dir / REPORT_NAME} "
            f"สั่ง mou batch อีกครั้งเพื่อทำต่อ\ninterrupted: the agreements finished are recorded (report: "
            f"{out_dir / REPORT_NAME}); run mou batch again to go on"
        )
        stop.exit_code = 128 + (result.signal or 2)  # 130 for Ctrl-C, 143 for SIGTERM, as a shell reports them
        raise stop
    if result.failed:
        sys.exit(1)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


@cli.command("serve")
@click.option(
    "--workspace",
    "workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("workspace"),
    show_default=True,
    help="The folder of specs the questionnaire reads and writes (made if missing).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; other than this machine only once the workspace has users (mou users).",
)
@click.option(
    "--https", "https", is_flag=True, help="Served behind an HTTPS reverse proxy: session cookies are Secure."
)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 8),
    default=2,
    show_default=True,
    help="Warm worker processes (each with its LibreOffice) for previews, finals and batch runs.",
)
@library_option
@settings_option
def serve_cmd(workspace, host, https, port, workers, library_dir, settings_file):
    """The questionnaire in a browser over WORKSPACE: pages, saved answers, previews, finals and the batch."""
    from pipeline.store.users import Users

    if (host not in LOCAL_HOSTS or https) and not Users(workspace).has_legal():  # other machines, or behind a proxy
        raise MouError(
            Message(
                f"mou serve จะรับการเชื่อมต่อจากเครื่องอื่น ({host}) ได้เมื่อมีผู้ใช้ที่เป็นนิติกรอย่างน้อยหนึ่งคน เพิ่มด้วย: "
                f"{_program()} users add ชื่อ --role legal --workspace {workspace}",
                f"mou serve listens on {host} (other machines) only once the workspace has a legal officer among its users: "
                f"add one with `{_program()} users add NAME --role legal --workspace {workspace}`",
            )
        )
    from pipeline.run.pool import WarmPool
    from pipeline.web.app import create_app
    from pipeline.web.server import serve

    settings = load_settings(settings_file)
    load_library(library_dir)  # a broken library is said now, not at the first page
    pool = WarmPool(workers, library_dir, settings)
    echo("เตรียม LibreOffice … / starting the workers and their LibreOffice …")
    try:
        pool.warm(wait=False)  # started now, while the pages load: a first preview waits only for what is left
        app = create_app(workspace, library_dir, settings, pool, secure=https)
        echo(f"mou serve: http://{host}:{port}/  (workspace: {workspace.resolve()})  Ctrl-C to stop")
        serve(app, host=host, port=port)
    finally:
        pool.close()


workspace_option = click.option(
    "--workspace",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("workspace"),
    show_default=True,
    help="The workspace whose users these are.",
)


@cli.command("inspect")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def inspect_cmd(file: Path):
    """Print the provenance a DOCX or PDF carries (spec hash, clauses and versions, template, pipeline), and what
    the batch manifest beside it says of the file."""
    from pipeline.run.report import inspect_file

    for label, value in inspect_file(file):
        echo(f"{label:10} {value}")


@cli.command("clauses")
@library_option
def clauses_cmd(library_dir: Path | None):
    """List the clause library: id, title, models, required or optional, version."""
    library = load_library(library_dir)
    rows = sorted(
        library.clauses.values(), key=lambda c: ([s.id for s in library.sections.sections].index(c.section), c.order)
    )
    echo(f"{'id':26} {'v':>3}  {'status':9} {'models':32} title")
    for c in rows:
        status = "required" if c.required else ("optional" if c.default else "on request")
        echo(f"{c.id:26} {c.version:>3}  {status:9} {','.join(c.models):32} {c.title.th} / {c.title.en}")


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate)
    try:
        cli(prog_name="mou")
    except SystemExit as exc:
        from pipeline.cli.ending import quick_exit

        quick_exit(exc.code)
        raise


if __name__ == "__main__":
    main()
