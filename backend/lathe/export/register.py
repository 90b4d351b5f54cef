"""Registering an export back as a model, so it can be chatted with and compared: a merged
folder is imported as a model folder, a GGUF file through the registry's GGUF import (which
converts it to safetensors). The registry copies the files, so deleting the export later
leaves the model intact."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lathe.db.tables import ExportRow, JobRow, ModelRow
from lathe.errors import Conflict, InvalidInput, NotFound
from lathe.export import records
from lathe.export.files import download_target
from lathe.jobs import service as jobs
from lathe.models import records as model_records
from lathe.models.jobs import ImportParams, run_import
from lathe.models.names import check_name, sanitize_name
from lathe.settings import Settings

if TYPE_CHECKING:
    from lathe.jobs.context import JobContext

REGISTER_KIND = "export.register"
GGUF_SUFFIX = ".gguf"


def registered_model(settings: Settings, row: ExportRow) -> ModelRow | None:
    """The model registered from this export, if it is still registered."""
    if row.registered_model_id is None:
        return None
    try:
        return model_records.get(settings, row.registered_model_id)
    except NotFound:
        return None


def registrable_source(settings: Settings, row: ExportRow) -> Path:
    """The merged folder or GGUF file of an export; InvalidInput for an adapter export."""
    if row.format == "adapter":
        raise InvalidInput(
            f"export {row.id} is a PEFT adapter: only merged and gguf exports can be registered "
            "as models (the adapter itself is registered already; export it as merged or gguf)",
            field="format",
        )
    return download_target(settings, row, None)


def default_model_name(row: ExportRow) -> str:
    """The primary artifact's name without .gguf: my-adapter-merged-fp16, my-adapter.Q8_0."""
    name = PurePosixPath(str(row.report.get("primary") or row.name)).name
    if name.lower().endswith(GGUF_SUFFIX):
        name = name[: -len(GGUF_SUFFIX)]
    return sanitize_name(name)


def plan_register(settings: Settings, export_id: int, name: str | None) -> tuple[ExportRow, str]:
    """Every check before a register job is queued: the export exists, is merged or gguf, is
    not registered already, and the model name is valid and free."""
    row = records.get(settings, export_id)
    registrable_source(settings, row)
    existing = registered_model(settings, row)
    if existing is not None:
        raise Conflict(
            f"export {row.id} is registered already as model {existing.name} (id {existing.id})",
            details={"model_id": existing.id},
        )
    chosen = check_name(name) if name is not None else default_model_name(row)
    model_records.ensure_name_free(settings, chosen)
    return row, chosen


def queue_register(settings: Settings, export_id: int, name: str | None) -> JobRow:
    row, chosen = plan_register(settings, export_id, name)
    return jobs.enqueue(settings, REGISTER_KIND, {"export_id": row.id, "name": chosen})


def _source_key(source: Path) -> str:
    # The registry's own source strings, so a retried job finds what an earlier one imported.
    return f"path:{source}" if source.is_dir() else f"gguf:{source}"


def import_export(ctx: JobContext, export_id: int, name: str) -> ModelRow:
    """Register the export (idempotent: an export registered already returns its model)."""
    settings = ctx.settings
    row = records.get(settings, export_id)
    model = registered_model(settings, row)
    if model is None:
        source = registrable_source(settings, row)
        model = model_records.find_by_source(settings, _source_key(source))
        if model is None:
            # The model.import job's own handler: the same progress, logs and checks.
            result = run_import(ctx, ImportParams(source=str(source), name=name)) or {}
            model = model_records.get(settings, int(result["model_id"]))
        records.set_registered(settings, row.id, model.id)
    ctx.log(f"export {row.id} is registered as model {model.name} (id {model.id})")
    return model
