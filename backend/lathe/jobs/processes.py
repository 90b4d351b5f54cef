"""Handles on what runs a job: a child process (spawned), or a thread for inline kinds.

The worker only asks a handle whether it is alive, how it ended, and to stop it: terminate
(SIGTERM) first, kill (SIGKILL) later. A thread cannot be stopped from outside; inline kinds
finish in milliseconds and honour should_stop(), which is why only they may run inline."""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from multiprocessing.context import SpawnContext, SpawnProcess
from typing import Protocol

from lathe.jobs import child
from lathe.jobs.context import StopSignal
from lathe.jobs.runner import JobSpec, execute
from lathe.settings import Settings

logger = logging.getLogger(__name__)


class JobHandle(Protocol):
    pid: int | None
    sentinel: int | None

    def alive(self) -> bool: ...
    def terminate(self) -> bool: ...
    def kill(self) -> bool: ...
    def reap(self) -> str: ...


class ChildJob:
    """A job in its own spawned process."""

    def __init__(
        self, context: SpawnContext, settings: Settings, spec: JobSpec, shutdown: StopSignal
    ) -> None:
        self._process: SpawnProcess = context.Process(
            target=child.main,
            args=(settings.model_dump(), spec, shutdown, os.getpid()),
            name=f"lathe-job-{spec.job_id}",
            # Not daemonic: a training job may start processes of its own (data loaders).
            daemon=False,
        )
        self._process.start()
        self.pid: int | None = self._process.pid
        self.sentinel: int | None = self._process.sentinel

    def alive(self) -> bool:
        return self._process.is_alive()

    def terminate(self) -> bool:
        self._process.terminate()
        return True

    def kill(self) -> bool:
        self._process.kill()
        return True

    def reap(self) -> str:
        """Join the exited process; how it ended, in words."""
        self._process.join()
        code = self._process.exitcode
        self._process.close()
        if code is not None and code < 0:
            return f"process {self.pid} was killed by {signal.Signals(-code).name}"
        if code == child.EXIT_ORPHANED:
            return f"process {self.pid} exited because its worker was gone"
        return f"process {self.pid} exited with code {code}"


class InlineJob:
    """An inline kind in a thread of the worker; it cannot be terminated or killed."""

    def __init__(
        self, settings: Settings, spec: JobSpec, shutdown: StopSignal, on_exit: Callable[[], None]
    ) -> None:
        self.pid: int | None = None
        self.sentinel: int | None = None

        def run() -> None:
            try:
                execute(settings, spec, shutdown)
            except Exception:
                logger.exception("inline job %s crashed its runner", spec.job_id)
            finally:
                on_exit()

        self._thread = threading.Thread(target=run, name=f"lathe-job-{spec.job_id}", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def terminate(self) -> bool:
        return False

    def kill(self) -> bool:
        return False

    def reap(self) -> str:
        self._thread.join()
        return "inline thread ended"
