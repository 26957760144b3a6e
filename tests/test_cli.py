import shutil

from click.testing import CliRunner

from pipeline.cli.commands import cli
from pipeline.library.clauses import PROJECT_ROOT

from conftest import EXAMPLES


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_bad_spec_exit_1_every_problem_nothing_written(write_spec, tmp_path):
    text = (EXAMPLES / "inclusive-care.yaml").read_text(encoding="utf-8")
    spec = write_spec(
        text.replace("model: performance", "model: perfomance").replace("copies: 2", "copies: 2\nextra_key: 1")
    )
    out = tmp_path / "out"
    result = run("build", spec, "--out", out, "--no-pdf")
    assert result.exit_code == 1
    assert f"{spec}:" in result.output and "model" in result.output and "extra_key" in result.output
    assert "ไม่รู้จักคีย์" in result.output and "unknown key" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_rule_failure_leaves_nothing(write_spec, tmp_path):
    text = (EXAMPLES / "inclusive-care.yaml").read_text(encoding="utf-8").replace("percent: 20", "percent: 10")
    out = tmp_path / "out"
    result = run("build", write_spec(text), "--out", out)
    assert result.exit_code == 1 and "100" in result.output
    assert not out.exists() or list(out.iterdir()) == []


def test_usage_errors_exit_2(tmp_path):
    assert run("build", EXAMPLES / "inclusive-care.yaml").exit_code == 2
    assert run("build", tmp_path / "nope.yaml", "--out", tmp_path).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_binary_and_empty_files(tmp_path):
    for name, data in (("bin.yaml", b"\x89PNG\x00\x00"), ("empty.yaml", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        result = run("validate", path)
        assert result.exit_code == 1 and "Traceback" not in result.output and str(path) in result.output


def test_build_no_pdf_and_validate_spec(tmp_path):
    result = run("build", EXAMPLES / "elderly-database-grant.yaml", "--out", tmp_path, "--no-pdf")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elderly-database-grant.docx"]
    assert run("validate", EXAMPLES / "elderly-database-grant.yaml").exit_code == 0


def test_clauses_listing():
    result = run("clauses")
    assert result.exit_code == 0
    for cid in ("parties", "instalments", "annex_sla", "joint_secretariat", "grant_refund"):
        assert cid in result.output
    assert "required" in result.output and "on request" in result.output


def test_own_library(tmp_path):
    lib = tmp_path / "agency"
    shutil.copytree(PROJECT_ROOT / "clauses", lib / "clauses")
    shutil.copytree(PROJECT_ROOT / "templates", lib / "templates")
    path = lib / "clauses" / "disputes.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("เจรจาหารือกันโดยสุจริต", "เจรจาหารือกันโดยสุจริตตามแนวทางของกรม"),
        encoding="utf-8",
    )
    result = run("build", EXAMPLES / "inclusive-care.yaml", "--out", tmp_path / "o", "--no-pdf", "--library", lib)
    assert result.exit_code == 0, result.output
    from docx import Document

    text = "\n".join(p.text for p in Document(str(tmp_path / "o" / "inclusive-care.docx")).paragraphs)
    assert "ตามแนวทางของกรม" in text


def test_a_command_ends_without_tearing_down_python_and_keeps_its_status(tmp_path):
    """`mou` ends once its command is done (quick_exit): the exit functions still run and the output is all there,
    with the command's own status (1 for a bad spec, 2 for a usage error, 0 after --help); with another thread still
    running it ends the normal way, which waits for that thread."""
    import subprocess
    import sys

    mou = [sys.executable, "-m", "pipeline.cli"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: nothing\n", encoding="utf-8")
    result = subprocess.run([*mou, "validate", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1 and "model" in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert subprocess.run([*mou, "frobnicate"], capture_output=True).returncode == 2
    helped = subprocess.run([*mou, "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and helped.stdout.startswith("Usage: mou")

    script = (
        "import atexit, sys, threading, time\n"
        "from pipeline.cli.ending import quick_exit\n"
        "atexit.register(lambda: print('exit function ran', flush=True))\n"
        "if sys.argv[1] == 'thread':\n"
        "    threading.Thread(target=lambda: (time.sleep(0.5), print('thread done'))).start()\n"
        "print('output', end=' ')\n"
        "quick_exit(3)\n"
        "sys.exit(4)\n"
    )
    alone = subprocess.run([sys.executable, "-c", script, "alone"], capture_output=True, text=True)
    assert alone.returncode == 3 and alone.stdout == "output exit function ran\n"
    waited = subprocess.run([sys.executable, "-c", script, "thread"], capture_output=True, text=True)
    assert waited.returncode == 4 and "thread done" in waited.stdout and "exit function ran" in waited.stdout
