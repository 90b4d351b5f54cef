"""`lathe train CONFIG.yaml`: check a training config, show its estimate, queue the run and
follow it with a progress bar and the live loss until it ends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
import yaml
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings, fail, invalid_config
from lathe.cli.follow import exit_unless_succeeded, follow_queued
from lathe.db.tables import JobRow
from lathe.schemas.training import Estimate, adapter_model_id
from lathe.training.config import TrainingConfig
from lathe.training.estimate import estimate, queue_checked_run
from lathe.training.memory_model import format_bytes


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
        raise invalid_config(error) from None


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
    final = follow_queued(settings, job.id, "run", follow)
    if final is None:
        return
    exit_unless_succeeded(final, "run")
    console.print(f"[green]run {final.id} succeeded[/]")
    print_outcome(final)
