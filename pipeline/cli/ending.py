"""How `mou` ends once its command is done."""

from __future__ import annotations

import sys

from pipeline.render.procs import end_now


def quick_exit(code: object) -> None:
    """End the process once a command is done, as Python would but without tearing down every module and object
    first (0.1-0.2 s after a batch, for nothing): the exit functions run (multiprocessing's clean-up, temporary
    folders), the output is flushed, then the process ends with the command's status. Only with no other thread
    left, which a normal exit would wait for; otherwise (or without CPython's exit hook) the normal way."""
    import atexit
    import threading

    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_functions is None or threading.active_count() > 1:
        return
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # a message: printed, status 1, as Python does
        print(code, file=sys.stderr)
        status = 1
    run_exit_functions()
    end_now(status)
