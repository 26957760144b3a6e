"""A worker function for tests/test_faults.py: builds like mou batch's own, except for the task named "crash-me",
whose worker dies of a real segmentation fault (a read of address 0), as a crash in a C library would."""

import ctypes

from pipeline.run.plan import Task
from pipeline.run.pool import _build_one


def build_or_crash(task: Task) -> dict:
    if task.name == "crash-me":
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core dump to write: the worker ends at once, by signal 11
        ctypes.string_at(0)
    return _build_one(task)
