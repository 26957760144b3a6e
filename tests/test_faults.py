"""Issue 9, faults: a full or read-only disk, a killed or stopped batch, a worker that dies, a batch's folder, a
read-only home. Real processes, a real LibreOffice, a real small disk (a tmpfs in a private mount namespace)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.library.clauses import PROJECT_ROOT

from conftest import EXAMPLE_FILES, EXAMPLES, mou_run

MOU = [sys.executable, "-m", "pipeline.cli"]
CARE = EXAMPLES / "inclusive-care.yaml"


def no_traceback(result) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*.tmp"))


# -- a small disk --------------------------------------------------------------------------------------------------


def _unshare() -> list[str]:
    """A private mount namespace: as any user where user namespaces are allowed, else as root. In a chroot (the
    Debian 13 check) both fail: the kernel refuses a user namespace to a chrooted process, and unshare cannot make "/"
    private because the chroot's root is not a mount point (EINVAL). There, as root, a namespace that keeps its
    propagation is private all the same when no mount is shared, which /proc/self/mountinfo tells."""
    candidates = [["unshare", "-rm"], ["unshare", "-m"]]
    if "shared:" not in Path("/proc/self/mountinfo").read_text():
        candidates.append(["unshare", "-m", "--propagation", "unchanged"])
    for command in candidates:
        if subprocess.run(command + ["true"], capture_output=True).returncode == 0:
            return command
    raise AssertionError("this machine allows no private mount namespace (unshare -rm or, as root, unshare -m)")


def on_small_disk(
    folder: Path, size: str, *commands: list, readonly: bool = False
) -> list[subprocess.CompletedProcess]:
    """Run mou commands one after another with `folder` a tmpfs of `size` (a private mount namespace: nothing to
    unmount, nothing left mounted if the test dies). Each command's stdout/stderr/exit come back separately."""
    folder.mkdir(parents=True, exist_ok=True)
    script = [f"mount -t tmpfs -o size={size}{',ro' if readonly else ''} mou-test {folder}"]
    for n, command in enumerate(commands):
        quoted = " ".join(f"'{c}'" for c in MOU + [str(c) for c in command])
        script.append(
            f"cd '{PROJECT_ROOT}' && {quoted} >'{folder.parent}/out{n}' 2>'{folder.parent}/err{n}'; "
            f"echo $? >'{folder.parent}/rc{n}'"
        )
    script.append(f"ls -A1R '{folder}' >'{folder.parent}/listing'; du -sb '{folder}' >>'{folder.parent}/listing'")
    done = subprocess.run(_unshare() + ["sh", "-c", " ; ".join(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [
        subprocess.CompletedProcess(
            c,
            int((folder.parent / f"rc{n}").read_text()),
            (folder.parent / f"out{n}").read_text(),
            (folder.parent / f"err{n}").read_text(),
        )
        for n, c in enumerate(commands)
    ]


def test_disk_full_build_is_a_message_and_leaves_nothing(tmp_path):
    out = tmp_path / "disk"
    [result] = on_small_disk(out, "24k", ["build", CARE, "--out", out, "--no-pdf"])
    assert result.returncode == 1, result.stderr
    no_traceback(result)
    assert "the disk is full" in result.stderr and "ดิสก์เต็ม" in result.stderr
    assert "inclusive-care.docx" in result.stderr  # what could not be written
    listing = (tmp_path / "listing").read_text()
    assert ".tmp" not in listing and "inclusive-care.docx" not in listing, listing


def test_disk_full_keeps_the_previous_good_output(tmp_path):
    """The first build fits; a filler then takes what is left; the rebuild (with a PDF, larger) fails cleanly and the
    DOCX of the first build is still there, whole."""
    out = tmp_path / "disk"
    results = on_small_disk(
        out,
        "400k",
        ["build", CARE, "--out", out, "--no-pdf"],
        ["validate", out / "inclusive-care.docx"],
    )
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    # the same again, with the disk filled up between the two builds
    script_out = tmp_path / "disk2"
    script_out.mkdir()
    quoted = lambda *c: " ".join(f"'{x}'" for x in MOU + [str(a) for a in c])  # noqa: E731
    script = (
        f"mount -t tmpfs -o size=400k mou-test '{script_out}' && cd '{PROJECT_ROOT}' && "
        f"{quoted('build', CARE, '--out', script_out, '--no-pdf')} >/dev/null && "
        f"sha256sum '{script_out}/inclusive-care.docx' >'{tmp_path}/before' && "
        f"(head -c 10000000 /dev/zero >'{script_out}/filler' 2>/dev/null; true) && "
        f"{quoted('build', CARE, '--out', script_out)} >'{tmp_path}/o' 2>'{tmp_path}/e'; echo $? >'{tmp_path}/rc'; "
        f"rm -f '{script_out}/filler'; sha256sum '{script_out}/inclusive-care.docx' >'{tmp_path}/after'; "
        f"ls -A1 '{script_out}' >'{tmp_path}/ls'"
    )
    done = subprocess.run(_unshare() + ["sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    err = (tmp_path / "e").read_text()
    assert (tmp_path / "rc").read_text().strip() == "1", err
    assert "Traceback" not in err and "the disk is full" in err
    assert (tmp_path / "before").read_text().split()[0] == (tmp_path / "after").read_text().split()[0]
    assert (tmp_path / "ls").read_text().split() == ["inclusive-care.docx"]


def test_read_only_folder(tmp_path):
    out = tmp_path / "ro"
    [build, interview] = on_small_disk(
        out,
        "1m",
        ["build", CARE, "--out", out / "sub", "--no-pdf"],
        ["interview", "--answers", CARE, "--no-input", "--out", out, "--no-pdf"],
        readonly=True,
    )
    for result in (build, interview):
        assert result.returncode == 1, result.stderr
        no_traceback(result)
        assert "read-only" in result.stderr or "no permission" in result.stderr, result.stderr


def test_disk_full_batch_reports_and_the_next_run_cleans_up(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    for f in EXAMPLE_FILES:
        shutil.copy(f, specs / f.name)
    out = tmp_path / "disk"
    first, second = on_small_disk(
        out,
        "150k",
        ["batch", specs, "--out", out, "--no-pdf", "-j", "2"],
        ["batch", specs, "--out", out, "--no-pdf", "-j", "2"],
    )
    for result in (first, second):
        assert result.returncode == 1, result.stderr
        no_traceback(result)
        assert "disk is full" in result.stdout + result.stderr
        assert "ล้มเหลว / failed" in result.stdout  # the report, printed though it could not all be saved
    listing = (tmp_path / "listing").read_text()
    assert ".tmp" not in listing, listing


# -- a killed or stopped batch ---------------------------------------------------------------------------------------


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def many_specs(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    for n, f in enumerate(EXAMPLE_FILES + EXAMPLE_FILES[:2]):  # seven agreements: enough to stop a run in the middle
        shutil.copy(f, specs / f"{f.stem}-{n}.yaml")
    return specs


def start_batch(specs: Path, out: Path, tmp: Path) -> tuple[subprocess.Popen, set[int]]:
    """A batch with 2 workers and PDF, stopped in the middle: returns it once it has built something, with every
    process under it (workers, the resource tracker, each LibreOffice)."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen(
        MOU + ["batch", str(specs), "--out", str(out), "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    deadline = time.monotonic() + 120
    family: set[int] = set()
    while time.monotonic() < deadline:
        family |= descendants(proc.pid)
        if len(list(out.glob("*.pdf"))) >= 2 and sum("soffice" in _cmdline(p) for p in family) >= 2:
            return proc, family
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("the batch built nothing in 120 s")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def is_worker(pid: int) -> bool:
    """A pool's worker: spawned (Python 3.12 and later), or forked by the fork server (same command line as it), so a
    child of a process running it."""
    if "spawn_main" in _cmdline(pid):
        return True
    try:
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return False
    return "forkserver" in _cmdline(pid) and "forkserver" in _cmdline(parent)


def wait_gone(pids: set[int], seconds: float = 15) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = {p for p in pids if alive(p)}
        if not left:
            return set()
        time.sleep(0.1)
    return {p for p in pids if alive(p)}


def test_sigkill_of_batch_leaves_no_process_and_the_rerun_cleans_and_goes_on(many_specs, tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    proc, family = start_batch(many_specs, out, tmp)
    assert any(is_worker(p) for p in family) and any("soffice" in _cmdline(p) for p in family)
    proc.kill()
    proc.wait()
    left = wait_gone(family)
    assert not left, [(p, _cmdline(p)) for p in left]
    recorded = len(list(out.glob("*.pdf")))
    assert list(tmp.glob("mou-lo-*"))  # a SIGKILL leaves its profiles: the next run removes them
    rerun = subprocess.run(
        MOU + ["batch", str(many_specs), "--out", str(out), "-j", "2"],
        capture_output=True,
        text=True,
        env={**os.environ, "TMPDIR": str(tmp)},
        cwd=PROJECT_ROOT,
        timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr
    assert not list(tmp.glob("mou-lo-*"))
    assert not leftovers(out)
    total = len(list(many_specs.glob("*.yaml")))
    found = re.search(r"/ built \((\d+)\)", rerun.stdout)
    built = int(found.group(1)) if found else 0
    # every agreement whose files were in place before the kill was recorded then, and is not built again
    assert built <= total - recorded + 2 * 2, rerun.stdout
    assert len(list(out.glob("*.pdf"))) == total


def test_sigterm_of_batch_is_a_clean_stop_with_a_report(many_specs, tmp_path):
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    proc, family = start_batch(many_specs, out, tmp)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert "interrupted: the agreements finished are recorded" in stderr
    assert "สร้างใหม่" in stdout and (out / "mou-report.txt").exists()
    assert not wait_gone(family)
    assert not list(tmp.glob("mou-lo-*"))  # a clean stop removes its own profiles
    rerun = subprocess.run(
        MOU + ["batch", str(many_specs), "--out", str(out), "-j", "2", "--no-pdf"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=600,
    )
    no_traceback(rerun)


def test_sigterm_of_build_removes_its_libreoffice(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.Popen(
        MOU + ["build", str(CARE), "--out", str(tmp_path / "o")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    )
    family: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any("soffice" in _cmdline(p) for p in family):
        family |= descendants(proc.pid)
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode in (0, 143), stderr  # 0 when the build had finished before the signal came
    assert "Traceback" not in stderr
    assert not wait_gone(family)
    assert not list(tmp_path.glob("mou-lo-*"))
    assert not leftovers(tmp_path)


# -- a worker that dies ----------------------------------------------------------------------------------------------


def test_a_worker_that_dies_costs_its_own_agreement_only(tmp_path):
    """A spec that kills its worker (a real SIGSEGV, from tests/crashing.py): that agreement is reported by name,
    the pool is replaced, every other agreement is built, in the order given."""
    from pipeline.run.plan import Task
    from pipeline.run.pool import _run_tasks
    from pipeline.spec.settings import Settings

    sys.path.insert(0, str(Path(__file__).parent))
    import crashing

    tasks = [Task(f"{f.stem}", f, tmp_path) for f in EXAMPLE_FILES]
    tasks.insert(2, Task("crash-me", EXAMPLE_FILES[0], tmp_path))
    results = []
    _run_tasks(tasks, 2, None, Settings(), False, results.append, work=crashing.build_or_crash)
    by_name = {r["name"]: r for r in results}
    assert sorted(by_name) == sorted(t.name for t in tasks)
    assert "error" in by_name["crash-me"] and "signal 11" in by_name["crash-me"]["error"], by_name["crash-me"]
    assert all("error" not in r for n, r in by_name.items() if n != "crash-me"), results
    assert len(list(tmp_path.glob("*.docx"))) == len(EXAMPLE_FILES)


def test_a_worker_killed_from_outside_costs_nothing(many_specs, tmp_path):
    """The OOM killer takes a worker: what it had in hand is retried, and the batch ends with everything built."""
    out, tmp = tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    proc, family = start_batch(many_specs, out, tmp)
    worker = next(p for p in sorted(family) if is_worker(p) and alive(p))
    os.kill(worker, signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stdout + stderr
    assert "Traceback" not in stderr
    assert len(list(out.glob("*.pdf"))) == len(list(many_specs.glob("*.yaml")))
    assert not wait_gone(family)  # the old pool's processes (its other worker, both LibreOffices) ended with it
    assert not list(tmp.glob("mou-lo-*"))


# -- a batch's folder, a read-only home --------------------------------------------------------------------------------


def test_build_refuses_a_folder_a_batch_keeps(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(CARE, specs / CARE.name)
    out = tmp_path / "out"
    batch = mou_run("batch", specs, "--out", out, "--no-pdf")
    assert batch.returncode == 0, batch.stderr
    before = (out / "inclusive-care.docx").read_bytes()
    for command in (
        ["build", str(EXAMPLES / "inclusive-care.yaml"), "--out", str(out), "--no-pdf"],
        ["interview", "--answers", str(CARE), "--no-input", "--name", "inclusive-care", "--out", str(out), "--no-pdf"],
    ):
        result = mou_run(*command)
        assert result.returncode == 1 and "mou batch" in result.stderr, result.stderr
        no_traceback(result)
    assert (out / "inclusive-care.docx").read_bytes() == before
    again = mou_run("batch", specs, "--out", out, "--no-pdf")
    assert again.returncode == 0 and "แก้ไขด้วยมือ" not in again.stdout, again.stdout


def test_runs_with_a_read_only_home(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHAINLP")}
    env["HOME"] = "/dev/null"  # not a folder: nothing can be made under it, whoever runs the test
    for command in (["validate", str(CARE)], ["build", str(CARE), "--out", str(tmp_path), "--no-pdf"]):
        result = subprocess.run(MOU + command, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT)
        assert result.returncode == 0, result.stderr


def test_outputs_follow_the_umask(tmp_path):
    result = subprocess.run(
        ["sh", "-c", f"umask 027; exec {' '.join(MOU)} build '{CARE}' --out '{tmp_path}' --no-pdf"],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "inclusive-care.docx").stat().st_mode & 0o777 == 0o640
