"""Fixtures for the job tests: settings with short leases and grace periods, real `lathe
worker` processes, and helpers that wait for jobs to reach a state.

Timing knobs are small so the suite stays fast: a 1 s lease (heartbeat every 0.33 s, reaper
every 0.5 s), 1 s cancel grace, no retry backoff, 0.05 s poll."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from lathe.db.engine import read_scope, reset_engines
from lathe.db.tables import JobEventRow, JobRow, WorkerRow
from lathe.jobs import queue
from lathe.settings import REPO_ROOT, Settings
from tests.conftest import DATABASES

TEST_KINDS = "tests.backend.jobs.kinds_for_tests"
JOB_ENV = {
    "LATHE_WORKER_GPUS": "[]",
    "LATHE_JOB_LEASE_S": "1",
    "LATHE_JOB_CANCEL_GRACE_S": "1",
    "LATHE_JOB_RETRY_BACKOFF_S": "0",
    "LATHE_WORKER_POLL_S": "0.05",
    "LATHE_JOB_KIND_MODULES": f'["{TEST_KINDS}"]',
}


# Worker behaviour that does not depend on the database runs on SQLite only, to keep the
# suite short; the queue's SQL and the claim race run on both.
sqlite_only = pytest.mark.parametrize("job_settings", ["sqlite"], indirect=True)


@pytest.fixture(params=DATABASES)
def job_settings(
    request: pytest.FixtureRequest, lathe_home: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """Settings with the short timings, on SQLite and (with a test server) PostgreSQL, also
    exported for worker subprocesses."""
    for key, value in JOB_ENV.items():
        monkeypatch.setenv(key, value)
    if request.param == "postgresql":
        monkeypatch.setenv("LATHE_DATABASE_URL", request.getfixturevalue("postgres_url"))
    pythonpath = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    monkeypatch.setenv("PYTHONPATH", pythonpath)
    settings = Settings()
    settings.ensure_home()
    yield settings
    reset_engines()


def wait_for(predicate: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or predicate}")
        time.sleep(0.02)


def wait_status(settings: Settings, job_id: int, *statuses: str, timeout: float = 15.0) -> JobRow:
    wait_for(
        lambda: queue.get_job(settings, job_id).status in statuses,
        timeout,
        f"job {job_id} to be {'/'.join(statuses)} (is {queue.get_job(settings, job_id).status})",
    )
    return queue.get_job(settings, job_id)


def wait_steps(settings: Settings, job_id: int, steps: int, timeout: float = 10.0) -> None:
    """Until a t_steps job has checkpointed `steps` steps (it reports a metric per step)."""
    wait_for(lambda: len(queue.read_metrics(settings, job_id)) >= steps, timeout, f"{steps} steps")


def status_events(settings: Settings, job_id: int) -> list[dict[str, object]]:
    query = (
        select(JobEventRow.data)
        .where(JobEventRow.job_id == job_id, JobEventRow.kind == "status")
        .order_by(JobEventRow.id)
    )
    with read_scope(settings.resolved_database_url) as session:
        return list(session.scalars(query))


def logged_pid(settings: Settings, job_id: int, timeout: float = 15.0) -> int:
    """The pid a t_steps job logs when it starts (its newest attempt's)."""
    found: list[int] = []

    def seen() -> bool:
        lines = [
            str(e.data["line"]) for e in queue.events_after(settings, job_id) if e.kind == "log"
        ]
        found[:] = [int(line.split()[1]) for line in lines if line.startswith("pid ")]
        return bool(found)

    wait_for(seen, timeout, f"job {job_id} to log its pid")
    return found[-1]


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie waiting for its (new) parent to reap it is gone for our purposes.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except (FileNotFoundError, IndexError):
        return True


class WorkerProcess:
    def __init__(self, settings: Settings, log: Path, args: list[str]) -> None:
        self.log = log
        self._out = log.open("wb")
        command = [str(Path(sys.executable).parent / "lathe"), "worker", *args]
        self.process = subprocess.Popen(command, stdout=self._out, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        wait_for(
            lambda: self.worker_id(settings) is not None or self.process.poll() is not None,
            30,
            "worker to register",
        )
        worker_id = self.worker_id(settings)
        assert worker_id is not None, self.output()
        self.id = worker_id

    def worker_id(self, settings: Settings) -> str | None:
        query = select(WorkerRow.id).where(WorkerRow.pid == self.pid)
        with read_scope(settings.resolved_database_url) as session:
            return session.scalar(query)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            self._out.close()

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(10)
        self._out.close()


@pytest.fixture
def start_worker(job_settings: Settings, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start a real `lathe worker` process (extra CLI args allowed); all are stopped after."""
    started: list[WorkerProcess] = []

    def start(*args: str) -> WorkerProcess:
        worker = WorkerProcess(job_settings, tmp_path / f"worker-{len(started)}.log", list(args))
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait(10)
        worker._out.close()
