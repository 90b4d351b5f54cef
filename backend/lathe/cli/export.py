"""`lathe export ADAPTER`: queue an export of a trained adapter (PEFT adapter, merged model or
GGUF), follow it with a progress bar, print its verification report, and copy the artifact
where asked (-o)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from lathe.cli.common import cli_errors, console, database_settings, fail, invalid_config
from lathe.cli.follow import EXIT_RUN_FAILED, exit_unless_succeeded, follow_queued
from lathe.cli.format import human_bytes
from lathe.db.tables import ExportRow
from lathe.export import records
from lathe.export.catalog import get_export
from lathe.export.config import ExportConfig
from lathe.export.files import download_target
from lathe.export.service import queue_export
from lathe.schemas.exports import ExportDetail
from lathe.settings import Settings


def parse_config(values: dict[str, Any]) -> ExportConfig:
    try:
        return ExportConfig.model_validate(values)
    except ValidationError as error:
        raise invalid_config(error) from None


def _output_target(output: Path | None) -> Path | None:
    """Where -o copies to: into an existing folder, or as a new path in an existing one."""
    if output is None:
        return None
    output = output.expanduser()
    if output.is_dir():
        return output
    if not output.parent.is_dir():
        raise fail(f"-o: the folder {output.parent} does not exist")
    if os.path.lexists(output):
        raise fail(f"-o: {output} exists already")
    return output


def copy_artifact(source: Path, output: Path) -> Path:
    """Copy a file or folder to `output` (inside it when it is a folder) under a temporary
    name first, so an interrupted copy never looks finished."""
    target = output / source.name if output.is_dir() else output
    if os.path.lexists(target):
        raise fail(f"-o: {target} exists already; the export is in {source}")
    partial = target.with_name(f".{target.name}.partial")
    if source.is_dir():
        shutil.copytree(source, partial)
    else:
        shutil.copyfile(source, partial)
    partial.rename(target)
    return target


def _value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_report(detail: ExportDetail) -> None:
    report = detail.report
    table = Table(title=f"Verification of export {detail.id} ({detail.name})")
    for column in ("check", "result", "limit", "passed"):
        table.add_column(column)
    for name, check in report.verification.items():
        shown = ", ".join(
            f"{key.replace('_', ' ')} {_value(value)}"
            for key, value in check.items()
            if key not in ("limit", "passed")
        )
        passed = check.get("passed")
        mark = "[green]yes[/]" if passed else "[red]no[/]" if passed is not None else "-"
        table.add_row(name, escape(shown), _value(check.get("limit", "-")), mark)
    console.print(table)
    files = Table(title="Files")
    for column in ("file", "size", "sha256"):
        files.add_column(column, justify="right" if column == "size" else "left")
    for item in detail.files:
        files.add_row(item.path, human_bytes(item.size_bytes), item.sha256[:16])
    console.print(files)
    timing = "  ".join(f"{phase} {seconds:.1f} s" for phase, seconds in report.seconds.items())
    if timing:
        console.print(f"time: {timing}", highlight=False, soft_wrap=True)


def _finished_export(settings: Settings, job_id: int) -> ExportRow:
    row = records.find_by_job(settings, job_id)
    if row is None:
        raise fail(f"job {job_id} succeeded but recorded no export", code=EXIT_RUN_FAILED)
    return row


@cli_errors
def export(
    adapter: str = typer.Argument(..., help="The adapter to export: its model name or id."),
    format_: str = typer.Option("gguf", "--format", "-f", help="adapter, merged or gguf."),
    quant: str = typer.Option("Q8_0", "--quant", "-q", help="GGUF quantisation, e.g. q8_0, f16."),
    dtype: str = typer.Option("fp16", "--dtype", help="Merged weights: fp32, fp16 or bf16."),
    name: str | None = typer.Option(None, "--name", "-n", help="Stem of the artifacts' names."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Copy the exported file or folder here when it is done."
    ),
    follow: bool = typer.Option(
        True, "--follow/--no-follow", help="Show progress until the export ends."
    ),
) -> None:
    """Export a trained adapter as a PEFT adapter folder, a merged model folder or a GGUF file
    (with an Ollama Modelfile), verified by loading it back. A worker runs it: `lathe serve`
    embeds one, or start `lathe worker`. Exit 1 when the export fails or its verification
    does not pass."""
    values = {"source": adapter, "format": format_, "quant": quant, "dtype": dtype, "name": name}
    config = parse_config(values)
    target = _output_target(output)
    if target is not None and not follow:
        raise fail("-o needs --follow: the copy is made when the export is done")
    settings = database_settings()
    job = queue_export(settings, config)
    console.print(f"queued export: job {job.id}")
    final = follow_queued(settings, job.id, "export", follow)
    if final is None:
        return
    exit_unless_succeeded(final, "export job")
    row = _finished_export(settings, job.id)
    detail = get_export(settings, row.id)
    print_report(detail)
    folder = records.export_dir(settings, row)
    console.print(
        f"[green]export {row.id}:[/] {folder / detail.primary}", highlight=False, soft_wrap=True
    )
    if not detail.passed:
        raise fail("the export's verification did not pass (see above)", code=EXIT_RUN_FAILED)
    if target is not None:
        copied = copy_artifact(download_target(settings, row, None), target)
        console.print(f"copied to {copied}", highlight=False, soft_wrap=True)
