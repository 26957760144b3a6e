"""Shared fixtures: the examples, a spec factory for bad specs, and one real LibreOffice for the session."""

from __future__ import annotations

import copy
import datetime as dt
import subprocess
import traceback
from pathlib import Path

import pytest
import yaml

from pipeline.library.clauses import load_library
from pipeline.questionnaire.answers import plain_data as _plain
from pipeline.render.pdf import Converter
from pipeline.spec.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "examples"
EXAMPLES = SHARED if SHARED.is_dir() else ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="session")
def library():
    return load_library()


@pytest.fixture(scope="session")
def settings():
    return Settings()


@pytest.fixture
def example_data():
    """A fresh dict of an example spec by file stem, to mutate into a bad one."""
    cache = {f.stem: yaml.safe_load(f.read_text(encoding="utf-8")) for f in EXAMPLE_FILES}
    return lambda stem: copy.deepcopy(cache[stem])


@pytest.fixture
def write_spec(tmp_path):
    def write(data, name="spec.yaml") -> Path:
        path = tmp_path / name
        text = data if isinstance(data, str) else yaml.safe_dump(_plain(data), allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def converter():
    with Converter(timeout=120) as conv:
        yield conv


@pytest.fixture(scope="session")
def built_examples(tmp_path_factory, library, settings, converter):
    """Every shared example built to DOCX and PDF through the real LibreOffice, once per session."""
    from pipeline.api import build

    out = tmp_path_factory.mktemp("examples")
    return {f.stem: build(f, out, library, settings, converter) for f in EXAMPLE_FILES}


def mou_run(*args, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    """`mou ARGS` in this process, as the finished process would report it (exit code, stdout, stderr): the same click
    command `python -m pipeline.cli` runs, without half a second of a new Python importing the pipeline. An exception
    that escapes the command is a traceback on stderr and exit 1, as Python would make it."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    result = CliRunner().invoke(cli, [str(a) for a in args], input=input, env=env, catch_exceptions=True)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
        code = 1
    return subprocess.CompletedProcess(["mou", *map(str, args)], code, result.stdout, stderr)


def be_date(d: dt.date) -> str:
    from pipeline.render.thai import date, thai_digits

    return thai_digits(date(d, "th"))


@pytest.fixture(scope="session")
def shared_pool():
    """One warm pool (a worker and its LibreOffice) for the session's servers in this process (`server`): a server's
    previews and finals are queued by its own app; the workers only build."""
    from pipeline.run.pool import WarmPool
    from pipeline.spec.settings import Settings

    pool = WarmPool(1, None, Settings())
    pool.warm(wait=False)
    yield pool
    pool.close()


@pytest.fixture
def server(tmp_path, shared_pool):
    """`mou serve`'s app and server over an empty workspace of this test's own, on a thread of this process."""
    from browser import LocalServer

    with LocalServer(tmp_path / "workspace", shared_pool) as srv:
        yield srv


@pytest.fixture(scope="session")
def chromium_session():
    """One Chromium for the session (each test gets it fresh: `browser`); starting one costs a second of CPU."""
    from browser import chromium

    driver = chromium()
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium_session, tmp_path, request):
    """Debian's Chromium through Selenium, without anything an earlier test left; the test's screenshots in its
    folder (copied under $MOU_SCREENSHOTS if set), and one of the page a failing test ended on."""
    import os
    import shutil

    from browser import fresh, shot

    driver = fresh(chromium_session, tmp_path / "screenshots")
    yield driver
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        shot(driver, "failure", always=True)
        print(f"\nscreenshots: {driver.shots}")
    keep = os.environ.get("MOU_SCREENSHOTS")
    if keep:
        shutil.copytree(driver.shots, Path(keep) / request.node.name, dirs_exist_ok=True)


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each test's outcome on its node (rep_setup, rep_call), so a fixture can keep screenshots of a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def first_batch(tmp_path: Path, names: tuple[str, ...]) -> tuple[Path, Path, Path]:
    """A copy of the library, a specs folder with these examples, and a first `mou batch --no-pdf` of them into out/
    (a real process): (library, specs, out)."""
    import shutil
    import subprocess
    import sys

    lib, specs, out = tmp_path / "lib", tmp_path / "specs", tmp_path / "out"
    shutil.copytree(ROOT / "clauses", lib / "clauses")
    shutil.copytree(ROOT / "templates", lib / "templates")
    specs.mkdir()
    for name in names:
        shutil.copy(EXAMPLES / f"{name}.yaml", specs / f"{name}.yaml")
    first = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "batch",
            str(specs),
            "--out",
            str(out),
            "--no-pdf",
            "--library",
            str(lib),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert first.returncode == 0, first.stdout + first.stderr
    return lib, specs, out


def assert_official_and_searchable(pdf: Path) -> None:
    """TH Sarabun New alone, embedded, and a search finds the document's Thai words (SPEC §4: every PDF the project
    writes, the SLA of year N and the amendment as much as the agreement)."""
    import subprocess

    from pipeline.render import pdftext

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(f.split()[0].split("+")[-1] == "THSarabunNew" and " yes " in f for f in fonts), fonts
    found = pdftext.search_share(pdf.with_suffix(".docx"), pdf)
    assert found.share >= 0.995, (found.found, found.words, found.missing[:10])


# `make check` runs every test but these: the ones that convert through LibreOffice, drive Chromium or run whole
# batches, faults, logins (slowed down on purpose) and the fuzzing (a fixture that starts LibreOffice, or a module
# whose tests build PDFs or serve pages in subprocesses).
SLOW_FIXTURES = {"converter", "built_examples", "server", "browser"}
SLOW_MODULES = {
    "test_e2e",
    "test_layout",
    "test_web",
    "test_faults",
    "test_batch",
    "test_redline",
    "test_sla",
    "test_amend",
    "test_signed",
    "test_pdf",
    "test_interview",
    "test_cli",
    "test_hardening",
    "test_fuzz",
    "test_users",
    "test_forgeries",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


# -- helpers more than one test module reads (a test module never imports another) ---------------------------------


def problems(path, library, settings=None):
    """The problems a spec is refused with, by field (several on one field joined), each checked to name its file
    and line and to say it in Thai and English."""
    from pipeline.documents.check import load_spec
    from pipeline.errors import SpecError

    with pytest.raises(SpecError) as err:
        load_spec(path, settings or Settings(), library)
    for p in err.value.problems:
        assert p.file == str(path) and p.line and p.line > 0
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in p.th), p  # a Thai sentence
        assert p.en.isascii() or "'" in p.en
    found = {}
    for p in err.value.problems:  # several problems on one field: their sentences joined, and the rules that found them
        prev = found.get(p.field)
        found[p.field] = (
            p
            if prev is None
            else type(p)(
                p.file, p.line, p.field, prev.th + " | " + p.th, prev.en + " | " + p.en, f"{prev.rule} | {p.rule}"
            )
        )
    return found


def five_years(signed=True) -> dict:
    """universal-design-nonthaburi over five years, with the SLAs of years 2 to 5, signed unless asked not to be."""
    data = yaml.safe_load((EXAMPLES / "universal-design-nonthaburi.yaml").read_text(encoding="utf-8"))
    data["term"]["end"] = dt.date(2029, 6, 30)
    renewals = []
    for year in range(2, 6):
        sla = copy.deepcopy(data["sla"])
        sla["start"], sla["end"] = dt.date(2023 + year, 7, 1), dt.date(2024 + year, 6, 30)
        sla["services"][0]["standard"] = f"สำรวจภายใน {16 - year} วันทำการนับแต่วันรับคำขอ"
        if year == 2:  # a renewal signed on its own day and place (SPEC §1); the others leave them to be written in
            sla["signing"] = {"place": "ศาลาว่าการเทศบาลนครนนทบุรี", "date": dt.date(2025, 6, 20)}
        renewals.append(sla)
    data["sla_renewals"] = renewals
    if signed:
        data["signed"] = {"date": dt.date(2024, 6, 10)}  # the day the agreement says it was made
    return data
