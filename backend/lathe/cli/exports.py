"""`lathe exports`: list, show, delete finished exports, and register one back as a model."""

from __future__ import annotations

import typer
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings, fail
from lathe.cli.export import print_report
from lathe.cli.follow import exit_unless_succeeded, follow_run
from lathe.cli.format import human_bytes
from lathe.export import catalog, records
from lathe.export.register import queue_register
from lathe.models.registry import resolve_model

app = typer.Typer(
    help="Finished exports (`lathe export ADAPTER` makes them).", no_args_is_help=True
)


@app.command("list")
@cli_errors
def list_exports(
    model: str | None = typer.Option(
        None, "--model", "-m", help="Only exports of this adapter, or of this base's adapters."
    ),
    limit: int = typer.Option(50, min=1, max=200, help="How many exports to show."),
) -> None:
    """The newest exports first."""
    settings = database_settings()
    model_id = resolve_model(settings, model).id if model is not None else None
    items, _ = catalog.list_exports(settings, limit=limit, model_id=model_id)
    if not items:
        console.print("No exports yet. `lathe export ADAPTER --format gguf` makes one.")
        return
    table = Table(title="Exports")
    table.add_column("id", justify="right")
    table.add_column("name", no_wrap=True)
    for column in ("adapter", "format", "size", "verified", "model", "created"):
        table.add_column(column, justify="right" if column == "size" else "left")
    for item in items:
        table.add_row(
            str(item.id),
            item.name,
            item.source_model_name or "-",
            " ".join(filter(None, (item.format, item.dtype, item.quant))),
            human_bytes(item.size_bytes),
            "[green]passed[/]" if item.passed else "[red]failed[/]",
            str(item.registered_model_id or "-"),
            item.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command()
@cli_errors
def show(export_id: int = typer.Argument(help="Export id.")) -> None:
    """One export: where it is, its verification report and files, its Modelfile."""
    settings = database_settings()
    detail = catalog.get_export(settings, export_id)
    folder = records.export_dir(settings, records.get(settings, export_id))
    console.print(
        f"export {detail.id}: {detail.name} ({detail.format})", highlight=False, soft_wrap=True
    )
    console.print(
        f"from adapter: {detail.source_model_name or '-'}", highlight=False, soft_wrap=True
    )
    console.print(f"folder: {folder}", highlight=False, soft_wrap=True)
    console.print(
        f"primary: {detail.primary}  sha256 {detail.sha256}", highlight=False, soft_wrap=True
    )
    print_report(detail)
    if detail.modelfile:
        console.print("Modelfile:", style="bold")
        console.print(detail.modelfile, highlight=False, markup=False)


@app.command("rm")
@cli_errors
def remove(
    export_id: int = typer.Argument(help="Export id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete an export and its files (a model registered from it stays)."""
    settings = database_settings()
    row = records.get(settings, export_id)
    if not yes and not typer.confirm(f"Delete export {row.id} ({row.name}) and its files?"):
        raise fail("not deleted")
    catalog.delete_export(settings, export_id)
    console.print(f"deleted export {row.id}")


@app.command()
@cli_errors
def register(
    export_id: int = typer.Argument(help="Export id (a merged or gguf export)."),
    name: str | None = typer.Option(None, "--name", "-n", help="Model name (default: export's)."),
) -> None:
    """Register a merged or GGUF export as a model, to chat with it (a worker runs the job)."""
    settings = database_settings()
    job = queue_register(settings, export_id, name)
    console.print(f"queued registration: job {job.id}")
    final = follow_run(settings, job.id)
    exit_unless_succeeded(final, "registration job")
    result = final.result or {}
    console.print(f"[green]registered:[/] model {result.get('name')} (id {result.get('model_id')})")
