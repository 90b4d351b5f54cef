"""The worker side: claim, heartbeat (lease extension), finish, requeue, and the reaper
that requeues or fails jobs whose worker stopped heartbeating."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, delete, or_, select, update

from lathe.db.engine import read_scope, session_scope
from lathe.db.tables import JOB_FINISHED, JobRow, WorkerRow, utcnow
from lathe.jobs.queue.base import LeaseLost, add_event, is_postgres, move, released, rowcount, url
from lathe.jobs.queue.records import WorkerInfo, worker_row
from lathe.jobs.resources import Capacity
from lathe.settings import Settings

MAX_BACKOFF_S = 600.0


def _lease_end(settings: Settings, now: datetime) -> datetime:
    return now + timedelta(seconds=settings.job_lease_s)


def _fits(capacity: Capacity) -> ColumnElement[bool] | None:
    gpus = len(capacity.free_gpus)
    options = []
    if capacity.aux_free > 0:
        options.append(and_(JobRow.slot == "aux", JobRow.gpus <= gpus))
    if capacity.train_free > 0:
        options.append(and_(JobRow.slot == "train", JobRow.gpus == 0))
    if gpus > 0:
        options.append(and_(JobRow.slot == "train", JobRow.gpus > 0, JobRow.gpus <= gpus))
    return or_(*options) if options else None


def claim(
    settings: Settings, *, worker_id: str, kinds: Sequence[str], capacity: Capacity
) -> JobRow | None:
    """Take the best queued job this worker can run (highest priority, then oldest), mark it
    running under this worker's lease, and commit. None when nothing fits."""
    fits = _fits(capacity)
    if fits is None or not kinds:
        return None
    now = utcnow()
    candidate = (
        select(JobRow.id)
        .where(JobRow.status == "queued", JobRow.run_after <= now, JobRow.kind.in_(kinds), fits)
        .order_by(JobRow.priority.desc(), JobRow.id)
        .limit(1)
    )
    # An idle worker polls often: look first without taking the write lock.
    with read_scope(url(settings)) as session:
        if session.scalar(candidate) is None:
            return None
    if is_postgres(settings):
        candidate = candidate.with_for_update(skip_locked=True)
    stmt = (
        update(JobRow)
        .where(JobRow.id == candidate.scalar_subquery(), JobRow.status == "queued")
        .values(
            status="running",
            worker_id=worker_id,
            attempts=JobRow.attempts + 1,
            started_at=now,
            heartbeat_at=now,
            lease_expires_at=_lease_end(settings, now),
        )
        .returning(JobRow)
        .execution_options(synchronize_session=False)
    )
    with session_scope(url(settings)) as session:
        job = session.scalars(stmt).first()
        if job is not None:
            event = {"status": "running", "from": "queued", "worker_id": worker_id}
            add_event(session, job.id, "status", {**event, "attempt": job.attempts})
    return job


def heartbeat(settings: Settings, worker: WorkerInfo, job_ids: Sequence[int]) -> dict[int, bool]:
    """Refresh the worker's heartbeat and extend the leases of the jobs it still holds.
    Returns {job id: cancel_requested} for those; a missing id is a lost lease."""
    now = utcnow()
    with session_scope(url(settings)) as session:
        stmt = update(WorkerRow).where(WorkerRow.id == worker.id).values(heartbeat_at=now)
        if rowcount(session.execute(stmt)) == 0:
            # The reaper removed us after a long pause; register again.
            session.add(worker_row(worker, now))
        if not job_ids:
            return {}
        extend = (
            update(JobRow)
            .where(
                JobRow.id.in_(job_ids), JobRow.status == "running", JobRow.worker_id == worker.id
            )
            .values(heartbeat_at=now, lease_expires_at=_lease_end(settings, now))
            .returning(JobRow.id, JobRow.cancel_requested)
            .execution_options(synchronize_session=False)
        )
        return {job_id: bool(flag) for job_id, flag in session.execute(extend)}


def held_jobs(settings: Settings, worker_id: str, job_ids: Sequence[int]) -> dict[int, bool]:
    """Like heartbeat's answer without writing: {job id: cancel_requested} still held."""
    query = select(JobRow.id, JobRow.cancel_requested).where(
        JobRow.id.in_(job_ids), JobRow.status == "running", JobRow.worker_id == worker_id
    )
    with read_scope(url(settings)) as session:
        return {job_id: bool(flag) for job_id, flag in session.execute(query)}


