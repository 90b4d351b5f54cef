"""`lathe jobs`: list, show, cancel, retry and follow the logs of queued work."""

from __future__ import annotations

import json
import sys
import time

import typer
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings
from lathe.db.tables import JOB_FINISHED, JobRow
from lathe.jobs import logs, service

app = typer.Typer(
    help="Durable jobs: model pulls and imports, recipe runs, training, export.",
    no_args_is_help=True,
)

STATUS_STYLE = {
    "queued": "cyan",
    "running": "yellow",
    "succeeded": "green",
    "failed": "red",
    "cancelled": "magenta",
}
FOLLOW_POLL_S = 0.5


def _status(row: JobRow) -> str:
    label = row.status + (
        " (cancelling)" if row.cancel_requested and row.status == "running" else ""
    )
    return f"[{STATUS_STYLE.get(row.status, 'white')}]{label}[/]"


@app.command("list")
@cli_errors
def list_jobs(
    status: list[str] = typer.Option([], "--status", "-s", help="Only these statuses."),
    kind: list[str] = typer.Option([], "--kind", "-k", help="Only these kinds."),
    limit: int = typer.Option(50, min=1, max=200, help="How many jobs to show."),
) -> None:
    """The newest jobs first."""
    rows, _ = service.list_jobs(database_settings(), statuses=status, kinds=kind, limit=limit)
    if not rows:
        console.print("No jobs yet. `lathe models pull` or the web UI will queue some.")
        return
    table = Table(title="Jobs")
    for column in ("id", "kind", "status", "attempts", "created", "worker", "error"):
        table.add_column(column, justify="right" if column in ("id", "attempts") else "left")
    for row in rows:
        table.add_row(
            str(row.id),
            row.kind,
            _status(row),
            f"{row.attempts}/{row.max_attempts}",
            row.created_at.strftime("%Y-%m-%d %H:%M:%S"),
            row.worker_id or "-",
            row.error_message or "",
        )
    console.print(table)


@app.command()
@cli_errors
def show(job_id: int = typer.Argument(help="Job id.")) -> None:
    """Every field of one job."""
    row = service.get_job(database_settings(), job_id)
    table = Table(show_header=False)
    for column in JobRow.__table__.columns:
        value = getattr(row, column.key)
        text = json.dumps(value) if isinstance(value, dict | list) else str(value)
        table.add_row(column.name, _status(row) if column.key == "status" else text)
    console.print(table)


@app.command()
@cli_errors
def cancel(job_id: int = typer.Argument(help="Job id.")) -> None:
    """Cancel a job: at once when queued; a running one stops at its next step."""
    row = service.cancel_job(database_settings(), job_id)
    console.print(f"job {row.id}: {_status(row)}")


@app.command()
@cli_errors
def retry(job_id: int = typer.Argument(help="Job id.")) -> None:
    """Queue a failed or cancelled job again."""
    row = service.retry_job(database_settings(), job_id)
    console.print(f"job {row.id}: {_status(row)}")


@app.command("logs")
@cli_errors
def show_logs(
    job_id: int = typer.Argument(help="Job id."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing until the job ends."),
) -> None:
    """Print a job's log; with -f, follow it live until the job finishes."""
    settings = database_settings()
    offset = 0
    while True:
        row = service.get_job(settings, job_id)
        content, offset = logs.read_chunk(settings, job_id, offset, 1 << 20)
        sys.stdout.write(content)
        sys.stdout.flush()
        if content:
            continue
        if not follow or row.status in JOB_FINISHED:
            return
        time.sleep(FOLLOW_POLL_S)
