"""Where a batch's workers and their LibreOffice run: a core each when there is one worker per core, and the
LibreOffice `mou batch` launched ahead (render/office.py) handed to the first worker."""

from __future__ import annotations

import os
from typing import Any


def first(claim: Any) -> bool:
    """Whether this worker is the first to ask (a shared flag)."""
    with claim.get_lock():
        first, claim.value = claim.value == 0, 1
    return first


def take_a_core(cores: Any) -> set[int] | None:
    """This worker, and the LibreOffice it starts (which inherits it), kept to a core of its own: a worker and its
    LibreOffice take turns (a UNO call waits for the other), so the pair shares one core's caches instead of
    migrating between cores. `mou batch` over 100 agreements, -j 2 on this 2-core machine, seven alternating pairs:
    pinned faster in six, by 5-7 % on average. Only the first worker per core (a later one, replacing a dead
    worker, runs where it may). Returns the core taken, if one was."""
    with cores.get_lock():
        slot, cores.value = cores.value, cores.value + 1
    allowed = sorted(os.sched_getaffinity(0))
    if slot >= len(allowed):
        return None
    os.sched_setaffinity(0, {allowed[slot]})
    return {allowed[slot]}


def pinned(width: int, context: Any) -> Any:
    """A counter for take_a_core when a batch has one worker per core it may use, else None (fewer workers than
    cores are left to the scheduler, and so is the server's pool: other work shares those cores)."""
    if width < 2 or not hasattr(os, "sched_getaffinity") or width != len(os.sched_getaffinity(0)):
        return None
    return context.Value("i", 0)
