"""`lathe recipes`: run, validate and preview YAML recipes; list, import and export saved ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings, fail
from lathe.recipes import records, service
from lathe.recipes.preview import preview_recipe
from lathe.recipes.problems import Problem, problems_error
from lathe.recipes.registry import node_types_catalog
from lathe.recipes.run import RunResult, run_recipe
from lathe.recipes.validate import validate_graph
from lathe.recipes.yaml_io import load_yaml

app = typer.Typer(help="Data recipes: typed graphs that build dataset versions.")


def _read(file: Path) -> dict[str, Any]:
    if not file.is_file():
        raise fail(f"{file} is not a file")
    return load_yaml(file.read_text(encoding="utf-8"))


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        console.print(f"  [red]✗[/] {problem.message}", highlight=False)


@app.command()
@cli_errors
def run(file: Path = typer.Argument(help="Recipe YAML file.")) -> None:
    """Run a recipe file to the end and write its output dataset versions."""
    settings = database_settings()
    graph = _read(file)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("running", total=None)

        def progress(rows: int, nodes: dict[str, dict[str, int]]) -> None:
            bar.update(task, description=f"{rows} rows read")

        result = run_recipe(settings, graph, on_progress=progress)
    _print_result(result)


def _print_result(result: RunResult) -> None:
    table = Table(title=f"Nodes ({result.seconds:.2f} s)")
    for column in ("node", "rows in", "rows out", "seconds"):
        table.add_column(column, justify="left" if column == "node" else "right")
    for node_id, stats in result.nodes.items():
        table.add_row(node_id, str(stats.rows_in), str(stats.rows_out), f"{stats.seconds:.3f}")
    console.print(table)
    for output in result.outputs:
        console.print(
            f"[green]wrote:[/] {output.dataset} version {output.version} ({output.rows} rows)"
        )


@app.command()
@cli_errors
def validate(file: Path = typer.Argument(help="Recipe YAML file.")) -> None:
    """List every problem of a recipe file, each with its node; exit 2 when there are any."""
    problems = validate_graph(_read(file), database_settings())
    if problems:
        _print_problems(problems)
        raise problems_error(problems)
    console.print("[green]valid[/]")


@app.command()
@cli_errors
def preview(
    file: Path = typer.Argument(help="Recipe YAML file."),
    node: str | None = typer.Option(None, "--node", help="Show this node's rows (default: all)."),
    limit: int = typer.Option(5, "--limit", "-n", min=1, max=200, help="Rows per source."),
) -> None:
    """Run a recipe on its first rows and print what each node makes of them."""
    result = preview_recipe(database_settings(), _read(file), limit=limit)
    for item in result.nodes:
        if node is not None and item.node_id != node:
            continue
        console.rule(f"{item.node_id} ({item.type}): {item.status}, {item.stats.rows_out} rows")
        _print_problems(item.problems)
        for port, rows in item.outputs.items():
            for row in rows.rows:
                console.print(f"[dim]{port}[/] {json.dumps(row, ensure_ascii=False)}")


@app.command("list")
@cli_errors
def list_recipes() -> None:
    """List saved recipes."""
    listing = service.list_recipes(database_settings(), limit=200, cursor=None)
    if not listing.recipes:
        console.print("No recipes yet. Import one with `lathe recipes import FILE.yaml`.")
        return
    table = Table(title="Recipes")
    for column in ("id", "name", "version", "nodes", "updated"):
        table.add_column(column)
    for row in listing.recipes:
        latest = listing.latest[row.id]
        table.add_row(
            str(row.id),
            row.name,
            str(latest.version),
            str(len(latest.graph.get("nodes", []))),
            row.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    console.print(table)


@app.command("import")
@cli_errors
def import_(
    file: Path = typer.Argument(help="Recipe YAML file."),
    name: str | None = typer.Option(None, "--name", "-n", help="Default: the file's `name`."),
) -> None:
    """Save a recipe file as a new recipe (version 1)."""
    if not file.is_file():
        raise fail(f"{file} is not a file")
    recipe, _ = service.import_yaml(database_settings(), file.read_text(encoding="utf-8"), name)
    console.print(f"[green]saved:[/] {recipe.name} (id {recipe.id})")


@app.command()
@cli_errors
def export(
    recipe: str = typer.Argument(help="Recipe id or name."),
    version: int = typer.Option(0, "--version", "-v", min=0, help="Version (0: newest)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file."),
) -> None:
    """Print (or write) a saved recipe as YAML."""
    settings = database_settings()
    row = records.resolve(settings, recipe)
    _, _, text = service.export_yaml(settings, row.id, version)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")


@app.command("run-saved")
@cli_errors
def run_saved(
    recipe: str = typer.Argument(help="Recipe id or name."),
    version: int = typer.Option(0, "--version", "-v", min=0, help="Version (0: newest)."),
) -> None:
    """Queue a run of a saved recipe for the workers (`lathe jobs logs ID -f` follows it)."""
    settings = database_settings()
    job = service.queue_run(settings, records.resolve(settings, recipe).id, version)
    console.print(f"queued job {job.id} ({job.kind})")


@app.command("node-types")
@cli_errors
def node_types() -> None:
    """The node types with their ports and parameters."""
    table = Table(title="Node types")
    for column in ("type", "group", "inputs", "outputs", "params"):
        table.add_column(column)
    for info in node_types_catalog():
        table.add_row(
            info.type,
            info.group,
            ", ".join(port.name for port in info.inputs) or "-",
            ", ".join(port.name for port in info.outputs) or "-",
            ", ".join(info.params_schema.get("properties", {})),
        )
    console.print(table)
