"""JobContext: log lines go to the file and the event stream, metrics, the checkpoint folder,
and should_stop() asks the database at most every STOP_POLL_S."""

from __future__ import annotations

import threading
import time

import pytest

from lathe.jobs import context, queue, service
from lathe.jobs.context import JobContext
from lathe.jobs.logs import log_path
from lathe.jobs.resources import Capacity
from lathe.settings import Settings


@pytest.fixture
def ctx(job_settings: Settings) -> JobContext:
    job_id = service.enqueue(job_settings, "sleep", {}).id
    queue.claim(job_settings, worker_id="w", kinds=["sleep"], capacity=Capacity([], 1, 1))
    return JobContext(
        job_settings,
        job_id=job_id,
        worker_id="w",
        attempt=1,
        shutdown=threading.Event(),
        gpu_ids=[],
    )


def test_log_metric_and_checkpoint_dir(ctx: JobContext, job_settings: Settings) -> None:
    ctx.log("hello")
    ctx.metrics(3, {"loss": 0.5, "lr": 0.01})
    ctx.close()
    assert log_path(job_settings, ctx.job_id).read_text().rstrip().endswith(" hello")
    events = queue.events_after(job_settings, ctx.job_id)
    assert events[-1].kind == "log" and events[-1].data == {"line": "hello"}
    assert {(m.name, m.step) for m in queue.read_metrics(job_settings, ctx.job_id)} == {
        ("loss", 3),
        ("lr", 3),
    }
    assert ctx.checkpoint_dir == job_settings.runs_dir / str(ctx.job_id) / "checkpoints"
    assert ctx.checkpoint_dir.is_dir()


def test_should_stop_polls_the_database_at_most_every_interval(
    ctx: JobContext, job_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A clock the test moves, so a slow machine (the cancel below may take longer than the
    # interval) cannot make the second call a poll.
    clock = _Clock(time.monotonic() + 10)
    monkeypatch.setattr(context, "time", clock)
    monkeypatch.setattr(context, "STOP_POLL_S", 0.3)
    assert not ctx.should_stop()
    service.cancel_job(job_settings, ctx.job_id)
    assert not ctx.should_stop()  # asked the database a moment ago
    clock.now += 0.31
    assert ctx.should_stop() and ctx.stop_reason == "cancel"


class _Clock:
    """time, with a monotonic clock that only moves when told to."""

    def __init__(self, now: float) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)
