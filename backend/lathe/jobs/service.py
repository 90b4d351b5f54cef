"""The jobs service: what API routers, the CLI and other services call. It validates (unknown
kinds and bad params are refused here, at enqueue time) and pages; lathe.jobs.queue does the
SQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from lathe.db.tables import JOB_STATUSES, JobEventRow, JobRow, MetricRow
from lathe.errors import InvalidInput
from lathe.jobs import kinds as registry
from lathe.jobs import queue
from lathe.pagination import decode_cursor, split_page
from lathe.schemas.common import MAX_PAGE_LIMIT
from lathe.settings import Settings

MAX_IDEMPOTENCY_KEY = 255
MAX_ATTEMPTS_LIMIT = 100
JOBS_LISTING = "jobs"
METRICS_LISTING = "metrics"


def enqueue(
    settings: Settings,
    kind: str,
    params: Mapping[str, Any] | None = None,
    *,
    priority: int = 0,
    max_attempts: int | None = None,
    idempotency_key: str | None = None,
    not_before: datetime | None = None,
) -> JobRow:
    """Queue a job of `kind` (not claimed before `not_before`, if given); InvalidInput for an
    unknown kind or params its schema refuses. A repeat with the same idempotency key and kind
    returns the first job."""
    registry.load(settings.job_kind_modules)
    job_kind, model = registry.validate(kind, params)
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        raise _invalid("idempotency_key", f"must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
    attempts = max_attempts or job_kind.max_attempts or settings.job_max_attempts
    if not 1 <= attempts <= MAX_ATTEMPTS_LIMIT:
        raise _invalid("max_attempts", f"must be between 1 and {MAX_ATTEMPTS_LIMIT}")
    job, _created = queue.enqueue(
        settings,
        kind=kind,
        params=model.model_dump(mode="json"),
        resources=job_kind.resources_for(model),
        priority=priority,
        max_attempts=attempts,
        idempotency_key=idempotency_key,
        not_before=not_before,
    )
    return job


def find_active(settings: Settings, kind: str, params: Mapping[str, Any]) -> JobRow | None:
    """The oldest queued or running job of `kind` with exactly these params, if any: lets a
    repeated request (pull this model) join the job already under way."""
    rows = queue.list_jobs(settings, statuses=("queued", "running"), kinds=(kind,), limit=50)
    matching = [row for row in rows if row.params == dict(params)]
    return min(matching, key=lambda row: row.id) if matching else None


def get_job(settings: Settings, job_id: int) -> JobRow:
    return queue.get_job(settings, job_id)


def cancel_job(settings: Settings, job_id: int) -> JobRow:
    return queue.request_cancel(settings, job_id)


def retry_job(settings: Settings, job_id: int) -> JobRow:
    return queue.retry(settings, job_id)


def list_jobs(
    settings: Settings,
    *,
    statuses: Sequence[str] = (),
    kinds: Sequence[str] = (),
    limit: int,
    cursor: str | None = None,
) -> tuple[list[JobRow], str | None]:
    """One page, newest first, and the cursor of the next page (None at the end)."""
    if not 1 <= limit <= MAX_PAGE_LIMIT:
        raise _invalid("limit", f"must be between 1 and {MAX_PAGE_LIMIT}")
    unknown = sorted(set(statuses) - set(JOB_STATUSES))
    if unknown:
        raise _invalid(
            "status", f"unknown status {unknown[0]!r} (one of {', '.join(JOB_STATUSES)})"
        )
    before_id = decode_cursor(cursor, JOBS_LISTING) if cursor else None
    rows = queue.list_jobs(
        settings, statuses=statuses, kinds=kinds, before_id=before_id, limit=limit + 1
    )
    return split_page(rows, limit, JOBS_LISTING)


def job_events(
    settings: Settings, job_id: int, *, after_id: int = 0, limit: int = 1000
) -> list[JobEventRow]:
    queue.get_job(settings, job_id)  # NotFound for an unknown job, not an empty list
    return queue.events_after(settings, job_id, after_id, limit)


def event_owner(settings: Settings, event_id: int) -> int | None:
    """The job an event id belongs to (None: no such event), to check an SSE Last-Event-ID."""
    return queue.event_owner(settings, event_id)


def job_metrics(
    settings: Settings,
    job_id: int,
    *,
    names: Sequence[str] = (),
    after_id: int = 0,
    limit: int = 10_000,
) -> list[MetricRow]:
    """Metrics reported after row `after_id`, in the order they were reported."""
    queue.get_job(settings, job_id)
    return queue.read_metrics(settings, job_id, names=names, after_id=after_id, limit=limit)


def metric_owner(settings: Settings, metric_id: int) -> int | None:
    """The job a metric row belongs to (None: no such row), to check an SSE Last-Event-ID."""
    return queue.metric_owner(settings, metric_id)


def job_metric_page(
    settings: Settings,
    job_id: int,
    *,
    names: Sequence[str] = (),
    limit: int,
    cursor: str | None = None,
) -> tuple[list[MetricRow], str | None]:
    """Metrics in the order they were reported, a page at a time, and the next cursor."""
    queue.get_job(settings, job_id)
    after_id = decode_cursor(cursor, METRICS_LISTING) if cursor else 0
    rows = queue.read_metrics(settings, job_id, names=names, after_id=after_id, limit=limit + 1)
    return split_page(rows, limit, METRICS_LISTING)


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", field=field)
