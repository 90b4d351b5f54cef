"""Event, metric and worker rows: appends and reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from lathe.db.engine import read_scope, session_scope
from lathe.db.tables import JobEventRow, JobRow, MetricRow, WorkerRow, utcnow
from lathe.jobs.queue.base import add_event, url
from lathe.settings import Settings


@dataclass(frozen=True)
class WorkerInfo:
    id: str
    host: str
    pid: int
    slots: dict[str, Any]
    kinds: list[str]


def append_event(settings: Settings, job_id: int, kind: str, data: dict[str, Any]) -> None:
    with session_scope(url(settings)) as session:
        add_event(session, job_id, kind, data)


def report_progress(settings: Settings, job_id: int, data: dict[str, Any]) -> None:
    """A progress event, and the same numbers on the job row (what job lists show)."""
    with session_scope(url(settings)) as session:
        session.execute(
            update(JobRow)
            .where(JobRow.id == job_id)
            .values(progress=data)
            .execution_options(synchronize_session=False)
        )
        add_event(session, job_id, "progress", data)


def event_owner(settings: Settings, event_id: int) -> int | None:
    """The job an event belongs to (checks an SSE Last-Event-ID), None for no such event."""
    with read_scope(url(settings)) as session:
        return session.scalar(select(JobEventRow.job_id).where(JobEventRow.id == event_id))


def events_after(
    settings: Settings, job_id: int, after_id: int = 0, limit: int = 1000
) -> list[JobEventRow]:
    query = (
        select(JobEventRow)
        .where(JobEventRow.job_id == job_id, JobEventRow.id > after_id)
        .order_by(JobEventRow.id)
        .limit(limit)
    )
    with read_scope(url(settings)) as session:
        return list(session.scalars(query))


def metric_owner(settings: Settings, metric_id: int) -> int | None:
    """The job a metric row belongs to (checks a metrics stream's Last-Event-ID), None for no
    such row."""
    with read_scope(url(settings)) as session:
        return session.scalar(select(MetricRow.job_id).where(MetricRow.id == metric_id))


def append_metrics(settings: Settings, job_id: int, step: int, values: Mapping[str, float]) -> None:
    now = utcnow()
    with session_scope(url(settings)) as session:
        session.add_all(
            MetricRow(job_id=job_id, step=step, name=name, value=float(value), created_at=now)
            for name, value in values.items()
        )


def read_metrics(
    settings: Settings,
    job_id: int,
    *,
    names: Sequence[str] = (),
    after_id: int = 0,
    limit: int = 10_000,
) -> list[MetricRow]:
    query = (
        select(MetricRow)
        .where(MetricRow.job_id == job_id, MetricRow.id > after_id)
        .order_by(MetricRow.id)
        .limit(limit)
    )
    if names:
        query = query.where(MetricRow.name.in_(names))
    with read_scope(url(settings)) as session:
        return list(session.scalars(query))


def worker_row(worker: WorkerInfo, now: datetime) -> WorkerRow:
    return WorkerRow(
        id=worker.id,
        host=worker.host,
        pid=worker.pid,
        slots=worker.slots,
        kinds=worker.kinds,
        started_at=now,
        heartbeat_at=now,
    )


def register_worker(settings: Settings, worker: WorkerInfo) -> None:
    with session_scope(url(settings)) as session:
        session.merge(worker_row(worker, utcnow()))


def unregister_worker(settings: Settings, worker_id: str) -> None:
    with session_scope(url(settings)) as session:
        session.execute(delete(WorkerRow).where(WorkerRow.id == worker_id))


def list_workers(settings: Settings) -> list[WorkerRow]:
    with read_scope(url(settings)) as session:
        return list(session.scalars(select(WorkerRow).order_by(WorkerRow.started_at)))
