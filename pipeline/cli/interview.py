"""`mou interview` (SPEC.md §5): the questionnaire in a terminal, a spec written from its answers, and its draft."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from pipeline.cli.commands import (
    _program,
    _warn,
    cli,
    echo,
    library_option,
    not_a_batch_folder,
    plain_name,
    settings_option,
)
from pipeline.cli.loading import load_library, load_settings
from pipeline.errors import Message, MouError


@cli.command("interview")
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A partial spec (screening included): only what is missing is asked.",
)
@click.option(
    "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
@click.option(
    "--no-input", is_flag=True, help="Ask nothing: build from --answers or list every missing or invalid answer."
)
@click.option(
    "--lang", type=click.Choice(["th", "en"]), default="th", show_default=True, help="Language of the questions."
)
@click.option("--name", default="agreement", show_default=True, help="Name of the spec and the draft files.")
@click.option("--no-pdf", is_flag=True, help="Write the draft DOCX only.")
@library_option
@settings_option
def interview_cmd(answers_file, out_dir, no_input, lang, name, no_pdf, library_dir, settings_file):
    """The questionnaire: asks in Thai, recommends a model, saves the answers as a spec and builds a draft."""
    from pipeline.api import Converter
    from pipeline.errors import Problem, SpecError
    from pipeline.questionnaire.terminal import Interview
    from pipeline.spec.source import parse

    if not plain_name(name):
        raise MouError(
            Message(
                f"ชื่อ '{name}' ใช้ไม่ได้ ต้องเป็นชื่อไฟล์ธรรมดา ไม่มี / หรือ \\ ไม่ขึ้นต้นด้วยจุด (ไฟล์จะอยู่ใน --out เสมอ)",
                f"the name '{name}' cannot be used: give a plain file name, without / or \\ and not starting with a dot "
                f"(the files always go into --out)",
            )
        )
    not_a_batch_folder(out_dir)
    library = load_library(library_dir)
    settings = load_settings(settings_file)
    answers: dict = {}
    if answers_file:
        src = parse(answers_file.read_bytes(), str(answers_file))
        if src.problems:
            raise SpecError(
                [Problem(src.name, line, ".".join(map(str, path)), th, en) for path, line, th, en in src.problems]
            )
        answers = src.data if isinstance(src.data, dict) else {}
    iv = Interview(lang=lang, answers=answers, settings=settings, library=library)
    spec_path = out_dir / f"{name}.yaml"
    converter = None if no_pdf else Converter(timeout=settings.convert_timeout)
    try:
        if converter is not None:  # started, and its first document converted, while the questions are answered
            with contextlib.suppress(MouError, OSError):  # if it cannot, the build says so, naming the document
                converter.launch()
                converter.warm_up()
        _interview_and_build(iv, spec_path, answers_file, out_dir, name, no_input, library, settings, converter)
    finally:
        if converter is not None:
            converter.close()


def _interview_and_build(iv, spec_path, answers_file, out_dir, name, no_input, library, settings, converter) -> None:
    """The questions asked (or, with --no-input, the answers checked), the spec written and its draft built."""
    from pipeline.api import build
    from pipeline.errors import Problem, SpecError
    from pipeline.questionnaire.pages import to_yaml
    from pipeline.store.files import write_atomically

    if no_input:
        iv.choose_model(interactive=False)
        iv.fill_defaults()
        where = str(answers_file or "<answers>")
        missing = [Problem(where, None, q.path, "ยังไม่มีคำตอบ", "no answer given") for q in iv.missing()]
        problems = missing or iv.problems()
        if problems:
            raise SpecError(problems, "answers")
    else:
        try:
            iv.run()
        except (click.Abort, EOFError, KeyboardInterrupt):
            partial = out_dir / f"{name}.answers.yaml"
            write_atomically({partial: to_yaml(iv.answers).encode("utf-8")})
            prog = _program()
            raise MouError(
                Message(
                    f"หยุดแบบสอบถาม บันทึกคำตอบไว้ที่ {partial} ทำต่อด้วย: {prog} interview --answers {partial} --out {out_dir}",
                    f"interview stopped; answers saved to {partial}; resume with: {prog} interview --answers {partial} --out {out_dir}",
                )
            ) from None
    write_atomically({spec_path: to_yaml(iv.answers).encode("utf-8")})
    echo(f"wrote {spec_path}")
    built = build(spec_path, out_dir, library, settings, converter, draft=True)
    _warn(built.warnings)
    for path in (built.docx, built.pdf):
        if path:
            echo(f"wrote {path} (ร่าง / draft)")
