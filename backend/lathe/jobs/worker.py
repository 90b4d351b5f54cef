"""The worker: claims jobs that fit its free slots, runs each in a child process (or a thread
for inline kinds), heartbeats its leases, enforces cancels, and requeues stalled jobs.

Any number of workers, on any host that reaches the database, may run at once (`lathe worker`);
`lathe serve` may run one in a thread. One loop does everything; it wakes on a child's exit,
an inline job's end, a stop request, or every worker_poll_s to look for new jobs.

SIGTERM or SIGINT stops it gracefully: no more claims, running jobs are asked to stop (their
should_stop() turns true) and get job_cancel_grace_s before they are terminated, then killed;
jobs that did not finish are requeued. A second signal skips the grace."""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import secrets
import signal
import socket
import threading
import time
from multiprocessing.connection import wait
from types import FrameType
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from lathe.db.tables import JobRow
from lathe.errors import NotFound
from lathe.jobs import kinds, queue
from lathe.jobs.processes import ChildJob, InlineJob, JobHandle
from lathe.jobs.resources import Capacity, visible_gpus
from lathe.jobs.runner import JobSpec
from lathe.jobs.running import RunningJobs
from lathe.schemas.jobs import Resources
from lathe.scratch import sweep_abandoned
from lathe.settings import Settings

logger = logging.getLogger(__name__)

