"""Imported by the fork server only (context.PRELOAD): when the run that started it ends, it ends without tearing
down the pipeline it imported (a tenth of a second during which it still held the run's output open)."""

import atexit
import os
import sys


def _end() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(0)


atexit.register(_end)
