"""Child processes that never outlive their parent, and the leftovers of those that were killed anyway.

`mou batch` runs worker processes and each worker a LibreOffice; `mou build` runs a LibreOffice. When the parent is
killed (SIGKILL, the OOM killer), each child goes too: a LibreOffice by the kernel's parent-death signal, a worker by
its watchdog thread watching the run that started it (then its LibreOffice by the signal), so no 500 MB LibreOffice lives on reparented to init. A killed run cannot delete its LibreOffice profile in /tmp: the next run
deletes the profiles whose owner is no longer alive (the owner's PID is in the folder's name).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
PROFILE_PREFIX = "mou-lo-"
_PROFILE = re.compile(rf"^{PROFILE_PREFIX}(\d+)-")
OLD_PROFILE_SECONDS = 24 * 3600  # a profile without an owner's PID (an older version's) is stale after a day

_libc = None


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Ask the kernel to send `sig` to this process when its parent dies (Linux; elsewhere nothing happens). Safe in a
    preexec_fn: it only calls prctl. If the parent is already gone (reparented), exit at once."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        _libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:
        os._exit(1)


def watch_owner(owner: int, interval: float = 0.5) -> None:
    """End this process when `owner` ends: a watchdog thread for the worker processes of a pool. The parent-death
    signal cannot serve: a worker's parent is the pool's fork server, which lives as long as any worker does, and
    the kernel sends that signal when the parent *thread* that started the child ends (a request's thread in `mou
    serve`). The owner — the batch or the server that asked for the pool — is watched through a pidfd (readable once
    it has ended, zombie or not), or by polling where the kernel has none."""
    import select

    try:
        fd = os.pidfd_open(owner)
    except (AttributeError, OSError):
        fd = None
    if fd is None and not alive(owner):
        os._exit(1)

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])
            os._exit(1)
        while alive(owner):
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="mou-watch-owner", daemon=True).start()


# -- a profile made once ----------------------------------------------------------------------------------------
# LibreOffice's first start in an empty profile registers its extensions and writes the build it checked them with
# (LastCompatibilityCheckID): 0.9 s of a 1 s start. A profile that an earlier run left, copied, starts in 0.13 s.
# So the first clean exit of a LibreOffice saves its profile in the user's cache (keyed by the program and the
# settings written into it), and later starts copy it; a start that fails from a copy removes it.


def profile_template(soffice: str, registry: str) -> Path:
    """Where the profile of this LibreOffice with these settings is kept between runs."""
    import hashlib

    try:
        stat = os.stat(os.path.realpath(soffice))
        program = f"{os.path.realpath(soffice)} {stat.st_size} {stat.st_mtime_ns}"
    except OSError:
        program = soffice
    key = hashlib.sha256(f"{program}\n{registry}".encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "mou" / f"libreoffice-profile-{key}"


def seed_profile(template: Path, profile: Path) -> bool:
    """Copy a kept profile into a new LibreOffice profile folder; False when there is none (or it cannot be read)."""
    if not template.is_dir():
        return False
    try:
        shutil.copytree(template, profile, dirs_exist_ok=True)
        return True
    except OSError:
        return False


def keep_profile(profile: Path, template: Path) -> None:
    """Save a profile LibreOffice has closed cleanly as the template of later starts (first one wins; no error if
    the cache cannot be written)."""
    if template.is_dir():
        return
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{template.name}-", dir=template.parent))
        shutil.copytree(profile, staging, dirs_exist_ok=True)
        try:
            staging.rename(template)
        except OSError:  # another process saved it first
            shutil.rmtree(staging, ignore_errors=True)
    except OSError:
        pass


def forget_profile(template: Path) -> None:
    shutil.rmtree(template, ignore_errors=True)


def new_profile_dir() -> Path:
    """A LibreOffice profile folder named after this process, so a later run can tell when it is stale."""
    remove_stale_profiles()
    remove_stale_pipes()
    return Path(tempfile.mkdtemp(prefix=f"{PROFILE_PREFIX}{os.getpid()}-"))


def alive(pid: int) -> bool:
    """Whether a process runs; a zombie (killed, not yet reaped: in a container PID 1 often never reaps) does not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and its folder is not ours to judge
    return True


def remove_stale_profiles(folder: Path | None = None) -> int:
    """Delete the mou LibreOffice profiles (ours only) whose owner process has ended; returns how many went."""
    folder = Path(folder or tempfile.gettempdir())
    removed, uid = 0, os.getuid()
    try:
        entries = list(folder.glob(f"{PROFILE_PREFIX}*"))
    except OSError:
        return 0
    for path in entries:
        try:
            st = path.lstat()
            if not path.is_dir() or path.is_symlink() or st.st_uid != uid:
                continue
            m = _PROFILE.match(path.name)
            stale = not alive(int(m.group(1))) if m else time.time() - st.st_mtime > OLD_PROFILE_SECONDS
            if stale:
                shutil.rmtree(path, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


_PIPE = re.compile(r"OSL_PIPE_\d+_mou-(\d+)-[0-9a-f]+$")  # Converter.pipe: mou-<owner pid>-<random>


def remove_stale_pipes(folder: str = "/tmp") -> int:
    """Remove the pipes a killed LibreOffice of ours left in /tmp (where LibreOffice puts them, whatever TMPDIR
    says), those whose owner process has ended; returns how many went."""
    removed, prefix = 0, f"OSL_PIPE_{os.getuid()}_mou-"
    try:
        names = [name for name in os.listdir(folder) if name.startswith(prefix)]
    except OSError:
        return 0
    for name in names:
        m = _PIPE.match(name)
        if m and not alive(int(m.group(1))):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(folder, name))
                removed += 1
    return removed


def bound_sockets(pid: int) -> list[str]:
    """The Unix sockets a process has bound under a path (LibreOffice's pipes in /tmp: the one we talk over and its
    single-instance one), read from /proc; none where that cannot be read."""
    try:
        inodes = set()
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        paths = []
        with open("/proc/net/unix", encoding="utf-8", errors="replace") as table:
            next(table, None)
            for line in table:
                fields = line.split()
                if len(fields) >= 8 and fields[6] in inodes and fields[7].startswith("/"):
                    paths.append(fields[7])
        return paths
    except OSError:
        return []


def end_now(status: int) -> None:
    """End this process at once with `status`, its standard output and error flushed, without Python's tear-down of
    every module and object (the callers have run or need no exit functions)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status & 0xFF)
