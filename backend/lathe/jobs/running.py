"""The jobs one worker is running, and when each must stop: a cancel request gives a job
job_cancel_grace_s to end on its own, a worker shutdown the same, a lost lease none at all.
Past its deadline a job's process is terminated (SIGTERM), and killed (SIGKILL) if it is still
there one more grace period later."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from lathe.jobs import logs
from lathe.jobs.processes import JobHandle
from lathe.jobs.runner import JobSpec
from lathe.settings import Settings

logger = logging.getLogger(__name__)


@dataclass
class Tracked:
    spec: JobSpec
    handle: JobHandle
    stop_at: float | None = None  # monotonic time after which it is terminated
    terminated_at: float | None = None
    killed: bool = False
    exit_note: str | None = None  # how it ended, once the process or thread is gone


class RunningJobs:
    def __init__(self, settings: Settings, worker_id: str) -> None:
        self._settings = settings
        self._worker_id = worker_id
        self._jobs: dict[int, Tracked] = {}

    def __len__(self) -> int:
        return len(self._jobs)

    def add(self, spec: JobSpec, handle: JobHandle) -> None:
        self._jobs[spec.job_id] = Tracked(spec=spec, handle=handle)

    def remove(self, job_id: int) -> None:
        del self._jobs[job_id]

    def held_ids(self) -> list[int]:
        """Jobs whose lease the worker still extends (their process has not ended)."""
        return [job_id for job_id, t in self._jobs.items() if t.exit_note is None]

    def sentinels(self) -> list[int]:
        return [
            t.handle.sentinel
            for t in self._jobs.values()
            if t.handle.sentinel is not None and t.exit_note is None
        ]

    def stop_all_by(self, deadline: float) -> None:
        for tracked in self._jobs.values():
            tracked.stop_at = min(tracked.stop_at or deadline, deadline)

    def check_leases(self, held: dict[int, bool], finished: set[int], now: float) -> None:
        """Act on {job id: cancel_requested} for the jobs this worker still holds; `finished`
        are jobs whose child already wrote their end (it is exiting); any other job missing
        from `held` was taken away (reaper, or a cancel of a stalled job): stop it at once."""
        grace = self._settings.job_cancel_grace_s
        for job_id, tracked in self._jobs.items():
            if tracked.exit_note is not None or not tracked.handle.alive():
                continue
            if job_id in finished:
                tracked.stop_at = min(tracked.stop_at or now + grace, now + grace)
            elif job_id not in held:
                if tracked.stop_at is None or tracked.stop_at > now:
                    self.note(job_id, "lease lost: the job was moved while it ran here")
                tracked.stop_at = now
            elif held[job_id] and tracked.stop_at is None:
                self.note(job_id, "cancel requested")
                tracked.stop_at = now + grace

    def enforce_deadlines(self, now: float) -> None:
        grace = self._settings.job_cancel_grace_s
        for job_id, tracked in self._jobs.items():
            if tracked.stop_at is None or now < tracked.stop_at or tracked.exit_note is not None:
                continue
            if not tracked.handle.alive():
                continue
            pid = tracked.handle.pid
            if tracked.terminated_at is None:
                tracked.terminated_at = now
                if tracked.handle.terminate():
                    self.note(job_id, f"did not stop in time: terminating process {pid}")
                else:
                    # An inline thread cannot be stopped: settle the job without it. Whatever
                    # it writes later is refused by the lease guard.
                    tracked.exit_note = "inline thread did not stop in time and was abandoned"
                    self.note(job_id, tracked.exit_note)
            elif not tracked.killed and now >= tracked.terminated_at + grace:
                tracked.killed = True
                if tracked.handle.kill():
                    self.note(job_id, f"still running after SIGTERM: killing process {pid}")

    def exited(self) -> Iterator[tuple[int, str]]:
        """(job id, how it ended) for every job whose process or thread is gone; each stays
        listed until remove(), so a failed database write is retried next time. How it ended
        is logged once, before the job's status changes, so whoever sees it end can read how."""
        for job_id, tracked in list(self._jobs.items()):
            if tracked.exit_note is None:
                if tracked.handle.alive():
                    continue
                tracked.exit_note = tracked.handle.reap()
                self.note(job_id, tracked.exit_note)
            yield job_id, tracked.exit_note

    def kill_all(self) -> list[int]:
        """Kill whatever still runs (the worker is leaving); the ids of every tracked job."""
        for tracked in self._jobs.values():
            if tracked.exit_note is None and tracked.handle.alive():
                tracked.handle.kill()
        return list(self._jobs)

    def note(self, job_id: int, message: str) -> None:
        """A worker's remark about a job: in the worker's log and in the job's log file."""
        logger.info("job %s: %s", job_id, message)
        try:
            logs.append_line(self._settings, job_id, f"worker {self._worker_id}: {message}")
        except OSError:
            logger.warning("job %s: could not write its log file", job_id, exc_info=True)
