"""`lathe train CONFIG.yaml`: check a training config, show its estimate, queue the run and
follow it with a progress bar and the live loss until it ends."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings, err_console, fail
from lathe.db.tables import JOB_FINISHED, JobRow, utcnow
from lathe.jobs import queue, service
from lathe.schemas.training import Estimate, adapter_model_id
from lathe.settings import Settings
from lathe.training.config import TrainingConfig
from lathe.training.estimate import estimate, queue_checked_run
from lathe.training.memory_model import format_bytes

FOLLOW_POLL_S = 1.0
EXIT_RUN_FAILED = 1
SHOWN_METRICS = ("train_loss", "eval_loss", "learning_rate", "tokens_per_s")


def _parse_override(text: str) -> tuple[list[str], Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise fail(f"--set {text!r}: expected KEY=VALUE (e.g. lora.r=8)")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return [part.strip() for part in key.split(".")], value


def load_config(file: Path, preset: str | None, overrides: list[str]) -> TrainingConfig:
    """The YAML file, with --preset (fills the fields the file does not set) and --set
    KEY=VALUE overrides (dotted keys for nested fields; values read as YAML)."""
    if not file.is_file():
        raise fail(f"{file} is not a file")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise fail(f"{file}: not valid YAML{where}: {getattr(error, 'problem', error)}") from None
    if not isinstance(data, dict):
        raise fail(f"{file}: a training config is a mapping of fields, not {type(data).__name__}")
    if preset is not None:
        data["preset"] = preset
    for text in overrides:
        keys, value = _parse_override(text)
        target = data
        for key in keys[:-1]:
            child = target.get(key)
            if not isinstance(child, dict):
                child = {}
                target[key] = child
            target = child
        target[keys[-1]] = value
    try:
        return TrainingConfig.model_validate(data)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"]) or "config"
        raise fail(f"{field}: {problem['msg']}") from None


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds:.2f} s"
    return str(timedelta(seconds=round(seconds)))


def print_estimate(result: Estimate) -> None:
    title = f"Estimate: {result.model} on {result.device_name} ({result.precision})"
    table = Table(title=title, show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    rows = [
        ("weights", format_bytes(result.weights_bytes)),
        (f"adapter ({result.adapter_parameters:,} params)", format_bytes(result.adapter_bytes)),
        ("gradients", format_bytes(result.gradient_bytes)),
        ("optimizer state", format_bytes(result.optimizer_state_bytes)),
        ("activations", format_bytes(result.activation_bytes)),
        ("overhead", format_bytes(result.overhead_bytes)),
        ("peak", format_bytes(result.peak_bytes)),
        ("usable memory", format_bytes(result.usable_memory_bytes)),
        ("tokens per step (max)", f"{result.tokens_per_step:,}"),
        ("steps", f"{result.total_steps:,} ({result.train_rows:,} training rows)"),
        ("time per step", _duration(result.step_seconds)),
        ("total time", _duration(result.total_seconds)),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    for note in result.notes:
        console.print(f"[dim]{escape(note)}[/]", highlight=False)
    verdict = "[green]fits[/]" if result.fits else "[red]does not fit[/]"
    console.print(f"memory: {verdict}")
    for item in result.suggestions:
        mark = "[green]✓[/]" if item.fits else "[yellow]·[/]"
        console.print(f"  {mark} {escape(item.message)}", highlight=False)


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


def print_outcome(row: JobRow) -> None:
    result = row.result or {}
    metrics = result.get("metrics") if isinstance(result.get("metrics"), dict) else {}
    for name, value in (metrics or {}).items():
        if isinstance(value, int | float):
            console.print(f"  {name}: {value:.6g}")
    adapter = result.get("adapter") if isinstance(result.get("adapter"), dict) else {}
    model_id = adapter_model_id(result)
    if model_id is not None:
        name = (adapter or {}).get("name") or model_id
        console.print(f"[green]adapter:[/] {name} (model {model_id})")
    for sample in result.get("samples") or []:
        if isinstance(sample, dict):
            console.print(f"[bold]{escape(str(sample.get('prompt', '')))}[/]")
            console.print(f"  base:    {escape(str(sample.get('base', '')))}", highlight=False)
            console.print(f"  adapter: {escape(str(sample.get('adapter', '')))}", highlight=False)


@cli_errors
def train(
    config_file: Path = typer.Argument(..., metavar="CONFIG.yaml", help="Training config (YAML)."),
    preset: str | None = typer.Option(
        None, "--preset", "-p", help="quick-cpu-demo, balanced or quality: fills unset fields."
    ),
    follow: bool = typer.Option(
        True, "--follow/--no-follow", help="Show progress and the live loss until the run ends."
    ),
    overrides: list[str] = typer.Option(
        [], "--set", "-s", help="Override a field: KEY=VALUE (dotted keys, e.g. lora.r=8)."
    ),
) -> None:
    """Check a training config, print its memory and time estimate, and queue the run; with
    --follow (the default) show its progress and loss until it ends (exit 1 if it fails).
    A worker runs it: `lathe serve` embeds one, or start `lathe worker`."""
    settings = database_settings()
    config = load_config(config_file, preset, overrides)
    result = estimate(settings, config)
    print_estimate(result)
    job, _ = queue_checked_run(settings, config)
    console.print(f"queued training run: job {job.id}")
    if live_workers(settings) == 0:
        err_console.print(
            "[yellow]warning:[/] no worker is running, so the run waits in the queue: start "
            "one with `lathe worker` (or `lathe serve`, which runs one)",
            soft_wrap=True,
        )
    if not follow:
        console.print(f"follow it with `lathe jobs logs {job.id} -f`")
        return
    try:
        final = follow_run(settings, job.id)
    except KeyboardInterrupt:
        console.print(
            f"stopped following; job {job.id} goes on (`lathe jobs cancel {job.id}` stops it)"
        )
        raise typer.Exit(130) from None
    if final.status == "succeeded":
        console.print(f"[green]run {final.id} succeeded[/]")
        print_outcome(final)
        return
    reason = f": {final.error_message}" if final.error_message else ""
    err_console.print(f"[bold red]run {final.id} {final.status}[/]{escape(reason)}", soft_wrap=True)
    raise typer.Exit(EXIT_RUN_FAILED)
