"""Workers that die or are stopped: SIGKILL of a worker mid-job (its child dies with it, the
job is requeued after the lease and finished by another worker, exactly once), and graceful
SIGTERM (running jobs stop, are requeued and resume from their checkpoint)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from lathe.jobs import queue, service
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


def test_sigkill_of_the_worker_requeues_the_job_for_another(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    first = start_worker()
    job_id = service.enqueue(job_settings, "t_steps", {"steps": 30, "step_s": 0.05}).id
    child = logged_pid(job_settings, job_id)
    wait_steps(job_settings, job_id, 3)
    first.kill()
    wait_for(lambda: pid_gone(child), 5, "the orphaned child to die with its worker")

    second = start_worker()
    job = wait_status(job_settings, job_id, "succeeded", timeout=20)
    assert (job.worker_id, job.attempts) == (second.id, 2)
    assert job.result is not None and job.result["done"] == 30
    assert job.result["resumed_from"] > 0  # from the first attempt's checkpoint

    moves = [
        (e["status"], e.get("worker_id"), e.get("reason"))
        for e in status_events(job_settings, job_id)
    ]
    assert moves == [
        ("queued", None, None),
        ("running", first.id, None),
        ("queued", first.id, "stalled"),
        ("running", second.id, None),
        ("succeeded", second.id, None),
    ]
    assert queue.get_job(job_settings, job_id).status == "succeeded"


def test_sigterm_requeues_running_jobs_and_exits(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    worker = start_worker()
    polite = service.enqueue(job_settings, "t_steps", {"steps": 60, "step_s": 0.02}).id
    stubborn = service.enqueue(
        job_settings, "t_steps", {"steps": 10**6, "step_s": 0.02, "ignore_stop": True}
    ).id
    pids = [logged_pid(job_settings, polite), logged_pid(job_settings, stubborn)]
    wait_steps(job_settings, polite, 3)
    assert worker.stop(timeout=10) == 0
    assert all(pid_gone(pid) for pid in pids)
    for job_id in (polite, stubborn):
        job = queue.get_job(job_settings, job_id)
        assert (job.status, job.attempts, job.worker_id) == ("queued", 0, None)
        assert status_events(job_settings, job_id)[-1]["reason"] == "shutdown"
    assert queue.list_workers(job_settings) == []
    service.cancel_job(job_settings, stubborn)

    start_worker()
    job = wait_status(job_settings, polite, "succeeded")
    assert job.result is not None and job.result["resumed_from"] > 0 and job.attempts == 1
