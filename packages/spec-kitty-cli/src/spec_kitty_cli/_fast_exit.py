"""Ending a fast-path process right after its answer, without the interpreter's teardown."""

from __future__ import annotations


def end_process(code: int) -> None:
    """Run the exit handlers (e.g. the event queue's close), flush, and leave without the module
    and GC teardown (~12-15 ms). Only for calls whose writes are already durable (fsynced or
    committed before the answer was printed). If flushing fails (a closed pipe), this returns
    and the normal exit reports it."""
    import atexit
    import os
    import sys

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return
    os._exit(code)
