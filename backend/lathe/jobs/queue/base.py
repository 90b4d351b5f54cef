"""What every queue function shares: the guarded transition, status events, the lost-lease
error and the dialect check."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, update
from sqlalchemy.orm import Session

from lathe.db.engine import get_engine
from lathe.db.tables import JobEventRow, JobRow, utcnow
from lathe.errors import NotFound
from lathe.settings import Settings


class LeaseLost(Exception):
    """A guarded transition matched no row: this worker no longer holds the job."""

    def __init__(self, job_id: int, worker_id: str) -> None:
        super().__init__(f"job {job_id} is no longer held by worker {worker_id}")
        self.job_id = job_id
        self.worker_id = worker_id


def url(settings: Settings) -> str:
    return settings.resolved_database_url


def is_postgres(settings: Settings) -> bool:
    return get_engine(url(settings)).dialect.name == "postgresql"


def rowcount(result: Any) -> int:
    return cast("CursorResult[Any]", result).rowcount


def add_event(session: Session, job_id: int, kind: str, data: dict[str, Any]) -> None:
    session.add(JobEventRow(job_id=job_id, kind=kind, data=data, created_at=utcnow()))


def move(
    session: Session,
    job_id: int,
    *,
    from_status: str,
    to_status: str,
    values: dict[str, Any],
    event: dict[str, Any],
    where: Sequence[ColumnElement[bool]] = (),
) -> bool:
    """The one guarded transition: UPDATE only if the job is still `from_status` (and matches
    `where`), and record a status event in the same transaction."""
    stmt = (
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.status == from_status, *where)
        .values(status=to_status, **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(session.execute(stmt)) == 0:
        return False
    add_event(session, job_id, "status", {"status": to_status, "from": from_status, **event})
    return True


def get_for_update(session: Session, job_id: int) -> JobRow:
    # Row lock on PostgreSQL; on SQLite the IMMEDIATE transaction already serialises writers.
    job = session.get(JobRow, job_id, with_for_update=True, populate_existing=True)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    return job


def released() -> dict[str, Any]:
    return {"worker_id": None, "heartbeat_at": None, "lease_expires_at": None, "started_at": None}
