"""Running a claimed job in this process (what a child or an inline thread does): results,
handler errors with tracebacks, and what a stop request turns into."""

from __future__ import annotations

import threading

from lathe.jobs import kinds, queue, service
from lathe.jobs.logs import log_path
from lathe.jobs.resources import Capacity
from lathe.jobs.runner import JobSpec, execute
from lathe.settings import Settings

WORKER = "w-test"


def claim_spec(settings: Settings, kind: str, params: dict[str, object]) -> JobSpec:
    job_id = service.enqueue(settings, kind, params).id
    job = queue.claim(settings, worker_id=WORKER, kinds=[kind], capacity=Capacity([], 1, 1))
    assert job is not None and job.id == job_id
    return JobSpec(
        job_id=job.id,
        kind=kind,
        module=kinds.get(kind).module,
        params=job.params,
        attempt=job.attempts,
        worker_id=WORKER,
        gpu_ids=(),
    )


def test_success_stores_the_result_and_progress(job_settings: Settings) -> None:
    spec = claim_spec(job_settings, "sleep", {"seconds": 0.02, "steps": 2})
    execute(job_settings, spec, threading.Event())
    job = queue.get_job(job_settings, spec.job_id)
    assert job.status == "succeeded" and job.result is not None and job.result["steps"] == 2
    progress = [
        e.data for e in queue.events_after(job_settings, spec.job_id) if e.kind == "progress"
    ]
    assert progress == [{"completed": 1, "total": 2}, {"completed": 2, "total": 2}]
    assert "job succeeded" in log_path(job_settings, spec.job_id).read_text()


def test_a_raising_handler_fails_the_job_with_its_traceback(job_settings: Settings) -> None:
    spec = claim_spec(job_settings, "t_fail", {"message": "disk on fire"})
    execute(job_settings, spec, threading.Event())
    job = queue.get_job(job_settings, spec.job_id)
    assert (job.status, job.error_code) == ("failed", "job_error")
    assert job.error_message == "RuntimeError: disk on fire"
    log = log_path(job_settings, spec.job_id).read_text()
    assert "Traceback (most recent call last)" in log and "RuntimeError: disk on fire" in log
    lines = [
        e.data["line"] for e in queue.events_after(job_settings, spec.job_id) if e.kind == "log"
    ]
    assert any("Traceback" in str(line) for line in lines)


def test_a_result_that_is_not_json_fails_the_job(job_settings: Settings) -> None:
    spec = claim_spec(job_settings, "t_bad_result", {})
    execute(job_settings, spec, threading.Event())
    job = queue.get_job(job_settings, spec.job_id)
    assert job.status == "failed"
    assert "not JSON serializable" in (job.error_message or "")


def test_a_seen_cancel_ends_as_cancelled(job_settings: Settings) -> None:
    spec = claim_spec(job_settings, "t_stop_probe", {})
    service.cancel_job(job_settings, spec.job_id)
    execute(job_settings, spec, threading.Event())
    job = queue.get_job(job_settings, spec.job_id)
    assert job.status == "cancelled"
    assert job.result == {"seen": [True, True, True], "reason": "cancel"}


def test_a_shutdown_leaves_the_job_to_the_worker(job_settings: Settings) -> None:
    spec = claim_spec(job_settings, "t_stop_probe", {})
    shutdown = threading.Event()
    shutdown.set()
    execute(job_settings, spec, shutdown)
    job = queue.get_job(job_settings, spec.job_id)
    assert (job.status, job.worker_id) == ("running", WORKER)  # the worker requeues it


def test_a_lost_lease_writes_nothing(job_settings: Settings) -> None:
    spec = claim_spec(job_settings, "t_stop_probe", {})
    stranger = JobSpec(**{**spec.__dict__, "worker_id": "someone-else"})
    execute(job_settings, stranger, threading.Event())
    job = queue.get_job(job_settings, spec.job_id)
    assert (job.status, job.worker_id) == ("running", WORKER)
    assert "lease_lost" in log_path(job_settings, spec.job_id).read_text()
