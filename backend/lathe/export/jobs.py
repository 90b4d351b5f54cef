"""`export`: build an adapter, merged or GGUF export of a trained adapter. The params are an
ExportConfig. The builders write into a staging folder under LATHE_HOME/tmp; the finished
folder is renamed to LATHE_HOME/exports/<export id>/ as its row is committed. Any failure (a
full disk included) removes the staging folder and records nothing. A retried attempt that
finds its export recorded returns it.

Result: {export_id, name, format, dtype, quant, primary, size_bytes, sha256, passed,
adapter: {id, name}}; the report is on the export (GET /api/exports/{export_id}).

`export.register`: register a merged or GGUF export as a model (through the model registry's
import, as `model.import` does), so it can be chatted with. Result: {model_id, name,
export_id}."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lathe.db.tables import ExportRow
from lathe.export import records
from lathe.export.config import ExportConfig
from lathe.export.files import check_report, primary_sha256
from lathe.export.register import REGISTER_KIND, import_export
from lathe.export.service import (
    EXPORT_KIND,
    ExportPlan,
    check_free_space,
    estimate_bytes,
    no_space_error,
    plan_export,
)
from lathe.export.spec import ExportReport, ExportSpec, Progress
from lathe.jobs.context import JobContext, JobStopped
from lathe.jobs.kinds import job_kind
from lathe.models.storage import staging, tree_size
from lathe.schemas.jobs import Resources
from lathe.schemas.models import MODEL_NAME_PATTERN
from lathe.settings import Settings

__all__ = ["EXPORT_KIND", "REGISTER_KIND", "run_export", "run_register"]

PROGRESS_TOTAL = 100


def export_resources(config: ExportConfig) -> Resources:
    # Beside training, in an aux slot; merging holds the whole base model in memory.
    return Resources(slot="aux", memory="medium" if config.format == "adapter" else "large")


def _relay(ctx: JobContext) -> Progress:
    """Builder progress as job progress (percent), and where a cancel takes effect: raising
    here unwinds through the staging folder, so a cancelled export leaves nothing behind."""

    def report(fraction: float, message: str) -> None:
        if ctx.should_stop():
            raise JobStopped(ctx.stop_reason)
        done = round(min(max(fraction, 0.0), 1.0) * PROGRESS_TOTAL, 1)
        ctx.progress(done, PROGRESS_TOTAL, message)

    return report


def export_result(settings: Settings, row: ExportRow) -> dict[str, Any]:
    names = records.model_names(settings, {row.source_model_id} if row.source_model_id else set())
    return {
        "export_id": row.id,
        "name": row.name,
        "format": row.format,
        "dtype": row.dtype,
        "quant": row.quant,
        "primary": row.report.get("primary"),
        "size_bytes": row.size_bytes,
        "sha256": row.sha256,
        "passed": bool(row.report.get("passed")),
        "adapter": {"id": row.source_model_id, "name": names.get(row.source_model_id or 0)},
    }


@job_kind(EXPORT_KIND, params=ExportConfig, resources=export_resources, max_attempts=2)
def run_export(ctx: JobContext, config: ExportConfig) -> dict[str, Any]:
    settings = ctx.settings
    done = records.find_by_job(settings, ctx.job_id)
    if done is not None:  # an earlier attempt recorded it, then died before finishing
        ctx.log(f"export {done.id} was already recorded by this job")
        return export_result(settings, done)
    plan = plan_export(settings, config)
    check_free_space(settings, estimate_bytes(plan))
    ctx.log(
        f"exporting adapter {plan.adapter.name} (base model {plan.base.name}) as "
        f"{config.format} {config.variant()}: {plan.name}"
    )
    with staging(settings, "export") as work:
        built = work / "export"
        built.mkdir()
        report = _build(ctx, plan, built)
        check_report(built, report)
        row = records.publish(settings, built, _row(ctx, plan, report, built))
    verdict = "passed" if report.passed else "FAILED"
    ctx.log(f"export {row.id} written to {settings.exports_dir / row.path}; verification {verdict}")
    ctx.progress(PROGRESS_TOTAL, PROGRESS_TOTAL, "done")
    return export_result(settings, row)


def _build(ctx: JobContext, plan: ExportPlan, built: Path) -> ExportReport:
    # Imported here: the builders pull in torch and transformers, and the API process imports
    # this module to validate export params.
    from lathe.export.artifacts.build import build_export

    config = plan.config
    spec = ExportSpec(
        format=config.format,
        adapter_dir=plan.adapter_dir,
        base_dir=plan.base_dir,
        out_dir=built,
        name=plan.name,
        dtype=config.dtype,
        quant=config.quant,
        facts=plan.facts(ctx.settings),
    )
    try:
        return build_export(spec, _relay(ctx), ctx.log)
    except Exception as error:
        what = f"the {config.format} export {plan.name}"
        full = no_space_error(error, built, home=ctx.settings.home, what=what)
        if full is not None:
            raise full from error
        raise


def _row(ctx: JobContext, plan: ExportPlan, report: ExportReport, built: Path) -> ExportRow:
    config = plan.config
    return ExportRow(
        job_id=ctx.job_id,
        source_model_id=plan.adapter.id,
        format=config.format,
        dtype=config.used_dtype,
        quant=config.used_quant,
        name=plan.name,
        path="",  # records.publish names the folder after the row's id
        size_bytes=tree_size(built),
        sha256=primary_sha256(built, report),
        report=report.model_dump(mode="json"),
    )


class RegisterParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    export_id: int = Field(ge=1, description="The merged or GGUF export to register.")
    name: str = Field(pattern=MODEL_NAME_PATTERN, description="The new model's name.")


@job_kind(
    REGISTER_KIND,
    params=RegisterParams,
    resources=Resources(slot="aux", memory="medium"),
    max_attempts=2,
)
def run_register(ctx: JobContext, params: RegisterParams) -> dict[str, Any]:
    model = import_export(ctx, params.export_id, params.name)
    return {"model_id": model.id, "name": model.name, "export_id": params.export_id}
