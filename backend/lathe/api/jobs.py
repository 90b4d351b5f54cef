"""Jobs: enqueue, list, inspect, cancel, retry, and follow one live (SSE events, logs, metrics)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, status
from fastapi.sse import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from lathe.api.deps import SettingsDep
from lathe.api.errors import ERROR_RESPONSES
from lathe.errors import InvalidInput
from lathe.jobs import logs, service
from lathe.schemas.common import DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT
from lathe.schemas.jobs import (
    TERMINAL_STATUSES,
    JobCreate,
    JobEventOut,
    JobLogChunk,
    JobMetricPage,
    JobMetricPoint,
    JobOut,
    JobPage,
    JobStatus,
)
from lathe.settings import Settings

router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=ERROR_RESPONSES)

# How often an SSE stream looks for new events, and how many it sends per look.
EVENT_POLL_S = 0.25
EVENT_BATCH = 500
MAX_LOG_CHUNK_BYTES = 1 << 20

JobId = Annotated[int, Path(ge=1)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_job(
    settings: SettingsDep,
    body: JobCreate,
    idempotency_key: Annotated[
        str | None,
        Header(description="Repeat a request with the same key and kind to get the same job."),
    ] = None,
) -> JobOut:
    row = service.enqueue(
        settings,
        body.kind,
        body.params,
        priority=body.priority,
        max_attempts=body.max_attempts,
        idempotency_key=idempotency_key,
    )
    return JobOut.model_validate(row)


@router.get("")
def list_jobs(
    settings: SettingsDep,
    status_: Annotated[list[JobStatus] | None, Query(alias="status")] = None,
    kind: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = DEFAULT_PAGE_LIMIT,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> JobPage:
    rows, next_cursor = service.list_jobs(
        settings, statuses=status_ or (), kinds=kind or (), limit=limit, cursor=cursor
    )
    return JobPage(items=[JobOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/{job_id}")
def get_job(settings: SettingsDep, job_id: JobId) -> JobOut:
    return JobOut.model_validate(service.get_job(settings, job_id))


@router.post("/{job_id}/cancel")
def cancel_job(settings: SettingsDep, job_id: JobId) -> JobOut:
    return JobOut.model_validate(service.cancel_job(settings, job_id))


@router.post("/{job_id}/retry")
def retry_job(settings: SettingsDep, job_id: JobId) -> JobOut:
    return JobOut.model_validate(service.retry_job(settings, job_id))


AfterQuery = Annotated[int | None, Query(ge=0, description="Send events after this id.")]
LastEventIdHeader = Annotated[str | None, Header(description="Set by EventSource on reconnect.")]


def _resume_point(
    settings: SettingsDep,
    job_id: int,
    after: int | None,
    last_event_id: str | None,
    owner_of: Callable[[Settings, int], int | None],
    what: str,
) -> int:
    """Where a stream starts: after Last-Event-ID (or ?after=), which must be one of this job's
    `what` (events, metric points)."""
    service.get_job(settings, job_id)  # 404 before the stream starts
    start = after or 0
    if last_event_id is not None:
        if not last_event_id.strip().isdecimal():
            raise InvalidInput(
                f"Last-Event-ID: {last_event_id!r} is not an event id",
                field="Last-Event-ID",
            )
        start = max(start, int(last_event_id))
    if start:
        owner = owner_of(settings, start)
        if owner != job_id:
            where = f"job {owner}" if owner is not None else "no job"
            raise InvalidInput(
                f"Last-Event-ID: {what} {start} belongs to {where}, not job {job_id}",
                field="Last-Event-ID",
            )
    return start


def _replay_from(
    settings: SettingsDep,
    job_id: JobId,
    after: AfterQuery = None,
    last_event_id: LastEventIdHeader = None,
) -> int:
    return _resume_point(settings, job_id, after, last_event_id, service.event_owner, "event")


def _metrics_from(
    settings: SettingsDep,
    job_id: JobId,
    after: Annotated[
        int | None, Query(ge=0, description="Send metric points after this id.")
    ] = None,
    last_event_id: LastEventIdHeader = None,
) -> int:
    return _resume_point(
        settings, job_id, after, last_event_id, service.metric_owner, "metric point"
    )


@router.get("/{job_id}/events", response_class=EventSourceResponse)
async def stream_job_events(
    settings: SettingsDep, job_id: JobId, start: Annotated[int, Depends(_replay_from)]
) -> AsyncIterator[JobEventOut]:
    """Status changes, log lines and progress as Server-Sent Events; the stream ends after the
    job's final status. Reconnect with Last-Event-ID to resume without gaps or repeats."""
    after = start
    while True:
        rows = await run_in_threadpool(
            service.job_events, settings, job_id, after_id=after, limit=EVENT_BATCH
        )
        for row in rows:
            event = JobEventOut.model_validate(row)
            after = event.id
            yield ServerSentEvent(  # type: ignore[misc]
                data=event.model_dump(mode="json"), event=event.type, id=str(event.id)
            )
            if event.type == "status" and event.data.get("status") in TERMINAL_STATUSES:
                return
        if len(rows) < EVENT_BATCH:
            job = await run_in_threadpool(service.get_job, settings, job_id)
            if job.status in TERMINAL_STATUSES and not rows:
                return
            await asyncio.sleep(EVENT_POLL_S)


@router.get("/{job_id}/logs")
def read_job_logs(
    settings: SettingsDep,
    job_id: JobId,
    offset: Annotated[int, Query(ge=0, description="Byte offset to read from.")] = 0,
    max_bytes: Annotated[int, Query(ge=1, le=MAX_LOG_CHUNK_BYTES)] = 256 * 1024,
) -> JobLogChunk:
    job = service.get_job(settings, job_id)
    content, next_offset = logs.read_chunk(settings, job_id, offset, max_bytes)
    return JobLogChunk(
        content=content,
        offset=offset,
        next_offset=next_offset,
        complete=job.status in TERMINAL_STATUSES and next_offset >= logs.size(settings, job_id),
    )


@router.get("/{job_id}/metrics")
def read_job_metrics(
    settings: SettingsDep,
    job_id: JobId,
    name: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: Annotated[str | None, Query()] = None,
) -> JobMetricPage:
    rows, next_cursor = service.job_metric_page(
        settings, job_id, names=name or (), limit=limit, cursor=cursor
    )
    return JobMetricPage(
        items=[JobMetricPoint.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )


@router.get("/{job_id}/metrics/events", response_class=EventSourceResponse)
async def stream_job_metrics(
    settings: SettingsDep, job_id: JobId, start: Annotated[int, Depends(_metrics_from)]
) -> AsyncIterator[JobMetricPoint]:
    """Metric points as Server-Sent Events (`metric`, id = the point's id) as the job reports
    them, after ?after= or Last-Event-ID; read the points so far from /metrics first, then
    follow from the last id. The stream ends once the job has finished and every point it
    reported was sent."""
    after = start
    while True:
        # The status is read before the points: a job that had finished by then reports no
        # more, so an empty read after it means the stream has everything.
        job = await run_in_threadpool(service.get_job, settings, job_id)
        rows = await run_in_threadpool(
            service.job_metrics, settings, job_id, after_id=after, limit=EVENT_BATCH
        )
        for row in rows:
            point = JobMetricPoint.model_validate(row, from_attributes=True)
            after = point.id
            yield ServerSentEvent(  # type: ignore[misc]
                data=point.model_dump(mode="json"), event="metric", id=str(point.id)
            )
        if len(rows) < EVENT_BATCH:
            if job.status in TERMINAL_STATUSES:
                return
            await asyncio.sleep(EVENT_POLL_S)
