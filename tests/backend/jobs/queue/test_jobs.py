"""Enqueue (idempotency), read, list (filters, cursor), cancel and retry, in one process."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from lathe.db.engine import session_scope
from lathe.errors import Conflict, InvalidInput, NotFound
from lathe.jobs import queue, service
from lathe.jobs.resources import Capacity
from lathe.settings import Settings
from tests.backend.jobs.conftest import status_events

WORKER = "test-worker"


def run(settings: Settings, job_id: int) -> None:
    """Claim the only queued job as WORKER (fails the test if it is another one)."""
    job = queue.claim(
        settings, worker_id=WORKER, kinds=["noop", "sleep"], capacity=Capacity([], 1, 4)
    )
    assert job is not None and job.id == job_id


def test_enqueue_writes_a_queued_job_and_event(job_settings: Settings) -> None:
    job = service.enqueue(job_settings, "sleep", {"seconds": 2})
    assert (job.status, job.kind, job.attempts, job.max_attempts) == ("queued", "sleep", 0, 3)
    assert job.params == {"seconds": 2.0, "steps": 10}  # normalised by the schema
    assert (job.gpus, job.slot, job.resources["memory"]) == (0, "aux", "small")
    assert status_events(job_settings, job.id) == [{"status": "queued", "from": None}]


def test_idempotency_key_returns_the_same_job(job_settings: Settings) -> None:
    first = service.enqueue(job_settings, "sleep", {"seconds": 1}, idempotency_key="k1")
    again = service.enqueue(job_settings, "sleep", {"seconds": 1.0}, idempotency_key="k1")
    other_kind = service.enqueue(job_settings, "noop", {}, idempotency_key="k1")
    assert again.id == first.id
    assert other_kind.id != first.id
    with pytest.raises(Conflict, match="idempotency key already used"):
        service.enqueue(job_settings, "sleep", {"seconds": 5}, idempotency_key="k1")
    assert len(queue.list_jobs(job_settings, limit=10)) == 2


def test_enqueue_refuses_bad_options(job_settings: Settings) -> None:
    with pytest.raises(InvalidInput, match="idempotency_key"):
        service.enqueue(job_settings, "noop", {}, idempotency_key="x" * 256)
    with pytest.raises(InvalidInput, match="max_attempts"):
        service.enqueue(job_settings, "noop", {}, max_attempts=1000)


def test_status_check_constraint(job_settings: Settings) -> None:
    job = service.enqueue(job_settings, "noop", {})
    with pytest.raises(IntegrityError), session_scope(job_settings.resolved_database_url) as s:
        s.execute(text("UPDATE jobs SET status = 'exploded' WHERE id = :id"), {"id": job.id})


def test_cancel_queued_is_immediate(job_settings: Settings) -> None:
    job = service.enqueue(job_settings, "noop", {})
    cancelled = service.cancel_job(job_settings, job.id)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    assert status_events(job_settings, job.id)[-1] == {
        "from": "queued",
        "status": "cancelled",
        "reason": "cancelled",
    }


def test_cancel_running_sets_the_flag_once(job_settings: Settings) -> None:
    job = service.enqueue(job_settings, "sleep", {})
    run(job_settings, job.id)
    assert service.cancel_job(job_settings, job.id).cancel_requested
    assert service.cancel_job(job_settings, job.id).status == "running"  # idempotent
    lines = [e.data.get("line") for e in service.job_events(job_settings, job.id)]
    assert lines.count("cancel requested") == 1


@pytest.mark.parametrize("final", ["succeeded", "failed", "cancelled"])
def test_cancel_of_a_finished_job_conflicts(job_settings: Settings, final: str) -> None:
    job = service.enqueue(job_settings, "noop", {})
    run(job_settings, job.id)
    queue.finish(job_settings, job.id, WORKER, final)
    with pytest.raises(Conflict, match=f"already {final}") as info:
        service.cancel_job(job_settings, job.id)
    assert info.value.status_code == 409


@pytest.mark.parametrize("state", ["queued", "running", "succeeded"])
def test_retry_conflicts_unless_failed_or_cancelled(job_settings: Settings, state: str) -> None:
    job = service.enqueue(job_settings, "noop", {})
    if state != "queued":
        run(job_settings, job.id)
    if state == "succeeded":
        queue.finish(job_settings, job.id, WORKER, "succeeded")
    with pytest.raises(Conflict, match=f"is {state}") as info:
        service.retry_job(job_settings, job.id)
    assert info.value.status_code == 409


def test_retry_of_a_failed_job_starts_fresh(job_settings: Settings) -> None:
    job = service.enqueue(job_settings, "noop", {})
    run(job_settings, job.id)
    queue.finish(job_settings, job.id, WORKER, "failed", error_code="x", error_message="bad")
    retried = service.retry_job(job_settings, job.id)
    assert (retried.status, retried.attempts, retried.error_message) == ("queued", 0, None)
    assert retried.worker_id is None and retried.finished_at is None
    assert status_events(job_settings, job.id)[-1]["reason"] == "retry"


def test_unknown_job(job_settings: Settings) -> None:
    with pytest.raises(NotFound):
        service.get_job(job_settings, 999)
    with pytest.raises(NotFound):
        service.cancel_job(job_settings, 999)
    with pytest.raises(NotFound):
        service.job_events(job_settings, 999)


def test_list_filters_and_cursor(job_settings: Settings) -> None:
    ids = [service.enqueue(job_settings, "noop", {}).id for _ in range(5)]
    sleeper = service.enqueue(job_settings, "sleep", {}).id
    service.cancel_job(job_settings, ids[0])

    page, cursor = service.list_jobs(job_settings, limit=4)
    assert [j.id for j in page] == [sleeper, *ids[:0:-1][:3]]  # newest first
    rest, end = service.list_jobs(job_settings, limit=4, cursor=cursor)
    assert [j.id for j in rest] == [ids[1], ids[0]] and end is None

    noops, _ = service.list_jobs(job_settings, kinds=["noop"], statuses=["queued"], limit=50)
    assert [j.id for j in noops] == ids[:0:-1]
    with pytest.raises(InvalidInput, match="status"):
        service.list_jobs(job_settings, statuses=["done"], limit=5)
    with pytest.raises(InvalidInput, match="cursor"):
        service.list_jobs(job_settings, limit=5, cursor="bm9wZQ")