def finished_by(settings: Settings, worker_id: str, job_ids: Sequence[int]) -> set[int]:
    """Those of `job_ids` that `worker_id` (its job's child) already brought to an end."""
    query = select(JobRow.id).where(
        JobRow.id.in_(job_ids), JobRow.status.in_(JOB_FINISHED), JobRow.worker_id == worker_id
    )
    with read_scope(url(settings)) as session:
        return set(session.scalars(query))


def finish(
    settings: Settings,
    job_id: int,
    worker_id: str,
    status: str,
    *,
    result: dict[str, Any] | None = None,
    error_code: str | None = None,
    error_message: str | None = None,
) -> None:
    """running → succeeded | failed | cancelled, only while `worker_id` holds the lease."""
    values = {
        "result": result,
        "error_code": error_code,
        "error_message": error_message,
        "finished_at": utcnow(),
        "lease_expires_at": None,
    }
    event = {"worker_id": worker_id, "error_code": error_code, "error_message": error_message}
    with session_scope(url(settings)) as session:
        moved = move(
            session,
            job_id,
            from_status="running",
            to_status=status,
            values=values,
            event={key: value for key, value in event.items() if value is not None},
            where=[JobRow.worker_id == worker_id],
        )
    if not moved:
        raise LeaseLost(job_id, worker_id)


def requeue(
    settings: Settings, job_id: int, worker_id: str, *, reason: str, give_back_attempt: bool
) -> None:
    """running → queued by the worker holding it (shutdown): it runs again at once, and the
    interrupted start does not count against its attempts."""
    values: dict[str, Any] = {**released(), "run_after": utcnow()}
    if give_back_attempt:
        values["attempts"] = JobRow.attempts - 1
    with session_scope(url(settings)) as session:
        moved = move(
            session,
            job_id,
            from_status="running",
            to_status="queued",
            values=values,
            event={"worker_id": worker_id, "reason": reason},
            where=[JobRow.worker_id == worker_id],
        )
    if not moved:
        raise LeaseLost(job_id, worker_id)


def backoff_s(settings: Settings, attempts: int) -> float:
    """Delay before a stalled job runs again: the base doubles with each attempt, capped."""
    return float(min(settings.job_retry_backoff_s * 2 ** max(attempts - 1, 0), MAX_BACKOFF_S))


def _after_stall(
    settings: Settings, row: Row[int, str | None, int, int, bool], now: datetime
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(new status, column values, event data) for a job whose lease ran out."""
    event: dict[str, Any] = {"worker_id": row.worker_id, "reason": "stalled"}
    event["attempt"] = row.attempts
    if row.cancel_requested:
        return "cancelled", {"lease_expires_at": None, "finished_at": now}, event
    if row.attempts >= row.max_attempts:
        message = (
            f"worker {row.worker_id} stopped heartbeating; attempt {row.attempts} of "
            f"{row.max_attempts} was the last"
        )
        values = {"lease_expires_at": None, "finished_at": now}
        return "failed", {**values, "error_code": "stalled", "error_message": message}, event
    delay = backoff_s(settings, row.attempts)
    values = {**released(), "run_after": now + timedelta(seconds=delay)}
    return "queued", values, {**event, "retry_in_s": delay}


def reap_stalled(settings: Settings) -> list[tuple[int, str]]:
    """Jobs whose lease ran out (their worker stopped heartbeating) go back to the queue after
    a backoff, or fail when their attempts are used up; a pending cancel ends them as
    cancelled. Stale worker rows are removed. Returns (job id, new status) pairs."""
    now = utcnow()
    stalled = select(
        JobRow.id, JobRow.worker_id, JobRow.attempts, JobRow.max_attempts, JobRow.cancel_requested
    ).where(JobRow.status == "running", JobRow.lease_expires_at < now)
    if is_postgres(settings):
        stalled = stalled.with_for_update(skip_locked=True)
    moved: list[tuple[int, str]] = []
    with session_scope(url(settings)) as session:
        for row in session.execute(stalled).all():
            status, values, event = _after_stall(settings, row, now)
            # The owner may have heartbeated since the SELECT (PostgreSQL): guard on the lease.
            guard = [JobRow.worker_id == row.worker_id, JobRow.lease_expires_at < now]
            if move(
                session,
                row.id,
                from_status="running",
                to_status=status,
                values=values,
                event=event,
                where=guard,
            ):
                moved.append((row.id, status))
        stale = now - timedelta(seconds=settings.job_lease_s)
        session.execute(delete(WorkerRow).where(WorkerRow.heartbeat_at < stale))
    return moved
