"""`lathe worker`: a standalone worker. Run any number, on any host that reaches the database
(LATHE_DATABASE_URL); each claims the jobs that fit its free slots until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging

import typer

from lathe.cli.common import cli_errors, console, database_settings, fail
from lathe.jobs.worker import Worker
from lathe.system_info import redact_url


def _parse_gpus(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise fail(f"--gpus: expected indices like 0,1 or 'none', got {text!r}") from None


@cli_errors
def worker(
    gpus: str | None = typer.Option(
        None,
        help="CUDA device indices to use, e.g. 0,1, or 'none' (default LATHE_WORKER_GPUS, "
        "else every visible device).",
    ),
    cpu_jobs: int | None = typer.Option(
        None,
        min=0,
        help="Parallel jobs that need no GPU (default LATHE_WORKER_PARALLEL_CPU_JOBS).",
    ),
    worker_id: str | None = typer.Option(None, "--id", help="Worker id (default host:pid:random)."),
) -> None:
    """Run jobs from the queue until stopped (SIGTERM or Ctrl-C requeues running jobs)."""
    settings = database_settings()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    runner = Worker(
        settings,
        gpus=_parse_gpus(gpus) if gpus is not None else None,
        cpu_jobs=cpu_jobs,
        worker_id=worker_id,
    )
    slots = runner.info.slots
    console.print(
        f"worker {runner.id} on {redact_url(settings.resolved_database_url)}: "
        f"GPUs {slots['gpus'] or 'none'}, {slots['parallel_cpu_jobs']} parallel CPU job(s)",
        highlight=False,
    )
    runner.run()
