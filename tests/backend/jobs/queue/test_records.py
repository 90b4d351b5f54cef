"""Job events (ordered, read after an id) and metrics."""

from __future__ import annotations

import pytest

from lathe.errors import InvalidInput
from lathe.jobs import queue, service
from lathe.settings import Settings


def test_events_are_ordered_and_read_after_an_id(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    other = service.enqueue(job_settings, "noop", {}).id
    for line in ("one", "two", "three"):
        queue.append_event(job_settings, job_id, "log", {"line": line})
        queue.append_event(job_settings, other, "log", {"line": "elsewhere"})
    events = queue.events_after(job_settings, job_id)
    assert [e.kind for e in events] == ["status", "log", "log", "log"]
    ids = [e.id for e in events]
    assert ids == sorted(ids)
    later = queue.events_after(job_settings, job_id, after_id=events[1].id)
    assert [e.data["line"] for e in later] == ["two", "three"]
    assert len(queue.events_after(job_settings, job_id, limit=2)) == 2


def test_metrics_by_step_and_name(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    for step in range(1, 4):
        queue.append_metrics(job_settings, job_id, step, {"loss": 1 / step, "lr": 0.1})
    rows = service.job_metrics(job_settings, job_id, names=["loss"])
    assert [(m.step, m.value) for m in rows] == [(1, 1.0), (2, 0.5), (3, 1 / 3)]
    assert len(service.job_metrics(job_settings, job_id)) == 6
    after = service.job_metrics(job_settings, job_id, after_id=rows[0].id, names=["loss"])
    assert [m.step for m in after] == [2, 3]


def test_progress_is_an_event_and_the_latest_on_the_row(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    queue.report_progress(job_settings, job_id, {"completed": 1, "total": 4})
    queue.report_progress(job_settings, job_id, {"completed": 2, "total": 4, "message": "hi"})
    assert queue.get_job(job_settings, job_id).progress == {
        "completed": 2,
        "total": 4,
        "message": "hi",
    }
    kinds = [e.kind for e in queue.events_after(job_settings, job_id)]
    assert kinds == ["status", "progress", "progress"]


def test_event_owner(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    event = queue.events_after(job_settings, job_id)[0]
    assert service.event_owner(job_settings, event.id) == job_id
    assert service.event_owner(job_settings, event.id + 1000) is None


def test_metric_pages(job_settings: Settings) -> None:
    job_id = service.enqueue(job_settings, "noop", {}).id
    for step in range(5):
        queue.append_metrics(job_settings, job_id, step, {"loss": float(step)})
    page, cursor = service.job_metric_page(job_settings, job_id, limit=3)
    assert [m.step for m in page] == [0, 1, 2] and cursor is not None
    rest, end = service.job_metric_page(job_settings, job_id, limit=3, cursor=cursor)
    assert [m.step for m in rest] == [3, 4] and end is None
    with pytest.raises(InvalidInput, match="cursor"):  # a metrics cursor is no jobs cursor
        service.list_jobs(job_settings, limit=1, cursor=cursor)
