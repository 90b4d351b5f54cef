"""Following a queued job from a command: warn when no worker will pick it up, show a progress
bar with the live metrics until it ends, and turn an unsuccessful end into exit code 1."""

from __future__ import annotations

import time

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from lathe.cli.common import console, err_console
from lathe.db.tables import JOB_FINISHED, JobRow, utcnow
from lathe.jobs import queue, service
from lathe.settings import Settings

FOLLOW_POLL_S = 1.0
EXIT_RUN_FAILED = 1
EXIT_INTERRUPTED = 130
SHOWN_METRICS = ("train_loss", "eval_loss", "learning_rate", "tokens_per_s")


def live_workers(settings: Settings) -> int:
    """Workers whose heartbeat is fresher than the job lease."""
    now = utcnow()
    return sum(
        1
        for row in queue.list_workers(settings)
        if (now - row.heartbeat_at).total_seconds() <= settings.job_lease_s
    )


def follow_run(settings: Settings, job_id: int) -> JobRow:
    """A progress bar with the live loss until the job ends; returns its final row."""
    latest: dict[str, float] = {}
    after_id = 0
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[metrics]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("queued", total=None, metrics="")
        while True:
            row = service.get_job(settings, job_id)
            for point in service.job_metrics(settings, job_id, after_id=after_id):
                after_id = point.id
                latest[point.name] = point.value
            progress = row.progress or {}
            shown = "  ".join(
                f"{name.replace('_', ' ')} {latest[name]:.4g}"
                for name in SHOWN_METRICS
                if name in latest
            )
            bar.update(
                task,
                description=progress.get("message") or row.status,
                completed=progress.get("completed") or 0,
                total=progress.get("total"),
                metrics=shown,
            )
            if row.status in JOB_FINISHED:
                return row
            time.sleep(FOLLOW_POLL_S)


def follow_queued(settings: Settings, job_id: int, noun: str, follow: bool) -> JobRow | None:
    """After a command queued a job (a `noun`, e.g. "run"): its final row, or None when the
    caller asked not to follow it. Ctrl-C stops following, not the job (exit 130)."""
    if live_workers(settings) == 0:
        err_console.print(
            f"[yellow]warning:[/] no worker is running, so the {noun} waits in the queue: start "
            "one with `lathe worker` (or `lathe serve`, which runs one)",
            soft_wrap=True,
        )
    if not follow:
        console.print(f"follow it with `lathe jobs logs {job_id} -f`")
        return None
    try:
        return follow_run(settings, job_id)
    except KeyboardInterrupt:
        console.print(
            f"stopped following; job {job_id} goes on (`lathe jobs cancel {job_id}` stops it)"
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None


def exit_unless_succeeded(final: JobRow, label: str) -> None:
    """`<label> <id> <status>: <error>` on stderr and exit 1 when the job did not succeed."""
    if final.status == "succeeded":
        return
    reason = f": {final.error_message}" if final.error_message else ""
    err_console.print(
        f"[bold red]{label} {final.id} {final.status}[/]{escape(reason)}", soft_wrap=True
    )
    raise typer.Exit(EXIT_RUN_FAILED)
