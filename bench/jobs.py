"""The durable job queue on SQLite and PostgreSQL: enqueue-to-running latency with an idle
worker, throughput of noop jobs with 1, 2 and 4 worker processes, and double claims (must be 0).

    .venv/bin/python bench/jobs.py [--jobs 1000] [--workers 1,2,4] [--samples 100]
                                    [--spawn-jobs 40]
                                    [--database-url URL | --databases sqlite,postgresql]

Workers are real `lathe worker` processes on a fresh LATHE_HOME per part. The database is, per
part, a fresh SQLite file in that LATHE_HOME (the default), or with a PostgreSQL server URL
(`--database-url postgresql+psycopg://user:pw@host:5432/postgres`) a fresh database that is
created on that server (CREATE DATABASE), migrated, and dropped afterwards; the URL's user needs
CREATEDB. `--databases sqlite,postgresql` runs every part on each, in turn, taking the server
from --database-url or else LATHE_TEST_POSTGRES_URL (`scripts/postgres-for-tests.sh` prints one).

`noop` is an inline kind (it runs in a worker thread); `--spawn-jobs` measures a kind that gets
its own child process (`sleep` with 0 s), to show what a spawn costs. Latency is the job row's
started_at minus created_at (one clock: both written on this host). Throughput enqueues every
job first, claimable from one instant on (not_before), and is timed from there to the last
finish.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from lathe.db import migrate
from lathe.db.admin import create_database, drop_database
from lathe.db.engine import read_scope, reset_engines
from lathe.db.tables import JobEventRow, JobRow, WorkerRow
from lathe.jobs import service
from lathe.settings import Settings

LATENCY_TARGET_S = 0.250
ENQUEUE_S_PER_JOB = 0.01  # generous: one enqueue is one short write transaction
LATHE = Path(sys.executable).parent / "lathe"


POSTGRES_URL_ENV = "LATHE_TEST_POSTGRES_URL"


@dataclass(frozen=True)
class Database:
    name: str
    server_url: str | None = None  # PostgreSQL: the server to create each part's database on

    @property
    def where(self) -> str:
        if self.server_url is None:
            return "a fresh SQLite file per part"
        server = make_url(self.server_url)
        return f"a fresh database per part on {server.host}:{server.port or 5432}"


@contextmanager
def fresh_database(database: Database) -> Iterator[str | None]:
    """None for SQLite (the default file in LATHE_HOME), else the URL of a new, empty
    PostgreSQL database that is dropped on the way out."""
    if database.server_url is None:
        yield None
        return
    name = f"lathe_bench_{uuid.uuid4().hex[:12]}"
    url = create_database(database.server_url, name)
    try:
        yield url
    finally:
        drop_database(database.server_url, name)


@contextmanager
def fresh_home(database: Database) -> Iterator[Settings]:
    with (
        tempfile.TemporaryDirectory(prefix="lathe-bench-") as tmp,
        fresh_database(database) as url,
    ):
        os.environ["LATHE_HOME"] = tmp
        os.environ["LATHE_WORKER_GPUS"] = "[]"  # a CPU benchmark: skip CUDA detection
        if url is None:
            os.environ.pop("LATHE_DATABASE_URL", None)
        else:
            os.environ["LATHE_DATABASE_URL"] = url  # workers inherit it
        settings = Settings()
        settings.ensure_home()
        migrate.upgrade(settings.resolved_database_url)
        try:
            yield settings
        finally:
            reset_engines()  # before the database is dropped


@contextmanager
def workers(settings: Settings, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    # Worker output goes to files: an unread pipe would fill up and block the worker.
    logs = [(settings.home / f"worker-{i}.log").open("wb") for i in range(count)]
    procs = [
        subprocess.Popen([str(LATHE), "worker"], stdout=log, stderr=subprocess.STDOUT)
        for log in logs
    ]
    try:
        wait_until(lambda: registered(settings) == count, 60)
        yield procs
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc, log in zip(procs, logs, strict=True):
            proc.wait(30)
            log.close()


def registered(settings: Settings) -> int:
    with read_scope(settings.resolved_database_url) as session:
        return session.scalar(select(func.count()).select_from(WorkerRow)) or 0


def count_status(settings: Settings, status: str) -> int:
    query = select(func.count()).select_from(JobRow).where(JobRow.status == status)
    with read_scope(settings.resolved_database_url) as session:
        return session.scalar(query) or 0


def wait_until(predicate: object, timeout: float, step: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out: is `lathe worker` working here?")
        time.sleep(step)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(database: Database, samples: int) -> list[float]:
    """Enqueue one noop at a time into an idle worker; seconds from created to started."""
    with fresh_home(database) as settings, workers(settings, 1):
        time.sleep(0.5)  # let it settle into its idle poll
        delays = []
        for _ in range(samples):
            job = service.enqueue(settings, "noop", {})
            wait_until(lambda job_id=job.id: service.get_job(settings, job_id).started_at, 10)
            row = service.get_job(settings, job.id)
            assert row.started_at is not None
            delays.append((row.started_at - row.created_at).total_seconds())
            time.sleep(random.uniform(0.0, 0.1))  # land anywhere in the poll interval
        return delays


def spawn_overhead(database: Database, jobs: int) -> list[float]:
    """For a kind with a child process: seconds from claimed to its first progress event."""
    with fresh_home(database) as settings, workers(settings, 1):
        overheads = []
        for _ in range(jobs):
            job = service.enqueue(settings, "sleep", {"seconds": 0, "steps": 1})
            wait_until(lambda job_id=job.id: service.get_job(settings, job_id).finished_at, 30)
            row = service.get_job(settings, job.id)
            first = next(e for e in service.job_events(settings, job.id) if e.kind == "progress")
            assert row.started_at is not None
            overheads.append((first.created_at - row.started_at).total_seconds())
        return overheads


def throughput(
    database: Database, jobs: int, count: int, kind: str, params: dict[str, object]
) -> tuple[float, int]:
    """Jobs per second with `count` workers, and the number of double claims. Every job is
    enqueued first, claimable from one moment on (`not_before`): the clock starts there."""
    with fresh_home(database) as settings, workers(settings, count):
        start = datetime.now(UTC) + timedelta(seconds=1 + jobs * ENQUEUE_S_PER_JOB)
        for _ in range(jobs):
            service.enqueue(settings, kind, params, not_before=start)
        if datetime.now(UTC) > start:
            raise SystemExit("enqueueing took longer than planned: raise ENQUEUE_S_PER_JOB")
        wait_until(lambda: count_status(settings, "succeeded") == jobs, 600, 0.05)
        with read_scope(settings.resolved_database_url) as session:
            last = session.scalar(select(func.max(JobRow.finished_at)))
            events = session.execute(
                select(JobEventRow.job_id, JobEventRow.data).where(JobEventRow.kind == "status")
            ).all()
        assert last is not None
        runs = Counter(job_id for job_id, data in events if data["status"] == "running")
        doubles = sum(n - 1 for n in runs.values() if n > 1)
        return jobs / (last - start).total_seconds(), doubles


@dataclass
class Results:
    latency_ms: tuple[float, float] = (0.0, 0.0)  # median, p99
    rates: dict[int, float] = field(default_factory=dict)  # workers -> jobs/s
    doubles: int = 0


def bench(database: Database, args: argparse.Namespace) -> Results:
    results = Results()
    print(f"== {database.name} ({database.where}) ==")
    delays = latency(database, args.samples)
    median, p99 = statistics.median(delays), percentile(delays, 0.99)
    results.latency_ms = (median * 1000, p99 * 1000)
    poll = Settings().worker_poll_s
    print(f"enqueue -> running, idle worker, {len(delays)} noop jobs (poll {poll:g} s):")
    print(
        f"  median {median * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {max(delays) * 1000:.1f} ms"
    )
    ratio = LATENCY_TARGET_S / median
    print(f"  target median < {LATENCY_TARGET_S * 1000:.0f} ms: {ratio:.1f}x under the target")

    if args.spawn_jobs:
        overheads = spawn_overhead(database, min(args.spawn_jobs, 20))
        print(f"child process start (claimed -> first progress), {len(overheads)} sleep jobs:")
        print(f"  median {statistics.median(overheads) * 1000:.0f} ms")

    print(f"throughput, {args.jobs} noop jobs (inline kind), {database.name}:")
    base = None
    for count in (int(part) for part in args.workers.split(",")):
        rate, doubles = throughput(database, args.jobs, count, "noop", {})
        results.rates[count] = rate
        results.doubles += doubles
        base = base or rate
        print(
            f"  {count} worker(s): {rate:7.1f} jobs/s  ({rate / base:.2f}x of 1 worker)  "
            f"double claims: {doubles}"
        )
    if args.spawn_jobs:
        rate, doubles = throughput(
            database, args.spawn_jobs, 1, "sleep", {"seconds": 0, "steps": 1}
        )
        results.doubles += doubles
        print(
            f"throughput, {args.spawn_jobs} sleep(0) jobs (a child process each), 1 worker "
            f"with 2 CPU slots: {rate:.1f} jobs/s, double claims: {doubles}"
        )
    print()
    return results


def summary(results: dict[str, Results], jobs: int) -> None:
    counts = sorted({count for r in results.values() for count in r.rates})
    header = "".join(f"{f'{n} worker(s)':>13}" for n in counts)
    print(f"summary: latency median / p99 (ms), throughput of {jobs} noop jobs (jobs/s)")
    print(f"  {'':<11}{'latency':>15}{header}  double claims")
    for name, r in results.items():
        lat = f"{r.latency_ms[0]:.1f} / {r.latency_ms[1]:.1f}"
        rates = "".join(f"{r.rates[n]:13.1f}" if n in r.rates else f"{'-':>13}" for n in counts)
        print(f"  {name:<11}{lat:>15}{rates}  {r.doubles}")


def databases(args: argparse.Namespace) -> list[Database]:
    server = args.database_url
    if server is not None and make_url(server).get_backend_name() != "postgresql":
        raise SystemExit(
            "--database-url takes a PostgreSQL server URL (postgresql+psycopg://...); "
            "SQLite is the default"
        )
    if args.databases is None:
        return [Database("PostgreSQL", server)] if server else [Database("SQLite")]
    chosen = []
    for name in (part.strip().lower() for part in args.databases.split(",")):
        if name == "sqlite":
            chosen.append(Database("SQLite"))
        elif name in ("postgresql", "postgres"):
            server = server or os.environ.get(POSTGRES_URL_ENV)
            if not server:
                raise SystemExit(
                    f"postgresql needs a server: pass --database-url or set {POSTGRES_URL_ENV} "
                    "(scripts/postgres-for-tests.sh prints one)"
                )
            chosen.append(Database("PostgreSQL", server))
        else:
            raise SystemExit(f"unknown database {name!r}: sqlite or postgresql")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobs", type=int, default=1000, help="noop jobs per throughput run")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to compare")
    parser.add_argument("--samples", type=int, default=100, help="latency samples")
    parser.add_argument("--spawn-jobs", type=int, default=40, help="jobs with a child process")
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server URL: each part runs in a new database created there "
        "(default: a fresh SQLite file per part)",
    )
    parser.add_argument(
        "--databases",
        help="comma-separated, from sqlite,postgresql: run everything on each; the PostgreSQL "
        f"server is --database-url or ${POSTGRES_URL_ENV}",
    )
    args = parser.parse_args()

    results = {database.name: bench(database, args) for database in databases(args)}
    if len(results) > 1:
        summary(results, args.jobs)


if __name__ == "__main__":
    main()