FLAGS_POLL_S = 0.5  # how soon a running job's cancel request or lost lease is noticed


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    def __init__(
        self,
        settings: Settings,
        *,
        gpus: list[int] | None = None,
        cpu_jobs: int | None = None,
        worker_id: str | None = None,
    ) -> None:
        kinds.load(settings.job_kind_modules)
        self.settings = settings
        if gpus is None:
            gpus = settings.worker_gpus if settings.worker_gpus is not None else visible_gpus()
        cpu_jobs = settings.worker_parallel_cpu_jobs if cpu_jobs is None else cpu_jobs
        self.capacity = Capacity(free_gpus=sorted(gpus), train_free=1, aux_free=cpu_jobs)
        self.info = queue.WorkerInfo(
            id=worker_id or new_worker_id(),
            host=socket.gethostname(),
            pid=os.getpid(),
            slots={"gpus": sorted(gpus), "cpu_training": 1, "parallel_cpu_jobs": cpu_jobs},
            kinds=kinds.known(),
        )
        self._spawn = multiprocessing.get_context("spawn")
        self._shutdown = self._spawn.Event()  # read by every job's should_stop()
        self._running = RunningJobs(settings, self.info.id)
        self._stopping = False
        self._hurry = False
        self._shutdown_at: float | None = None
        # A self-pipe wakes the loop from signal handlers and other threads.
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

    @property
    def id(self) -> str:
        return self.info.id

    def request_stop(self) -> None:
        """Stop gracefully; a second request skips the grace period. Safe to call from a
        signal handler or another thread."""
        self._hurry = self._stopping
        self._stopping = True
        self._wake()

    def start_background(self) -> threading.Thread:
        """Run in a daemon thread (embedded in the server); stop with request_stop()."""
        thread = threading.Thread(
            target=self.run, kwargs={"handle_signals": False}, name="lathe-worker", daemon=True
        )
        thread.start()
        return thread

    def run(self, *, handle_signals: bool = True) -> None:
        previous = self._install_signals() if handle_signals else {}
        try:
            queue.register_worker(self.settings, self.info)
            sweep_abandoned(self.settings)
            logger.info(
                "worker %s started: %s, kinds %s", self.id, self.info.slots, self.info.kinds
            )
            self._reap()
            self._loop()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._leave()
        logger.info("worker %s stopped", self.id)

    def _install_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.request_stop()  # no logging here: a signal handler must not take locks

    def _wake(self) -> None:
        if self._wake_w < 0:  # the worker has left; the descriptor may belong to a new file
            return
        with contextlib.suppress(OSError):  # the pipe is full: the loop is already woken
            os.write(self._wake_w, b"!")

    def _loop(self) -> None:
        lease = self.settings.job_lease_s
        next_heartbeat = next_flags = 0.0
        next_reap = time.monotonic() + lease / 2
        while True:
            now = time.monotonic()
            try:
                if self._stopping:
                    self._begin_shutdown(now)
                if now >= next_heartbeat:
                    held = queue.heartbeat(self.settings, self.info, self._running.held_ids())
                    self._check_leases(held, now)
                    next_heartbeat, next_flags = now + lease / 3, now + FLAGS_POLL_S
                elif self._running and now >= next_flags:
                    held = queue.held_jobs(self.settings, self.id, self._running.held_ids())
                    self._check_leases(held, now)
                    next_flags = now + FLAGS_POLL_S
                if not self._stopping and now >= next_reap:
                    self._reap()
                    next_reap = now + lease / 2
                self._running.enforce_deadlines(now)
                self._collect_exits()
                if self._stopping and not self._running:
                    return
                if not self._stopping:
                    self._claim_while_free()
            except SQLAlchemyError:
                logger.warning("worker %s: database error; retrying", self.id, exc_info=True)
                time.sleep(self.settings.worker_poll_s)
            self._wait(self._poll_interval())

    def _poll_interval(self) -> float:
        """An idle worker looks for jobs every worker_poll_s; a busy one every FLAGS_POLL_S
        (or sooner, when a job ends or a signal wakes it), so that polling takes no CPU time
        from the jobs it runs: at 0.1 s it cost a training run on two cores a few percent."""
        if self._running and not self._stopping:
            return max(self.settings.worker_poll_s, FLAGS_POLL_S)
        return self.settings.worker_poll_s

    def _check_leases(self, held: dict[int, bool], now: float) -> None:
        missing = [job_id for job_id in self._running.held_ids() if job_id not in held]
        finished = queue.finished_by(self.settings, self.id, missing) if missing else set()
        self._running.check_leases(held, finished, now)

    def _begin_shutdown(self, now: float) -> None:
        if self._shutdown_at is None:
            logger.info("worker %s stopping: %d job(s) running", self.id, len(self._running))
            self._shutdown.set()
            self._shutdown_at = now + self.settings.job_cancel_grace_s
        if self._hurry:
            self._shutdown_at = min(self._shutdown_at, now)
        self._running.stop_all_by(self._shutdown_at)

    def _collect_exits(self) -> None:
        for job_id, exit_note in self._running.exited():
            self._settle(job_id, exit_note)  # a database error leaves it listed: retried
            self.capacity.release(job_id)
            self._running.remove(job_id)

    def _settle(self, job_id: int, exit_note: str) -> None:
        """After a job's process ended: if it left the job running under this worker, end it
        (cancelled, requeued on shutdown, or failed)."""
        try:
            job = queue.get_job(self.settings, job_id)
        except NotFound:
            return
        if job.status != "running" or job.worker_id != self.id:
            logger.info("job %s (%s) %s", job_id, job.kind, job.status)
            return
        try:
            if job.cancel_requested:
                outcome = "cancelled"
                queue.finish(self.settings, job_id, self.id, "cancelled")
            elif self._stopping:
                outcome = "requeued (worker shutting down)"
                queue.requeue(
                    self.settings, job_id, self.id, reason="shutdown", give_back_attempt=True
                )
            else:
                outcome = "failed"
                message = f"the job's {exit_note} before it finished"
                queue.finish(
                    self.settings,
                    job_id,
                    self.id,
                    "failed",
                    error_code="process_died",
                    error_message=message,
                )
        except queue.LeaseLost:
            outcome = "lost (another worker or the reaper moved it)"
        self._running.note(job_id, f"job {outcome}")

    def _claim_while_free(self) -> None:
        names = self.info.kinds
        while self.capacity.fits_anything():
            job = queue.claim(self.settings, worker_id=self.id, kinds=names, capacity=self.capacity)
            if job is None:
                return
            self._start(job)

    def _start(self, job: JobRow) -> None:
        # The columns, not the JSON: they are what the claim matched, in any Lathe version.
        need = Resources.model_validate({"gpus": job.gpus, "slot": job.slot})
        gpu_ids = self.capacity.take(job.id, need)
        kind = kinds.get(job.kind)
        spec = JobSpec(
            job_id=job.id,
            kind=job.kind,
            module=kind.module,
            params=job.params,
            attempt=job.attempts,
            worker_id=self.id,
            gpu_ids=tuple(gpu_ids),
        )
        try:
            handle: JobHandle = (
                InlineJob(self.settings, spec, self._shutdown, self._wake)
                if kind.inline
                else ChildJob(self._spawn, self.settings, spec, self._shutdown)
            )
        except Exception as exc:  # no process could be started (out of memory, pid limit)
            logger.exception("job %s: could not start", job.id)
            self.capacity.release(job.id)
            message = f"could not start the job: {exc}"
            with contextlib.suppress(queue.LeaseLost):
                queue.finish(
                    self.settings,
                    job.id,
                    self.id,
                    "failed",
                    error_code="start_failed",
                    error_message=message,
                )
            return
        self._running.add(spec, handle)
        logger.info("job %s (%s) attempt %s started", job.id, job.kind, job.attempts)

    def _reap(self) -> None:
        for job_id, status in queue.reap_stalled(self.settings):
            logger.warning("job %s stalled (its worker stopped heartbeating): %s", job_id, status)

    def _wait(self, timeout: float) -> None:
        wait([self._wake_r, *self._running.sentinels()], timeout)
        with contextlib.suppress(BlockingIOError):
            while os.read(self._wake_r, 4096):
                pass

    def _leave(self) -> None:
        """On the way out (normally nothing is left running): stop what is, requeue it."""
        for job_id in self._running.kill_all():
            with contextlib.suppress(queue.LeaseLost, SQLAlchemyError):
                queue.requeue(
                    self.settings, job_id, self.id, reason="worker exited", give_back_attempt=True
                )
        try:
            queue.unregister_worker(self.settings, self.id)
        except SQLAlchemyError:
            logger.warning("worker %s: could not unregister", self.id, exc_info=True)
        fds, self._wake_r, self._wake_w = (self._wake_r, self._wake_w), -1, -1
        for fd in fds:
            os.close(fd)
