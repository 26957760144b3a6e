"""LibreOffice's process for a Converter: where its program is, the profile and fonts it starts with, its command,
and a LibreOffice launched ahead of its converter — `mou batch` starts one while it plans and a worker adopts it
(the worker's own start waited for the fork server's imports: half a second of every one-spec rerun).

Light on purpose: `mou batch` imports it before anything heavy (no UNO, no PDF module)."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ConvertError
from pipeline.render import PROJECT_FONTS
from pipeline.render.procs import alive, die_with_parent, new_profile_dir, profile_template, seed_profile

# The LibreOffice profile: Context numerals print digits in the language of their text, so the PAGE field of
# a Thai document comes out in Thai digits (LibreOffice ignores Word's ThaiArabic / thaiNumbers formats). No online
# spelling and no collecting of words for autocompletion: Writer's idle jobs ran them over every document it loaded
# (with the word count: see Converter._load) and they were a fifth of its CPU per conversion, for nothing a PDF shows.
REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/I18N/CTL"><prop oor:name="CTLFont" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/I18N/CTL"><prop oor:name="CTLTextNumerals" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Save/Document"><prop oor:name="CreateBackup" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Recovery/AutoSave"><prop oor:name="Enabled" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Linguistic/SpellChecking"><prop oor:name="IsSpellAuto" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/AutoFunction/Completion"><prop oor:name="CollectWords" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""
_FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""

RESTART_CODE = 81  # soffice.bin's "restart me" (what the soffice script's oosplash would do for it)


def soffice_path() -> str:
    """LibreOffice's program itself where it can be found: the `soffice` script runs it as a grandchild, which the
    parent-death signal (set on the child only) would not reach."""
    for path in ("/usr/lib/libreoffice/program/soffice.bin", "/opt/libreoffice/program/soffice.bin"):
        if os.access(path, os.X_OK):
            return path
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice"):
        if os.path.exists(path):
            return path
    raise ConvertError(
        "ไม่พบ LibreOffice / LibreOffice is not installed: run `make install` "
        "(Debian package libreoffice-writer-nogui), or build with --no-pdf"
    )


@dataclass(frozen=True)
class Setup:
    """A LibreOffice's folder (its profile, its fontconfig) and the kept profile it was copied from, if it was."""

    workdir: Path
    template: Path
    seeded: bool


def new_setup() -> Setup:
    """A new folder for one LibreOffice: the kept profile copied in when there is one, else its settings alone."""
    template = profile_template(soffice_path(), REGISTRY)
    workdir = new_profile_dir()
    seeded = seed_profile(template, workdir / "profile")
    if not seeded:
        (workdir / "profile" / "user").mkdir(parents=True)
        (workdir / "profile" / "user" / "registrymodifications.xcu").write_text(REGISTRY, encoding="utf-8")
    (workdir / "fonts.conf").write_text(
        _FONTS_CONF.format(fonts=PROJECT_FONTS, cache=workdir / "fontcache"), encoding="utf-8"
    )
    return Setup(workdir, template, seeded)


def new_pipe() -> str:
    """The name LibreOffice listens on: mou-<this process>-<random> (procs.remove_stale_pipes reads the process)."""
    return f"mou-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def command(workdir: Path, pipe: str) -> list[str]:
    return [
        soffice_path(),
        "--headless",
        "--invisible",
        "--nologo",
        "--norestore",
        "--nodefault",
        "--nolockcheck",
        "--nofirststartwizard",
        f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
        f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
    ]


def environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["FONTCONFIG_FILE"] = str(workdir / "fonts.conf")
    env.pop("PYTHONPATH", None)
    return env


def spawn(argv: list[str], workdir: Path) -> subprocess.Popen[bytes]:
    """LibreOffice started in a process group of its own, killed by the kernel if this process dies."""
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment(workdir),
        start_new_session=True,
        preexec_fn=die_with_parent,
    )


# -- a LibreOffice launched ahead --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ahead:
    """A LibreOffice this process launched for a worker of its pool to adopt: all the worker needs, picklable."""

    pid: int
    setup: Setup
    pipe: str
    argv: tuple[str, ...]


_ahead: list[tuple[Ahead, subprocess.Popen[bytes]]] = []


def launch_ahead() -> Ahead | None:
    """Start a LibreOffice now, for the first worker of this process's pool to adopt. Only from a kept profile (a
    first start in a new profile exits to be started again, which only its parent could do): None otherwise, or
    when LibreOffice is missing (the worker's own start reports that, with the document's name)."""
    try:
        if not profile_template(soffice_path(), REGISTRY).is_dir():
            return None
        setup = new_setup()
    except (ConvertError, OSError):
        return None
    if not setup.seeded:
        shutil.rmtree(setup.workdir, ignore_errors=True)
        return None
    pipe = new_pipe()
    argv = command(setup.workdir, pipe)
    try:
        proc = spawn(argv, setup.workdir)
    except OSError:
        shutil.rmtree(setup.workdir, ignore_errors=True)
        return None
    ahead = Ahead(proc.pid, setup, pipe, tuple(argv))
    if not _ahead:
        atexit.register(end_ahead)
    _ahead.append((ahead, proc))
    return ahead


def taken_ahead() -> Ahead | None:
    """The LibreOffice launched ahead, still running, for a pool to hand to its first worker (once)."""
    for ahead, proc in _ahead:
        if proc.poll() is None:
            return ahead
    return None


def end_ahead() -> None:
    """Every LibreOffice this process launched ahead, adopted or not, killed and reaped, and its folder removed (a
    worker that adopted one has done both already unless it died)."""
    while _ahead:
        ahead, proc = _ahead.pop()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        shutil.rmtree(ahead.setup.workdir, ignore_errors=True)


class Adopted:
    """A LibreOffice that another process of the run launched and reaps (launch_ahead): running or not read from
    /proc, its exit status unknown here (-1)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not alive(self.pid):
            self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"LibreOffice {self.pid}", timeout or 0)
            time.sleep(0.01)
        return code


def pin(pid: int, cpus: set[int]) -> None:
    """Every thread of a running process kept to these CPUs (a thread it starts later inherits its starter's)."""
    with contextlib.suppress(OSError):
        for tid in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                os.sched_setaffinity(int(tid), cpus)
