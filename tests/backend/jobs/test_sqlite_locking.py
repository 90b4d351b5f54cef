"""SQLite under contention: a long read transaction does not block the queue (WAL), and a
connection that holds the write lock makes queue writes wait (busy_timeout), not fail."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lathe.jobs import queue, service
from lathe.jobs.resources import Capacity
from lathe.settings import Settings
from tests.backend.jobs.conftest import WorkerProcess, sqlite_only, wait_status

pytestmark = [pytest.mark.integration, sqlite_only]

HOLD_S = 1.5


def db_file(settings: Settings) -> Path:
    return settings.home / "lathe.db"


@contextmanager
def long_reader(settings: Settings) -> Iterator[None]:
    conn = sqlite3.connect(db_file(settings), isolation_level=None)
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM jobs").fetchone()  # holds a read snapshot
    try:
        yield
    finally:
        conn.execute("COMMIT")
        conn.close()


def test_a_long_reader_does_not_block_workers(
    job_settings: Settings, start_worker: Callable[..., WorkerProcess]
) -> None:
    start_worker()
    with long_reader(job_settings):
        job_id = service.enqueue(job_settings, "sleep", {"seconds": 0.1, "steps": 2}).id
        assert wait_status(job_settings, job_id, "succeeded").result is not None


def test_writes_wait_for_a_lock_holder_instead_of_failing(job_settings: Settings) -> None:
    locked = threading.Event()

    def hold_write_lock() -> None:
        conn = sqlite3.connect(db_file(job_settings), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("SELECT count(*) FROM jobs").fetchone()
        locked.set()
        time.sleep(HOLD_S)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold_write_lock)
    holder.start()
    assert locked.wait(5)
    start = time.monotonic()
    job_id = service.enqueue(job_settings, "noop", {}).id  # waits for the lock
    waited = time.monotonic() - start
    claimed = queue.claim(job_settings, worker_id="w", kinds=["noop"], capacity=Capacity([], 1, 1))
    holder.join()
    assert waited > HOLD_S * 0.5, f"the enqueue did not wait ({waited:.2f} s)"
    assert claimed is not None and claimed.id == job_id
