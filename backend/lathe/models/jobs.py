"""Model pulls and imports as durable jobs. The API checks the input first (plan_import,
get_builtin), so a job only ever starts with a request that made sense when it was queued."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lathe.db.tables import JobRow
from lathe.jobs import service as jobs
from lathe.jobs.context import JobContext, JobStopped
from lathe.jobs.kinds import job_kind
from lathe.models import registry
from lathe.models.builtin import get_builtin
from lathe.schemas.jobs import Resources
from lathe.schemas.models import DEFAULT_MODEL_KEY, MODEL_NAME_PATTERN, ProgressEvent
from lathe.settings import Settings

PULL_KIND = "model.pull"
IMPORT_KIND = "model.import"
# Converting a GGUF holds the whole dequantised model in memory.
MODEL_RESOURCES = Resources(slot="aux", memory="medium")


class PullParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(default=DEFAULT_MODEL_KEY, description="A built-in model key.")


class ImportParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(min_length=1, description="HF model folder, .gguf file or ORG/NAME.")
    name: str | None = Field(default=None, pattern=MODEL_NAME_PATTERN)


def _reporter(ctx: JobContext) -> registry.ProgressCallback:
    """Relays registry progress to the job, and is where a cancel takes effect: raising here
    unwinds through the staging folders, so a cancelled pull leaves nothing behind."""

    def report(event: ProgressEvent) -> None:
        if ctx.should_stop():
            raise JobStopped(ctx.stop_reason)
        ctx.progress(event.completed or 0, event.total, f"{event.stage}: {event.message}")

    return report


@job_kind(PULL_KIND, params=PullParams, resources=MODEL_RESOURCES, max_attempts=2)
def run_pull(ctx: JobContext, params: PullParams) -> dict[str, Any]:
    row = registry.pull_builtin(ctx.settings, params.key, progress=_reporter(ctx))
    ctx.log(f"model {row.name} (id {row.id}) is ready")
    return {"model_id": row.id}


@job_kind(IMPORT_KIND, params=ImportParams, resources=MODEL_RESOURCES, max_attempts=1)
def run_import(ctx: JobContext, params: ImportParams) -> dict[str, Any]:
    row = registry.import_model(
        ctx.settings, params.source, name=params.name, progress=_reporter(ctx)
    )
    ctx.log(f"model {row.name} (id {row.id}) imported from {params.source}")
    return {"model_id": row.id}


def queue_pull(settings: Settings, key: str) -> JobRow:
    """Queue a pull of a built-in model, or return the one already queued or running."""
    get_builtin(key)  # an unknown key is refused now, not in the job
    active = jobs.find_active(settings, PULL_KIND, {"key": key})
    return active or jobs.enqueue(settings, PULL_KIND, {"key": key})


def queue_import(settings: Settings, source: str, name: str | None) -> JobRow:
    plan = registry.plan_import(settings, source, name=name)
    return jobs.enqueue(settings, IMPORT_KIND, {"source": plan.target, "name": plan.name})
