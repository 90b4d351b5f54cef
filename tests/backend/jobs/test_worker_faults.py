"""A real `lathe worker` process against handler faults: a handler that raises, one that
never returns (cancel still works, by SIGTERM and by SIGKILL), SIGKILL of a job's child."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable

import pytest

from lathe.jobs import service
from lathe.jobs.logs import log_path
from lathe.settings import Settings
from tests.backend.jobs.conftest import (
    WorkerProcess,
    logged_pid,
    pid_gone,
    status_events,
    wait_for,
    wait_status,
    wait_steps,
)

pytestmark = pytest.mark.integration


def test_raising_handlers_fail_and_the_worker_keeps_going(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    failing = service.enqueue(job_settings, "t_fail", {"message": "out of cheese"}).id
    inline = service.enqueue(job_settings, "t_fail_inline", {}).id
    job = wait_status(job_settings, failing, "failed")
    assert (job.error_code, job.error_message) == ("job_error", "RuntimeError: out of cheese")
    log = log_path(job_settings, failing).read_text()
    assert "about to fail" in log  # the child's stdout
    assert "Traceback (most recent call last)" in log and "RuntimeError: out of cheese" in log
    assert wait_status(job_settings, inline, "failed").error_code == "job_error"

    after = service.enqueue(job_settings, "noop", {"echo": {"still": "here"}}).id
    assert wait_status(job_settings, after, "succeeded").result == {"echo": {"still": "here"}}
    assert worker.process.poll() is None


def test_cancel_reaches_a_cooperative_handler(
    job_settings: Settings,
    start_worker: Callable[..., WorkerProcess],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Room for the child to exit on its own (interpreter shutdown is slow on a loaded machine):
    # the test is that the handler stops itself, so it must never need the terminate path.
    monkeypatch.setenv("LATHE_JOB_CANCEL_GRACE_S", "10")
    start_worker()
    job_id = service.enqueue(job_settings, "t_steps", {"steps": 1000, "step_s": 0.01}).id
    pid = logged_pid(job_settings, job_id)
    wait_steps(job_settings, job_id, 1)  # a cancel before the first step would leave done == 0
    service.cancel_job(job_settings, job_id)
    job = wait_status(job_settings, job_id, "cancelled", timeout=5)
    assert job.result is not None and 0 < job.result["done"] < 1000  # it ended itself
    wait_for(lambda: pid_gone(pid), 5, "the child to exit")
    assert "terminating" not in log_path(job_settings, job_id).read_text()


def test_cancel_stops_handlers_that_never_return(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker("--cpu-jobs", "3")
    stubborn = {"steps": 10**6, "step_s": 0.05, "ignore_stop": True}
    hangs = service.enqueue(job_settings, "t_steps", stubborn).id
    deaf = service.enqueue(job_settings, "t_steps", {**stubborn, "ignore_sigterm": True}).id
    inline = service.enqueue(job_settings, "t_inline_hang", {}).id
    pids = [logged_pid(job_settings, hangs), logged_pid(job_settings, deaf)]
    for job_id in (hangs, deaf, inline):
        service.cancel_job(job_settings, job_id)
    for job_id in (hangs, deaf, inline):
        assert wait_status(job_settings, job_id, "cancelled", timeout=10).error_code is None
    for pid in pids:
        wait_for(lambda pid=pid: pid_gone(pid), 5, f"process {pid} to be gone")
    assert "terminating process" in log_path(job_settings, hangs).read_text()
    deaf_log = log_path(job_settings, deaf).read_text()
    assert "killing process" in deaf_log and "killed by SIGKILL" in deaf_log
    assert "abandoned" in log_path(job_settings, inline).read_text()

    after = service.enqueue(job_settings, "noop", {}).id
    wait_status(job_settings, after, "succeeded")
    assert worker.process.poll() is None


def test_sigkill_of_the_child_fails_the_job(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    job_id = service.enqueue(job_settings, "t_steps", {"steps": 1000, "step_s": 0.01}).id
    os.kill(logged_pid(job_settings, job_id), signal.SIGKILL)
    job = wait_status(job_settings, job_id, "failed")
    assert job.error_code == "process_died"
    assert "killed by SIGKILL" in (job.error_message or "")
    assert [e["status"] for e in status_events(job_settings, job_id)] == [
        "queued",
        "running",
        "failed",
    ]

    after = service.enqueue(job_settings, "noop", {}).id
    wait_status(job_settings, after, "succeeded")
    assert worker.process.poll() is None
