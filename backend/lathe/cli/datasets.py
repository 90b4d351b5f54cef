"""`lathe datasets`: import a file, list, show, print rows, remove."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings, fail
from lathe.cli.format import human_bytes
from lathe.datasets import records, service
from lathe.datasets.importer import ImportOptions, import_file
from lathe.datasets.uploads import UNSAFE_NAME_CHARS
from lathe.db.tables import DatasetVersionRow

app = typer.Typer(help="Datasets: import files, browse rows and versions.", no_args_is_help=True)

SHOWN_PROBLEMS = 10


def _never_stop() -> None:
    return None


@app.command("import")
@cli_errors
def import_(
    file: Path = typer.Argument(help="JSONL, JSON, CSV/TSV, Parquet or TXT file."),
    name: str | None = typer.Option(None, "--name", "-n", help="Dataset name (default: file)."),
    fmt: str = typer.Option(
        "auto",
        "--format",
        "-f",
        help="auto, messages, sharegpt, alpaca, prompt_completion, text, preference or table.",
    ),
    strict: bool = typer.Option(False, help="Refuse the file at its first problem."),
    stats_model: str | None = typer.Option(
        None, help="Model whose tokenizer counts tokens (default: the built-in one)."
    ),
    max_length: int = typer.Option(2048, min=1, help="Training length for the over-length share."),
    dataset: str | None = typer.Option(
        None, "--dataset", "-d", help="Add a new version to this dataset (id or name)."
    ),
) -> None:
    """Check a file, write it as a dataset version (rows, report, stats) and show the report."""
    settings = database_settings()
    try:
        options = ImportOptions.model_validate(
            {"format": fmt, "strict": strict, "stats_model": stats_model, "max_length": max_length}
        )
    except ValidationError as error:
        problem = error.errors()[0]
        raise fail(f"--{problem['loc'][0]}: {problem['msg']}") from None
    if not file.is_file():
        raise fail(f"file: {file} is not a file")
    if dataset is not None:
        target = records.resolve(settings, dataset).name
    else:
        target = name or UNSAFE_NAME_CHARS.sub("-", file.stem).strip("-._") or "dataset"
        records.ensure_name_free(settings, target)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("reading", total=None)

        def progress(done: int, total: int | None, message: str) -> None:
            bar.update(task, completed=done, total=total, description=message)

        row = import_file(
            settings, file, target, options, progress=progress, raise_if_stopped=_never_stop
        )
    _print_report(row)
    console.print(f"[green]imported:[/] {target} version {row.version} ({row.row_count} rows)")


def _print_report(row: DatasetVersionRow) -> None:
    report: dict[str, Any] = row.report or {}
    if not report:
        return
    rows = report["rows"]
    console.print(
        f"format {report['format']} ({report['file_type']}) → {report['canonical_format']}; "
        f"{rows['valid']} of {rows['total']} records kept, {rows['skipped']} skipped"
    )
    for problem in report["problems"][:SHOWN_PROBLEMS]:
        console.print(f"  [yellow]skipped[/] {escape(problem['reason'])}", highlight=False)
    if report["problem_count"] > SHOWN_PROBLEMS:
        console.print(f"  … and {report['problem_count'] - SHOWN_PROBLEMS} more")


@app.command("list")
@cli_errors
def list_datasets(
    limit: int = typer.Option(200, min=1, max=200, help="How many datasets to show."),
) -> None:
    """List datasets with their newest version."""
    listing = service.list_datasets(database_settings(), limit=limit, cursor=None)
    if not listing.datasets:
        console.print("No datasets yet. Import one with `lathe datasets import FILE`.")
        return
    table = Table(title="Datasets")
    for column in ("id", "name", "version", "format", "rows", "size", "updated"):
        table.add_column(column, justify="right" if column in ("id", "rows", "size") else "left")
    for dataset in listing.datasets:
        latest = listing.latest.get(dataset.id)
        table.add_row(
            str(dataset.id),
            dataset.name,
            str(latest.version) if latest else "-",
            latest.format if latest else "-",
            str(latest.row_count) if latest else "-",
            human_bytes(latest.size_bytes) if latest else "-",
            dataset.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command()
@cli_errors
def show(dataset: str = typer.Argument(help="Dataset id or name.")) -> None:
    """Show a dataset's versions, and the newest one's report and stats."""
    settings = database_settings()
    row = records.resolve(settings, dataset)
    versions = records.versions(settings, row.id)
    console.print(f"[bold]{row.name}[/] (id {row.id}) {escape(row.description)}")
    table = Table(title="Versions")
    for column in ("version", "format", "rows", "columns", "size", "sha256", "source", "created"):
        table.add_column(column)
    for version in versions:
        table.add_row(
            str(version.version),
            version.format,
            str(version.row_count),
            ", ".join(c["name"] for c in version.columns),
            human_bytes(version.size_bytes),
            version.content_hash[:12],
            version.source,
            version.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)
    if versions:
        _print_report(versions[-1])
        if versions[-1].stats:
            console.print_json(json.dumps(versions[-1].stats))


@app.command()
@cli_errors
def head(
    dataset: str = typer.Argument(help="Dataset id or name."),
    version: int = typer.Option(0, "--version", "-v", min=0, help="Version (0: newest)."),
    rows: int = typer.Option(5, "--rows", "-n", min=1, max=200, help="How many rows."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Print the first rows of a version."""
    settings = database_settings()
    row = records.resolve(settings, dataset)
    _, page, _, _ = service.rows_page(settings, row.id, version, limit=rows, cursor=None)
    for number, record in enumerate(page, start=1):
        if as_json:
            typer.echo(json.dumps(record, ensure_ascii=False))
            continue
        console.rule(f"row {number}")
        for column, value in record.items():
            _print_value(column, value)


def _print_value(column: str, value: Any) -> None:
    if (
        isinstance(value, list)
        and value
        and all(isinstance(turn, dict) and "role" in turn for turn in value)
    ):
        for turn in value:
            console.print(f"[bold cyan]{turn['role']}[/]: {escape(str(turn['content']))}")
        return
    console.print(f"[bold]{column}[/]: {escape(str(value))}")


@app.command("rm")
@cli_errors
def remove(
    dataset: str = typer.Argument(help="Dataset id or name."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a dataset, all its versions and their files."""
    settings = database_settings()
    row = records.resolve(settings, dataset)
    if not yes and not typer.confirm(f"Delete dataset {row.name} (id {row.id}) and its files?"):
        raise fail("not deleted")
    service.delete_dataset(settings, row.id)
    console.print(f"deleted {row.name}")
