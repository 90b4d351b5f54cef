"""All queue SQL. Every function runs its own short transaction; none is held during job work.

Claiming is one statement, `UPDATE jobs ... WHERE id = (SELECT ... LIMIT 1) RETURNING *`,
committed before the job starts. On SQLite the transaction begins IMMEDIATE (lathe.db.engine),
so claimers queue on the write lock; on PostgreSQL the inner SELECT takes `FOR UPDATE SKIP
LOCKED`, so claimers skip each other's rows. Dialect differences stay in this module.

Every status change is a guarded UPDATE: it names the status it expects and, for a worker, the
worker that holds the lease. Zero rows matched means somebody else moved the job first (a
reaper, a cancel, another worker); workers get LeaseLost and stop that job."""

from lathe.jobs.queue.base import LeaseLost
from lathe.jobs.queue.jobs import (
    enqueue,
    get_job,
    list_jobs,
    request_cancel,
    retry,
)
from lathe.jobs.queue.leases import (
    backoff_s,
    claim,
    finish,
    finished_by,
    heartbeat,
    held_jobs,
    reap_stalled,
    requeue,
)
from lathe.jobs.queue.records import (
    WorkerInfo,
    append_event,
    append_metrics,
    event_owner,
    events_after,
    list_workers,
    metric_owner,
    read_metrics,
    register_worker,
    report_progress,
    unregister_worker,
)

__all__ = [
    "LeaseLost",
    "WorkerInfo",
    "append_event",
    "append_metrics",
    "backoff_s",
    "claim",
    "enqueue",
    "event_owner",
    "events_after",
    "finish",
    "finished_by",
    "get_job",
    "heartbeat",
    "held_jobs",
    "list_jobs",
    "list_workers",
    "metric_owner",
    "read_metrics",
    "reap_stalled",
    "register_worker",
    "report_progress",
    "request_cancel",
    "requeue",
    "retry",
    "unregister_worker",
]
