"""Jobs as people and services see them: enqueue (with an idempotency key), read, list,
cancel and retry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from lathe.db.engine import read_scope, session_scope
from lathe.db.tables import JobRow, utcnow
from lathe.errors import Conflict, NotFound
from lathe.jobs.queue.base import add_event, get_for_update, move, released, url
from lathe.schemas.jobs import Resources
from lathe.settings import Settings


def enqueue(
    settings: Settings,
    *,
    kind: str,
    params: dict[str, Any],
    resources: Resources,
    priority: int,
    max_attempts: int,
    idempotency_key: str | None,
    not_before: datetime | None = None,
) -> tuple[JobRow, bool]:
    """Insert a queued job (claimable from `not_before`, default now); with an idempotency
    key already used for this kind, return that job instead (created=False). The same key with
    other params is a conflict."""
    if idempotency_key is not None:
        existing = _find_by_key(settings, kind, idempotency_key)
        if existing is not None:
            return _same_params(existing, params), False
    now = utcnow()
    job = JobRow(
        kind=kind,
        params=params,
        status="queued",
        priority=priority,
        max_attempts=max_attempts,
        gpus=resources.gpus,
        slot=resources.slot,
        resources=resources.model_dump(mode="json"),
        idempotency_key=idempotency_key,
        run_after=max(now, not_before or now),
        created_at=now,
    )
    try:
        with session_scope(url(settings)) as session:
            session.add(job)
            session.flush()
            add_event(session, job.id, "status", {"status": "queued", "from": None})
    except IntegrityError:
        # Two enqueues with one key raced (PostgreSQL); the first one's job is the answer.
        existing = _find_by_key(settings, kind, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _same_params(existing, params), False
    return job, True


def _find_by_key(settings: Settings, kind: str, key: str) -> JobRow | None:
    query = select(JobRow).where(JobRow.kind == kind, JobRow.idempotency_key == key)
    with read_scope(url(settings)) as session:
        return session.scalars(query).first()


def _same_params(existing: JobRow, params: dict[str, Any]) -> JobRow:
    if existing.params != params:
        raise Conflict(
            f"idempotency key already used by job {existing.id} with other params",
            field="idempotency_key",
        )
    return existing


def get_job(settings: Settings, job_id: int) -> JobRow:
    with read_scope(url(settings)) as session:
        job = session.get(JobRow, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


def list_jobs(
    settings: Settings,
    *,
    statuses: Sequence[str] = (),
    kinds: Sequence[str] = (),
    before_id: int | None = None,
    limit: int,
) -> list[JobRow]:
    """Newest first; `before_id` continues a listing after its last row."""
    query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
    if statuses:
        query = query.where(JobRow.status.in_(statuses))
    if kinds:
        query = query.where(JobRow.kind.in_(kinds))
    if before_id is not None:
        query = query.where(JobRow.id < before_id)
    with read_scope(url(settings)) as session:
        return list(session.scalars(query))


def request_cancel(settings: Settings, job_id: int) -> JobRow:
    """queued → cancelled at once; running → cancel_requested (its handler and worker stop
    it); finished → Conflict."""
    with session_scope(url(settings)) as session:
        job = get_for_update(session, job_id)
        if job.status == "queued":
            move(
                session,
                job_id,
                from_status="queued",
                to_status="cancelled",
                values={"cancel_requested": True, "finished_at": utcnow()},
                event={"reason": "cancelled"},
            )
        elif job.status == "running" and not job.cancel_requested:
            session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "running")
                .values(cancel_requested=True)
                .execution_options(synchronize_session=False)
            )
            add_event(session, job_id, "log", {"line": "cancel requested"})
        elif job.status != "running":
            raise Conflict(f"job {job_id} already {job.status}", details={"status": job.status})
        return get_for_update(session, job_id)


def retry(settings: Settings, job_id: int) -> JobRow:
    """failed | cancelled → queued with fresh attempts. A queued, running or succeeded job is
    a Conflict."""
    with session_scope(url(settings)) as session:
        job = get_for_update(session, job_id)
        if job.status not in ("failed", "cancelled"):
            raise Conflict(
                f"job {job_id} is {job.status}: only failed or cancelled jobs can be retried",
                details={"status": job.status},
            )
        values = {
            **released(),
            "attempts": 0,
            "cancel_requested": False,
            "result": None,
            "progress": None,
            "error_code": None,
            "error_message": None,
            "finished_at": None,
            "run_after": utcnow(),
        }
        move(
            session,
            job_id,
            from_status=job.status,
            to_status="queued",
            values=values,
            event={"reason": "retry"},
        )
        return get_for_update(session, job_id)
