"""A worker in a thread of this process, as `lathe serve` embeds it: it runs inline and
spawned jobs, and request_stop() ends it and unregisters it."""

from __future__ import annotations

import pytest

from lathe.jobs import queue, service
from lathe.jobs.worker import Worker
from lathe.settings import Settings
from tests.backend.jobs.conftest import wait_status

pytestmark = pytest.mark.integration


def test_background_worker_runs_jobs_and_stops(job_settings: Settings) -> None:
    worker = Worker(job_settings, gpus=[], cpu_jobs=2)
    thread = worker.start_background()
    try:
        inline = service.enqueue(job_settings, "noop", {"echo": {"a": 1}}).id
        spawned = service.enqueue(job_settings, "sleep", {"seconds": 0.05, "steps": 2}).id
        assert wait_status(job_settings, inline, "succeeded").result == {"echo": {"a": 1}}
        assert wait_status(job_settings, spawned, "succeeded").worker_id == worker.id
        assert [w.id for w in queue.list_workers(job_settings)] == [worker.id]
    finally:
        worker.request_stop()
        thread.join(10)
    assert not thread.is_alive()
    assert queue.list_workers(job_settings) == []
