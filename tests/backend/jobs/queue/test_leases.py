"""Claims, heartbeats, guarded transitions and the reaper, in one process (workers are plain
ids here; the real processes are in tests/backend/jobs/test_worker_*.py)."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from lathe.db.engine import session_scope
from lathe.db.tables import JobRow, WorkerRow, utcnow
from lathe.jobs import queue, service
from lathe.jobs.resources import Capacity
from lathe.settings import Settings
from tests.backend.jobs.conftest import status_events

KINDS = ["noop", "sleep", "t_train", "t_steps"]


def claim(settings: Settings, worker: str = "w1", capacity: Capacity | None = None) -> int | None:
    job = queue.claim(
        settings, worker_id=worker, kinds=KINDS, capacity=capacity or Capacity([], 1, 2)
    )
    return None if job is None else job.id


def expire_lease(settings: Settings, job_id: int) -> None:
    with session_scope(settings.resolved_database_url) as session:
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def test_claim_marks_running_and_counts_the_attempt(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    assert claim(job_settings) == job_id
    job = queue.get_job(job_settings, job_id)
    assert (job.status, job.worker_id, job.attempts) == ("running", "w1", 1)
    assert job.lease_expires_at is not None and job.lease_expires_at > utcnow()
    assert status_events(job_settings, job_id)[-1] == {
        "from": "queued",
        "status": "running",
        "worker_id": "w1",
        "attempt": 1,
    }
    assert claim(job_settings, "w2") is None  # claimed once


def test_claim_order_is_priority_then_age(job_settings: Settings) -> None:
    low = service.enqueue(job_settings, "noop", {}).id
    high = service.enqueue(job_settings, "noop", {}, priority=5).id
    low2 = service.enqueue(job_settings, "noop", {}).id
    assert [claim(job_settings) for _ in range(3)] == [high, low, low2]


def test_claim_only_kinds_the_worker_knows(job_settings: Settings) -> None:
    service.enqueue(job_settings, "t_fail", {})
    assert claim(job_settings) is None


def test_claim_respects_free_slots(job_settings: Settings, tmp_path: object) -> None:
    record = str(tmp_path)
    gpu2 = service.enqueue(job_settings, "t_train", {"gpus": 2, "record": record}).id
    cpu_train = service.enqueue(job_settings, "t_train", {"gpus": 0, "record": record}).id
    aux = service.enqueue(job_settings, "noop", {}).id

    assert claim(job_settings, capacity=Capacity([0], train_free=0, aux_free=0)) is None
    assert claim(job_settings, capacity=Capacity([0], train_free=0, aux_free=1)) == aux
    assert claim(job_settings, capacity=Capacity([0], train_free=1, aux_free=0)) == cpu_train
    assert claim(job_settings, capacity=Capacity([0, 1], train_free=0, aux_free=0)) == gpu2


def test_capacity_hands_out_distinct_gpus() -> None:
    from lathe.schemas.jobs import Resources

    capacity = Capacity([0, 1, 2], train_free=1, aux_free=1)
    one = Resources(gpus=1, slot="train")
    assert capacity.take(1, one) == [0]
    assert capacity.take(2, Resources(gpus=2, slot="train")) == [1, 2]
    assert not capacity.fits(one)
    assert capacity.fits(Resources(slot="train"))  # the CPU training slot is still free
    capacity.release(1)
    assert capacity.take(3, one) == [0]
    with pytest.raises(ValueError, match="does not fit"):
        capacity.take(4, one)


def test_claim_waits_for_run_after(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    with session_scope(job_settings.resolved_database_url) as session:
        later = utcnow() + timedelta(seconds=60)
        session.execute(update(JobRow).where(JobRow.id == job_id).values(run_after=later))
    assert claim(job_settings) is None


def test_transitions_are_guarded_by_the_lease(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    claim(job_settings, "w1")
    with pytest.raises(queue.LeaseLost):
        queue.finish(job_settings, job_id, "w2", "succeeded")
    with pytest.raises(queue.LeaseLost):
        queue.requeue(job_settings, job_id, "w2", reason="shutdown", give_back_attempt=True)
    queue.finish(job_settings, job_id, "w1", "succeeded", result={"ok": True})
    with pytest.raises(queue.LeaseLost):  # a second terminal write finds nothing running
        queue.finish(job_settings, job_id, "w1", "failed")
    job = queue.get_job(job_settings, job_id)
    assert (job.status, job.result) == ("succeeded", {"ok": True})
    assert [e["status"] for e in status_events(job_settings, job_id)] == [
        "queued",
        "running",
        "succeeded",
    ]


def test_requeue_on_shutdown_gives_the_attempt_back(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    claim(job_settings)
    queue.requeue(job_settings, job_id, "w1", reason="shutdown", give_back_attempt=True)
    job = queue.get_job(job_settings, job_id)
    assert (job.status, job.attempts, job.worker_id) == ("queued", 0, None)
    assert claim(job_settings, "w2") == job_id


def test_heartbeat_extends_leases_and_reports_cancels(job_settings: Settings) -> None:
    worker = queue.WorkerInfo("w1", "host", 1, {}, KINDS)
    queue.register_worker(job_settings, worker)
    first = service.enqueue(job_settings, "noop", {}).id
    second = service.enqueue(job_settings, "noop", {}).id
    claim(job_settings)
    claim(job_settings)
    before = queue.get_job(job_settings, first).lease_expires_at
    service.cancel_job(job_settings, second)
    time.sleep(0.01)
    assert queue.heartbeat(job_settings, worker, [first, second]) == {first: False, second: True}
    after = queue.get_job(job_settings, first).lease_expires_at
    assert before is not None and after is not None and after > before
    assert queue.held_jobs(job_settings, "w1", [first, second]) == {first: False, second: True}
    assert queue.held_jobs(job_settings, "w2", [first, second]) == {}


def test_heartbeat_registers_a_removed_worker_again(job_settings: Settings) -> None:
    worker = queue.WorkerInfo("w9", "host", 9, {"gpus": []}, ["noop"])
    assert queue.heartbeat(job_settings, worker, []) == {}
    assert [w.id for w in queue.list_workers(job_settings)] == ["w9"]
    queue.unregister_worker(job_settings, "w9")
    assert queue.list_workers(job_settings) == []


def test_reaper_requeues_with_backoff(job_settings: Settings) -> None:
    settings = job_settings.model_copy(update={"job_retry_backoff_s": 10.0})
    job_id = service.enqueue(settings, "noop", {}).id
    claim(settings)
    assert queue.reap_stalled(settings) == []  # the lease is fresh
    expire_lease(settings, job_id)
    assert queue.reap_stalled(settings) == [(job_id, "queued")]
    job = queue.get_job(settings, job_id)
    assert (job.status, job.worker_id, job.attempts) == ("queued", None, 1)
    assert job.run_after > utcnow() + timedelta(seconds=8)
    event = status_events(settings, job_id)[-1]
    assert (event["reason"], event["retry_in_s"]) == ("stalled", 10.0)
    assert claim(settings) is None  # not before the backoff
    assert queue.backoff_s(settings, 3) == 40.0
    assert queue.backoff_s(settings, 30) == queue.leases.MAX_BACKOFF_S


def test_reaper_fails_a_job_out_of_attempts(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}, max_attempts=2).id
    for _ in range(2):
        assert claim(job_settings) == job_id
        expire_lease(job_settings, job_id)
        queue.reap_stalled(job_settings)
    job = queue.get_job(job_settings, job_id)
    assert (job.status, job.error_code, job.attempts) == ("failed", "stalled", 2)
    assert "attempt 2 of 2" in (job.error_message or "")


def test_reaper_ends_a_stalled_cancel_as_cancelled(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    claim(job_settings)
    service.cancel_job(job_settings, job_id)
    expire_lease(job_settings, job_id)
    assert queue.reap_stalled(job_settings) == [(job_id, "cancelled")]


def test_reaper_removes_stale_workers(job_settings: Settings) -> None:
    queue.register_worker(job_settings, queue.WorkerInfo("old", "h", 1, {}, []))
    queue.register_worker(job_settings, queue.WorkerInfo("new", "h", 2, {}, []))
    with session_scope(job_settings.resolved_database_url) as session:
        stale = utcnow() - timedelta(seconds=job_settings.job_lease_s + 1)
        session.execute(update(WorkerRow).where(WorkerRow.id == "old").values(heartbeat_at=stale))
    queue.reap_stalled(job_settings)
    assert [w.id for w in queue.list_workers(job_settings)] == ["new"]
