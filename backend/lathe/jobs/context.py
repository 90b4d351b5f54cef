"""The object a handler gets: stop requests, progress, log lines, metrics, a checkpoint folder.

    def handler(ctx: JobContext, params: Params) -> dict | None:
        for step in range(params.steps):
            if ctx.should_stop():
                save_checkpoint(ctx.checkpoint_dir)
                return None
            loss = train_step()
            ctx.metric(step, "loss", loss)
            ctx.progress(step + 1, params.steps)
        return {"steps": params.steps}

A handler that saw should_stop() return True is taken to have stopped early: after a cancel
the job ends as cancelled, after a worker shutdown it is requeued (and resumes from its
checkpoints). One that never saw it finished its work, and the job succeeds."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from lathe.db.engine import read_scope
from lathe.db.tables import JobRow
from lathe.jobs import queue
from lathe.jobs.logs import open_log, stamp
from lathe.settings import Settings

logger = logging.getLogger(__name__)

StopReason = Literal["cancel", "shutdown", "lease_lost"]

# How often should_stop() asks the database; a training step can call it every step.
STOP_POLL_S = 0.5
PROGRESS_INTERVAL_S = 0.5


class StopSignal(Protocol):
    """Set by the worker when it shuts down (a multiprocessing or threading Event)."""

    def is_set(self) -> bool: ...


class JobStopped(Exception):
    """Raise from a handler (or call ctx.raise_if_stopped()) to unwind after a stop request."""


class JobContext:
    def __init__(
        self,
        settings: Settings,
        *,
        job_id: int,
        worker_id: str,
        attempt: int,
        shutdown: StopSignal,
        gpu_ids: list[int],
    ) -> None:
        self.settings = settings
        self.job_id = job_id
        self.worker_id = worker_id
        self.attempt = attempt
        self.gpu_ids = gpu_ids
        self.stop_reason: StopReason | None = None
        self._progress_at = -PROGRESS_INTERVAL_S
        self._progress_total: float | None = -1.0
        self._shutdown = shutdown
        self._next_poll = 0.0
        self._log_fd: int | None = None
        self._lock = threading.Lock()

    @property
    def checkpoint_dir(self) -> Path:
        """LATHE_HOME/runs/<job id>/checkpoints; it survives requeues, so a retried attempt
        can resume from what the previous one saved."""
        path = self.settings.runs_dir / str(self.job_id) / "checkpoints"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def should_stop(self) -> bool:
        """True once the job was cancelled, the worker is shutting down, or the lease was lost.
        Cheap to call often: the database is asked at most every STOP_POLL_S seconds."""
        if self.stop_reason is None and self._shutdown.is_set():
            self.stop_reason = "shutdown"
        if self.stop_reason is None and time.monotonic() >= self._next_poll:
            self._next_poll = time.monotonic() + STOP_POLL_S
            try:
                self.stop_reason = self._stop_reason_from_db()
            except SQLAlchemyError:  # a busy or unreachable database is no stop request
                logger.warning("job %s: could not read its cancel flag", self.job_id, exc_info=True)
        return self.stop_reason is not None

    def raise_if_stopped(self) -> None:
        if self.should_stop():
            raise JobStopped(self.stop_reason)

    def _stop_reason_from_db(self) -> StopReason | None:
        query = select(JobRow.status, JobRow.worker_id, JobRow.cancel_requested).where(
            JobRow.id == self.job_id
        )
        with read_scope(self.settings.resolved_database_url) as session:
            state = session.execute(query).first()
        if state is None or state.status != "running" or state.worker_id != self.worker_id:
            return "lease_lost"
        return "cancel" if state.cancel_requested else None

    def progress(
        self,
        completed: float,
        total: float | None = None,
        message: str = "",
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Record progress. Calls closer together than PROGRESS_INTERVAL_S are dropped (each is
        a database write and an event), except the first of a stage and the final one."""
        now = time.monotonic()
        final = total is not None and completed >= total
        same_stage = total == self._progress_total
        if same_stage and not final and now - self._progress_at < PROGRESS_INTERVAL_S:
            return
        self._progress_at, self._progress_total = now, total
        data: dict[str, object] = {"completed": completed, "total": total}
        if message:
            data["message"] = message
        if details:
            data["details"] = dict(details)
        queue.report_progress(self.settings, self.job_id, data)

    def log(self, line: str) -> None:
        """A line in the job's log file and in its event stream."""
        self.write_log_file(line)
        queue.append_event(self.settings, self.job_id, "log", {"line": line})

    def write_log_file(self, line: str) -> None:
        with self._lock:
            if self._log_fd is None:  # opened on first use: most short jobs never log
                self._log_fd = open_log(self.settings, self.job_id)
            os.write(self._log_fd, stamp(line).encode("utf-8", "replace"))

    def metric(self, step: int, name: str, value: float) -> None:
        queue.append_metrics(self.settings, self.job_id, step, {name: value})

    def metrics(self, step: int, values: Mapping[str, float]) -> None:
        """Several values of one step in one write (loss, learning rate, grad norm, ...)."""
        queue.append_metrics(self.settings, self.job_id, step, values)

    def close(self) -> None:
        with self._lock:
            if self._log_fd is not None:
                os.close(self._log_fd)
                self._log_fd = None
