"""`recipe.run`: run a saved recipe version to the end, writing its output dataset versions."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lathe.jobs.context import JobContext
from lathe.jobs.kinds import job_kind
from lathe.recipes import records
from lathe.recipes.run import run_recipe
from lathe.schemas.jobs import Resources

RUN_KIND = "recipe.run"
# generate/judge nodes hold a model in memory.
RUN_RESOURCES = Resources(slot="aux", memory="medium")


class RunParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipe_id: int
    version: int = Field(ge=1, description="The saved version to run.")


@job_kind(RUN_KIND, params=RunParams, resources=RUN_RESOURCES, max_attempts=2)
def run(ctx: JobContext, params: RunParams) -> dict[str, Any]:
    version = records.get_version(ctx.settings, params.recipe_id, params.version)

    def progress(rows: int, nodes: dict[str, dict[str, int]]) -> None:
        ctx.progress(rows, None, f"{rows} rows read", details={"nodes": nodes})

    result = run_recipe(
        ctx.settings,
        version.graph,
        on_progress=progress,
        should_stop=ctx.should_stop,
        job_id=ctx.job_id,
        recipe_version_id=version.id,
    )
    ctx.progress(
        result.rows_read,
        result.rows_read,
        "done",
        details={"nodes": {k: v.model_dump() for k, v in result.nodes.items()}},
    )
    for output in result.outputs:
        ctx.log(f"output {output.node_id}: {output.dataset} v{output.version}, {output.rows} rows")
    return result.model_dump(mode="json")
