"""API test fixtures: an in-process worker for tests that need jobs to run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lathe.jobs.worker import Worker
from lathe.settings import Settings


@pytest.fixture
def worker(settings: Settings) -> Iterator[Worker]:
    running = Worker(settings, gpus=[], cpu_jobs=2)
    thread = running.start_background()
    yield running
    running.request_stop()
    thread.join(30)
