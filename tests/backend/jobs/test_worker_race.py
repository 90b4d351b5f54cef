"""Two worker processes race for 200 jobs: each job is claimed exactly once (one `running`
status event, one terminal event), and both workers get some."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from lathe.db.engine import read_scope
from lathe.db.tables import JobEventRow, JobRow
from lathe.jobs import service
from lathe.settings import Settings
from tests.backend.jobs.conftest import WorkerProcess, wait_for

pytestmark = pytest.mark.integration

JOBS = 200


def count_status(settings: Settings, status: str) -> int:
    query = select(func.count()).select_from(JobRow).where(JobRow.status == status)
    with read_scope(settings.resolved_database_url) as session:
        return session.scalar(query) or 0


def test_two_workers_claim_each_of_200_jobs_exactly_once(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    workers = [start_worker("--cpu-jobs", "4"), start_worker("--cpu-jobs", "4")]
    ids = [service.enqueue(job_settings, "noop", {"echo": {"i": i}}).id for i in range(JOBS)]
    wait_for(lambda: count_status(job_settings, "succeeded") == JOBS, 60, "all jobs to succeed")

    query = select(JobEventRow.job_id, JobEventRow.data).where(JobEventRow.kind == "status")
    with read_scope(job_settings.resolved_database_url) as session:
        events = session.execute(query).all()
    runs = Counter(job_id for job_id, data in events if data["status"] == "running")
    ends = Counter(job_id for job_id, data in events if data["status"] == "succeeded")
    assert runs == Counter(ids) and ends == Counter(ids)  # exactly once each

    with read_scope(job_settings.resolved_database_url) as session:
        by_worker = Counter(session.scalars(select(JobRow.worker_id)))
    assert set(by_worker) == {w.id for w in workers}, by_worker
    assert sum(by_worker.values()) == JOBS
