"""What every benchmark's `main()` does around its run, in one place.

A temporary directory for logs; SIGTERM and SIGINT turned into KeyboardInterrupt (SIGINT too:
a run started in the background has it ignored), so Ctrl-C, `kill` and CI's timeout all stop
the servers, workers and clients the run started; exit status 2 when the run could not be set
up, 130 when interrupted; the logs kept, and their directory printed, after a failed run or
when asked, else removed.
"""
from __future__ import annotations

import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .setup import SetupError

Stop = Callable[[], None]


def interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def run_main(prefix: str, body: Callable[[Path, Callable[[Stop], None]], int], *, keep_logs: bool = False,
             what: str = "bench") -> int:
    """Run `body(tmpdir, on_exit)` and return its exit status. `body` registers with `on_exit`
    whatever must be stopped however the run ends (servers, workers, client processes); they
    are called last registered first. Status 0 means success: any other keeps the logs."""
    tmpdir = Path(tempfile.mkdtemp(prefix=prefix))
    stops: list[Stop] = []
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    status = 2
    try:
        status = body(tmpdir, stops.append)
        return status
    except SetupError as exc:
        print(f"{what} could not run: {exc}", file=sys.stderr)
        status = 2
        return status
    except KeyboardInterrupt:
        print("interrupted; stopping servers, workers and clients", file=sys.stderr)
        status = 130
        return status
    finally:
        for stop in reversed(stops):
            stop()
        if (keep_logs or status != 0) and any(tmpdir.iterdir()):
            print(f"[logs] {tmpdir}", file=sys.stderr)
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)
