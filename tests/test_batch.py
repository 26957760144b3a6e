"""mou batch: incremental rebuilds keyed by content, the change report, hand edits, failures, the lock, a killed
LibreOffice, interruption, and mou inspect. Runs that make PDFs go through the real LibreOffice."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline import __version__
from pipeline.library.clauses import PROJECT_ROOT, load_library
from pipeline.run.batch import BatchOptions, run_batch
from pipeline.run.key import agreement_key
from pipeline.run.manifest import MANIFEST_NAME, REPORT_NAME, locked
from pipeline.run.plan import clause_changes
from pipeline.run.report import display_width

from conftest import EXAMPLE_FILES
from conftest import mou_run as mou

GRANTS = {"elderly-database-grant", "elderly-database-grant-en"}
ALL = {f.stem for f in EXAMPLE_FILES}


def mou_process(*args, env=None, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {})},
        **kw,
    )


def manifest(out: Path) -> dict:
    return json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["agreements"]


def built(result) -> set:
    return {o.name for o in result.outcomes if o.status == "built"}


@pytest.fixture
def specs(tmp_path):
    folder = tmp_path / "specs"
    folder.mkdir()
    for f in EXAMPLE_FILES:
        shutil.copy(f, folder / f.name)
    return folder


@pytest.fixture
def library_copy(tmp_path):
    root = tmp_path / "library"
    shutil.copytree(PROJECT_ROOT / "clauses", root / "clauses")
    shutil.copytree(PROJECT_ROOT / "templates", root / "templates")
    return root


def edit_clause(root: Path, cid: str, bump: bool) -> tuple[int, int]:
    """The clause file edited, with its version number raised by one when `bump`: (version before, version after)."""
    path = root / "clauses" / f"{cid}.yaml"
    text = path.read_text(encoding="utf-8")
    old = int(re.search(r"^version: (\d+)", text, re.M).group(1))
    new = old + 1 if bump else old
    text = re.sub(r"^version: \d+", f"version: {new}", text, count=1, flags=re.M)
    path.write_text(text + "\n# amended by the legal office\n", encoding="utf-8")
    return old, new


# -- with PDFs, through the real LibreOffice ---------------------------------------------------------------------------


def test_cold_run_then_noop_then_inspect(specs, tmp_path):
    out = tmp_path / "out"
    first = mou("batch", specs, "--out", out, "-j", "2")
    assert first.returncode == 0, first.stdout + first.stderr
    for stem in ALL:
        reader = PdfReader(out / f"{stem}.pdf")
        assert len(reader.pages) >= 3 and reader.metadata["/MouSpecHash"] == manifest(out)[stem]["inputs"]["spec"]
    assert "new" in (first.stdout + first.stderr) and "5" in (first.stdout + first.stderr)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}

    second = mou("batch", specs, "--out", out, "-j", "2")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "unchanged" in (second.stdout + second.stderr)
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.suffix in (".docx", ".pdf")} == {
        k: v for k, v in stamps.items() if k.endswith((".docx", ".pdf"))
    }
    assert (out / REPORT_NAME).read_text(encoding="utf-8").count("unchanged") >= 1

    for suffix in ("docx", "pdf"):
        shown = mou("inspect", out / f"inclusive-care.{suffix}")
        assert shown.returncode == 0, shown.stdout + shown.stderr
        entry = manifest(out)["inclusive-care"]
        assert entry["inputs"]["spec"] in (shown.stdout + shown.stderr) and "performance" in (
            shown.stdout + shown.stderr
        )
        assert (
            f"annex_sla v{load_library().clauses['annex_sla'].version}" in (shown.stdout + shown.stderr)
            and "th/mou.docx@" in (shown.stdout + shown.stderr)
            and __version__ in (shown.stdout + shown.stderr)
        )
        assert entry["built_at"] in (shown.stdout + shown.stderr) and "as built" in (shown.stdout + shown.stderr)


def test_libreoffice_killed_during_run_is_restarted_and_each_keeps_to_its_core(specs, tmp_path):
    for n in range(1):  # five agreements more: the run is still going when LibreOffice is killed after the first
        for f in EXAMPLE_FILES:
            shutil.copy(f, specs / f"{f.stem}-{n}.yaml")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "out"
    two = set(sorted(os.sched_getaffinity(0))[:2])  # the run may use two cores: -j 2 is one worker per core
    proc = mou_process(
        "batch",
        specs,
        "--out",
        out,
        "-j",
        "2",
        env={"TMPDIR": str(tmp)},
        preexec_fn=lambda: os.sched_setaffinity(0, two),
    )
    killed, cores = [], {}

    def kill_one_soffice():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            if list(out.glob("*.pdf")):
                ours = []
                for pid in filter(str.isdigit, os.listdir("/proc")):
                    try:
                        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                        if b"soffice" in cmdline and str(tmp).encode() in cmdline:
                            cores[pid] = frozenset(os.sched_getaffinity(int(pid)))
                            ours.append(pid)
                    except OSError:
                        continue
                if len(cores) >= 2:  # both workers' LibreOffices seen: one is killed
                    os.kill(int(ours[0]), signal.SIGKILL)
                    killed.append(ours[0])
                    return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_soffice)
    killer.start()
    output, _ = proc.communicate(timeout=600)
    killer.join()
    assert killed, "no LibreOffice of this run was found to kill"
    assert proc.returncode == 0, output
    # each worker and the LibreOffice it started keep to a core of their own (placement.take_a_core)
    assert all(len(c) == 1 for c in cores.values()) and set().union(*cores.values()) == two, cores
    assert "LibreOffice restarts" in output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == len(list(specs.glob("*.yaml")))
    for pdf in pdfs:
        assert len(PdfReader(pdf).pages) >= 3
    assert not list(out.glob(".*.tmp"))


def watched_batch(specs: Path, out: Path, tmp: Path, kill_ahead: bool = False, cores: set | None = None):
    """`mou batch -j 2` with its LibreOffices watched: each one's parent and last CPU affinity; `kill_ahead`: the one
    the batch launched itself (render/office.launch_ahead) is killed as soon as it is seen."""
    proc = mou_process(
        "batch",
        specs,
        "--out",
        out,
        "-j",
        "2",
        env={"TMPDIR": str(tmp)},
        preexec_fn=(lambda: os.sched_setaffinity(0, cores)) if cores else None,
    )
    seen: dict[int, tuple[int, frozenset]] = {}

    def watch():
        while proc.poll() is None:
            for pid in map(int, filter(str.isdigit, os.listdir("/proc"))):
                try:
                    stat = Path(f"/proc/{pid}/stat").read_text()
                    if not stat.startswith(f"{pid} (soffice.bin)") or pid in seen and kill_ahead:
                        continue
                    parent = int(stat.rsplit(")", 1)[1].split()[1])
                    if str(tmp).encode() not in Path(f"/proc/{pid}/cmdline").read_bytes() or parent in seen:
                        continue  # another run's, or a process LibreOffice forked (its gpg helpers)
                    seen[pid] = (parent, frozenset(os.sched_getaffinity(pid)))
                    if kill_ahead and parent == proc.pid:
                        os.kill(pid, signal.SIGKILL)
                except (OSError, ValueError):
                    continue
            time.sleep(0.01)

    watcher = threading.Thread(target=watch)
    watcher.start()
    output, _ = proc.communicate(timeout=300)
    watcher.join()
    return proc, output, seen


def test_a_short_batch_converts_in_the_libreoffice_it_launched_while_planning(specs, tmp_path):
    """A run of a few agreements (no more than its workers) launches a LibreOffice before it plans, and its first
    worker adopts it instead of starting its own (context.start_early, office.launch_ahead): two agreements, two
    LibreOffices, one of them the batch's own child, each kept to a core with its worker. A wrong guess (a spec
    touched, not changed) kills it at the end; one killed before it answers is replaced by the worker's own. Nothing
    is left running, and no profile folder."""
    for f in specs.glob("*.yaml"):
        if f.stem not in ("child-protection-commissioning", "elderly-database-grant"):
            f.unlink()
    [first, second] = sorted(specs.glob("*.yaml"))
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    two = set(sorted(os.sched_getaffinity(0))[:2])
    proc, output, seen = watched_batch(specs, out, tmp, cores=two)
    assert proc.returncode == 0, output
    assert len(seen) == 2 and [parent for parent, _ in seen.values()].count(proc.pid) == 1, (proc.pid, seen)
    if len(two) == 2:  # one worker per core: each LibreOffice on its worker's core, the adopted one too
        assert sorted(len(c) for _, c in seen.values()) == [1, 1] and set().union(*(c for _, c in seen.values())) == two
    assert len(list(out.glob("*.pdf"))) == 2
    assert not {pid for pid in seen if Path(f"/proc/{pid}").exists()} and not list(tmp.glob("mou-lo-*"))

    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*.pdf")}
    os.utime(first)  # newer than the manifest, the same content: launched ahead, nothing built
    proc, output, seen = watched_batch(specs, out, tmp)
    assert proc.returncode == 0 and {p: p.stat().st_mtime_ns for p in out.glob("*.pdf")} == stamps, output
    assert [parent for parent, _ in seen.values()] == [proc.pid], seen
    assert not {pid for pid in seen if Path(f"/proc/{pid}").exists()} and not list(tmp.glob("mou-lo-*"))

    second.write_text(second.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: ฉบับแก้ไข ", 1), encoding="utf-8")
    proc, output, seen = watched_batch(specs, out, tmp, kill_ahead=True)
    assert proc.returncode == 0, output
    assert sorted(parent == proc.pid for parent, _ in seen.values()) == [False, True], seen  # killed, replaced
    assert "ฉบับแก้ไข" in pdftext_of(out / f"{second.stem}.pdf")
    assert not {pid for pid in seen if Path(f"/proc/{pid}").exists()} and not list(tmp.glob("mou-lo-*"))


def pdftext_of(pdf: Path) -> str:
    from pipeline.render.pdftext import pdf_text

    return pdf_text(pdf)


# -- the incremental logic (DOCX only, so the run is quick; the decisions do not depend on the PDF) ---------------------


def test_one_spec_edited_rebuilds_exactly_that_one(specs, tmp_path):
    out = tmp_path / "out"
    assert built(run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))) == ALL
    before = {p.name: p.read_bytes() for p in out.glob("*.docx")}
    spec = specs / "inclusive-care.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("นายพยาน หนึ่ง", "นายพยาน หนึ่งเดียว"), encoding="utf-8")
    again = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    assert built(again) == {"inclusive-care"}
    assert [o.reasons for o in again.outcomes if o.status == "built"] == [[("ข้อกำหนดเปลี่ยน", "spec changed")]]
    after = {p.name: p.read_bytes() for p in out.glob("*.docx")}
    assert [n for n in after if after.get(n) != before.get(n)] == ["inclusive-care.docx", "inclusive-care.redline.docx"]
    assert [o.redline for o in again.outcomes if o.status == "built"] == ["inclusive-care.redline.docx"]


def test_identical_inputs_give_byte_identical_docx(specs, tmp_path):
    run_batch(specs, tmp_path / "a", options=BatchOptions(pdf=False, jobs=2))
    run_batch(specs, tmp_path / "b", options=BatchOptions(pdf=False, jobs=1, force=True))
    for stem in ALL:
        assert (tmp_path / "a" / f"{stem}.docx").read_bytes() == (tmp_path / "b" / f"{stem}.docx").read_bytes()
    assert manifest(tmp_path / "a")["inclusive-care"]["key"] == manifest(tmp_path / "b")["inclusive-care"]["key"]


def test_clause_edit_rebuilds_exactly_its_users_and_names_versions(specs, tmp_path, library_copy):
    out = tmp_path / "out"
    run_batch(specs, out, library_copy, options=BatchOptions(pdf=False, jobs=1))
    v, w = edit_clause(library_copy, "grant_refund", bump=True)
    result = mou("batch", specs, "--out", out, "--library", library_copy, "--no-pdf", "-j", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    entries = manifest(out)
    assert {n for n in ALL if entries[n]["clauses"].get("grant_refund", {}).get("version") == w} == GRANTS
    report = (out / REPORT_NAME).read_text(encoding="utf-8")
    assert f"grant_refund v{v} → v{w}: 2 — elderly-database-grant, elderly-database-grant-en" in report
    assert (
        "สร้างใหม่ / built (2)" in report
        and f"elderly-database-grant: ข้อสัญญา / clause grant_refund v{v} → v{w}" in report
    )
    rebuilt = run_batch(specs, out, library_copy, options=BatchOptions(pdf=False, jobs=1))
    assert built(rebuilt) == set()

    edit_clause(library_copy, "grant_refund", bump=False)  # same version number: said so
    again = run_batch(specs, out, library_copy, options=BatchOptions(pdf=False, jobs=1))
    assert built(again) == GRANTS
    assert any(
        f"grant_refund v{w}" in en and "without a new version number" in en
        for o in again.outcomes
        for _, en in o.reasons
    )


def test_editing_a_clause_nobody_uses_rebuilds_nothing(specs, tmp_path, library_copy):
    out = tmp_path / "out"
    run_batch(specs, out, library_copy, options=BatchOptions(pdf=False, jobs=1))
    edit_clause(library_copy, "confidentiality", bump=True)  # optional, off unless a spec includes it
    assert built(run_batch(specs, out, library_copy, options=BatchOptions(pdf=False, jobs=1))) == set()


def test_template_change_rebuilds_only_that_language(specs, tmp_path, library_copy):
    out = tmp_path / "out"
    run_batch(specs, out, library_copy, options=BatchOptions(pdf=False, jobs=1))
    template = library_copy / "templates" / "en" / "mou.docx"
    template.write_bytes(template.read_bytes() + b"\0")  # a zip still opens with trailing bytes
    result = run_batch(specs, out, library_copy, options=BatchOptions(pdf=False, jobs=1))
    assert built(result) == {"elderly-database-grant-en"}
    assert result.outcomes[[o.name for o in result.outcomes].index("elderly-database-grant-en")].reasons == [
        ("แม่แบบ templates/en/mou.docx เปลี่ยน", "template templates/en/mou.docx changed")
    ]


def test_bad_spec_among_good_ones(specs, tmp_path):
    (specs / "broken.yaml").write_text("spec_version: 1\nmodel: perfomance\n", encoding="utf-8")
    out = tmp_path / "out"
    result = mou("batch", specs, "--out", out, "--no-pdf", "-j", "2")
    assert result.returncode == 1
    assert "broken" in (result.stdout + result.stderr) and f"{specs / 'broken.yaml'}:2: model" in (
        result.stdout + result.stderr
    )
    assert "Traceback" not in (result.stdout + result.stderr)
    assert {p.stem for p in out.glob("*.docx")} == ALL
    assert "broken" not in manifest(out)


def test_hand_edited_output_is_kept_unless_forced(specs, tmp_path):
    out = tmp_path / "out"
    run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    docx = out / "inclusive-care.docx"
    docx.write_bytes(docx.read_bytes() + b"hand edit")
    edited = docx.read_bytes()
    noop = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    assert not noop.failed and "edited by hand" in (out / REPORT_NAME).read_text(encoding="utf-8")

    spec = specs / "inclusive-care.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("นายพยาน หนึ่ง", "นายพยาน หนึ่งเดียว"), encoding="utf-8")
    result = mou("batch", specs, "--out", out, "--no-pdf", "-j", "1")
    assert result.returncode == 1 and docx.read_bytes() == edited
    assert (
        "inclusive-care.docx" in (result.stdout + result.stderr)
        and "--force" in (result.stdout + result.stderr)
        and "spec changed" in (result.stdout + result.stderr)
    )
    forced = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1, force=True))
    assert built(forced) == ALL and docx.read_bytes() != edited


def test_files_not_made_by_mou_are_not_overwritten(specs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "inclusive-care.docx").write_bytes(b"someone else's document")
    result = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    assert {o.name: o.status for o in result.outcomes}["inclusive-care"] == "kept"
    assert (out / "inclusive-care.docx").read_bytes() == b"someone else's document"


def test_deleted_spec_is_reported_then_pruned(specs, tmp_path):
    out = tmp_path / "out"
    run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    (specs / "inclusive-care.yaml").unlink()
    result = mou("batch", specs, "--out", out, "--no-pdf")
    assert result.returncode == 0
    assert "spec deleted" in (result.stdout + result.stderr) and "inclusive-care.docx" in (
        result.stdout + result.stderr
    )
    assert (out / "inclusive-care.docx").exists()
    pruned = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1, prune=True))
    assert {o.name: o.status for o in pruned.outcomes}["inclusive-care"] == "pruned"
    assert not (out / "inclusive-care.docx").exists() and "inclusive-care" not in manifest(out)


def test_missing_output_is_rebuilt(specs, tmp_path):
    out = tmp_path / "out"
    run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    (out / "elderly-database-grant.docx").unlink()
    result = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    assert built(result) == {"elderly-database-grant"}
    assert (out / "elderly-database-grant.docx").exists()


def test_unreadable_manifest_rebuilds_everything_with_a_warning(specs, tmp_path):
    out = tmp_path / "out"
    run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    (out / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    result = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    assert built(result) == ALL and result.warnings and not result.failed


def test_second_batch_on_the_same_folder_is_refused(specs, tmp_path):
    out = tmp_path / "out"
    with locked(out):
        result = mou("batch", specs, "--out", out, "--no-pdf")
    assert result.returncode == 1
    assert "another mou batch is writing to" in (result.stdout + result.stderr) and f"pid {os.getpid()}" in (
        result.stdout + result.stderr
    )
    assert "Traceback" not in (result.stdout + result.stderr)
    assert mou("batch", specs, "--out", out, "--no-pdf").returncode == 0  # released


def test_interrupted_run_leaves_no_half_written_file(specs, tmp_path):
    for n in range(2):  # 15 agreements: at most 2 x 2 in flight when the stop comes after 3
        for f in EXAMPLE_FILES:
            shutil.copy(f, specs / f"{f.stem}-{n}.yaml")
    total = len(list(specs.glob("*.yaml")))
    out = tmp_path / "out"
    proc = mou_process("batch", specs, "--out", out, "-j", "2")
    deadline = time.monotonic() + 120
    while len(list(out.glob("*.pdf"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=120)
    assert proc.returncode == 130, output
    assert "interrupted: the agreements finished are recorded" in output and "Traceback" not in output
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    recorded = manifest(out)
    pdfs = list(out.glob("*.pdf"))
    assert 3 <= len(pdfs) < total and set(recorded) == {p.stem for p in pdfs}  # what was written was recorded
    assert {p.stem for p in out.glob("*.docx")} == set(recorded)
    for pdf in pdfs:
        assert len(PdfReader(pdf).pages) >= 3  # every one opens
    resumed = run_batch(specs, out, options=BatchOptions(pdf=False, jobs=2))
    assert built(resumed) == {f.stem for f in specs.glob("*.yaml")} - set(recorded)


def test_inspect_refuses_a_file_mou_did_not_make(tmp_path):
    from docx import Document

    path = tmp_path / "other.docx"
    Document().save(path)
    result = mou("inspect", path)
    assert (
        result.returncode == 1
        and "not made by mou" in (result.stdout + result.stderr)
        and "Traceback" not in (result.stdout + result.stderr)
    )
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf")
    assert mou("inspect", junk).returncode == 1


# -- pure helpers ---------------------------------------------------------------------------------------------------------


def test_clause_changes_words():
    before = {
        "a": {"version": 1, "sha256": "x"},
        "b": {"version": 3, "sha256": "y"},
        "c": {"version": 1, "sha256": "z"},
    }
    after = {
        "a": {"version": 2, "sha256": "x2"},
        "b": {"version": 3, "sha256": "y2"},
        "d": {"version": 1, "sha256": "w"},
    }
    changes = clause_changes(before, after)
    assert changes[0] == "a v1 → v2" and changes[1].startswith("b v3 ") and "without a new version" in changes[1]
    assert changes[2:] == ["c v1 removed", "d v1 added"]


def test_key_ignores_unused_candidates_but_not_used_clauses():
    inputs = {"spec": "s", "template": "t", "settings": "x", "library": "l", "pipeline": "0", "candidates": "c1"}
    clauses = {"a": {"version": 1, "sha256": "h"}}
    assert agreement_key(inputs, clauses) == agreement_key({**inputs, "candidates": "c2"}, clauses)
    assert agreement_key(inputs, clauses) != agreement_key(inputs, {"a": {"version": 1, "sha256": "h2"}})
    assert agreement_key(inputs, clauses) != agreement_key({**inputs, "template": "t2"}, clauses)


def test_display_width_ignores_thai_marks():
    assert display_width("ไม่เปลี่ยน") == 7 and display_width("built") == 5


def test_which_files_are_specs(specs, tmp_path):
    from pipeline.run.plan import find_specs

    (specs / "region").mkdir()
    shutil.copy(EXAMPLE_FILES[0], specs / "region" / "north.yml")
    (specs / ".hidden").mkdir()
    shutil.copy(EXAMPLE_FILES[0], specs / ".hidden" / "x.yaml")
    shutil.copy(EXAMPLE_FILES[0], specs / "agreement.answers.yaml")
    (specs / "out").mkdir()
    shutil.copy(EXAMPLE_FILES[0], specs / "out" / "copy.yaml")
    names = [name for name, _ in find_specs(specs, specs / "out")]
    assert sorted(names) == sorted(ALL | {"region/north"})
    assert "out/copy" in [name for name, _ in find_specs(specs, specs)]  # specs and outputs in one folder


def test_a_settings_change_rebuilds_all_and_says_so(specs, tmp_path):
    from decimal import Decimal

    from pipeline.spec.settings import Settings

    out = tmp_path / "out"
    run_batch(specs, out, options=BatchOptions(pdf=False, jobs=1))
    result = run_batch(
        specs, out, settings=Settings(sla_threshold=Decimal("50000")), options=BatchOptions(pdf=False, jobs=1)
    )
    assert built(result) == ALL
    assert all(("การตั้งค่าเปลี่ยน", "settings changed") in o.reasons for o in result.outcomes)


def test_a_change_to_the_code_that_renders_rebuilds_all_and_a_front_end_change_nothing(specs, tmp_path):
    """In a copy of the project: the rebuild key holds a fingerprint of the code (and fonts) that shape the documents,
    not the package version nobody bumps."""
    import shutil

    copy = tmp_path / "project"
    for part in ("pipeline", "clauses", "templates"):
        shutil.copytree(PROJECT_ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"

    def batch_in_copy():
        done = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "batch", str(specs), "--out", str(out), "--no-pdf"],
            capture_output=True,
            text=True,
            cwd=copy,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    batch_in_copy()
    with open(copy / "pipeline" / "cli" / "commands.py", "a", encoding="utf-8") as f:
        f.write("\n# a front end changed\n")
    assert re.search(r"built +0\n", batch_in_copy())  # nothing rebuilt
    with open(copy / "pipeline" / "render" / "thai.py", "a", encoding="utf-8") as f:
        f.write("\n# the Thai formatting changed\n")
    report = batch_in_copy()
    assert report.count("the renderer changed") >= len(ALL), report


def test_output_folder_that_cannot_be_written_is_one_clear_error(specs, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x", encoding="utf-8")
    result = mou("batch", specs, "--out", not_a_folder / "out", "--no-pdf")
    assert result.returncode == 1 and "cannot write to the output folder" in (result.stdout + result.stderr)
    assert "Traceback" not in (result.stdout + result.stderr)


def test_a_new_row_of_the_sections_table_rebuilds_only_the_agreements_of_its_model(tmp_path):
    """A section (and its clause) for commissioning only: the commissioning agreement is rebuilt, the performance and
    grant agreements are not (their documents do not change); a no-op rebuilds nothing."""
    from conftest import first_batch

    names = ("child-protection-commissioning", "inclusive-care", "elderly-database-grant")
    lib, specs, out = first_batch(tmp_path, names)

    def rerun():
        done = subprocess.run(
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
            cwd=PROJECT_ROOT,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return {
            k: v["key"] for k, v in json.loads((out / "mou-manifest.json").read_text())["agreements"].items()
        }, done.stdout

    before, _ = rerun()  # a no-op
    table = lib / "clauses" / "_sections.yaml"
    text = table.read_text(encoding="utf-8")
    row = (
        "  - {id: knowledge, part: body, th: การจัดการความรู้, en: Knowledge management,\n"
        "     models: {commissioning: required}}\n"
    )
    at = text.index("  - {id: term,")
    table.write_text(text[:at] + row + text[at:], encoding="utf-8")
    (lib / "clauses" / "knowledge.yaml").write_text(
        "id: knowledge\nversion: 1\nsection: knowledge\norder: 10\ntitle: {th: การจัดการความรู้, en: Knowledge}\n"
        "models: [commissioning]\nrequired: true\ntext:\n  th: คู่ภาคีจะถอดบทเรียนร่วมกัน\n  en: The parties draw lessons together.\n",
        encoding="utf-8",
    )
    after, report = rerun()
    changed = {name for name in names if after[name] != before[name]}
    assert changed == {"child-protection-commissioning"}, report
    assert "_sections.yaml" in report


def test_the_fork_server_preloads_modules_that_exist_and_starts_early_only_when_a_build_is_likely(tmp_path):
    """The fork server imports context.PRELOAD and silently skips a name that does not import (one did, after a
    rename): each must exist. `mou batch` starts it before planning when something is newer than the last run's
    manifest (a spec, a clause, a template) or there is no manifest; a no-op rerun starts none. What it counts decides
    whether a LibreOffice is launched ahead too: a few specs changed, not a clause that rebuilds them all."""
    import importlib.util

    from pipeline.run.context import MANIFEST, PRELOAD, _to_build

    assert MANIFEST == MANIFEST_NAME
    assert PRELOAD[0] == "pipeline.run.forkserver_end"
    assert all(importlib.util.find_spec(name) is not None for name in PRELOAD)

    specs, out, library = tmp_path / "specs", tmp_path / "out", tmp_path / "library"
    for folder in (specs, out, library / "clauses", library / "templates"):
        folder.mkdir(parents=True)
    spec, other, clause = specs / "a.yaml", specs / "b.yaml", library / "clauses" / "c.yaml"
    for path in (spec, other, clause):
        path.write_text("x", encoding="utf-8")
    assert _to_build(specs, out, library) == 2  # never built: every spec
    manifest = out / MANIFEST_NAME
    manifest.write_text("{}", encoding="utf-8")
    now = time.time()
    for path, when in ((spec, now - 100), (other, now - 100), (clause, now - 100), (manifest, now - 50)):
        os.utime(path, (when, when))
    assert _to_build(specs, out, library) == 0
    os.utime(clause, (now, now))
    assert _to_build(specs, out, library) is None  # a clause: all of them
    os.utime(clause, (now - 100, now - 100))
    os.utime(spec, (now, now))
    assert _to_build(specs, out, library) == 1


def test_a_batch_pins_its_workers_only_with_one_per_core():
    """placement.pinned: a counter (each worker takes the next core) only for a pool of one worker per allowed core, two at
    least; fewer workers than cores, or more, are left to the scheduler (the server's pool is never pinned)."""
    import multiprocessing

    from pipeline.run.placement import pinned

    context = multiprocessing.get_context("spawn")
    allowed = len(os.sched_getaffinity(0))
    assert pinned(1, context) is None and pinned(allowed + 1, context) is None
    if allowed >= 2:
        assert pinned(allowed, context) is not None and pinned(allowed - 1, context) is None
