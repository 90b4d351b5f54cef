"""The entry point of a job's child process (multiprocessing, spawn start method: a fresh
interpreter, so CUDA state and locks of the worker are never inherited).

The child rebuilds the worker's settings, sends its stdout, stderr and Python logging to the
job's log file, sees only the GPUs it was given, and dies with its worker: a job whose worker
is gone will be requeued by the reaper and run elsewhere, so it must not keep running here."""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import sys
import threading
import time
from typing import Any

from lathe.jobs.context import StopSignal
from lathe.jobs.logs import open_log
from lathe.jobs.resources import cuda_visible_devices
from lathe.jobs.runner import JobSpec, execute
from lathe.settings import Settings

_PR_SET_PDEATHSIG = 1
_ORPHAN_POLL_S = 1.0
EXIT_ORPHANED = 70


def main(
    settings_data: dict[str, Any], spec: JobSpec, shutdown: StopSignal, worker_pid: int
) -> None:
    # Ctrl-C in a terminal reaches the whole process group; the worker decides what stops.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(worker_pid)
    os.environ["CUDA_VISIBLE_DEVICES"] = cuda_visible_devices(spec.gpu_ids)
    settings = Settings(**settings_data)
    _log_to_file(settings, spec.job_id)
    execute(settings, spec, shutdown)


def die_with_parent(parent_pid: int) -> None:
    """Have this process killed when its parent (`parent_pid`) dies, and exit at once if the
    parent is already gone. A job's child dies with its worker; a DDP rank with its job's
    process (lathe.training.distributed)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            _watch_parent(parent_pid)
    else:
        _watch_parent(parent_pid)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(EXIT_ORPHANED)


def _watch_parent(parent_pid: int) -> None:
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_ORPHAN_POLL_S)
        os._exit(EXIT_ORPHANED)

    threading.Thread(target=watch, name="lathe-orphan-watch", daemon=True).start()


def _log_to_file(settings: Settings, job_id: int) -> None:
    """stdout, stderr (prints, warnings, tracebacks of libraries) and logging go to the job's
    log file, line by line."""
    fd = open_log(settings, job_id)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
